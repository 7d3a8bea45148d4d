/**
 * @module staged-diff
 * What enforcing Calico's staged policies would change: every ordered pod pair whose allowed
 * flows differ between the enforced policies and the same policies with the staged ones applied
 * (Calico docs "Stage, preview impacts, and enforce policy"). Naive (all pairs), for previews of
 * modest clusters; the engines will compute the same from their matrices.
 */
import { formatPortSet, isEmptyPorts } from "../model/index.js";
import { applyStaged, calicoTiers, type CalicoInput } from "./calico-tiers.js";
import { FLOW_SET_OPS, type FlowSet } from "./flow-set.js";
import type { PolicyEndpoint } from "./party.js";
import { connectionFlows, type TierEvalContext } from "./tier-eval.js";
import type { StagedKubernetesNetworkPolicy } from "../model/index.js";

export interface StagedChange {
  readonly from: string;
  readonly to: string;
  /** Allowed only once the staged policies are enforced. */
  readonly gained: FlowSet;
  /** Allowed now, denied once they are enforced. */
  readonly lost: FlowSet;
}

function key(e: PolicyEndpoint): string {
  return `${e.namespace}/${e.name}`;
}

export function stagedDiff(input: CalicoInput, stagedK8s: readonly StagedKubernetesNetworkPolicy[], endpoints: readonly PolicyEndpoint[], ctx: TierEvalContext): StagedChange[] {
  const before = calicoTiers(input).tiers;
  const after = calicoTiers(applyStaged(input, stagedK8s)).tiers;
  const sorted = [...endpoints].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const out: StagedChange[] = [];
  for (const src of sorted) {
    for (const dst of sorted) {
      if (src === dst) continue;
      const b = connectionFlows(before, src, dst, ctx);
      const a = connectionFlows(after, src, dst, ctx);
      const gained = FLOW_SET_OPS.subtract(a, b);
      const lost = FLOW_SET_OPS.subtract(b, a);
      if (!FLOW_SET_OPS.isEmpty(gained) || !FLOW_SET_OPS.isEmpty(lost)) out.push({ from: key(src), to: key(dst), gained, lost });
    }
  }
  return out;
}

function icmpText(name: string, ranges: FlowSet["icmp"]): string | undefined {
  if (ranges.length === 0) return undefined;
  if (ranges.length === 1 && ranges[0]?.from === 0 && ranges[0]?.to === 65535) return `${name}:all`;
  return `${name}:${ranges.map((r) => (r.from % 256 === 0 && r.to === r.from + 255 ? `type ${r.from / 256}` : `${Math.floor(r.from / 256)}/${r.from % 256}-${Math.floor(r.to / 256)}/${r.to % 256}`)).join(",")}`;
}

/** `TCP:80 UDP:53 ICMP:type 8`, `all`, or `none`. */
export function formatFlowSet(f: FlowSet): string {
  const parts: string[] = [];
  const ports = formatPortSet(f.ports);
  if (!isEmptyPorts(f.ports)) parts.push(ports);
  const icmp = icmpText("ICMP", f.icmp);
  const icmp6 = icmpText("ICMPv6", f.icmp6);
  if (icmp) parts.push(icmp);
  if (icmp6) parts.push(icmp6);
  if (parts.length === 0) return "none";
  return ports === "all" && icmp === "ICMP:all" && icmp6 === "ICMPv6:all" ? "all" : parts.join(" ");
}
