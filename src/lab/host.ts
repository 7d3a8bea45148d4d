/**
 * @module lab/host
 * The one door through which the lab touches the kernel. `Host.exec` runs a program (never via a
 * shell); with `netns` it runs inside that network namespace through `nsenter --net=<path>` — the
 * process never switches namespaces itself (see containernetworking `pkg/ns/README.md`: setns in a
 * multi-threaded runtime is unsafe). File helpers exist for the cheap, netns-correct reads/writes
 * the CNI plugin needs (`/proc/net/dev`, `/proc/sys/net/...` resolve in the caller's netns).
 * `createHost()` is the real implementation; `FakeHost` records calls and answers from a script.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface ExecOptions {
  /** A netns name (`/var/run/netns/<name>`) or a path such as `/proc/<pid>/ns/net`. */
  readonly netns?: string;
  /** Written to the child's stdin (then closed). */
  readonly input?: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; 127 when the program could not be started, 128+n when killed by signal n. */
  readonly code: number;
}

export interface Host {
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** File contents, or undefined when the file does not exist. */
  readFile(path: string): Promise<string | undefined>;
  writeFile(path: string, data: string): Promise<void>;
  exists(path: string): Promise<boolean>;
}

export const NETNS_RUN_DIR = "/var/run/netns";

/** `name` → `/var/run/netns/name`; anything with a slash is already a path. */
export const netnsPath = (netns: string): string => (netns.includes("/") ? netns : `${NETNS_RUN_DIR}/${netns}`);

/** The argv actually run for `argv` in `netns` (exported so tests and logs can show it). */
export function wrapArgv(argv: readonly string[], netns: string | undefined): readonly string[] {
  return netns === undefined ? argv : ["nsenter", `--net=${netnsPath(netns)}`, "--", ...argv];
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** CNI runtimes may start plugins with a bare PATH; `ip`, `nft`, `nsenter` live in sbin on Debian. */
const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function childEnv(): NodeJS.ProcessEnv {
  const have = (process.env["PATH"] ?? "").split(":").filter((p) => p !== "");
  return { ...process.env, PATH: [...have, ...SYSTEM_PATH.filter((p) => !have.includes(p))].join(":") };
}

function run(argv: readonly string[], input: string | undefined): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve({ stdout: "", stderr: "empty argv", code: 127 });
  return new Promise((resolve) => {
    const child = execFile(file, args, { encoding: "utf8", maxBuffer: 64 << 20, env: childEnv() }, (err, stdout, stderr) => {
      if (err === null) return resolve({ stdout, stderr, code: 0 });
      const c: unknown = "code" in err ? err.code : undefined;
      const code = typeof c === "number" ? c : typeof err.signal === "string" ? 128 + (SIGNALS[err.signal] ?? 0) : 127;
      resolve({ stdout, stderr: stderr || err.message, code });
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input ?? "");
  });
}

const errno = (e: unknown): string | undefined =>
  e instanceof Error && "code" in e && typeof e.code === "string" ? e.code : undefined;

/** The real host: `execFile` (no shell) and synchronous file I/O. */
export function createHost(): Host {
  return {
    exec: (argv, opts = {}) => run(wrapArgv(argv, opts.netns), opts.input),
    readFile: async (path) => {
      try {
        return readFileSync(path, "utf8");
      } catch (e) {
        if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return undefined;
        throw e;
      }
    },
    writeFile: async (path, data) => writeFileSync(path, data),
    exists: async (path) => existsSync(path),
  };
}

/**
 * A view of `base` from inside `netns`: commands without their own netns run there, and file
 * helpers go through `cat`/`tee` children in it (so `/proc/net/dev`, `/proc/sys/net/...` are that
 * netns'). Used to run the CNI handlers for a simulated node from a process in another netns.
 */
export function hostInNetns(base: Host, netns: string): Host {
  return {
    exec: (argv, opts = {}) => base.exec(argv, { ...opts, netns: opts.netns ?? netns }),
    readFile: async (path) => {
      const r = await base.exec(["cat", path], { netns });
      return r.code === 0 ? r.stdout : undefined;
    },
    writeFile: async (path, data) => {
      const r = await base.exec(["tee", path], { netns, input: data });
      if (r.code !== 0) throw new Error(`writing ${path} in netns ${netns}: ${r.stderr.trim()}`);
    },
    exists: (path) => base.exists(path),
  };
}

/** One recorded `exec` call. */
export interface ExecCall {
  readonly argv: readonly string[];
  readonly netns?: string;
  readonly input?: string;
}

/** Scripted answer for a call; return undefined to fall through to the default (success, empty). */
export type Responder = (call: ExecCall) => Partial<ExecResult> | undefined;

/** Recording fake: every exec is logged; answers come from responders, files from a Map. */
export class FakeHost implements Host {
  readonly calls: ExecCall[] = [];
  readonly files = new Map<string, string>();
  readonly writes: { path: string; data: string }[] = [];
  private readonly responders: Responder[] = [];

  constructor(files: Readonly<Record<string, string>> = {}) {
    for (const [k, v] of Object.entries(files)) this.files.set(k, v);
  }

  /** Add a responder; later ones win. */
  on(r: Responder): this {
    this.responders.unshift(r);
    return this;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const call: ExecCall = { argv: [...argv], ...(opts.netns === undefined ? {} : { netns: opts.netns }), ...(opts.input === undefined ? {} : { input: opts.input }) };
    this.calls.push(call);
    for (const r of this.responders) {
      const a = r(call);
      if (a !== undefined) return { stdout: a.stdout ?? "", stderr: a.stderr ?? "", code: a.code ?? 0 };
    }
    return { stdout: "", stderr: "", code: 0 };
  }

  async readFile(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }

  async writeFile(path: string, data: string): Promise<void> {
    this.writes.push({ path, data });
    this.files.set(path, data);
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  /** The calls rendered one per line: `[netns] argv…` plus indented stdin — handy for snapshots. */
  transcript(): string {
    return this.calls
      .map((c) => `${c.netns === undefined ? "" : `[${c.netns}] `}${c.argv.join(" ")}${c.input === undefined ? "" : `\n${c.input.replace(/^/gm, "  | ")}`}`)
      .join("\n");
  }
}

const _check: Host = new FakeHost();
void _check;
