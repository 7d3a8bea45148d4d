/**
 * @module lab/cni/main
 * The CNI skeleton (containernetworking `pkg/skel`): decode `CNI_COMMAND`, `CNI_CONTAINERID`,
 * `CNI_NETNS`, `CNI_IFNAME`, `CNI_ARGS`, `CNI_PATH` and stdin, check the spec's version gates,
 * dispatch to a handler, and answer with the result JSON or the spec error JSON plus a non-zero exit
 * code. It reads its inputs from parameters, so the `kwire cni` subcommand and tests can call it
 * in-process. Only tiny modules are imported eagerly; the handlers load lazily (start-up time).
 */
import { CniError, errorJson, SpecCode } from "./errors.js";
import type { CniDeps } from "./deps.js";
import { COMMANDS, type CniCommand, type CniRequest } from "./types.js";
import { atLeast, isSupported, LATEST_VERSION, VERB_SINCE } from "./version.js";

export type CniEnv = Readonly<Record<string, string | undefined>>;

export interface CniOutput {
  readonly stdout: string;
  readonly exitCode: number;
}

const REQUIRED: Readonly<Record<Exclude<CniCommand, "VERSION">, readonly string[]>> = {
  ADD: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"],
  CHECK: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH"],
  DEL: ["CNI_CONTAINERID", "CNI_IFNAME", "CNI_PATH"],
  STATUS: ["CNI_PATH"],
  GC: ["CNI_PATH"],
};

const envError = (msg: string): CniError => new CniError(SpecCode.InvalidEnvironment, msg);

/** `K1=V1;K2=V2` → record; a pair without `=` is an error (code 4). */
export function parseCniArgs(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === "") return out;
  for (const pair of raw.split(";")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw envError(`invalid CNI_ARGS pair ${JSON.stringify(pair)} (want KEY=VALUE)`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function checkEnv(command: Exclude<CniCommand, "VERSION">, env: CniEnv): void {
  const missing = REQUIRED[command].filter((k) => (env[k] ?? "") === "");
  if (missing.length > 0) throw envError(`required env variables [${missing.join(",")}] missing`);
  const id = env["CNI_CONTAINERID"];
  if (id !== undefined && id !== "" && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(id)) throw envError(`invalid CNI_CONTAINERID ${JSON.stringify(id)}`);
  const ifname = env["CNI_IFNAME"];
  if (ifname !== undefined && ifname !== "" && (ifname.length > 15 || ifname === "." || ifname === ".." || /[/:\s]/.test(ifname))) {
    throw envError(`invalid CNI_IFNAME ${JSON.stringify(ifname)} (at most 15 characters, no '/', ':' or whitespace)`);
  }
}

function parseStdin(stdin: string): unknown {
  try {
    return JSON.parse(stdin);
  } catch (e) {
    throw new CniError(SpecCode.DecodingFailure, `failed to decode content: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The cniVersion to put in an error: the config's when it is one we speak. */
function versionOf(stdin: string): string {
  try {
    const v: unknown = JSON.parse(stdin);
    const c = typeof v === "object" && v !== null && "cniVersion" in v ? v.cniVersion : undefined;
    return typeof c === "string" && isSupported(c) ? c : LATEST_VERSION;
  } catch {
    return LATEST_VERSION;
  }
}

async function dispatch(env: CniEnv, stdin: string, deps: CniDeps | undefined): Promise<string> {
  const command = env["CNI_COMMAND"];
  if (command === undefined || command === "") throw envError("required env variables [CNI_COMMAND] missing");
  const cmd = COMMANDS.find((c) => c === command);
  if (cmd === undefined) throw envError(`unknown CNI_COMMAND: ${command}`);
  const h = await import("./handlers.js");
  if (cmd === "VERSION") return h.printJson(h.versionInfo());
  checkEnv(cmd, env);
  const args = parseCniArgs(env["CNI_ARGS"]);
  const conf = h.loadNetConf(parseStdin(stdin));
  if (conf instanceof CniError) throw conf;
  const since = VERB_SINCE[cmd] ?? "0.1.0";
  if (!atLeast(conf.cniVersion, since)) {
    throw new CniError(SpecCode.IncompatibleVersion, `config version ${conf.cniVersion} does not allow ${cmd} (needs ${since} or later)`);
  }
  const req: CniRequest = {
    command: cmd, containerID: env["CNI_CONTAINERID"] ?? "", netns: env["CNI_NETNS"] ?? "", ifname: env["CNI_IFNAME"] ?? "",
    args, path: (env["CNI_PATH"] ?? "").split(":").filter((p) => p !== ""), conf,
  };
  const result = await h.HANDLERS[cmd](req, deps ?? h.defaultDeps());
  return result === undefined ? "" : h.printJson(result);
}

/**
 * Run one CNI invocation. `env` holds the CNI_* variables, `stdin` the network config. Never throws:
 * failures come back as the spec's error JSON on stdout with exit code 1.
 */
export async function runCni(env: CniEnv, stdin: string, deps?: CniDeps): Promise<CniOutput> {
  try {
    return { stdout: await dispatch(env, stdin, deps), exitCode: 0 };
  } catch (e) {
    const { toCniError, printJson } = await import("./handlers.js");
    return { stdout: printJson(errorJson(toCniError(e), versionOf(stdin))), exitCode: 1 };
  }
}
