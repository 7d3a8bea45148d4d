/**
 * @module live
 * Reads a live cluster, read-only, through the Kubernetes client: the kinds kwire models,
 * returned as one `kind: List` document so it goes through the same decoder as files.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { InputFile } from "../parse/index.js";
import { UsageError } from "./io.js";

/**
 * The kubeconfig kubectl would use without flags: the files of `$KUBECONFIG` (a path list; the
 * ones that exist), else `~/.kube/config` when it exists; undefined when there is none.
 */
export function defaultKubeconfig(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): { readonly paths: readonly string[]; readonly from: string } | undefined {
  const list = env["KUBECONFIG"];
  if (list !== undefined && list !== "") {
    const paths = list.split(delimiter).filter((p) => p !== "" && existsSync(p));
    return paths.length > 0 ? { paths, from: "$KUBECONFIG" } : undefined;
  }
  const file = join(home, ".kube", "config");
  return existsSync(file) ? { paths: [file], from: "~/.kube/config" } : undefined;
}

const KINDS: readonly [string, string, string][] = [
  ["v1", "Namespace", "namespaces"],
  ["v1", "Pod", "pods"],
  ["apps/v1", "Deployment", "deployments"],
  ["apps/v1", "ReplicaSet", "replicasets"],
  ["apps/v1", "StatefulSet", "statefulsets"],
  ["apps/v1", "DaemonSet", "daemonsets"],
  ["batch/v1", "Job", "jobs"],
  ["batch/v1", "CronJob", "cronjobs"],
  ["v1", "ReplicationController", "replicationcontrollers"],
  ["networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"],
  ["v1", "Service", "services"],
  ["v1", "Endpoints", "endpoints"],
  ["discovery.k8s.io/v1", "EndpointSlice", "endpointslices"],
  ["v1", "Node", "nodes"],
  ["networking.k8s.io/v1", "Ingress", "ingresses"],
  ["networking.k8s.io/v1", "IngressClass", "ingressclasses"],
];

/** The API server does not serve this kind (an older cluster, a disabled group): skip it. */
function notServed(e: unknown): boolean {
  const msg = (e as Error).message ?? "";
  return /404|not found|Unrecognized API version and kind/i.test(msg);
}

/** `onContext` hears the context and API server actually read (kubectl's current context unless `context`). */
export async function readLiveCluster(kubeconfig: string | readonly string[] | undefined, context: string | undefined, onContext?: (context: string, server: string) => void): Promise<InputFile> {
  let k8s: typeof import("@kubernetes/client-node");
  try {
    k8s = await import("@kubernetes/client-node");
  } catch {
    throw new UsageError("reading a live cluster needs the optional dependency @kubernetes/client-node (npm i @kubernetes/client-node)");
  }
  const kc = new k8s.KubeConfig();
  try {
    if (typeof kubeconfig === "string") kc.loadFromFile(kubeconfig);
    else if (kubeconfig && kubeconfig.length > 0) {
      // kubectl's merge of a $KUBECONFIG list: the first file to set a value wins, the
      // current-context included (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files).
      const [first = "", ...rest] = kubeconfig;
      kc.loadFromFile(first);
      for (const f of rest) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, kc.getCurrentContext() !== "");
      }
    } else kc.loadFromDefault();
    if (context) kc.setCurrentContext(context);
  } catch (e) {
    throw new UsageError(`cannot load kubeconfig${kubeconfig ? ` ${kubeconfig}` : ""}: ${(e as Error).message}`);
  }
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const items: unknown[] = [];
  for (const [apiVersion, kind] of KINDS) {
    try {
      const list = await client.list(apiVersion, kind);
      for (const item of list.items) items.push({ ...item, apiVersion, kind });
    } catch (e) {
      if (notServed(e)) continue;
      throw new UsageError(`cannot list ${kind} from ${kc.getCurrentCluster()?.server ?? "the cluster"}: ${(e as Error).message}`);
    }
  }
  onContext?.(kc.getCurrentContext(), kc.getCurrentCluster()?.server ?? "");
  return { path: `cluster:${kc.getCurrentContext()}`, text: JSON.stringify({ apiVersion: "v1", kind: "List", items }) };
}
