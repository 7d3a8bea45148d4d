/**
 * @module trace
 * One connection, step by step: who the parties are, the egress verdict at the source, the
 * ingress verdict at the destination; every step names the policies and rules that decided,
 * and a denial says which policies isolate the pod and why none of their rules matched.
 */
import {
  EMPTY_PORTS,
  containsPort,
  unionPorts,
  formatIp,
  formatLabels,
  formatPortSet,
  formatSelector,
  intersectPorts,
  isEmptyPorts,
  portsOf,
  pushTo,
  selectorMatches,
  subtractPorts,
  type Cluster,
  type NetworkPolicy,
  type Peer,
  type PolicyRule,
  type PolicyType,
  type PortSet,
  type Protocol,
  type SourceRef,
} from "../model/index.js";
import {
  PORT_SET_OPS,
  clusterPolicySelects,
  clusterRuleOrigin,
  foldTiers,
  npRuleOrigin,
  peerMatchesAddress,
  peerMatchesPod,
  policyIsolates,
  policySelects,
  resolveRulePorts,
  rulesOf,
  tierPolicies,
  type MatchedRule,
  type RuleOrigin,
  type TierInput,
  type TierName,
} from "../policy/index.js";
import { clusterRulesOf, type ClusterPolicy, type RuleAction } from "../model/index.js";
import { FLOW_SET_OPS, enforcedTiers, flowsOfPorts, hasUnresolvedPeer, foldGeneralTiers, formatFlowSet, formatGeneralDecision, generalTiersOf, icmpFlows, tierInputs, type EnforcedTiers, type FlowSet, type PolicyPeer } from "../policy/index.js";
import type { Party } from "./resolve.js";
import type { Subject, Topology } from "./topology.js";

export type StepResult = "info" | "allowed" | "denied" | "skipped";

export interface TraceStep {
  readonly stage: string;
  readonly result: StepResult;
  readonly detail: string;
  readonly source?: { readonly file: string; readonly line: number };
  readonly rules?: readonly TraceRuleRef[];
  /** Why this step's verdict may be wrong (skipped or unmodelled input that could change it). */
  readonly uncertain?: readonly string[];
  /** Service traces: every endpoint of the Service port and its verdict (`unused`: not chosen by readiness or traffic policy). */
  readonly endpoints?: readonly { readonly name: string; readonly address: string; readonly port: number; readonly node?: string; readonly ready: boolean; readonly verdict: "allowed" | "denied" | "unused" }[];
}

/** A rule named by a trace step; kind/tier/action/priority are set for every rule (additive to the JSON). */
export interface TraceRuleRef {
  readonly policy: string;
  readonly direction: PolicyType;
  readonly index: number;
  readonly file: string;
  readonly line: number;
  readonly kind?: RuleOrigin["kind"] | (string & {});
  readonly tier?: TierName | (string & {});
  readonly action?: RuleAction;
  readonly priority?: number;
  /** Calico: the policy's spec.order. */
  readonly order?: number;
}

export interface Trace {
  readonly verdict: "allowed" | "denied";
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol | IcmpProtocol;
  readonly port?: number;
  /** ICMP traces: the message's type and code. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly allowedPorts: string;
  readonly steps: readonly TraceStep[];
}

export interface TraceRequest {
  readonly src: Party;
  readonly dst: Party;
  readonly protocol: Protocol;
  readonly port?: number | string;
  /** The connection went through a Service whose DNAT picked the source itself (hairpin). */
  readonly viaService?: boolean;
}

/** Policies per namespace, so a trace looks at a handful of policies, not all of them; cluster policies per tier in evaluation order. */
export class PolicyIndex {
  private readonly byNs = new Map<string, NetworkPolicy[]>();
  readonly admin: readonly ClusterPolicy[];
  readonly baseline: readonly ClusterPolicy[];
  constructor(readonly cluster: Cluster) {
    for (const p of cluster.networkPolicies) pushTo(this.byNs, p.namespace, p);
    this.admin = tierPolicies(cluster.clusterPolicies, "Admin");
    this.baseline = tierPolicies(cluster.clusterPolicies, "Baseline");
  }
  in(ns: string): readonly NetworkPolicy[] {
    return this.byNs.get(ns) ?? [];
  }
  /** Why verdicts at a pod of `ns` may be wrong: policies of that namespace, or cluster-scoped ones, that were skipped or are not modelled. */
  gapsAt(ns: string): string[] {
    // Unresolved peers are decided per connection in tieredStep (it knows whether one could match).
    return this.cluster.policyGaps
      .filter((g) => g.reason !== "unresolved-peer" && (g.namespace === undefined || g.namespace === ns))
      .map((g) => g.reason === "family-dependent" && g.detail !== undefined
        ? `${g.detail} (${g.source.file}:${g.source.line})`
        : `${g.kind} ${g.namespace ? `${g.namespace}/` : ""}${g.name} ${g.reason === "skipped" ? "was skipped for an input error" : "is not modelled"} (${g.source.file}:${g.source.line})`);
  }
}

type Who = { readonly kind: "pod"; readonly s: Subject } | { readonly kind: "address"; readonly label: string; readonly party: Party & { type: "address" } };

const ref = (s: SourceRef): { file: string; line: number } => ({ file: s.file, line: s.line });

function whoOf(t: Topology, p: Party): Who {
  if (p.type === "address") return { kind: "address", label: p.label, party: p };
  const s = t.subjects[p.node];
  if (s) return { kind: "pod", s };
  const cell = t.cells[p.node - t.subjects.length];
  const ip = { family: cell?.family ?? 4, value: cell?.representative ?? 0n } as const;
  return { kind: "address", label: cell?.id ?? p.label, party: { type: "address", ip, label: cell?.id ?? p.label } };
}

function describeWho(w: Who): string {
  if (w.kind === "address") return `${w.label} (outside the cluster)`;
  const ips = w.s.ips.length ? `, IP ${w.s.ips.map(formatIp).join(",")}` : "";
  return `${w.s.id} (${w.s.kind}${w.s.kind === "Pod" ? "" : " template"}, labels ${formatLabels(w.s.labels)}${ips}${w.s.hostNetwork ? ", hostNetwork" : ""})`;
}

function peerReason(peer: Peer, policyNs: string, other: Who): string {
  if (peer.type === "IPBlock") {
    if (other.kind === "pod" && other.s.ips.length === 0 && other.s.unknownIpRange) {
      return `ipBlock ${peer.text}${peer.except.length ? " (with except)" : ""} does not cover the whole pod CIDR ${other.s.unknownIpRange.text} (${other.s.id} has no IP in the input)`;
    }
    const what = other.kind === "pod" ? (other.s.ips.length ? `IP ${other.s.ips.map(formatIp).join(",")}` : "no known IP") : other.label;
    return `ipBlock ${peer.text}${peer.except.length ? " (with except)" : ""} does not contain ${what}`;
  }
  if (other.kind === "address") return "a pod selector never matches an address outside the cluster";
  const s = other.s;
  if (s.hostNetwork) return "selectors never match hostNetwork pods";
  if (peer.namespaces.type === "PolicyNamespace" && s.namespace !== policyNs) return `podSelector looks only in namespace ${policyNs}, not ${s.namespace}`;
  if (peer.namespaces.type === "Selector" && !selectorMatches(peer.namespaces.selector, s.namespaceLabels)) {
    return `namespaceSelector ${formatSelector(peer.namespaces.selector)} does not match namespace ${s.namespace} (labels ${formatLabels(s.namespaceLabels)})`;
  }
  return `podSelector ${formatSelector(peer.pods)} does not match labels ${formatLabels(s.labels)}`;
}

interface RuleOutcome {
  readonly policy: NetworkPolicy;
  readonly index: number;
  readonly rule: PolicyRule;
  readonly allowed: PortSet;
  readonly reason?: string;
}

function evaluateRule(p: NetworkPolicy, index: number, rule: PolicyRule, other: Who, dst: Who, want: PortSet): RuleOutcome {
  const matches = (x: Peer): boolean =>
    other.kind === "pod" ? peerMatchesPod(x, p.namespace, other.s) : peerMatchesAddress(x, other.party.ip);
  if (rule.peers !== "All" && !rule.peers.some(matches)) {
    const reasons = rule.peers.map((x, i) => `peer[${i}] ${peerReason(x, p.namespace, other)}`).join("; ");
    return { policy: p, index, rule, allowed: EMPTY_PORTS, reason: `no peer matches: ${reasons}` };
  }
  const rp = resolveRulePorts(rule, dst.kind === "pod" ? dst.s.ports : undefined);
  const got = intersectPorts(rp, want);
  if (isEmptyPorts(got)) {
    return { policy: p, index, rule, allowed: got, reason: `peer matches, but its ports (${formatPortSet(rp)}) do not include ${formatPortSet(want)}` };
  }
  return { policy: p, index, rule, allowed: got };
}

function directionStep(idx: PolicyIndex, dir: PolicyType, at: Who, other: Who, dst: Who, want: PortSet): { step: TraceStep; ports: PortSet } {
  const r = decideDirection(idx, dir, at, other, dst, want);
  const gaps = at.kind === "pod" && !at.s.hostNetwork ? idx.gapsAt(at.s.namespace) : [];
  if (gaps.length === 0) return r;
  return { ...r, step: { ...r.step, uncertain: [...(r.step.uncertain ?? []), ...gaps] } };
}

function decideDirection(idx: PolicyIndex, dir: PolicyType, at: Who, other: Who, dst: Who, want: PortSet): { step: TraceStep; ports: PortSet } {
  const stage = dir === "Egress" ? "egress-policy" : "ingress-policy";
  const all = want;
  if (at.kind === "address") return { step: { stage, result: "skipped", detail: `${at.label} is outside the cluster: NetworkPolicy does not apply` }, ports: all };
  if (at.s.hostNetwork) return { step: { stage, result: "skipped", detail: `${at.s.id} uses hostNetwork: NetworkPolicy does not select it` }, ports: all };
  const general = enforcedTiers(idx.cluster);
  if (general) return generalStep(general, dir, at.s, other, want);
  const policies = idx.in(at.s.namespace).filter((p) => policySelects(p, at.s) && policyIsolates(p, dir));
  const admin = idx.admin.filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, at.s));
  const baseline = idx.baseline.filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, at.s));
  if (admin.length > 0 || baseline.length > 0) return tieredStep(dir, at.s, other, dst, want, admin, policies, baseline);
  const lower = dir.toLowerCase();
  if (policies.length === 0) {
    return { step: { stage, result: "allowed", detail: `no NetworkPolicy selects ${at.s.id} for ${dir}: ${lower} is not isolated` }, ports: all };
  }
  const outcomes = policies.flatMap((p) => rulesOf(p, dir).map((r, i) => evaluateRule(p, i, r, other, dst, want)));
  const allowing = outcomes.filter((o) => o.reason === undefined);
  const isolating = policies.map((p) => `${p.namespace}/${p.name} (${p.source.file}:${p.source.line})`).join(", ");
  if (allowing.length > 0) {
    const first = allowing[0] as RuleOutcome;
    const names = allowing.map((o) => `${o.policy.namespace}/${o.policy.name} ${lower}[${o.index}]`).join(", ");
    return {
      step: {
        stage,
        result: "allowed",
        detail: `${at.s.id} is isolated for ${lower} by ${isolating}; allowed by ${names}`,
        source: ref(first.rule.source),
        rules: allowing.map((o) => ({ policy: `${o.policy.namespace}/${o.policy.name}`, direction: dir, index: o.index, ...ref(o.rule.source), kind: "NetworkPolicy", tier: "NetworkPolicy", action: "Allow" })),
      },
      ports: allowing.reduce((acc, o) => unionPorts(acc, o.allowed), EMPTY_PORTS),
    };
  }
  const why = outcomes.length === 0
    ? `${policies.length === 1 ? "it has" : "they have"} no ${lower} rules (deny all)`
    : outcomes.map((o) => `${o.policy.namespace}/${o.policy.name} ${lower}[${o.index}] (line ${o.rule.source.line}): ${o.reason}`).join("; ");
  const p0 = policies[0] as NetworkPolicy;
  return { step: { stage, result: "denied", detail: `${at.s.id} is isolated for ${lower} by ${isolating}; none of their rules admits this connection: ${why}`, source: ref(p0.source) }, ports: EMPTY_PORTS };
}

const TIER_LABEL: Readonly<Record<TierName, string>> = { Admin: "admin tier", NetworkPolicy: "NetworkPolicy tier", Baseline: "baseline tier" };

function originText(o: RuleOrigin): string {
  const pri = o.priority !== undefined && o.kind !== "BaselineAdminNetworkPolicy" ? ` (priority ${o.priority})` : "";
  const name = o.name ? ` "${o.name}"` : "";
  return `${o.kind} ${o.policy}${pri} ${o.direction.toLowerCase()}[${o.index}]${name}`;
}

/**
 * A direction decided by ordered tiers: each tier's decision, in order, naming the rule, its
 * action, priority and file:line, a Pass handing over to the next tier, and the default.
 */
function tieredStep(
  dir: PolicyType,
  at: Subject,
  other: Who,
  dst: Who,
  want: PortSet,
  admin: readonly ClusterPolicy[],
  nps: readonly NetworkPolicy[],
  baseline: readonly ClusterPolicy[],
): { step: TraceStep; ports: PortSet } {
  const stage = dir === "Egress" ? "egress-policy" : "ingress-policy";
  const dstPorts = dst.kind === "pod" ? dst.s.ports : undefined;
  const misses: string[] = [];
  const matches = (rule: PolicyRule, policyNs: string): boolean => {
    const one = (x: Peer): boolean => (other.kind === "pod" ? peerMatchesPod(x, policyNs, other.s) : peerMatchesAddress(x, other.party.ip));
    return rule.peers === "All" || rule.peers.some(one);
  };
  // A peer kwire cannot resolve to addresses (`nodes` when the input declares no Node objects,
  // `domainNames`) matches no address in the model, yet may match an address outside the cluster
  // or a hostNetwork pod's node address (docs/policy-tiers.md: "the verdict is marked uncertain").
  const unresolvedMayMatch = other.kind === "address" || other.s.hostNetwork;
  const unresolved: { readonly p: ClusterPolicy; readonly i: number; readonly note: string }[] = [];
  const clusterTier = (tier: "Admin" | "Baseline", list: readonly ClusterPolicy[], assume?: { readonly p: ClusterPolicy; readonly i: number }): TierInput<PortSet> => {
    const matched: MatchedRule<PortSet>[] = [];
    for (const p of list) {
      clusterRulesOf(p, dir).forEach((r, i) => {
        if (matches(r.rule, "") || (assume?.p === p && assume.i === i)) matched.push({ origin: clusterRuleOrigin(p, dir, i), ports: resolveRulePorts(r.rule, dstPorts) });
        else if (assume === undefined) {
          misses.push(`${originText(clusterRuleOrigin(p, dir, i))}: peer does not match`);
          if (unresolvedMayMatch && hasUnresolvedPeer(r)) unresolved.push({ p, i, note: r.unmodelled });
        }
      });
    }
    return { tier, isolating: false, selectedBy: list.map((p) => p.name), matched };
  };
  const npMatched: MatchedRule<PortSet>[] = [];
  for (const p of nps) {
    rulesOf(p, dir).forEach((rule, index) => {
      if (matches(rule, p.namespace)) npMatched.push({ origin: npRuleOrigin(p, dir, index, rule.source), ports: resolveRulePorts(rule, dstPorts) });
    });
  }
  const npTier: TierInput<PortSet> = { tier: "NetworkPolicy", isolating: nps.length > 0, selectedBy: nps.map((p) => `${p.namespace}/${p.name}`), matched: npMatched };
  const foldAssuming = (assume?: { readonly p: ClusterPolicy; readonly i: number }) =>
    foldTiers([clusterTier("Admin", admin, assume), npTier, clusterTier("Baseline", baseline, assume)], PORT_SET_OPS, want);
  const fold = foldAssuming();
  const lines: string[] = [];
  const rules: TraceRuleRef[] = [];
  const uncertain: string[] = [];
  // Uncertain only when that rule matching would change the verdict (it is reached and decides).
  for (const u of unresolved) {
    const alt = foldAssuming(u).allowed;
    if (!isEmptyPorts(subtractPorts(alt, fold.allowed)) || !isEmptyPorts(subtractPorts(fold.allowed, alt))) {
      uncertain.push(`${originText(clusterRuleOrigin(u.p, dir, u.i))}: ${u.note}, but it may match ${other.kind === "address" ? other.label : other.s.id}`);
    }
  }
  let first: SourceRef | undefined;
  for (const t of fold.tiers) {
    if (t.tier === "NetworkPolicy") {
      if (t.decisions.length === 0 && isEmptyPorts(t.entered)) continue;
      const allow = t.decisions.filter((d) => d.action === "Allow" && d.origin);
      const denied = t.decisions.find((d) => !d.origin);
      const parts = allow.map((d) => `${d.origin?.policy} ${lower(dir)}[${d.origin?.index}] allows ${formatPortSet(d.ports)}`);
      if (denied) parts.push(`everything else (${formatPortSet(denied.ports)}) is denied: ${t.selectedBy.join(", ")} isolate${t.selectedBy.length === 1 ? "s" : ""} the pod`);
      lines.push(`${TIER_LABEL[t.tier]}: ${parts.join("; ")}`);
      for (const d of allow) if (d.origin) rules.push(traceRule(d.origin));
      first ??= (allow[0]?.origin ?? nps[0])?.source;
      continue;
    }
    if (t.decisions.length === 0) {
      lines.push(`${TIER_LABEL[t.tier]}: ${t.selectedBy.join(", ")} select${t.selectedBy.length === 1 ? "s" : ""} the pod, but no rule matches this connection${misses.length ? ` (${misses.slice(0, 4).join("; ")})` : ""}`);
      continue;
    }
    for (const d of t.decisions) {
      const o = d.origin;
      if (!o) continue;
      const at = `${o.source.file}:${o.source.line}`;
      const what = d.action === "Pass" ? `Pass ${formatPortSet(d.ports)} → next tier` : `${d.action} ${formatPortSet(d.ports)}`;
      lines.push(`${TIER_LABEL[t.tier]}: ${originText(o)} ${what} — ${at}${ambiguity(o, t.tier === "Admin" ? admin : baseline)}`);
      rules.push(traceRule(o));
      if (o.unmodelled) uncertain.push(`${originText(o)}: ${o.unmodelled}`);
      first ??= o.source;
    }
  }
  if (!isEmptyPorts(fold.byDefault)) lines.push(`default: ${formatPortSet(fold.byDefault)} allowed (no tier decided)`);
  const ok = !isEmptyPorts(fold.allowed);
  return {
    step: {
      stage,
      result: ok ? "allowed" : "denied",
      detail: `${at.id}, ${lower(dir)} decided by tiers: ${lines.join(" | ")}`,
      ...(first ? { source: ref(first) } : {}),
      ...(rules.length ? { rules } : {}),
      ...(uncertain.length ? { uncertain } : {}),
    },
    ports: fold.allowed,
  };
}

const lower = (d: PolicyType): string => d.toLowerCase();

/**
 * A direction decided by the CNI's own tiers (Calico, Cilium): each counted tier's decisions in
 * order, naming the rule (kind, policy, order, action, file:line) and the tier's default action.
 */
function generalStep(e: EnforcedTiers, dir: PolicyType, at: Subject, other: Who, want: PortSet): { step: TraceStep; ports: PortSet } {
  const r = generalFlowStep(e, dir, at, other, flowsOfPorts(want));
  return { step: r.step, ports: r.flows.ports };
}

function generalFlowStep(e: EnforcedTiers, dir: PolicyType, at: Subject, other: Who, want: FlowSet): { step: TraceStep; flows: FlowSet; counted: boolean } {
  const stage = dir === "Egress" ? "egress-policy" : "ingress-policy";
  const peer: PolicyPeer = other.kind === "pod" ? { type: "Pod", endpoint: other.s } : e.peerOfAddress(other.party.ip, at);
  const inputs = tierInputs(e.tiers, dir, at, peer, e.context);
  const counted = inputs.filter((t) => t.selectedBy.length > 0);
  if (counted.length === 0) {
    const tiers = e.tiers.map((t) => t.name).join(", ");
    return { step: { stage, result: "allowed", detail: `no policy of the tiers ${tiers} selects ${at.id} for ${lower(dir)}: ${lower(dir)} is not isolated` }, flows: want, counted: false };
  }
  const fold = foldGeneralTiers(inputs, FLOW_SET_OPS, want);
  const lines: string[] = [];
  const rules: TraceRuleRef[] = [];
  const uncertain: string[] = [];
  // A rule of a counted tier with a peer kwire cannot evaluate (an unresolved toFQDNs) that did
  // not match an address outside the cluster might have matched it: the verdict is uncertain.
  if (peer.type === "World") {
    for (const t of counted) {
      for (const m of t.matched) {
        if (m.origin.unmodelled?.includes("toFQDNs") && FLOW_SET_OPS.isEmpty(FLOW_SET_OPS.intersect(m.ports, want))) {
          uncertain.push(`${m.origin.kind} ${m.origin.policy} ${lower(dir)}[${m.origin.index}]: ${m.origin.unmodelled}; it may match ${other.kind === "address" ? other.label : "this address"} (say which address a name stands for with --external-ip NAME=IP)`);
        }
      }
    }
  }
  let first: SourceRef | undefined;
  for (const t of fold.tiers) {
    const said: string[] = [];
    for (const d of t.decisions) {
      said.push(`${formatGeneralDecision(t.tier, d).slice(`tier ${t.tier}: `.length)} (${formatFlowSet(d.ports)})`);
      const o = d.origin;
      if (!o) continue;
      rules.push({ policy: o.policy, direction: o.direction, index: o.index, ...ref(o.source), kind: o.kind, tier: o.tier, ...(o.action !== "Log" ? { action: o.action } : {}), ...(o.order !== undefined ? { order: o.order } : {}) });
      if (o.unmodelled) uncertain.push(`${o.kind} ${o.policy} ${lower(dir)}[${o.index}]: ${o.unmodelled}`);
      first ??= o.source;
    }
    lines.push(`tier ${t.tier} (selected by ${t.selectedBy.join(", ")}): ${said.join("; ")}`);
  }
  if (!FLOW_SET_OPS.isEmpty(fold.byDefault)) lines.push(`after the last tier: ${formatFlowSet(fold.byDefault)} allowed (no tier decided)`);
  const ok = !FLOW_SET_OPS.isEmpty(fold.allowed);
  return {
    step: {
      stage,
      result: ok ? "allowed" : "denied",
      detail: `${at.id}, ${lower(dir)} decided by ${e.tiers.length > 0 ? "the CNI's tiers" : "no tier"}: ${lines.join(" | ")}`,
      ...(first ? { source: ref(first) } : {}),
      ...(rules.length ? { rules } : {}),
      ...(uncertain.length ? { uncertain } : {}),
    },
    flows: fold.allowed,
    counted: true,
  };
}

export type IcmpProtocol = "ICMP" | "ICMPv6";

export interface IcmpTraceRequest {
  readonly src: Party;
  readonly dst: Party;
  readonly protocol: IcmpProtocol;
  /** ICMP type (default: echo request, 8 / ICMPv6 128) and code (default: any). */
  readonly type?: number;
  readonly code?: number;
}


/**
 * An ICMP message from one party to another, decided by the tiers as general tiers (the CNI's,
 * or the API's own three): Calico and Cilium match ICMP by type and code; a NetworkPolicy or
 * cluster-policy rule without ports matches every protocol, one with ports never matches ICMP.
 * The NetworkPolicy API names only TCP, UDP and SCTP, so without a policy dialect the verdict
 * of an isolated pod is marked uncertain.
 */
export function traceIcmp(t: Topology, idx: PolicyIndex, req: IcmpTraceRequest): Trace {
  const src = whoOf(t, req.src);
  const dst = whoOf(t, req.dst);
  const family = req.protocol === "ICMP" ? 4 : 6;
  const type = req.type ?? (family === 4 ? 8 : 128);
  const want = icmpFlows(family, type, req.code);
  const what = `${req.protocol} type ${type}${req.code !== undefined ? ` code ${req.code}` : ""}`;
  const steps: TraceStep[] = [
    { stage: "source", result: "info", detail: describeWho(src), ...(src.kind === "pod" ? { source: ref(src.s.source) } : {}) },
    { stage: "destination", result: "info", detail: `${describeWho(dst)}, ${what}`, ...(dst.kind === "pod" ? { source: ref(dst.s.source) } : {}) },
  ];
  const e = generalTiersOf(idx.cluster);
  const side = (dir: PolicyType, at: Who, other: Who): { step: TraceStep; flows: FlowSet } => {
    const stage = dir === "Egress" ? "egress-policy" : "ingress-policy";
    if (at.kind === "address") return { step: { stage, result: "skipped", detail: `${at.label} is outside the cluster: no policy applies` }, flows: want };
    if (at.s.hostNetwork) return { step: { stage, result: "skipped", detail: `${at.s.id} uses hostNetwork: no policy selects it` }, flows: want };
    const r = generalFlowStep(e, dir, at.s, other, want);
    const gaps = idx.gapsAt(at.s.namespace);
    const apiGap = idx.cluster.policyDialect === undefined && r.counted ? ["the NetworkPolicy API names only TCP, UDP and SCTP; kwire follows Calico and Cilium: a rule without ports admits ICMP, a rule with ports does not — other CNIs may differ"] : [];
    const uncertain = [...(r.step.uncertain ?? []), ...apiGap, ...gaps];
    return uncertain.length ? { ...r, step: { ...r.step, uncertain } } : r;
  };
  const eg = side("Egress", src, dst);
  const ing = side("Ingress", dst, src);
  steps.push(eg.step, ing.step);
  const allowed = FLOW_SET_OPS.intersect(eg.flows, ing.flows);
  const ok = !FLOW_SET_OPS.isEmpty(allowed);
  steps.push({ stage: "verdict", result: ok ? "allowed" : "denied", detail: ok ? `allowed: ${formatFlowSet(allowed)}` : eg.step.result === "denied" ? "denied by egress policy at the source" : "denied by ingress policy at the destination" });
  return { verdict: ok ? "allowed" : "denied", src: req.src.label, dst: req.dst.label, protocol: req.protocol, icmpType: type, ...(req.code !== undefined ? { icmpCode: req.code } : {}), allowedPorts: formatFlowSet(allowed), steps };
}

/** Hairpin through a Service: only the cluster-policy tiers apply (undefined when none selects the pod). */
function hairpinSteps(idx: PolicyIndex, s: Subject, me: Who, want: PortSet): [{ step: TraceStep; ports: PortSet }, { step: TraceStep; ports: PortSet }] | undefined {
  const of = (dir: PolicyType): { step: TraceStep; ports: PortSet } | undefined => {
    const admin = idx.admin.filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, s));
    const baseline = idx.baseline.filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, s));
    return admin.length || baseline.length ? tieredStep(dir, s, me, me, want, admin, [], baseline) : undefined;
  };
  const e = of("Egress");
  const i = of("Ingress");
  if (!e && !i) return undefined;
  const open = (dir: PolicyType): { step: TraceStep; ports: PortSet } => ({ step: { stage: dir === "Egress" ? "egress-policy" : "ingress-policy", result: "allowed", detail: `no cluster policy selects ${s.id} for ${lower(dir)}` }, ports: want });
  return [e ?? open("Egress"), i ?? open("Ingress")];
}

function traceRule(o: RuleOrigin): TraceRuleRef {
  return { policy: o.policy, direction: o.direction, index: o.index, ...ref(o.source), kind: o.kind, tier: o.tier, action: o.action, ...(o.priority !== undefined ? { priority: o.priority } : {}) };
}

/** "two policies at the same priority that both match: the API leaves this undefined". */
function ambiguity(o: RuleOrigin, tier: readonly ClusterPolicy[]): string {
  const same = tier.filter((p) => p.priority === o.priority && p.name !== o.policy);
  if (same.length === 0 || o.kind === "BaselineAdminNetworkPolicy") return "";
  return ` (warning: ${same.map((p) => `${p.kind} ${p.name}`).join(", ")} share${same.length === 1 ? "s" : ""} priority ${o.priority}; the API leaves their order undefined — kwire evaluates by name)`;
}

export function traceConnection(t: Topology, idx: PolicyIndex, req: TraceRequest): Trace {
  const src = whoOf(t, req.src);
  const dst = whoOf(t, req.dst);
  const steps: TraceStep[] = [
    { stage: "source", result: "info", detail: describeWho(src), ...(src.kind === "pod" ? { source: ref(src.s.source) } : {}) },
  ];
  let port: number | undefined;
  if (typeof req.port === "string") {
    const named = dst.kind === "pod" ? dst.s.ports.find((p) => p.name === req.port && p.protocol === req.protocol) : undefined;
    if (!named) {
      steps.push({ stage: "destination", result: "denied", detail: `${dst.kind === "pod" ? dst.s.id : dst.label} declares no ${req.protocol} port named "${req.port}"` });
      return { verdict: "denied", src: req.src.label, dst: req.dst.label, protocol: req.protocol, allowedPorts: "none", steps };
    }
    port = named.containerPort;
  } else port = req.port;
  const want = port === undefined ? portsOf(req.protocol, 1, 65535) : portsOf(req.protocol, port, port);
  const portText = port === undefined ? `any ${req.protocol} port` : `${req.protocol}/${port}`;
  steps.push({ stage: "destination", result: "info", detail: `${describeWho(dst)} on ${portText}`, ...(dst.kind === "pod" ? { source: ref(dst.s.source) } : {}) });
  let eg: { step: TraceStep; ports: PortSet };
  let ing: { step: TraceStep; ports: PortSet };
  if (src.kind === "pod" && dst.kind === "pod" && src.s === dst.s && src.s.replicas < 2) {
    const tiers = req.viaService ? hairpinSteps(idx, src.s, src, want) : undefined;
    if (!tiers) {
      const why = req.viaService ? "hairpin: the Service sent the pod to itself; NetworkPolicy does not police a pod reaching itself" : "a pod reaching itself uses its loopback: NetworkPolicy does not apply";
      steps.push({ stage: "route", result: "allowed", detail: why });
      return { verdict: "allowed", src: req.src.label, dst: req.dst.label, protocol: req.protocol, ...(port !== undefined ? { port } : {}), allowedPorts: formatPortSet(want), steps };
    }
    steps.push({ stage: "route", result: "info", detail: "hairpin: the Service sent the pod to itself; NetworkPolicy does not police it, but cluster policies do (network-policy-api conformance: admin-network-policy-hairpin-rules)" });
    [eg, ing] = tiers;
  } else {
    eg = directionStep(idx, "Egress", src, dst, dst, want);
    ing = directionStep(idx, "Ingress", dst, src, dst, want);
  }
  steps.push(eg.step, ing.step);
  const allowed = intersectPorts(eg.ports, ing.ports);
  const ok = port === undefined ? !isEmptyPorts(allowed) : containsPort(allowed, req.protocol, port);
  steps.push({
    stage: "verdict",
    result: ok ? "allowed" : "denied",
    detail: ok ? `allowed: ${formatPortSet(allowed)}` : eg.step.result === "denied" ? "denied by egress policy at the source" : "denied by ingress policy at the destination",
  });
  return { verdict: ok ? "allowed" : "denied", src: req.src.label, dst: req.dst.label, protocol: req.protocol, ...(port !== undefined ? { port } : {}), allowedPorts: formatPortSet(allowed), steps };
}


/** An info step describing one party (`source`, or the ingress controller of a Service trace). */
export function partyStep(t: Topology, p: Party, stage: string, prefix = ""): TraceStep {
  const w = whoOf(t, p);
  return { stage, result: "info", detail: `${prefix}${describeWho(w)}`, ...(w.kind === "pod" ? { source: ref(w.s.source) } : {}) };
}
