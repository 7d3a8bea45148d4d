/**
 * @module lab/cni/agent-protocol
 * The wire protocol between the `kwire-cni` shim (bin/kwire-cni, POSIX sh + `nc -U`) and the
 * `kwire cni agent`: one CNI invocation per connection, pure encode/decode here.
 *
 *   request  (client → agent, then the client shuts down its write side):
 *     KWIRE-CNI/1\n
 *     CNI_COMMAND=ADD\n  …one KEY=VALUE line per CNI_* variable that is set (values without \n)…
 *     \n
 *     <the network config, byte for byte, up to EOF>
 *   reply    (agent → client):
 *     KWIRE-CNI/1\n      sent on accept, before the request is read ("an agent has it now")
 *     <exit code>\n
 *     <the plugin's stdout exactly as the standalone binary prints it: empty, or ending in \n>
 *     KWIRE-CNI/1 END\n
 *   or, after the greeting,
 *     !<reason>\n        the request was refused and nothing ran (the client may run the plugin itself)
 *
 * Nothing at all (not even the greeting) means no agent saw the request. A reply that has the
 * greeting but is not complete means the agent took the request and died: the client must not retry
 * (ADD is not idempotent) and answers CNI code 11 instead.
 */

export const PROTOCOL = "KWIRE-CNI/1";
/** The agent's first line on every connection. */
export const GREETING = `${PROTOCOL}\n`;
/** The last line of a complete result. */
export const END = `${PROTOCOL} END\n`;
/** The variables a request carries (everything `runCni` reads). */
export const REQUEST_KEYS = ["CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"] as const;
export type RequestKey = (typeof REQUEST_KEYS)[number];

/** Default agent name (`--socket` / `KWIRE_CNI_AGENT`). */
export const DEFAULT_AGENT = "kwire-cni";
/** Bytes of `sun_path` available to an abstract name after its leading NUL. */
export const ABSTRACT_NAME_BYTES = 107;
export const ABSTRACT_PAD = "_";
/** Largest request body the agent accepts (a config with a big prevResult is a few KiB). */
export const MAX_REQUEST_BYTES = 4 << 20;

export interface AgentRequest {
  readonly env: Readonly<Partial<Record<RequestKey, string>>>;
  readonly stdin: string;
}

/** The reply after the greeting. */
export type AgentReply =
  | { readonly kind: "result"; readonly exitCode: number; readonly stdout: string }
  | { readonly kind: "refused"; readonly reason: string };

/** What a client makes of everything it read from the socket. */
export type ClientOutcome =
  | AgentReply
  /** Nothing came back (no greeting): the agent never saw the request; running the plugin locally is safe. */
  | { readonly kind: "unreachable" }
  /** Greeting but no complete reply: the agent may have acted; do not retry. */
  | { readonly kind: "broken" };

export class ProtocolError extends Error {}

const isKey = (k: string): k is RequestKey => (REQUEST_KEYS as readonly string[]).includes(k);

/** What `bin.ts` writes for a `runCni` stdout: nothing for "", else the text ending in one newline. */
export const printedStdout = (stdout: string): string => (stdout === "" || stdout.endsWith("\n") ? stdout : `${stdout}\n`);

/** The request for `env` (only the CNI_* keys that are set are sent) and `stdin` (verbatim). */
export function encodeRequest(env: Readonly<Record<string, string | undefined>>, stdin: string): string {
  const lines = [PROTOCOL];
  for (const k of REQUEST_KEYS) {
    const v = env[k];
    if (v === undefined) continue;
    if (v.includes("\n")) throw new ProtocolError(`${k} contains a newline`);
    lines.push(`${k}=${v}`);
  }
  return `${lines.join("\n")}\n\n${stdin}`;
}

/** Decode a complete request (everything up to the client's EOF). Throws `ProtocolError`. */
export function decodeRequest(text: string): AgentRequest {
  const nl = text.indexOf("\n");
  const first = nl < 0 ? text : text.slice(0, nl);
  if (first !== PROTOCOL) throw new ProtocolError(`unsupported protocol ${JSON.stringify(first.slice(0, 40))} (want ${PROTOCOL})`);
  const env: Partial<Record<RequestKey, string>> = {};
  let at = nl + 1;
  for (;;) {
    const end = text.indexOf("\n", at);
    if (nl < 0 || end < 0) throw new ProtocolError("truncated request header (no blank line)");
    const line = text.slice(at, end);
    at = end + 1;
    if (line === "") break;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    if (eq < 0 || !isKey(key)) throw new ProtocolError(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
    if (env[key] !== undefined) throw new ProtocolError(`duplicate header ${key}`);
    env[key] = line.slice(eq + 1);
  }
  return { env, stdin: text.slice(at) };
}

/** The reply for a plugin run (stdout normalised the way the standalone binary prints it). */
export function encodeResult(exitCode: number, stdout: string): string {
  return `${exitCode}\n${printedStdout(stdout)}${END}`;
}

export function encodeRefusal(reason: string): string {
  return `!${reason.replace(/\n/g, " ")}\n`;
}

/** Interpret all bytes a client received (greeting included). */
export function decodeReply(received: string): ClientOutcome {
  if (received === "") return { kind: "unreachable" };
  if (!received.startsWith(GREETING)) return { kind: "broken" };
  const rest = received.slice(GREETING.length);
  const nl = rest.indexOf("\n");
  if (nl < 0) return { kind: "broken" };
  const head = rest.slice(0, nl);
  if (head.startsWith("!")) return { kind: "refused", reason: head.slice(1) };
  const body = rest.slice(nl + 1);
  if (!/^\d{1,3}$/.test(head) || !body.endsWith(END)) return { kind: "broken" };
  return { kind: "result", exitCode: Number(head), stdout: body.slice(0, -END.length) };
}

/**
 * The `listen()`/`connect()` path for an agent name: a name starting with `/` is a filesystem
 * socket; anything else is an abstract socket (per network namespace) whose name is padded with `_`
 * to the full 107 bytes of `sun_path`. Node 20 binds abstract names with the whole sockaddr length
 * (nodejs/node#50889), i.e. NUL-padded, which `nc -U @name` cannot reach; a full-length name is the
 * same address however it is bound, so the shim connects to `@<padded name>`.
 */
export function agentAddress(name: string): string {
  if (name.startsWith("/")) return name;
  if (!/^[A-Za-z0-9._:-]+$/.test(name)) throw new ProtocolError(`agent name ${JSON.stringify(name)}: use letters, digits and . _ : - (or an absolute path)`);
  if (name.length > ABSTRACT_NAME_BYTES) throw new ProtocolError(`agent name ${JSON.stringify(name)} is longer than ${ABSTRACT_NAME_BYTES} bytes`);
  return `\0${name.padEnd(ABSTRACT_NAME_BYTES, ABSTRACT_PAD)}`;
}
