/**
 * @module cni-ipam-overlap
 * IPAM ranges must not overlap each other (host-local: "subnets … and … overlap", range_set.go
 * in containernetworking/plugins) nor the Service CIDR: a pod given a Service's clusterIP is
 * unreachable, since kube-proxy captures that address on every node.
 */
import { formatIp, lastOf, parseCidr, type Cidr } from "../../model/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export const cniIpamOverlap: LintCheck = {
  code: "cni-ipam-overlap",
  severity: "error",
  description: "CNI IPAM ranges overlap each other or contain a Service clusterIP",
  run(ctx) {
    const out: Finding[] = [];
    const seen: { cidr: Cidr; text: string; where: string }[] = [];
    for (const c of ctx.options.cniConfigs ?? []) {
      const object = `CNI configuration ${c.name ?? c.source.file}`;
      for (const p of c.plugins) {
        for (const text of p.ranges) {
          const parsed = parseCidr(text);
          if (!parsed.ok) {
            out.push({ code: "cni-ipam-overlap", severity: "error", message: `IPAM subnet "${text}" is not a CIDR: ${parsed.reason}`, object, source: p.source, hint: "write the subnet as address/prefix, e.g. 10.244.0.0/16" });
            continue;
          }
          const cidr = parsed.cidr;
          const clash = seen.find((s) => s.cidr.family === cidr.family && s.cidr.base <= lastOf(cidr) && cidr.base <= lastOf(s.cidr));
          if (clash) {
            out.push({ code: "cni-ipam-overlap", severity: "error", message: `IPAM subnets ${clash.text} (${clash.where}) and ${text} overlap: two pods can get the same address`, object, source: p.source, hint: "give each range its own addresses" });
          }
          seen.push({ cidr, text, where: `${c.source.file}:${p.source.line}` });
          for (const svc of ctx.cluster.services) {
            const ip = svc.clusterIPs.find((a) => a.family === cidr.family && a.value >= cidr.base && a.value <= lastOf(cidr));
            if (ip) {
              out.push({ code: "cni-ipam-overlap", severity: "error", message: `IPAM subnet ${text} contains the clusterIP ${formatIp(ip)} of ${objectName(svc)}: the pod CIDR overlaps the Service CIDR`, object, source: p.source, hint: "keep pod ranges and the API server's --service-cluster-ip-range apart" });
              break;
            }
          }
        }
      }
    }
    return out;
  },
};
