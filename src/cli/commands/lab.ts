/**
 * @module lab (command)
 * `kwire lab up|status|probe|exec|down|clean`: the real data plane on network namespaces (Linux,
 * root). `up` installs SIGINT/SIGTERM handlers that make it unwind what it built; `down` and
 * `clean` are idempotent. Exit codes: 0 ok, 1 lab failure or probe mismatch, 2 bad input, 130
 * interrupted.
 */
import { spawnSync } from "node:child_process";
import { Command } from "commander";
import { renderTable } from "../../report/index.js";
import { IP_FAMILIES, isLabIpFamily, BGP_TOPOLOGIES, bgpStatus, probeMtu, DEFAULT_LAB_BACKEND, isBgpTopology, isLabBackend, LAB_BACKENDS, type BgpNodeStatus } from "../../lab/index.js";
import { createHost, labClean, labDir, labDown, labUp, LabError, loadLabCluster, readState, runProbe, currentLab, DEFAULT_LAB_PROXY, isLabProxy, LAB_PROXIES } from "../../lab/index.js";
import { addInputOptions, BadInput, loadInputs, type InputOptions, type Io } from "../context.js";
import { EXIT_FINDINGS, EXIT_OK, printDiagnostics, UsageError } from "../io.js";
import { probeJson, probeText, statusJson, statusText } from "./lab-report.js";

const EXIT_INTERRUPTED = 130;

interface UpOpts extends InputOptions {
  nodes?: string;
  nodePodCidr?: string[];
  proxy: string;
  renumber?: boolean;
  backend: string;
  bgpTopology?: string;
  podMtu?: string;
  ipFamily?: string;
}

function labFailure(io: Io, setExit: (n: number) => void, e: unknown): void {
  if (!(e instanceof LabError)) throw e;
  io.err(`kwire: lab: ${e.message}\n`);
  setExit(e.code === "interrupted" ? EXIT_INTERRUPTED : EXIT_FINDINGS);
}

function positiveInt(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${what} must be a positive integer, not "${v}"`);
  return Number(v);
}

async function up(opts: UpOpts, io: Io, setExit: (n: number) => void): Promise<void> {
  const files = await loadInputs(opts, io);
  let loaded: ReturnType<typeof loadLabCluster>;
  try {
    loaded = loadLabCluster(files, opts.cni);
  } catch (e) {
    // The analysis refused the input (an unknown --cni, or Calico and Cilium policies with no CNI to choose).
    if (e instanceof LabError) throw new UsageError(e.message);
    throw e;
  }
  const { cluster, diagnostics } = loaded;
  printDiagnostics(diagnostics, io.err);
  for (const n of loaded.notes) io.err(`kwire: note: ${n}\n`);
  if (diagnostics.some((d) => d.severity === "error") && opts.strict === true) throw new BadInput("input errors (--strict)");
  const signal = { aborted: false };
  const onSignal = (sig: string): void => {
    if (!signal.aborted) io.err(`kwire: lab: ${sig}: unwinding what was built…\n`);
    signal.aborted = true;
  };
  const onInt = (): void => onSignal("SIGINT");
  const onTerm = (): void => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const nodes = positiveInt(opts.nodes, "--nodes");
    const proxy = opts.proxy;
    if (!isLabProxy(proxy)) throw new UsageError(`--proxy must be one of ${LAB_PROXIES.join(", ")}, not "${proxy}"`);
    const backend = opts.backend;
    if (!isLabBackend(backend)) throw new UsageError(`--backend must be one of ${LAB_BACKENDS.join(", ")}, not "${backend}"`);
    const topo = opts.bgpTopology;
    if (topo !== undefined && !isBgpTopology(topo)) throw new UsageError(`--bgp-topology must be one of ${BGP_TOPOLOGIES.join(", ")}, not "${topo}"`);
    const podMtu = positiveInt(opts.podMtu, "--pod-mtu");
    if (podMtu !== undefined && (podMtu < 576 || podMtu > 9000)) throw new UsageError(`--pod-mtu must be between 576 and 9000, not ${podMtu}`);
    const ipFamily = opts.ipFamily;
    if (ipFamily !== undefined && !isLabIpFamily(ipFamily)) throw new UsageError(`--ip-family must be one of ${IP_FAMILIES.join(", ")}, not "${ipFamily}"`);
    const t0 = performance.now();
    const state = await labUp(cluster, {
      host: createHost(), dir: labDir(), files, log: (l) => io.err(`${l}\n`), signal, proxy, ...(opts.cni === undefined ? {} : { cni: opts.cni }),
      ...(nodes === undefined ? {} : { nodes }), ...(opts.nodePodCidr === undefined ? {} : { podCidrs: opts.nodePodCidr }),
      ...(opts.renumber === true ? { renumber: true } : {}), backend,
      ...(topo === undefined ? {} : { bgpTopology: topo }), ...(podMtu === undefined ? {} : { podMtu }), ...(ipFamily === undefined ? {} : { ipFamily }),
    });
    io.out(`lab up: ${state.nodes.length} nodes (backend ${backend}, ${state.ipFamily ?? "ipv4"}, pod MTU ${state.podMtu ?? "-"}), ${state.pods.length} pods (Services: ${proxy}) in ${((performance.now() - t0) / 1000).toFixed(2)} s; state in ${state.dir}\n`);
  } catch (e) {
    labFailure(io, setExit, e);
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

function upCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("up").description("build the cluster on network namespaces: nodes, pods (kwire-cni), policy (NetworkPolicy tiers, or Calico's / Cilium's with --cni calico|cilium) and Services (nftables), cluster DNS, pod servers");
  return addInputOptions(cmd)
    .option("--nodes <n>", "simulated nodes when the input has no Node objects (default 2)")
    .option("--node-pod-cidr <cidr>", "podCIDR of the next node (repeatable; default: Node objects', else one /24 per /24 of the pods' declared IPs, else 10.244.<i>.0/24)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--backend <backend>", `how nodes carry pod traffic: ${LAB_BACKENDS.join("|")} (routes: a fabric router; host-gw: Flannel's direct routes; vxlan: Flannel's VXLAN overlay; bgp: Calico's BIRD)`, DEFAULT_LAB_BACKEND)
    .option("--bgp-topology <topology>", "bgp backend: mesh (node-to-node mesh, the default) or rr (node 0 is the route reflector); a Calico BGPConfiguration in the input may decide")
    .option("--pod-mtu <bytes>", "the pods' MTU (default: the backend's, 1500 minus its overhead: 1450 on vxlan); a larger one reproduces an MTU problem")
    .option("--ip-family <family>", `pod addresses: ${IP_FAMILIES.join("|")} (default: what the pods' declared addresses say, else ipv4); policy is enforced for both families, Services per family (ip and ip6 tables), cluster DNS at kube-dns's ClusterIP of the lab's first family`)
    .option("--renumber", "give pods whose declared status.podIP the lab cannot honour another address (default: refuse, since ipBlocks would mean something else)")
    .option("--proxy <rendering>", `Service rules: compact (kube-proxy's semantics in kwire's compact layout, table ip/ip6 kwire-services) or kube-proxy (kube-proxy's exact nftables mode, table ip/ip6 kube-proxy; slow beyond ~1k Services)`, DEFAULT_LAB_PROXY)
    .action((opts: UpOpts) => up(opts, io, setExit));
}

function probeCommand(io: Io, setExit: (n: number) => void): Command {
  return new Command("probe")
    .description("probe pod → pod, pod → Service (ClusterIP, NodePort), DNS lookups and north-south HTTP requests from the internet netns; compare with the model (exit 1 on any mismatch)")
    .option("-o, --output <format>", "text|json", "text")
    .option("--concurrency <n>", "probes in flight at once", "64")
    .option("--timeout <ms>", "per-probe timeout in milliseconds", "1000")
    .option("--flow-log <path>", "JSON-lines flow log (default <lab dir>/flows.jsonl)")
    .option("--mtu", "instead: measure the path MTU between every pair of nodes from pods (DF pings) and compare it with the pod MTU (exit 1 on an MTU problem)")
    .action(async (opts: { output: string; concurrency: string; timeout: string; flowLog?: string; mtu?: boolean }) => {
      if (opts.output !== "text" && opts.output !== "json") throw new UsageError(`-o must be text or json, not "${opts.output}"`);
      try {
        if (opts.mtu === true) return await mtuProbe(opts.output, io, setExit);
        const run = await runProbe({
          dir: labDir(), concurrency: positiveInt(opts.concurrency, "--concurrency") ?? 64, timeoutMs: positiveInt(opts.timeout, "--timeout") ?? 1000,
          ...(opts.flowLog === undefined ? {} : { flowLog: opts.flowLog }),
        });
        io.out(opts.output === "json" ? JSON.stringify(probeJson(run), null, 2) + "\n" : probeText(run));
        setExit(run.summary.mismatches > 0 ? EXIT_FINDINGS : EXIT_OK);
      } catch (e) {
        labFailure(io, setExit, e);
      }
    });
}

async function mtuProbe(output: string, io: Io, setExit: (n: number) => void): Promise<void> {
  const { state } = currentLab(labDir());
  const paths = await probeMtu(createHost(), state);
  const backend = state.backend ?? DEFAULT_LAB_BACKEND;
  if (output === "json") io.out(JSON.stringify({ backend, podMtu: state.podMtu ?? null, paths }, null, 2) + "\n");
  else {
    io.out(renderTable(["FROM", "TO", "SRC → DST", "POD MTU", "PATH MTU", "VERDICT"], paths.map((p) => [p.from, p.to, p.src === undefined ? "-" : `${p.src} → ${p.dst ?? ""} ${p.dstIp ?? ""}`, String(p.podMtu ?? "-"), String(p.pathMtu ?? "-"), p.verdict])));
    for (const p of paths) if (p.verdict !== "ok") io.out(`${p.message}\n`);
  }
  setExit(paths.some((p) => p.verdict === "mtu-problem") ? EXIT_FINDINGS : EXIT_OK);
}

function execCommand(io: Io, setExit: (n: number) => void): Command {
  return new Command("exec")
    .description("run a command in a lab pod's netns (ip netns exec), e.g. kwire lab exec x/a -- ping -c1 10.244.1.2")
    .argument("<pod>", "namespace/name of a lab pod")
    .argument("<command...>", "the command and its arguments (after --)")
    .action((pod: string, command: string[]) => {
      try {
        const { state } = currentLab(labDir());
        const p = state.pods.find((x) => x.pod.id === pod || (!pod.includes("/") && x.pod.id === `default/${pod}`));
        if (p === undefined) throw new LabError("unknown-pod", `no lab pod ${pod} (pods: ${state.pods.slice(0, 8).map((x) => x.pod.id).join(", ")}${state.pods.length > 8 ? ", …" : ""})`);
        const r = spawnSync("ip", ["netns", "exec", p.pod.netns, ...command], { stdio: "inherit" });
        setExit(r.status ?? (r.signal === null ? 1 : 128));
      } catch (e) {
        labFailure(io, setExit, e);
      }
    });
}

/** BGP sessions and learnt routes per node (birdc). */
function bgpText(nodes: readonly BgpNodeStatus[]): string {
  const out = ["", "BGP (birdc):"];
  for (const n of nodes) {
    if (n.error !== undefined) {
      out.push(`  ${n.node}: birdc failed: ${n.error}`);
      continue;
    }
    out.push(`  ${n.node}: sessions ${n.sessions.map((x) => `${x.name} ${x.info === "" ? x.state : x.info}`).join(", ") || "none"}`);
    for (const r of n.routes) out.push(`    learnt ${r}`);
  }
  return `${out.join("\n")}\n`;
}

export function labCommand(io: Io, setExit: (n: number) => void): Command {
  const lab = new Command("lab").description("the real data plane on network namespaces (Linux, root): up, status, probe, exec, down, clean");
  lab.addCommand(upCommand(io, setExit));
  lab.command("status").description("what the running lab consists of (with --backend bgp: BGP sessions and learnt routes, from birdc)").option("-o, --output <format>", "text|json", "text").action(async (opts: { output: string }) => {
    const s = readState(labDir());
    if (s === undefined) {
      io.out(opts.output === "json" ? "null\n" : `no lab is up (no state in ${labDir()})\n`);
      return setExit(EXIT_FINDINGS);
    }
    const bgp = s.backend === "bgp" ? await bgpStatus(createHost(), s.dir, s.nodes) : undefined;
    if (opts.output === "json") return io.out(JSON.stringify({ ...statusJson(s), ...(bgp === undefined ? {} : { bgp }) }, null, 2) + "\n");
    io.out(statusText(s));
    if (bgp !== undefined) io.out(bgpText(bgp));
  });
  lab.addCommand(probeCommand(io, setExit));
  lab.addCommand(execCommand(io, setExit));
  lab.command("down").description("remove everything the running lab created (idempotent)").action(async () => {
    const r = await labDown(createHost(), labDir());
    io.out(r === undefined ? "lab down: nothing to do (no state; try kwire lab clean)\n" : `lab down: ${r.servers} servers stopped, ${r.netns.length} netns deleted\n`);
    for (const p of r?.problems ?? []) io.err(`kwire: lab: ${p}\n`);
    setExit(r !== undefined && r.problems.length > 0 ? EXIT_FINDINGS : EXIT_OK);
  });
  lab.command("clean").description("remove lab leftovers by name (kw-n<i>, kw-p-<hash>, kw-fabric), with or without state").action(async () => {
    const r = await labClean(createHost(), labDir());
    io.out(`lab clean: ${r.servers} servers stopped, ${r.netns.length} netns deleted\n`);
    for (const p of r.problems) io.err(`kwire: lab: ${p}\n`);
    setExit(r.problems.length > 0 ? EXIT_FINDINGS : EXIT_OK);
  });
  for (const c of lab.commands) c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return lab;
}
