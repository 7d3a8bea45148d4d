/**
 * @module cni-mtu
 * An overlay takes its header out of every packet: VXLAN 50 bytes (flannel's default backend,
 * Cilium's tunnel mode), IP-in-IP 20 (Calico's default), WireGuard 60. On the usual 1500-byte
 * network the pod interface must be that much smaller, or large packets are fragmented or
 * dropped (flannel writes FLANNEL_MTU=1450 for VXLAN; Calico's docs list 1480 / 1450 / 1440).
 */
import type { Finding, LintCheck } from "../types.js";

const LINK_MTU = 1500;
const OVERHEAD: Readonly<Record<string, { bytes: number; backend: string }>> = {
  flannel: { bytes: 50, backend: "VXLAN" },
  "cilium-cni": { bytes: 50, backend: "VXLAN" },
  calico: { bytes: 20, backend: "IP-in-IP" },
  "weave-net": { bytes: 50, backend: "VXLAN (fast datapath)" },
  wireguard: { bytes: 60, backend: "WireGuard" },
};

export const cniMtu: LintCheck = {
  code: "cni-mtu",
  severity: "warning",
  description: "a CNI plugin's mtu leaves no room for its overlay's header on a 1500-byte network",
  run(ctx) {
    return (ctx.options.cniConfigs ?? []).flatMap((c) =>
      c.plugins.flatMap((p): Finding[] => {
        const o = OVERHEAD[p.type];
        if (!o || p.mtu === undefined || p.mtu + o.bytes <= LINK_MTU) return [];
        return [{
          code: "cni-mtu",
          severity: "warning",
          message: `mtu ${p.mtu} plus ${p.type}'s ${o.backend} header (${o.bytes} bytes) exceeds a ${LINK_MTU}-byte network: large packets are fragmented or dropped`,
          object: `CNI configuration ${c.name ?? c.source.file}`,
          source: p.source,
          hint: `set mtu to ${LINK_MTU - o.bytes} (or less) unless the nodes' network has jumbo frames`,
        }];
      }),
    );
  },
};
