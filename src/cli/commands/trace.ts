/**
 * @module trace (command)
 * `kwire trace SRC DST`: one connection, step by step. Exit 0 allowed, 1 denied, 2 bad input,
 * 3 uncertain (a policy that was skipped or is not modelled could change the verdict).
 * DST may be a pod or workload, `svc/NAME[:PORT]`, a DNS name, a URL or IP:PORT; SRC may be
 * replaced by `--from internet` or `--from-ip IP` (a client outside the cluster).
 */
import { Command } from "commander";
import { isProtocol, parseIp, type Ip } from "../../model/index.js";
import { resolveTarget, serviceContext, traceAny, traceIcmp, type IcmpProtocol, type ServiceContext, type Trace } from "../../engine/index.js";
import { traceJson, traceText, traceUncertainty } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { addInputOptions, analyzeInputs, parseExternalIps, type InputOptions, type Io } from "../context.js";
import { cniMapsHostPorts } from "../../parse/index.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_UNCERTAIN, UsageError } from "../io.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";

export interface TraceOptions extends InputOptions {
  protocol: string;
  port?: string;
  output: string;
  from?: string;
  fromIp?: string;
  ingressController?: string;
  clusterDomain?: string;
  externalIp?: string[];
  method?: string;
  header?: string[];
  icmpType?: string;
  icmpCode?: string;
}

export interface RunOptions {
  readonly protocol: string;
  readonly port?: string | undefined;
  readonly namespace?: string | undefined;
  readonly from?: string | undefined;
  readonly fromIp?: string | undefined;
  readonly ingressController?: string | undefined;
  readonly clusterDomain?: string | undefined;
  readonly externalIp?: readonly string[] | undefined;
  readonly method?: string | undefined;
  readonly icmpType?: string | undefined;
  readonly icmpCode?: string | undefined;
  readonly header?: readonly string[] | undefined;
}

/** `--external-ip NAME=IP` (repeatable) and `--header NAME:VALUE` (repeatable), checked. */
function northSouthOptions(opts: RunOptions): { externalIps?: Map<string, Ip>; headers?: Map<string, string>; method?: string } {
  const out: { externalIps?: Map<string, Ip>; headers?: Map<string, string>; method?: string } = {};
  const externalIps = parseExternalIps(opts.externalIp);
  if (externalIps) out.externalIps = externalIps;
  for (const h of opts.header ?? []) {
    const i = h.indexOf(":");
    if (i <= 0) throw new UsageError(`--header must be NAME:VALUE, not "${h}"`);
    (out.headers ??= new Map()).set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
  }
  if (opts.method !== undefined) out.method = opts.method.toUpperCase();
  return out;
}

const contexts = new WeakMap<Analyzed, Map<string, ServiceContext>>();

/** The Service layer of an analysis, built once per cluster domain. */
export function serviceContextOf(a: Analyzed, clusterDomain = "cluster.local"): ServiceContext {
  const byDomain = contexts.get(a) ?? new Map<string, ServiceContext>();
  contexts.set(a, byDomain);
  let ctx = byDomain.get(clusterDomain);
  if (!ctx) {
    ctx = serviceContext(a.cluster, a.analysis.topology, clusterDomain);
    byDomain.set(clusterDomain, ctx);
  }
  return ctx;
}

/** `--protocol ICMP|ICMPv6`: pod/workload/IP to pod/workload/IP, with `--icmp-type`/`--icmp-code`. */
function runIcmpTrace(a: Analyzed, src: string | undefined, dst: string, protocol: IcmpProtocol, opts: RunOptions): Trace {
  if (src === undefined && opts.fromIp === undefined && opts.from === undefined) throw new UsageError("missing required argument 'src'");
  const byte = (text: string | undefined, what: string, max: number): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`${what} must be a number 0-${max}, not "${text}"`);
    return Number(text);
  };
  const type = byte(opts.icmpType, "--icmp-type", 255);
  const code = byte(opts.icmpCode, "--icmp-code", 255);
  if (opts.port !== undefined) throw new UsageError("ICMP has no ports: give --icmp-type (and --icmp-code) instead of --port");
  const ns = opts.namespace ?? "default";
  const topo = a.analysis.topology;
  const party = (text: string, what: string): ReturnType<typeof resolveTarget> & { ok: true } => {
    const r = resolveTarget(topo, text, ns);
    if (!r.ok) throw new UsageError(`${what}: ${r.error} (ICMP traces go between pods, workloads and addresses, not through Services)`);
    if (r.target.port !== undefined) throw new UsageError(`${what}: ICMP has no ports ("${text}")`);
    return r;
  };
  const fromIp = opts.fromIp === undefined ? undefined : parseIp(opts.fromIp);
  if (opts.fromIp !== undefined && !fromIp) throw new UsageError(`--from-ip: "${opts.fromIp}" is not an IP address`);
  const s = fromIp ? { type: "address" as const, ip: fromIp, label: opts.fromIp ?? "" } : party(src ?? "", "source").target.party;
  const d = party(dst, "destination").target.party;
  const ctx = serviceContextOf(a, opts.clusterDomain);
  return traceIcmp(topo, ctx.policies, { src: s, dst: d, protocol, ...(type !== undefined ? { type } : {}), ...(code !== undefined ? { code } : {}) });
}

function hostPortMapping(a: Analyzed): { portMappings?: boolean } {
  const m = cniMapsHostPorts(a.load.cniConfigs);
  return m === undefined ? {} : { portMappings: m };
}

export function runTrace(a: Analyzed, src: string | undefined, dst: string, opts: RunOptions): Trace {
  const protocol = opts.protocol.toUpperCase();
  if (protocol === "ICMP" || protocol === "ICMPV6") return runIcmpTrace(a, src, dst, protocol === "ICMP" ? "ICMP" : "ICMPv6", opts);
  if (opts.icmpType !== undefined || opts.icmpCode !== undefined) throw new UsageError("--icmp-type and --icmp-code need --protocol ICMP or ICMPv6");
  if (!isProtocol(protocol)) throw new UsageError(`--protocol must be TCP, UDP, SCTP, ICMP or ICMPv6, not "${opts.protocol}"`);
  if (opts.from !== undefined && opts.from !== "internet") throw new UsageError(`--from must be "internet" (use --from-ip IP for a given client address), not "${opts.from}"`);
  const fromIp = opts.fromIp === undefined ? undefined : parseIp(opts.fromIp);
  if (opts.fromIp !== undefined && !fromIp) throw new UsageError(`--from-ip: "${opts.fromIp}" is not an IP address`);
  const port = opts.port === undefined ? undefined : /^\d+$/.test(opts.port) ? Number(opts.port) : opts.port;
  if (typeof port === "number" && (port < 1 || port > 65535)) throw new UsageError(`port ${port} is outside 1-65535`);
  const ctx = serviceContextOf(a, opts.clusterDomain);
  const r = traceAny(ctx, {
    dst,
    protocol,
    namespace: opts.namespace ?? "default",
    ...(src !== undefined ? { src } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(opts.from === "internet" ? { from: "internet" as const } : {}),
    ...(fromIp ? { fromIp } : {}),
    ...(opts.ingressController !== undefined ? { ingressController: opts.ingressController } : {}),
    ...northSouthOptions(opts),
    // A CNI configuration in the input tells whether hostPorts are mapped (portmap).
    ...hostPortMapping(a),
  });
  if (!r.ok) throw new UsageError(r.error);
  const t = r.trace;
  if (t.port !== undefined && (t.port < 1 || t.port > 65535)) throw new UsageError(`port ${t.port} is outside 1-65535`);
  return t;
}

export function traceCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("trace")
    .description("trace one connection step by step (exit 0 allowed, 1 denied, 2 bad input, 3 uncertain: a skipped or unmodelled policy could change the verdict)")
    .argument("[src]", "pod or workload: x/a, deploy/web -n prod, prod/web[Deployment], or IP (omit with --from/--from-ip)")
    .argument("[dst]", "pod or workload[:PORT], svc/NAME[:PORT], a DNS name[:PORT], a URL, or IP:PORT (ClusterIP, node address + nodePort or a pod's hostPort, LoadBalancer IP)");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.resolve)
    .option("--protocol <protocol>", "TCP|UDP|SCTP|ICMP|ICMPv6", "TCP")
    .option("--icmp-type <type>", "ICMP message type (default: echo request, 8; ICMPv6 128)")
    .option("--icmp-code <code>", "ICMP message code (default: any)")
    .option("--port <port>", "destination port (number or port name)")
    .option("--from <where>", "trace from outside the cluster: internet (client 203.0.113.1)")
    .option("--from-ip <ip>", "trace from this client address outside the cluster")
    .option("--ingress-controller <pod>", "the L7 proxy pod (ingress controller, Gateway data plane, OpenShift router) when the input has none with the usual labels")
    .option("--cluster-domain <domain>", "the cluster's DNS domain", "cluster.local")
    .option("--external-ip <name=ip>", "the address a name outside the cluster resolves to (ExternalName targets, Cilium toFQDNs); repeatable", (v: string, acc: string[] = []) => [...acc, v])
    .option("--method <method>", "HTTP method of a URL request (Gateway API method matches)", "GET")
    .option("--header <name:value>", "HTTP header of a URL request (Gateway API header matches); repeatable", (v: string, acc: string[] = []) => [...acc, v])
    .option("-o, --output <format>", "text|json", "text")
    .action(async (first: string | undefined, second: string | undefined, opts: TraceOptions) => {
      const outside = opts.from !== undefined || opts.fromIp !== undefined;
      const src = outside && second === undefined ? undefined : first;
      const dst = outside && second === undefined ? first : second;
      if (dst === undefined) throw new UsageError("missing required argument 'dst' (kwire trace SRC DST, or kwire trace --from internet DST)");
      if (first === undefined) throw new UsageError("missing required argument 'src'");
      const a = await analyzeInputs(opts, io);
      const t = runTrace(a, src, dst, opts);
      if (opts.output === "json") io.out(JSON.stringify(traceJson(t), null, 2) + "\n");
      else if (opts.output === "text") io.out(traceText(t));
      else throw new UsageError(`-o must be text or json, not "${opts.output}"`);
      setExit(traceUncertainty(t).length > 0 ? EXIT_UNCERTAIN : t.verdict === "allowed" ? EXIT_OK : EXIT_FINDINGS);
    });
  return cmd;
}
