/**
 * @module lab/up
 * `kwire lab up`: plan, then build in phases — fabric, nodes, pods (kwire-cni), policy and
 * Services (one nft transaction per node netns: `inet kwire` + the Service tables, `ip
 * kwire-services` or, with `proxy: "kube-proxy"`, kube-proxy's `ip kube-proxy`, and their `ip6`
 * twins for IPv6 Services; services.ts),
 * cluster DNS (servers in the kube-dns pods, resolv.conf per pod; lab-dns.ts), servers — writing
 * the state before each phase acts and pushing
 * each phase's inverse on an undo stack. Any failure, or `signal.aborted` (SIGINT/SIGTERM, set by
 * the CLI), unwinds the stack, so a failed `lab up` leaves nothing behind.
 */
import { mkdirSync, rmSync } from "node:fs";
import type { Cluster } from "../model/index.js";
import { INTERNET_CLIENT } from "../engine/index.js";
import { UndoStack } from "./cni/undo.js";
import { LabError } from "./errors.js";
import { addNetns, createFabric, createNode, deleteNetns, listNetns } from "./fabric.js";
import { LAB_NETNS } from "./cleanup.js";
import type { Host } from "./host.js";
import { labCluster, nftPods } from "./model.js";
import { labPolicyModel, labPolicyTables } from "./general-policy.js";
import { dnsEntry, startDns, waitDns } from "./dns-process.js";
import { stopChildren, type Child } from "./proc.js";
import { backendOverhead, DEFAULT_LAB_BACKEND, FABRIC_MTU, podMtuFor, type LabBackend } from "./backends.js";
import { bgpSettings, startBird, waitBgp, type BgpTopology } from "./bgp.js";
import { dnsTable } from "./dns-table.js";
import { dnsSkip, planDns, type DnsPlan } from "./lab-dns.js";
import { applyScript } from "./nft-apply.js";
import { removeResolvConf, resolvConfText, writeResolvConf } from "./resolv.js";
import { labServiceContext } from "./service-cells.js";
import { DEFAULT_LAB_PROXY, labProxyFamilies, nodeScript, PROXY_TABLES, unservedServiceNotes, type LabProxy } from "./services.js";
import { FABRIC_NETNS, familiesOf, NODE_BRIDGE, planLab, type LabNode, type LabPod, type PlanOptions } from "./plan.js";
import { addPods } from "./pods.js";
import { proxyPortsBefore, upNorthSouth, type NorthSouthState } from "./north-south-lab.js";
import { withLabProxies } from "./north-south.js";
import { startServer, waitReady, writeServerScript } from "./servers.js";
import { onPath, placedPods, preflightProblem } from "./session.js";
import { readState, writeInputs, writeState, type BgpState, type DnsState, type LabPhase, type LabState, type PodState, type SavedInput } from "./state.js";

export interface UpOptions extends PlanOptions {
  readonly host: Host;
  readonly dir: string;
  readonly files: readonly SavedInput[];
  readonly log: (line: string) => void;
  /** How Services are rendered (default compact); kept in the state. */
  readonly proxy?: LabProxy;
  /** How nodes carry pod traffic to each other (default routes; backends.ts). */
  readonly backend?: LabBackend;
  /** `bgp`: full mesh or node 0 as route reflector (a Calico BGPConfiguration in the input may decide). */
  readonly bgpTopology?: BgpTopology;
  /** The pods' MTU (default: the backend's, fabric MTU minus its overhead); a wrong one is allowed, to show its failure. */
  readonly podMtu?: number;
  /** `--cni`: the CNI the cluster was analysed with (kept in the state so `lab probe` analyses the same way). */
  readonly cni?: string;
  /** Set by signal handlers; checked between steps. */
  readonly signal?: { readonly aborted: boolean };
}

class Recorder {
  state: LabState;
  private t = performance.now();
  constructor(initial: LabState) {
    this.state = initial;
    writeState(initial);
  }
  phase(phase: LabPhase, label: string): void {
    const now = performance.now();
    this.state = { ...this.state, phase, timings: { ...this.state.timings, [label]: (now - this.t) / 1000 } };
    this.t = now;
    writeState(this.state);
  }
  setPods(pods: readonly PodState[]): void {
    this.state = { ...this.state, pods };
    writeState(this.state);
  }
  setBgp(bgp: BgpState): void {
    this.state = { ...this.state, bgp };
    writeState(this.state);
  }
  setDns(dns: DnsState): void {
    this.state = { ...this.state, dns };
    writeState(this.state);
  }
  setNorthSouth(northSouth: NorthSouthState): void {
    this.state = { ...this.state, northSouth };
    writeState(this.state);
  }
}

async function build(cluster: Cluster, opts: UpOptions, rec: Recorder, undo: UndoStack, dns: DnsPlan | undefined, nsNotes: readonly string[]): Promise<void> {
  const { host, dir, log } = opts;
  const check = (): void => {
    if (opts.signal?.aborted === true) throw new LabError("interrupted", "interrupted (SIGINT/SIGTERM); unwinding");
  };
  const { nodes } = rec.state;
  const backend = rec.state.backend ?? DEFAULT_LAB_BACKEND;
  undo.push(`delete netns ${FABRIC_NETNS}`, async () => void (await deleteNetns(host, [FABRIC_NETNS])));
  await createFabric(host, backend, nodes);
  rec.phase("fabric", "fabric");
  for (const n of nodes) {
    check();
    undo.push(`delete netns ${n.netns}`, async () => void (await deleteNetns(host, [n.netns])));
    await createNode(host, n, nodes, backend);
  }
  const birds: Child[] = [];
  if (rec.state.bgp !== undefined) {
    const bgp = rec.state.bgp;
    undo.push("stop bird (and wait until it has exited)", () => stopChildren(birds));
    startBird(dir, nodes, bgp, birds);
    rec.setBgp({ ...bgp, pids: birds.map((b) => b.pid) });
  }
  rec.phase("nodes", "nodes");
  log(`lab: ${nodes.length} node netns joined by ${FABRIC_NETNS} (backend ${backend}, pod MTU ${rec.state.podMtu ?? podMtuFor(backend)})`);
  // hostNetwork pods run in their node's netns: no netns, no kwire-cni, the node's addresses.
  const pods = rec.state.pods.map((p) => p.pod).filter((p) => p.hostNetwork !== true);
  undo.push(`delete ${pods.length} pod netns`, async () => void (await deleteNetns(host, pods.map((p) => p.netns))));
  await addNetns(host, pods.map((p) => p.netns));
  // Servers bind 0.0.0.0 and need only their netns: start them now, so their Node start-up
  // overlaps the wiring; readiness is awaited at the end.
  const reserved = proxyPortsBefore(labCluster(cluster, rec.state.pods.map((p) => ({ pod: p.pod, ip: "" }))), nodes, backend);
  const children = startAll(opts, rec, undo, dns, reserved);
  const ips = new Map<string, string[]>();
  const families = familiesOf(rec.state.ipFamily ?? "ipv4");
  await addPods(host, dir, nodes, pods, rec.state.podMtu ?? podMtuFor(backend), families, (pod, got) => void ips.set(pod.id, got), () => opts.signal?.aborted === true);
  for (const p of rec.state.pods) {
    const n = nodes.find((x) => x.name === p.pod.node);
    if (p.pod.hostNetwork === true && n !== undefined) ips.set(p.pod.id, nodeAddresses(n, families));
  }
  rec.setPods(rec.state.pods.map((p): PodState => {
    const got = ips.get(p.pod.id);
    return got?.[0] === undefined ? p : { ...p, ip: got[0], ips: got };
  }));
  await hostPodSources(host, nodes, rec.state.pods.map((p) => p.pod));
  rec.phase("pods", "pods");
  log(`lab: ${pods.length} pods wired by kwire-cni`);
  check();
  const lab = labCluster(cluster, placedPods(rec.state));
  const tables = labPolicyTables(lab, nodes, backend);
  const proxy = rec.state.proxy ?? DEFAULT_LAB_PROXY;
  // Policy for both families (inet); Services per family (ip, ip6), each on its family's view.
  await Promise.all(nodes.map((n) => applyScript(host, n.netns, nodeScript(lab, n, tables(n.name), proxy, nodes))));
  rec.phase("policy", "policy");
  const serviceTables = labProxyFamilies(lab).map((f) => `${f === 6 ? "ip6" : "ip"} ${PROXY_TABLES[proxy]}`).join(", ");
  log(`lab: ${policySummary(lab)} (table inet kwire) and ${lab.services.length} Services (table ${serviceTables}) on ${nodes.length} node(s)`);
  const aborted = (): boolean => opts.signal?.aborted === true;
  if (rec.state.bgp !== undefined) {
    await waitBgp(host, dir, nodes, birds, 30_000, aborted);
    rec.phase("bgp", "bgp");
    log(`lab: BGP converged (${rec.state.bgp.topology === "mesh" ? "full mesh" : "route reflector on node 0"}, AS ${rec.state.bgp.asNumber}): every node learnt every other podCIDR`);
  }
  if (dns !== undefined) await startClusterDns(opts, rec, undo, lab, dns, aborted);
  const ns = await upNorthSouth({ host, dir, lab, pods: placedPods(rec.state), nodes, backend, reserved, notes: nsNotes, undo, save: (s) => rec.setNorthSouth(s), aborted });
  if (ns !== undefined) {
    rec.phase("north-south", "north-south");
    log(`lab: internet netns ${ns.netns} (${INTERNET_CLIENT}) on the fabric; L7 proxies in ${ns.proxies.map((p) => `${p.pod} (TCP ${p.ports.join(",")})`).join(", ")}`);
  }
  await Promise.all(rec.state.pods.map((p) => {
    const child = children.get(p.pod.id);
    if (child === undefined) throw new LabError("server-not-ready", `no server was started for ${p.pod.id}`);
    return waitReady(host, dir, p.pod, child, 15_000, aborted);
  }));
  rec.phase("servers", "servers");
  log(`lab: ${pods.length} pod servers ready`);
}

/** What the policy tables enforce, for the log line. */
function policySummary(lab: Cluster): string {
  const model = labPolicyModel(lab);
  if (model === "kubernetes") {
    const tiered = lab.clusterPolicies.length > 0 ? ` + ${lab.clusterPolicies.length} cluster policies (Admin/Baseline tiers)` : "";
    return `${lab.networkPolicies.length} NetworkPolicies${tiered}`;
  }
  const own = model === "calico" ? (lab.calico?.policies.length ?? 0) : (lab.ciliumPolicies?.length ?? 0);
  const kind = model === "calico" ? "Calico" : "Cilium";
  return `${kind} policy model: ${own} ${kind} policies, ${lab.networkPolicies.length} NetworkPolicies${model === "calico" && lab.clusterPolicies.length > 0 ? `, ${lab.clusterPolicies.length} cluster policies` : ""} on ${kind}'s ordered tiers`;
}

/** A node's addresses (its hostNetwork pods' podIPs): the uplink's, per family. */
function nodeAddresses(n: LabNode, families: readonly (4 | 6)[]): string[] {
  return [...(families.includes(4) ? [n.transitIp] : []), ...(families.includes(6) && n.transitIp6 !== undefined ? [n.transitIp6] : [])];
}

/**
 * On a node that runs hostNetwork pods and other pods, traffic from the node to its own pods
 * leaves with the node's address (`src` on the podCIDR route) rather than the bridge's: kwire
 * models a hostNetwork pod by the node's address, which is what ipBlocks then see.
 */
async function hostPodSources(host: Host, nodes: readonly LabNode[], pods: readonly LabPod[]): Promise<void> {
  for (const n of nodes) {
    const mine = pods.filter((p) => p.node === n.name);
    if (!mine.some((p) => p.hostNetwork === true) || !mine.some((p) => p.hostNetwork !== true)) continue;
    const lines = [`route replace ${n.podCidr} dev ${NODE_BRIDGE} proto kernel scope link src ${n.transitIp}`];
    // IPv6 routes are keyed by metric too: replace the kernel's own (metric 256), or it stays and wins.
    if (n.podCidr6 !== undefined && n.transitIp6 !== undefined) lines.push(`route replace ${n.podCidr6} dev ${NODE_BRIDGE} proto kernel metric 256 src ${n.transitIp6}`);
    const r = await host.exec(["ip", "-batch", "-"], { netns: n.netns, input: lines.join("\n") + "\n" });
    if (r.code !== 0) throw new LabError("command-failed", `setting the node's address as source toward its pods in ${n.netns}: ${r.stderr.trim()}`);
  }
}

/** DNS servers in the kube-dns pods, resolv.conf in every pod netns (state written first). */
async function startClusterDns(opts: UpOptions, rec: Recorder, undo: UndoStack, lab: Cluster, dns: DnsPlan, aborted: () => boolean): Promise<void> {
  // hostNetwork pods keep their node's resolver (the model does not resolve cluster names there).
  const pods = rec.state.pods.filter((p) => p.ip !== undefined && p.pod.hostNetwork !== true);
  const servers = pods.filter((p) => dns.podIds.has(p.pod.id));
  const base: DnsState = { nameserver: dns.nameserver, domain: dns.domain, servers: servers.map((p) => ({ netns: p.pod.netns })), resolvConf: pods.map((p) => p.pod.netns) };
  rec.setDns(base);
  undo.push("remove resolv.conf files", async () => { for (const n of base.resolvConf) removeResolvConf(n); });
  for (const p of pods) writeResolvConf(p.pod.netns, resolvConfText(dns.nameserver, p.pod.namespace, dns.domain));
  const table = dnsTable(labServiceContext(lab).zone, pods.flatMap((p) => p.ips ?? (p.ip === undefined ? [] : [p.ip])));
  const entry = await dnsEntry(opts.dir);
  const started: Child[] = [];
  undo.push("stop DNS servers (and wait until they have exited)", () => stopChildren(started));
  const ipv6 = familiesOf(rec.state.ipFamily ?? "ipv4").includes(6);
  for (const p of servers) started.push(startDns(opts.dir, entry, p.pod, table, dns.port, ipv6));
  rec.setDns({ ...base, servers: servers.map((p, i) => ({ netns: p.pod.netns, pid: started[i]?.pid ?? 0 })) });
  await Promise.all(servers.map((p, i) => {
    const child = started[i];
    if (child === undefined) throw new LabError("server-not-ready", `no DNS server was started in ${p.pod.id}`);
    return waitDns(opts.dir, p.pod, child, 15_000, aborted);
  }));
  rec.phase("dns", "dns");
  opts.log(`lab: cluster DNS at ${dns.nameserver} served from ${servers.map((p) => p.pod.id).join(", ")}; resolv.conf in ${pods.length} pods`);
}

/**
 * Start every pod server. The undo step stops them through their handles and returns only when each
 * one has exited (a server forked a moment before a SIGINT is still caught: see proc.ts).
 */
function startAll(opts: UpOptions, rec: Recorder, undo: UndoStack, dns: DnsPlan | undefined, proxyPorts: ReadonlyMap<string, readonly number[]>): ReadonlyMap<string, Child> {
  writeServerScript(opts.dir);
  const children = new Map<string, Child>();
  undo.push("stop pod servers (and wait until they have exited)", () => stopChildren([...children.values()]));
  const ipv6 = familiesOf(rec.state.ipFamily ?? "ipv4").includes(6);
  const skip = (pod: LabPod): ReadonlySet<string> => new Set([...dnsSkip(dns, pod), ...(proxyPorts.get(pod.id) ?? []).map((x) => `TCP/${x}`)]);
  for (const p of rec.state.pods) children.set(p.pod.id, startServer(opts.dir, p.pod, skip(p.pod), ipv6));
  rec.setPods(rec.state.pods.map((p) => ({ ...p, pid: children.get(p.pod.id)?.pid ?? 0 })));
  return children;
}

/** Build the lab for `cluster`; on any failure everything made so far is removed. */
export async function labUp(input: Cluster, opts: UpOptions): Promise<LabState> {
  const problem = preflightProblem();
  if (problem !== undefined) throw problem;
  if (readState(opts.dir) !== undefined) throw new LabError("already-up", `a lab is already up (state in ${opts.dir}); run kwire lab down first`);
  // Lab netns names are machine-wide: never build over (and on failure unwind) another lab's.
  const taken = (await listNetns(opts.host)).filter((n) => LAB_NETNS.test(n));
  if (taken.length > 0) throw new LabError("already-up", `another lab is up on this machine (netns ${taken.slice(0, 3).join(", ")}${taken.length > 3 ? ", …" : ""}); run kwire lab down with its KWIRE_LAB_DIR, or kwire lab clean`);
  // Ingress controllers / Gateway data planes the input lacks get a lab proxy pod (north-south.ts).
  const { cluster, notes: nsNotes } = withLabProxies(input, labServiceContext(input));
  const plan = planLab(cluster, opts);
  const backend = opts.backend ?? DEFAULT_LAB_BACKEND;
  const bgpNotes: string[] = [];
  const bgp = backend === "bgp" ? bgpSettings(cluster, opts.bgpTopology, bgpNotes) : undefined;
  if (backend !== "bgp" && opts.bgpTopology !== undefined) bgpNotes.push(`--bgp-topology ${opts.bgpTopology} is ignored: the backend is ${backend}`);
  if (backend === "bgp") {
    const missing = ["bird", "birdc"].filter((b) => !onPath(b));
    if (missing.length > 0) throw new LabError("missing-tool", `the bgp backend needs ${missing.join(" and ")} (apt-get install bird2)`);
  }
  const mtu = opts.podMtu ?? podMtuFor(backend);
  if (mtu > podMtuFor(backend)) bgpNotes.push(`pod MTU ${mtu} is larger than the ${backend} backend leaves (${podMtuFor(backend)} = fabric ${FABRIC_MTU} - ${backendOverhead(backend)}): large packets will not cross nodes (lab probe --mtu shows it)`);
  const northSouth = cluster.ingresses.length > 0 || (cluster.gateways?.length ?? 0) > 0;
  const familyNotes = [
    ...unservedServiceNotes(cluster, familiesOf(plan.ipFamily)),
    ...(plan.ipFamily !== "ipv4" && northSouth ? [`--ip-family ${plan.ipFamily}: north-south (the internet netns and the L7 proxies) is probed over IPv4 only${plan.ipFamily === "ipv6" ? ": not at all in an IPv6-only lab" : ""}`] : []),
  ];
  const notes = [...plan.notes, ...bgpNotes, ...nsNotes, ...familyNotes];
  for (const n of notes) opts.log(`lab: note: ${n}`);
  const undo = new UndoStack();
  mkdirSync(opts.dir, { recursive: true });
  undo.push(`remove ${opts.dir}`, async () => rmSync(opts.dir, { recursive: true, force: true }));
  writeInputs(opts.dir, opts.files);
  const rec = new Recorder({
    version: 1, phase: "planned", startedAt: new Date().toISOString(), dir: opts.dir, notes, fabric: FABRIC_NETNS,
    nodes: plan.nodes, pods: plan.pods.map((pod) => ({ pod })), proxy: opts.proxy ?? DEFAULT_LAB_PROXY, timings: {},
    backend, ipFamily: plan.ipFamily, podMtu: opts.podMtu ?? podMtuFor(backend), ...(bgp === undefined ? {} : { bgp: { ...bgp, pids: [] } }),
    ...(opts.cni === undefined ? {} : { cni: opts.cni }), policy: labPolicyModel(cluster),
  });
  try {
    await build(cluster, opts, rec, undo, planDns(cluster, plan.pods.filter((p) => p.hostNetwork !== true), familiesOf(plan.ipFamily)), nsNotes);
    rec.phase("up", "total-finish");
    undo.clear();
    return rec.state;
  } catch (e) {
    const left = await undo.unwind();
    for (const l of left) opts.log(`lab: could not undo: ${l}`);
    throw e;
  }
}
