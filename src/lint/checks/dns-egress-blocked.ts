/**
 * @module dns-egress-blocked
 * Pods isolated for egress must still reach cluster DNS (kube-dns / CoreDNS, label
 * k8s-app=kube-dns in kube-system) on UDP 53, and on TCP 53 for truncated answers; a
 * default-deny egress policy without that allow breaks every name lookup. When the input has
 * no DNS pods, a CoreDNS pod is assumed (kube-system, k8s-app=kube-dns) and the fast engine
 * answers against it.
 */
import { containsPort, parseIp, unionPorts, EMPTY_PORTS, unknownSource, type Cluster, type NetworkPolicy, type Pod } from "../../model/index.js";
import { buildTopology, DEFAULT_POD_CIDR, fastAnalysis, podRange, type Analysis, type Topology } from "../../engine/index.js";
import type { LintContext } from "../context.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import { someNames } from "./service-pods.js";

const isDns = (labels: Readonly<Record<string, string>>): boolean => labels["k8s-app"] === "kube-dns";

/** The assumed CoreDNS pod: the third address of the pod CIDR (10.244.0.2 by default). */
function assumedDns(podCidr: string): Pod {
  const range = podRange(podCidr) ?? podRange(DEFAULT_POD_CIDR);
  const ip = range === undefined ? parseIp("10.244.0.2") : { family: range.family, value: range.lo + 2n };
  return {
    kind: "Pod", namespace: "kube-system", name: "coredns (assumed)", labels: { "k8s-app": "kube-dns" },
    ips: [ip ?? { family: 4, value: 0n }], hostNetwork: false,
    ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53, protocol: "TCP" }],
    owners: [], source: unknownSource,
  };
}

function world(ctx: LintContext): { t: Topology; a: Analysis; assumed: boolean } {
  if (ctx.topology.subjects.some((s) => isDns(s.labels))) return { t: ctx.topology, a: ctx.analysis, assumed: false };
  const namespaces = ctx.cluster.namespaces.some((n) => n.name === "kube-system")
    ? ctx.cluster.namespaces
    : [...ctx.cluster.namespaces, { kind: "Namespace" as const, name: "kube-system", labels: { "kubernetes.io/metadata.name": "kube-system" }, implicit: true, source: unknownSource }];
  const c: Cluster = { ...ctx.cluster, namespaces, pods: [...ctx.cluster.pods, assumedDns(ctx.options.podCidr ?? DEFAULT_POD_CIDR)] };
  const t = buildTopology(c, ctx.topologyOptions);
  return { t, a: fastAnalysis(c, t), assumed: true };
}

export const dnsEgressBlocked: LintCheck = {
  code: "dns-egress-blocked",
  severity: "warning",
  description: "egress isolation blocks DNS (UDP/TCP 53 to kube-dns) for pods that need names",
  run(ctx) {
    if (!ctx.cluster.networkPolicies.some((p) => p.policyTypes.includes("Egress"))) return [];
    const { t, a, assumed } = world(ctx);
    const dns = t.subjects.map((s, i) => ({ s, i })).filter(({ s }) => isDns(s.labels));
    const groups = new Map<string, { udp: string[]; tcp: string[]; by: string }>();
    // explain is per class: ask once per source class, not once per pod.
    const verdicts = new Map<number, { readonly by: string; readonly udp: boolean; readonly tcp: boolean }>();
    const verdictOf = (i: number): { readonly by: string; readonly udp: boolean; readonly tcp: boolean } => {
      const c = a.classOf[i] as number;
      let v = verdicts.get(c);
      if (!v) {
        let ports = EMPTY_PORTS;
        for (const d of dns) ports = unionPorts(ports, a.explain(i, d.i).egress.ports);
        const by = a.explain(i, dns[0]?.i ?? i).egress.isolatedBy.join(", ");
        v = { by, udp: containsPort(ports, "UDP", 53), tcp: containsPort(ports, "TCP", 53) };
        verdicts.set(c, v);
      }
      return v;
    };
    t.subjects.forEach((s, i) => {
      if (s.hostNetwork || isDns(s.labels) || !a.isolated(i, "Egress")) return;
      const v = verdictOf(i);
      let g = groups.get(v.by);
      if (!g) groups.set(v.by, (g = { udp: [], tcp: [], by: v.by }));
      if (!v.udp) g.udp.push(s.workloadId);
      else if (!v.tcp) g.tcp.push(s.workloadId);
    });
    const out: Finding[] = [];
    const byId = new Map<string, NetworkPolicy>();
    for (const p of ctx.cluster.networkPolicies) if (!byId.has(`${p.namespace}/${p.name}`)) byId.set(`${p.namespace}/${p.name}`, p);
    for (const g of groups.values()) {
      if (g.udp.length === 0 && g.tcp.length === 0) continue;
      const policy = byId.get(g.by.split(", ")[0] ?? "");
      if (!policy) continue;
      const where = assumed ? "kube-dns (assumed: kube-system pods labelled k8s-app=kube-dns; the input has none)" : "kube-dns";
      const mk = (who: string[], severity: "warning" | "info", what: string, effect: string): Finding => ({
        code: "dns-egress-blocked", severity, object: objectName(policy), source: policy.source,
        message: `egress of ${someNames(who)} is isolated by ${g.by} and ${what} to ${where}: ${effect}`,
        hint: `add an egress rule allowing UDP and TCP 53 to namespaceSelector kubernetes.io/metadata.name=kube-system, podSelector k8s-app=kube-dns`,
      });
      if (g.udp.length) out.push(mk(g.udp, "warning", "nothing allows UDP 53", "name lookups fail"));
      if (g.tcp.length) out.push(mk(g.tcp, "info", "UDP 53 is allowed but TCP 53 is not", "large (truncated) answers fail"));
    }
    return out;
  },
};
