/**
 * @module conformance/dsl
 * How a conformance case is written: the NetworkPolicy manifests (YAML, exactly as a user's
 * file), the model (label changes for "updated" cases) and, per probed port/protocol, the
 * expected truth table. A case with several steps is an upstream test that mutates the
 * cluster (update a policy, relabel a pod): each step is a separate model, evaluated afresh.
 */
import type { Protocol } from "../../src/model/index.js";
import type { ModelOptions } from "./model.js";
import { Reachability } from "./reachability.js";

export interface Probe {
  readonly protocol: Protocol;
  readonly port: number;
  readonly reachability: Reachability;
}

export interface Step {
  /** What changed, for the failure message ("after relabelling y"). */
  readonly label?: string;
  readonly model?: ModelOptions;
  /** YAML documents, one NetworkPolicy each. */
  readonly policies: readonly string[];
  readonly probes: readonly Probe[];
}

export interface ConformanceCase {
  /** The upstream test name, verbatim where there is one. */
  readonly title: string;
  /** Where the case comes from, e.g. `network_policy.go` or `cyclonus peerscases.go`. */
  readonly upstream: string;
  readonly steps: readonly Step[];
}

export interface CaseGroup {
  readonly name: string;
  readonly cases: readonly ConformanceCase[];
}

export const caseTitle = (c: ConformanceCase): string => `${c.title} [upstream: ${c.upstream}]`;

/** Strips the common indentation of a template literal and its leading/trailing blank lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\s*\n/, "").replace(/\n\s*$/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join("\n");
}

/** A NetworkPolicy document: metadata from the arguments, `spec` from YAML text. */
export function policy(namespace: string, name: string, spec: string): string {
  const body = dedent(spec)
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
${body}
`;
}

/** `NewReachability(pods, true)` followed by the case's expectations. */
export function reach(build: (r: Reachability) => unknown = () => undefined): Reachability {
  const r = new Reachability(true);
  build(r);
  return r;
}

export function probe(protocol: Protocol, port: number, reachability: Reachability): Probe {
  return { protocol, port, reachability };
}

export const tcp = (port: number, r: Reachability): Probe => probe("TCP", port, r);
export const udp = (port: number, r: Reachability): Probe => probe("UDP", port, r);
export const sctp = (port: number, r: Reachability): Probe => probe("SCTP", port, r);

/** A one-step case. */
export function single(title: string, upstream: string, policies: readonly string[], probes: readonly Probe[]): ConformanceCase {
  return { title, upstream, steps: [{ policies, probes }] };
}
