/**
 * @module missing-portmap-with-hostport
 * A pod (or workload template) declares a `hostPort`, but the CNI configuration the input
 * gives has no plugin that maps ports: nothing on the node forwards NODE:hostPort to the pod.
 * Kubernetes leaves hostPort to the CNI: "If you want to enable hostPort support, you must
 * specify portMappings capability in your cni-conf-dir"
 * (https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/#support-hostport);
 * the runtime passes port mappings only to plugins that declare the `portMappings` capability
 * (CNI CONVENTIONS.md), and the reference plugin for it is portmap
 * (https://www.cni.dev/plugins/current/meta/portmap/). hostNetwork pods need no mapping.
 * Without a CNI configuration in the input kwire cannot tell, and does not guess.
 */
import { chainMapsHostPorts } from "../../parse/index.js";
import type { ContainerPort, SourceRef } from "../../model/index.js";
import type { Finding, LintCheck } from "../types.js";

interface Declarer {
  readonly object: string;
  readonly ports: readonly ContainerPort[];
  readonly source: SourceRef;
}

export const missingPortmapWithHostport: LintCheck = {
  code: "missing-portmap-with-hostport",
  severity: "warning",
  description: "a pod declares a hostPort but the CNI configuration has no portmap plugin (no plugin with the portMappings capability)",
  run(ctx) {
    const lacking = (ctx.options.cniConfigs ?? []).filter((c) => !chainMapsHostPorts(c));
    if (lacking.length === 0) return [];
    const declarers: Declarer[] = [
      ...ctx.cluster.pods.filter((p) => !p.hostNetwork).map((p) => ({ object: `Pod ${p.namespace}/${p.name}`, ports: p.ports, source: p.source })),
      ...ctx.cluster.workloads.filter((w) => !w.hostNetwork).map((w) => ({ object: `${w.kind} ${w.namespace}/${w.name}`, ports: w.ports, source: w.source })),
    ];
    const out: Finding[] = [];
    for (const d of declarers) {
      const hp = d.ports.filter((p) => p.hostPort !== undefined);
      if (hp.length === 0) continue;
      for (const c of lacking) {
        const ports = hp.map((p) => `${p.hostPort ?? ""}/${p.protocol} → ${p.containerPort}`).join(", ");
        const plugins = c.plugins.map((p) => p.type).join(", ") || "none";
        out.push({
          code: "missing-portmap-with-hostport",
          severity: "warning",
          message: `declares hostPort ${ports}, but CNI configuration ${c.name ?? "(unnamed)"} (${c.source.file}:${c.source.line}; plugins: ${plugins}) has no plugin with the portMappings capability: nothing on the node forwards the port to the pod`,
          object: d.object,
          source: d.source,
          hint: `add { "type": "portmap", "capabilities": { "portMappings": true } } to the plugins of ${c.name ?? c.source.file}, or use a NodePort Service instead of hostPort`,
        });
      }
    }
    return out;
  },
};
