/**
 * @module dns (command)
 * `kwire dns NAME --from POD`: what the pod's resolver asks CoreDNS, query by query (search
 * list, ndots:5), and each answer. Exit 0 answered, 1 not answered (NXDOMAIN, NODATA or
 * forwarded outside the cluster), 2 bad input.
 */
import { Command } from "commander";
import { addressOfReverse, lookupPtr, podResolvConf, resolveName, reverseName, type QType } from "../../dns/index.js";
import { parseIp } from "../../model/index.js";
import { resolveTarget } from "../../engine/index.js";
import { dnsJson, dnsText } from "../../report/index.js";
import { addInputOptions, analyzeInputs, type InputOptions, type Io } from "../context.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../io.js";
import { serviceContextOf } from "./trace.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";

interface DnsOptions extends InputOptions {
  from?: string;
  type: string;
  output: string;
  clusterDomain: string;
}

const QTYPES: readonly QType[] = ["A", "AAAA", "SRV", "CNAME"];

export function dnsCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("dns")
    .description("resolve a name as a pod would: the queries tried in order and each answer (exit 0 answered, 1 not)")
    .argument("<name>", "a name as a pod would use it: api, api.prod, api.prod.svc.cluster.local., _http._tcp.api.prod");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.resolve)
    .option("--from <pod>", "the pod (or workload) that asks; its namespace decides the search list (default: a pod in -n)")
    .option("--type <type>", "A|AAAA|SRV|CNAME|PTR (default: SRV for _port._proto names, PTR for an address or a reverse name, else A)")
    .option("--cluster-domain <domain>", "the cluster's DNS domain", "cluster.local")
    .option("-o, --output <format>", "text|json", "text")
    .action(async (name: string, opts: DnsOptions) => {
      const ip = parseIp(name);
      const reverse = ip ? reverseName(ip) : addressOfReverse(name) ? name : undefined;
      if (reverse !== undefined && (opts.type === undefined || opts.type.toUpperCase() === "PTR")) {
        // Reverse lookups (src/dns/ptr.ts): no search list applies to in-addr.arpa / ip6.arpa names.
        const a = await analyzeInputs(opts, io);
        const r = lookupPtr(serviceContextOf(a, opts.clusterDomain.replace(/\.$/, "")).zone, reverse);
        const text = r.rcode === "NOERROR" ? r.records.map((x) => `${x.name} PTR ${x.data}`).join("\n") : `${reverse}. ${r.rcode} (${r.detail})`;
        io.out(opts.output === "json" ? JSON.stringify({ name, query: `${reverse}.`, ...r }, null, 2) + "\n" : `${text}\n`);
        setExit(r.rcode === "NOERROR" ? EXIT_OK : EXIT_FINDINGS);
        return;
      }
      const qtype = (opts.type ?? (name.startsWith("_") ? "SRV" : "A")).toUpperCase();
      if (!QTYPES.some((q) => q === qtype)) throw new UsageError(`--type must be one of ${QTYPES.join(", ")}, not "${opts.type}"`);
      if (opts.output !== "text" && opts.output !== "json") throw new UsageError(`-o must be text or json, not "${opts.output}"`);
      const a = await analyzeInputs(opts, io);
      const ctx = serviceContextOf(a, opts.clusterDomain.replace(/\.$/, ""));
      let namespace = opts.namespace ?? "default";
      let from = `a pod in namespace ${namespace}`;
      if (opts.from !== undefined) {
        const r = resolveTarget(ctx.topology, opts.from, namespace);
        if (!r.ok) throw new UsageError(`--from: ${r.error}`);
        if (r.target.party.type !== "node") throw new UsageError("--from must name a pod or workload, not an address");
        const s = ctx.topology.subjects[r.target.party.node];
        namespace = s?.namespace ?? namespace;
        from = r.target.party.label;
      }
      const resolution = resolveName(ctx.zone, name, qtype as QType, podResolvConf(namespace, ctx.zone.clusterDomain));
      const report = { name, from, namespace, resolution };
      io.out(opts.output === "json" ? JSON.stringify(dnsJson(report), null, 2) + "\n" : dnsText(report));
      setExit(resolution.answered ? EXIT_OK : EXIT_FINDINGS);
    });
  return cmd;
}
