/**
 * @module lab/state
 * What `lab up` created, on disk, so `lab status`, `lab probe`, `lab exec` and `lab down` work from
 * another process and after a crash. The state is written before each phase creates anything
 * (intent first), so a killed `lab up` leaves a state that names everything it may have made.
 * Layout under the lab dir (`/run/kwire/lab`, or `$KWIRE_LAB_DIR`): `state.json`, `inputs.json`
 * (the manifests as read), `pod-server.mjs`, `sock/<netns>.sock`, `log/<netns>.log`,
 * `ipam/<node netns>/`, `dns/` (answer table, DNS server configs), `flows.jsonl`, `metrics.json`;
 * outside it, `/etc/netns/<pod netns>/resolv.conf` (see resolv.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LabIpFamily, LabNode, LabPod } from "./plan.js";
import type { LabProxy } from "./services.js";
import type { LabBackend } from "./backends.js";
import type { BgpTopology } from "./bgp.js";
import type { LabPolicyModel } from "./general-policy.js";
import type { NorthSouthState } from "./north-south-lab.js";

export const DEFAULT_LAB_DIR = "/run/kwire/lab";

export const labDir = (): string => process.env["KWIRE_LAB_DIR"] ?? DEFAULT_LAB_DIR;

export interface PodState {
  readonly pod: LabPod;
  /** Set once kwire-cni ADD succeeded: the pod's first address (IPv4 unless the lab is IPv6-only). */
  readonly ip?: string;
  /** Every address, IPv4 first (absent in states written before dual-stack: `[ip]`). */
  readonly ips?: readonly string[];
  /** The pod server's process id, once started. */
  readonly pid?: number;
}

export type LabPhase = "planned" | "fabric" | "nodes" | "pods" | "policy" | "bgp" | "dns" | "north-south" | "servers" | "up";

/** The `bgp` backend: its settings and the BIRD daemons' pids (one per node, in node order). */
export interface BgpState {
  readonly asNumber: number;
  readonly topology: BgpTopology;
  readonly pids: readonly number[];
}

/** The lab's cluster DNS: servers in the kube-dns endpoint pods, reached at `nameserver`. */
export interface DnsState {
  readonly nameserver: string;
  readonly domain: string;
  readonly servers: readonly { readonly netns: string; readonly pid?: number }[];
  /** Pod netns with an /etc/netns/<netns>/resolv.conf written by the lab. */
  readonly resolvConf: readonly string[];
}

export interface LabState {
  readonly version: 1;
  readonly phase: LabPhase;
  readonly startedAt: string;
  readonly dir: string;
  readonly notes: readonly string[];
  readonly fabric: string;
  readonly nodes: readonly LabNode[];
  readonly pods: readonly PodState[];
  readonly dns?: DnsState;
  /** How Services are rendered (`lab up --proxy`); absent in states written before it existed: kube-proxy. */
  readonly proxy?: LabProxy;
  /** How nodes carry pod traffic (`lab up --backend`); absent in older states: routes. */
  readonly backend?: LabBackend;
  /** Which address families pods got (`lab up --ip-family`); absent in older states: ipv4. */
  readonly ipFamily?: LabIpFamily;
  /** The MTU the pods' eth0 got. */
  readonly podMtu?: number;
  readonly bgp?: BgpState;
  /** `lab up --cni`: the CNI whose policy model the lab enforces (probe re-analyses with it). */
  readonly cni?: string;
  /** Which compiler made the policy tables: the Kubernetes tiers, or Calico's / Cilium's (absent in older states: kubernetes). */
  readonly policy?: LabPolicyModel;
  /** The internet netns and the L7 proxies (north-south-lab.ts), when the input has Ingresses or Gateways. */
  readonly northSouth?: NorthSouthState;
  /** Seconds each phase took (for `status` and the bench). */
  readonly timings: Readonly<Record<string, number>>;
}

export const statePath = (dir: string): string => join(dir, "state.json");
export const inputsPath = (dir: string): string => join(dir, "inputs.json");
export const sockPath = (dir: string, netns: string): string => join(dir, "sock", `${netns}.sock`);
export const logPath = (dir: string, netns: string): string => join(dir, "log", `${netns}.log`);
export const ipamDir = (dir: string, nodeNetns: string): string => join(dir, "ipam", nodeNetns);

/** Write atomically (temp + rename): a reader never sees half a state. */
export function writeState(s: LabState): void {
  mkdirSync(s.dir, { recursive: true });
  const tmp = `${statePath(s.dir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 1));
  renameSync(tmp, statePath(s.dir));
}

function isState(v: unknown): v is LabState {
  return typeof v === "object" && v !== null && "version" in v && v.version === 1 && "pods" in v && Array.isArray(v.pods) && "nodes" in v && Array.isArray(v.nodes);
}

/** The state in `dir`, or undefined when there is none (or it is unreadable). */
export function readState(dir: string = labDir()): LabState | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(statePath(dir), "utf8"));
    return isState(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface SavedInput {
  readonly path: string;
  readonly text: string;
}

export function writeInputs(dir: string, files: readonly SavedInput[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(inputsPath(dir), JSON.stringify(files));
}

export function readInputs(dir: string): SavedInput[] {
  const v: unknown = JSON.parse(readFileSync(inputsPath(dir), "utf8"));
  if (!Array.isArray(v)) return [];
  return v.flatMap((f: unknown) =>
    typeof f === "object" && f !== null && "path" in f && "text" in f && typeof f.path === "string" && typeof f.text === "string" ? [{ path: f.path, text: f.text }] : [],
  );
}
