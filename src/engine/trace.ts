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
  type Cluster,
  type NetworkPolicy,
  type Peer,
  type PolicyRule,
  type PolicyType,
  type PortSet,
  type Protocol,
  type SourceRef,
} from "../model/index.js";
import { peerMatchesAddress, peerMatchesPod, policyIsolates, policySelects, resolveRulePorts, rulesOf } from "../policy/index.js";
import type { Party } from "./resolve.js";
import type { Subject, Topology } from "./topology.js";

export type StepResult = "info" | "allowed" | "denied" | "skipped";

export interface TraceStep {
  readonly stage: string;
  readonly result: StepResult;
  readonly detail: string;
  readonly source?: { readonly file: string; readonly line: number };
  readonly rules?: readonly { readonly policy: string; readonly direction: PolicyType; readonly index: number; readonly file: string; readonly line: number }[];
  /** Service traces: every endpoint of the Service port and its verdict (`unused`: not chosen by readiness or traffic policy). */
  readonly endpoints?: readonly { readonly name: string; readonly address: string; readonly port: number; readonly node?: string; readonly ready: boolean; readonly verdict: "allowed" | "denied" | "unused" }[];
}

export interface Trace {
  readonly verdict: "allowed" | "denied";
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol;
  readonly port?: number;
  readonly allowedPorts: string;
  readonly steps: readonly TraceStep[];
}

export interface TraceRequest {
  readonly src: Party;
  readonly dst: Party;
  readonly protocol: Protocol;
  readonly port?: number | string;
}

/** Policies per namespace, so a trace looks at a handful of policies, not all of them. */
export class PolicyIndex {
  private readonly byNs = new Map<string, NetworkPolicy[]>();
  constructor(readonly cluster: Cluster) {
    for (const p of cluster.networkPolicies) pushTo(this.byNs, p.namespace, p);
  }
  in(ns: string): readonly NetworkPolicy[] {
    return this.byNs.get(ns) ?? [];
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
  const stage = dir === "Egress" ? "egress-policy" : "ingress-policy";
  const all = want;
  if (at.kind === "address") return { step: { stage, result: "skipped", detail: `${at.label} is outside the cluster: NetworkPolicy does not apply` }, ports: all };
  if (at.s.hostNetwork) return { step: { stage, result: "skipped", detail: `${at.s.id} uses hostNetwork: NetworkPolicy does not select it` }, ports: all };
  const policies = idx.in(at.s.namespace).filter((p) => policySelects(p, at.s) && policyIsolates(p, dir));
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
        rules: allowing.map((o) => ({ policy: `${o.policy.namespace}/${o.policy.name}`, direction: dir, index: o.index, ...ref(o.rule.source) })),
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
  if (src.kind === "pod" && dst.kind === "pod" && src.s === dst.s && src.s.replicas < 2) {
    steps.push({ stage: "route", result: "allowed", detail: "a pod reaching itself uses its loopback: NetworkPolicy does not apply" });
    return { verdict: "allowed", src: req.src.label, dst: req.dst.label, protocol: req.protocol, ...(port !== undefined ? { port } : {}), allowedPorts: formatPortSet(want), steps };
  }
  const eg = directionStep(idx, "Egress", src, dst, dst, want);
  const ing = directionStep(idx, "Ingress", dst, src, dst, want);
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
