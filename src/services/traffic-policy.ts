/**
 * @module traffic-policy
 * Endpoint selection, decided once for every consumer (trace, the service matrix, DNS,
 * `proxy-rules` and the lab's Service tables): kube-proxy's CategorizeEndpoints
 * (pkg/proxy/topology.go) sends a connection to the ready endpoints; when none is ready, to the
 * ones still serving while terminating (KEP-1669). With traffic policy Local only the endpoints
 * on the node that handles the connection count, and none there means the traffic is dropped
 * (no fallback to other nodes).
 */
import type { TrafficPolicy } from "../model/index.js";
import type { ServiceEndpoint } from "./endpoints.js";

/** What endpoint selection reads of an endpoint (a Service-layer endpoint or kube-proxy's cache entry). */
export interface EndpointState {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  /** Identical pods this endpoint stands for (see instances.ts); 1 when absent. */
  readonly replicas?: number;
}

/** Ready endpoints; when there are none, the serving-and-terminating ones. */
export function readyOrServingTerminating<E extends EndpointState>(eps: readonly E[]): E[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
}

/** The endpoints on one node (traffic policy Local). */
export const onNode = <E extends EndpointState>(eps: readonly E[], node: string): E[] => eps.filter((e) => e.nodeName === node);

/** How many pods a list of endpoints stands for. */
export const podCount = (eps: readonly EndpointState[]): number => eps.reduce((n, e) => n + (e.replicas ?? 1), 0);

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
      pool = onNode(eps, node);
      scope = ` on node ${node} (traffic policy Local)`;
    }
  }
  const usable = readyOrServingTerminating(pool);
  if (usable.length > 0 && usable.every((e) => e.ready)) return { usable, why: `${podCount(usable)} ready endpoint(s)${scope}` };
  if (usable.length > 0) return { usable, why: `no ready endpoint${scope}; ${podCount(usable)} serving terminating endpoint(s) used as a fallback` };
  return { usable: [], why: pool.length === 0 ? `no endpoints${scope}` : `no ready endpoints${scope} (${podCount(pool)} not ready)` };
}
