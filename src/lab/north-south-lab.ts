/**
 * @module lab/north-south-lab
 * North-south traffic on the kernel: the `internet` netns on the fabric, the L7 proxies in the
 * data-plane pods' netns, and the probe of north-south cells from the internet netns.
 *
 * - **internet netns** `kw-inet`: a veth into the fabric bridge, address INTERNET_CLIENT
 *   (203.0.113.1/32, TEST-NET-3), a link route to the node uplinks (172.30.0.0/24) and a route
 *   to each node's podCIDR via that node's uplink — nothing else, so it reaches only the lab.
 *   Each node gets a route back to 203.0.113.1 over its uplink. The client connects to the proxy
 *   pod's address, as a load balancer in IP-target mode does (and as the model judges the
 *   client → proxy hop: with the client's own address, on the pod's port).
 * - **proxies**: `node ingress-proxy.mjs CONFIG` in the proxy pod's netns (started like the pod
 *   servers, through proc.ts, always reaped), on the ports north-south.ts planned; the pod
 *   server of that pod leaves those ports to it.
 * - **probe**: one `node -e` child in the internet netns sends every request at once and exits.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { INTERNET_CLIENT } from "../engine/index.js";
import type { Cluster } from "../model/index.js";
import { LabError } from "./errors.js";
import { ipBatch } from "./fabric.js";
import type { Host } from "./host.js";
import { INGRESS_PROXY_JS, INTERNET_CLIENT_JS } from "./ingress-proxy-source.js";
import type { CellResult } from "./compare.js";
import { INTERNET_NETNS, planNorthSouth, type LabProxyPlan, type NorthSouthCell, type NorthSouthPlan } from "./north-south.js";
import { FABRIC_BRIDGE, FABRIC_NETNS, NODE_UPLINK, TRANSIT_PREFIX, type LabNode } from "./plan.js";
import { runsArg, startInNetns, stopChildren, tail, type Child } from "./proc.js";
import { labServiceContext } from "./service-cells.js";
import type { LabBackend } from "./backends.js";
import { logPath } from "./state.js";
import type { PlacedPod } from "./model.js";

export const PROXY_SCRIPT = "ingress-proxy.mjs";
const FABRIC_PORT = "kw-inet0";
const INTERNET_IF = "eth0";

/** What `lab up` made for north-south traffic (kept in the state). */
export interface NorthSouthState {
  readonly netns: string;
  readonly proxies: readonly { readonly pod: string; readonly netns: string; readonly ports: readonly number[]; readonly pid?: number }[];
  readonly notes: readonly string[];
}

/** True when `pid` is alive and runs the lab's proxy script. */
export const isOurProxy = (pid: number): boolean => runsArg(pid, PROXY_SCRIPT);

/** The plan for a running lab's cluster (the same function `lab up` and `lab probe` use). */
export function labNorthSouth(lab: Cluster, pods: readonly PlacedPod[], nodes: readonly LabNode[], backend: LabBackend | undefined): NorthSouthPlan {
  return planNorthSouth(labServiceContext(lab, nodes, backend), pods.map((p) => ({ id: p.pod.id, ip: p.ip })));
}

/** The `ip -batch` lines per netns that wire the internet netns (pure: tested on its own). */
export function internetPlan(nodes: readonly LabNode[]): { root: string[]; fabric: string[]; internet: string[]; node: (n: LabNode) => string[] } {
  return {
    root: [`netns add ${INTERNET_NETNS}`, `link add name ${FABRIC_PORT} netns ${FABRIC_NETNS} type veth peer name ${INTERNET_IF} netns ${INTERNET_NETNS}`],
    fabric: [`link set ${FABRIC_PORT} master ${FABRIC_BRIDGE}`, `link set ${FABRIC_PORT} up`],
    internet: [
      "link set lo up", `addr add ${INTERNET_CLIENT}/32 dev ${INTERNET_IF}`, `link set ${INTERNET_IF} up`,
      `route add ${TRANSIT_PREFIX}0/24 dev ${INTERNET_IF} scope link`,
      ...nodes.map((n) => `route add ${n.podCidr} via ${n.transitIp} dev ${INTERNET_IF}`),
    ],
    node: () => [`route add ${INTERNET_CLIENT}/32 dev ${NODE_UPLINK} scope link`],
  };
}

export async function createInternet(host: Host, nodes: readonly LabNode[]): Promise<void> {
  const p = internetPlan(nodes);
  await ipBatch(host, p.root);
  await ipBatch(host, p.fabric, FABRIC_NETNS);
  await ipBatch(host, p.internet, INTERNET_NETNS);
  for (const n of nodes) await ipBatch(host, p.node(n), n.netns);
}

const readyPath = (dir: string, netns: string): string => join(dir, "sock", `${netns}.proxy-ready`);

/** Start one proxy in `netns`. */
export function startProxy(dir: string, netns: string, plan: LabProxyPlan): Child {
  mkdirSync(join(dir, "sock"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  const script = join(dir, PROXY_SCRIPT);
  if (!existsSync(script)) writeFileSync(script, INGRESS_PROXY_JS);
  const cfg = JSON.stringify({ id: plan.pod, ports: plan.ports, routes: plan.routes, ready: readyPath(dir, netns), httpOnlyFrom: [INTERNET_CLIENT] });
  return startInNetns(netns, [process.execPath, script, cfg], logPath(dir, `${netns}.proxy`), `the L7 proxy in ${plan.pod}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitProxy(dir: string, netns: string, plan: LabProxyPlan, child: Child, timeoutMs: number, aborted: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(readyPath(dir, netns))) {
    if (aborted()) throw new LabError("interrupted", "interrupted while waiting for the L7 proxies");
    if (!child.running()) throw new LabError("server-not-ready", `the L7 proxy in ${plan.pod} exited: ${tail(logPath(dir, `${netns}.proxy`))}`);
    if (Date.now() - t0 > timeoutMs) throw new LabError("server-not-ready", `the L7 proxy in ${plan.pod} was not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
}

export interface ClientAnswer {
  readonly i: number;
  readonly status: number;
  readonly body: string;
  readonly ms: number;
  readonly error?: string;
}

function answers(stdout: string): ClientAnswer[] {
  const v: unknown = JSON.parse(stdout);
  if (!Array.isArray(v)) return [];
  return v.flatMap((x: unknown) => {
    if (typeof x !== "object" || x === null || !("i" in x) || typeof x.i !== "number") return [];
    const status = "status" in x && typeof x.status === "number" ? x.status : 0;
    const body = "body" in x && typeof x.body === "string" ? x.body : "";
    const ms = "ms" in x && typeof x.ms === "number" ? x.ms : 0;
    const error = "error" in x && typeof x.error === "string" ? x.error : undefined;
    return [{ i: x.i, status, body, ms, ...(error === undefined ? {} : { error }) }];
  });
}

/** The probe's result for one answer: allowed when HTTP 200 came back from an endpoint the model names. */
export function nsResult(cell: NorthSouthCell, a: ClientAnswer | undefined): CellResult {
  if (a === undefined) return { ...cell, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: "the internet client gave no answer" };
  const body = a.body.trim();
  const ms = Math.round(a.ms * 1000) / 1000;
  if (a.status === 0) return { ...cell, observed: false, verdict: a.error === "timeout" ? "timeout" : a.error === "ECONNREFUSED" ? "refused" : "error", latencyMs: ms, reply: a.error ?? "" };
  const observed = a.status === 200 && (cell.accept ?? []).includes(body);
  return { ...cell, observed, verdict: a.status === 200 ? "connected" : "refused", latencyMs: ms, reply: `HTTP ${a.status}: ${body}` };
}

/** Send every runnable cell's request from the internet netns; skipped cells keep their reason. */
export async function probeNorthSouth(host: Host, cells: readonly NorthSouthCell[], timeoutMs: number): Promise<CellResult[]> {
  const run = cells.map((c, i) => ({ c, i })).filter(({ c }) => c.skip === undefined);
  const reqs = run.map(({ c, i }) => ({ i, ip: c.dstIp, port: c.port, method: c.request.method, path: c.request.path, authority: c.request.authority, headers: c.request.headers, timeoutMs: timeoutMs + 500 * Math.max(1, (c.accept ?? []).length) }));
  let got = new Map<number, ClientAnswer>();
  if (reqs.length > 0) {
    const r = await host.exec([process.execPath, "--input-type=module", "-e", INTERNET_CLIENT_JS], { netns: INTERNET_NETNS, input: JSON.stringify(reqs) });
    if (r.code !== 0) throw new LabError("command-failed", `the internet client in ${INTERNET_NETNS} failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    got = new Map(answers(r.stdout).map((a) => [a.i, a]));
  }
  return cells.map((c, i) => (c.skip !== undefined ? { ...c, observed: undefined, verdict: "skipped" as const, latencyMs: 0, skipReason: `north-south: ${c.skip}` } : nsResult(c, got.get(i))));
}

/** The proxies' ports per pod id, before pods have addresses (their pod servers leave these to the proxy). */
export function proxyPortsBefore(lab: Cluster, nodes: readonly LabNode[], backend: LabBackend | undefined): ReadonlyMap<string, readonly number[]> {
  return new Map(labNorthSouth(lab, [], nodes, backend).proxies.map((p) => [p.pod, p.ports]));
}

export interface NorthSouthUp {
  readonly host: Host;
  readonly dir: string;
  readonly lab: Cluster;
  readonly pods: readonly PlacedPod[];
  readonly nodes: readonly LabNode[];
  readonly backend: LabBackend | undefined;
  /** The ports the pod servers left free (proxyPortsBefore). */
  readonly reserved: ReadonlyMap<string, readonly number[]>;
  readonly notes: readonly string[];
  readonly undo: { push(what: string, fn: () => Promise<void>): void };
  readonly save: (s: NorthSouthState) => void;
  readonly aborted: () => boolean;
}

/**
 * `lab up`'s north-south phase (only when the plan has proxies): the internet netns, then one
 * proxy per planned pod; the state is written before each step acts, each step's inverse pushed.
 */
export async function upNorthSouth(o: NorthSouthUp): Promise<NorthSouthState | undefined> {
  const plan = labNorthSouth(o.lab, o.pods, o.nodes, o.backend);
  if (plan.proxies.length === 0) return undefined;
  const netnsOf = new Map(o.pods.map((p) => [p.pod.id, p.pod.netns]));
  for (const p of plan.proxies) {
    const free = o.reserved.get(p.pod) ?? [];
    const taken = p.ports.filter((x) => !free.includes(x));
    if (!netnsOf.has(p.pod) || taken.length > 0) throw new LabError("bad-plan", `the L7 proxy in ${p.pod} needs TCP ${taken.join(",")} that its pod server already serves, or the pod does not run in the lab (a bug: the plan before and after addressing differ)`);
  }
  const base: NorthSouthState = { netns: INTERNET_NETNS, proxies: plan.proxies.map((p) => ({ pod: p.pod, netns: netnsOf.get(p.pod) ?? "", ports: p.ports })), notes: o.notes };
  o.save(base);
  o.undo.push(`delete netns ${INTERNET_NETNS}`, async () => void (await o.host.exec(["ip", "netns", "del", INTERNET_NETNS])));
  await createInternet(o.host, o.nodes);
  const children: Child[] = [];
  o.undo.push("stop the L7 proxies (and wait until they have exited)", () => stopChildren(children));
  for (const p of plan.proxies) children.push(startProxy(o.dir, netnsOf.get(p.pod) ?? "", p));
  const state: NorthSouthState = { ...base, proxies: base.proxies.map((p, i) => ({ ...p, pid: children[i]?.pid ?? 0 })) };
  o.save(state);
  await Promise.all(plan.proxies.map((p, i) => {
    const c = children[i];
    if (c === undefined) throw new LabError("server-not-ready", `no L7 proxy was started in ${p.pod}`);
    return waitProxy(o.dir, netnsOf.get(p.pod) ?? "", p, c, 15_000, o.aborted);
  }));
  return state;
}
