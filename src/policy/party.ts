/**
 * @module party (policy peer)
 * The two ends of a connection as the Calico and Cilium evaluators see them: a pod (with what
 * those dialects read beyond a NetworkPolicy's PodIdentity: name, node, service account), or an
 * address that is a node, the API server or outside the cluster.
 */
import type { Ip, Labels } from "../model/index.js";
import type { PodIdentity } from "./semantics.js";

export interface PolicyEndpoint extends PodIdentity {
  readonly name: string;
  readonly nodeName?: string | undefined;
  /** spec.serviceAccountName; undefined = "default" (the API server's default). */
  readonly serviceAccount?: string | undefined;
  /** Labels of the ServiceAccount object, when known. */
  readonly serviceAccountLabels?: Labels | undefined;
}

export type PolicyPeer =
  | { readonly type: "Pod"; readonly endpoint: PolicyEndpoint }
  /** The node the local endpoint runs on (Cilium entity `host`). */
  | { readonly type: "Host"; readonly ip: Ip }
  /** Another node of the cluster (Cilium entity `remote-node`). */
  | { readonly type: "RemoteNode"; readonly ip: Ip }
  /** The Kubernetes API server (Cilium entity `kube-apiserver`). */
  | { readonly type: "KubeAPIServer"; readonly ip: Ip }
  /** Outside the cluster (Cilium entity `world`). */
  | { readonly type: "World"; readonly ip: Ip };

export function peerIps(p: PolicyPeer): readonly Ip[] {
  return p.type === "Pod" ? p.endpoint.ips : [p.ip];
}

export function serviceAccountOf(e: PolicyEndpoint): string {
  return e.serviceAccount ?? "default";
}
