/**
 * @module traffic-policy
 * Which endpoints kube-proxy sends a connection to (CategorizeEndpoints): the ready ones; when
 * none is ready, the ones still serving while terminating. With traffic policy Local only the
 * endpoints on the node that handles the connection count, and none there means the traffic
 * is dropped (no fallback to other nodes).
 */
import type { TrafficPolicy } from "../model/index.js";
import type { ServiceEndpoint } from "./endpoints.js";

export interface EndpointChoice {
  readonly usable: readonly ServiceEndpoint[];
  /** How the set was chosen, for the trace. */
  readonly why: string;
}

export function usableEndpoints(eps: readonly ServiceEndpoint[], policy: TrafficPolicy, node: string | undefined): EndpointChoice {
  let pool = eps;
  let scope = "";
  if (policy === "Local") {
    if (node === undefined) scope = " (traffic policy Local, but the node is unknown: every endpoint is assumed local)";
    else {
      pool = eps.filter((e) => e.nodeName === node);
      scope = ` on node ${node} (traffic policy Local)`;
    }
  }
  const ready = pool.filter((e) => e.ready);
  if (ready.length > 0) return { usable: ready, why: `${ready.length} ready endpoint(s)${scope}` };
  const terminating = pool.filter((e) => e.serving && e.terminating);
  if (terminating.length > 0) return { usable: terminating, why: `no ready endpoint${scope}; ${terminating.length} serving terminating endpoint(s) used as a fallback` };
  return { usable: [], why: pool.length === 0 ? `no endpoints${scope}` : `no ready endpoints${scope} (${pool.length} not ready)` };
}
