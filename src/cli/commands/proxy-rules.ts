/**
 * @module proxy-rules (command)
 * `kwire proxy-rules`: what kube-proxy would program on one node for the Services in the
 * input, as iptables-save text, an nftables table, or an `ipvsadm -Ln` listing — for each IP
 * family that has Services, as kube-proxy runs one proxier per family (docs/cli.md).
 */
import { Command } from "commander";
import { buildTopology, serviceLayerOf } from "../../engine/index.js";
import { parseCidr, type Cidr } from "../../model/index.js";
import { PROXY_MODES, pickNode, renderProxyRules, type NodeProxyOptions, type ProxyMode } from "../../services/kube-proxy/index.js";
import type { ServiceLayer } from "../../services/index.js";
import { addInputOptions, type InputOptions, type Io } from "../context.js";
import { EXIT_OK, UsageError } from "../io.js";
import { loadModel } from "../load-model.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";

export interface ProxyRulesOptions extends InputOptions {
  output: string;
  node?: string;
  clusterCidr?: string;
  masqueradeAll?: boolean;
}

function isMode(s: string): s is ProxyMode {
  return (PROXY_MODES as readonly string[]).includes(s);
}

/** Says which Service endpoints stand for many identical replicas (services/instances.ts). */
function noteGroupedEndpoints(layer: ServiceLayer, err: (s: string) => void): void {
  const seen = new Set<string>();
  for (const f of layer.frontends) {
    for (const p of f.service.ports) {
      for (const e of layer.endpoints(f.service, p).endpoints) {
        const i = e.instance;
        if (i === undefined || i.replicas === 1 || i.origin.type !== "Replica" || seen.has(i.origin.workloadId)) continue;
        seen.add(i.origin.workloadId);
        const total = layer.instances.filter((x) => x.origin.type === "Replica" && i.origin.type === "Replica" && x.origin.workloadId === i.origin.workloadId).reduce((n, x) => n + x.replicas, 0);
        err(`kwire: note: ${i.origin.workloadId} runs ${total} replicas; its endpoints are listed as one example per node (kube-proxy would program one per replica, and split traffic over all of them)\n`);
      }
    }
  }
}

export function proxyRulesCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("proxy-rules").description("the iptables, nftables or IPVS rules kube-proxy would program for the input's Services");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.unused)
    .option("-o, --output <mode>", `proxy mode: ${PROXY_MODES.join("|")}`, "iptables")
    .option("--node <name>", "render for this Node (decides local endpoints and NodePort addresses); default: the first Node in the input")
    .option("--cluster-cidr <cidrs>", "the pod network (kube-proxy --cluster-cidr, one CIDR per family, comma-separated): traffic from outside it to a ClusterIP is masqueraded")
    .option("--masquerade-all", "kube-proxy --masquerade-all: masquerade all ClusterIP traffic")
    .action(async (opts: ProxyRulesOptions) => {
      const mode = opts.output;
      if (!isMode(mode)) throw new UsageError(`-o must be one of ${PROXY_MODES.join(", ")}, not "${mode}"`);
      const clusterCIDRs: Cidr[] = [];
      for (const text of opts.clusterCidr === undefined ? [] : opts.clusterCidr.split(",").map((t) => t.trim())) {
        const c = parseCidr(text);
        if (!c.ok) throw new UsageError(`--cluster-cidr "${text}": ${c.reason}`);
        if (clusterCIDRs.some((x) => x.family === c.cidr.family)) throw new UsageError(`--cluster-cidr "${opts.clusterCidr}": one CIDR per IP family`);
        clusterCIDRs.push(c.cidr);
      }
      if (opts.namespace !== undefined) io.err(`kwire: note: -n does not narrow proxy-rules: kube-proxy programs every namespace's Services on a node\n`);
      const load = await loadModel(opts, io);
      const picked = pickNode(load.cluster, opts.node);
      if (picked.error) throw new UsageError(picked.error);
      // Each family's proxier takes the node's addresses and --cluster-cidr of its family (proxierOptions).
      const popts: NodeProxyOptions = {
        ...(picked.node ? { nodeName: picked.node.name } : {}),
        nodeIPs: picked.node?.internalIPs ?? [],
        clusterCIDRs,
        masqueradeAll: opts.masqueradeAll ?? false,
      };
      if (load.cluster.services.length === 0) io.err("kwire: note: the input declares no Services; only kube-proxy's fixed chains are rendered\n");
      // The same expansion and endpoint selection as `kwire trace` and `matrix --level service`.
      const layer = serviceLayerOf(load.cluster, buildTopology(load.cluster));
      noteGroupedEndpoints(layer, io.err);
      io.out(renderProxyRules(load.cluster, mode, popts, layer));
      setExit(EXIT_OK);
    });
  return cmd;
}
