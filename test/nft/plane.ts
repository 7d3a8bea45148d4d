/**
 * @module test/nft/plane
 * A throwaway routed data plane for the compiler's real-kernel tests (root): node netns
 * `<prefix>-n<i>` joined by veth links, pod netns `<prefix>-p<i>` routed Calico-style (/32 address,
 * default route via a link-local gateway on the host veth), so every pod-to-pod packet crosses the
 * forward hook of its node and, across nodes, of both nodes. Servers are Node processes in the pod
 * netns (TCP accept, UDP echo); probes are bash `/dev/tcp` / `/dev/udp` with a timeout. Nothing is
 * shared with `kwire lab` (its names are `kw-n<i>`, `kw-p-…`, `kw-fabric`); `teardown` kills the
 * servers it started and deletes every netns it made.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { inNetns, netnsAdd, netnsDel } from "../../src/lab/cni/testing/lab.js";

const GATEWAY = "169.254.1.1";

export interface NetPod {
  readonly id: string;
  readonly ip: string;
  readonly node: string;
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

export type Outcome = "connected" | "timeout" | "failed";

const sh = (netns: string, script: string): string => inNetns(netns, ["sh", "-ec", script]);

export class Plane {
  private readonly servers: ChildProcess[] = [];
  private readonly made: string[] = [];
  readonly nodeNetns = new Map<string, string>();
  readonly podNetns = new Map<string, string>();

  constructor(readonly prefix: string) {}

  /** Nodes (by name) and pods; node i and node j are joined by a veth with /30 addresses. */
  up(nodes: readonly string[], pods: readonly NetPod[]): void {
    nodes.forEach((name, i) => {
      const ns = `${this.prefix}-n${i}`;
      this.add(ns);
      this.nodeNetns.set(name, ns);
      sh(ns, "ip link set lo up\nsysctl -qw net.ipv4.ip_forward=1");
    });
    // A full mesh of node links: 10.255.<k>.1 / .2 on link k.
    let k = 0;
    const link = new Map<string, { dev: string; peer: string }>();
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++, k++) {
        const a = this.nodeNetns.get(nodes[i] ?? "") ?? "";
        const b = this.nodeNetns.get(nodes[j] ?? "") ?? "";
        sh(a, `ip link add l${k} type veth peer name l${k} netns ${b}\nip addr add 10.255.${k}.1/30 dev l${k}\nip link set l${k} up`);
        sh(b, `ip addr add 10.255.${k}.2/30 dev l${k}\nip link set l${k} up`);
        link.set(`${a}>${b}`, { dev: `l${k}`, peer: `10.255.${k}.2` });
        link.set(`${b}>${a}`, { dev: `l${k}`, peer: `10.255.${k}.1` });
      }
    }
    pods.forEach((p, i) => {
      const ns = `${this.prefix}-p${i}`;
      const node = this.nodeNetns.get(p.node);
      if (node === undefined) throw new Error(`pod ${p.id} on unknown node ${p.node}`);
      this.add(ns);
      this.podNetns.set(p.id, ns);
      sh(node, `ip link add h${i} type veth peer name eth0 netns ${ns}\nip addr add ${GATEWAY}/32 dev h${i}\nip link set h${i} up\nip route add ${p.ip}/32 dev h${i}`);
      sh(ns, `ip link set lo up\nip addr add ${p.ip}/32 dev eth0\nip link set eth0 up\nip route add ${GATEWAY} dev eth0\nip route add default via ${GATEWAY} dev eth0`);
      for (const other of this.nodeNetns.values()) {
        if (other === node) continue;
        const l = link.get(`${other}>${node}`);
        if (l !== undefined) sh(other, `ip route add ${p.ip}/32 via ${l.peer} dev ${l.dev}`);
      }
    });
    for (const p of pods) this.serve(p);
  }

  private add(ns: string): void {
    netnsAdd(ns);
    this.made.push(ns);
  }

  private serve(p: NetPod): void {
    if (p.tcp.length === 0 && p.udp.length === 0) return;
    const code = `const net = require("node:net"), dgram = require("node:dgram");
for (const port of ${JSON.stringify(p.tcp)}) net.createServer((s) => { s.on("error", () => undefined); s.end("ok"); }).listen(port, "0.0.0.0");
for (const port of ${JSON.stringify(p.udp)}) { const u = dgram.createSocket("udp4"); u.on("message", (m, r) => u.send(m, r.port, r.address)); u.bind(port, "0.0.0.0"); }`;
    this.servers.push(spawn("nsenter", [`--net=/var/run/netns/${this.podNetns.get(p.id) ?? ""}`, "--", process.execPath, "-e", code], { stdio: "ignore" }));
  }

  /** Wait until every pod serves its ports (probed on its own loopback). */
  async ready(pods: readonly NetPod[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const p of pods) {
      for (const [proto, port] of [...p.tcp.map((x) => ["TCP", x] as const), ...p.udp.map((x) => ["UDP", x] as const)]) {
        while ((await this.probeAddr(p.id, "127.0.0.1", proto, port)) !== "connected") {
          if (Date.now() > deadline) throw new Error(`${p.id} does not serve ${proto}/${port}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }

  /** Load nft text into a node netns (one `nft -f` transaction) and forget its conntrack entries. */
  load(node: string, script: string): void {
    const ns = this.nodeNetns.get(node) ?? "";
    inNetns(ns, ["nft", "-f", "-"], script);
    inNetns(ns, ["sh", "-c", "conntrack -F >/dev/null 2>&1 || true"]);
  }

  /** TCP: the connection completes. UDP: a datagram is echoed back. Timeout (2 s): dropped. */
  probe(from: string, to: NetPod, protocol: "TCP" | "UDP", port: number): Promise<Outcome> {
    return this.probeAddr(from, to.ip, protocol, port);
  }

  private probeAddr(from: string, ip: string, protocol: "TCP" | "UDP", port: number): Promise<Outcome> {
    const script = protocol === "TCP" ? `exec 3<>/dev/tcp/${ip}/${port}` : `exec 3<>/dev/udp/${ip}/${port}; printf x >&3; read -r -N 1 -t 2 r <&3`;
    return new Promise((resolve) => {
      execFile("nsenter", [`--net=/var/run/netns/${this.podNetns.get(from) ?? ""}`, "--", "timeout", "2", "bash", "-c", script], (err) => {
        if (err === null) return resolve("connected");
        const code: unknown = "code" in err ? err.code : undefined;
        // timeout(1) exits 124; bash's read -t exits > 128 when it times out.
        resolve(code === 124 || (typeof code === "number" && code > 128) ? "timeout" : "failed");
      });
    });
  }

  /** Kill our servers (and wait for them), delete every netns we made. */
  async teardown(): Promise<{ running: number[] }> {
    const procs = this.servers.splice(0);
    for (const s of procs) if (s.exitCode === null && s.signalCode === null) s.kill("SIGKILL");
    await Promise.all(procs.map((s) => (s.exitCode !== null || s.signalCode !== null ? undefined : new Promise((r) => s.once("exit", r)))));
    netnsDel(...this.made.splice(0));
    return { running: procs.filter((s) => s.exitCode === null && s.signalCode === null).map((s) => s.pid ?? -1) };
  }
}
