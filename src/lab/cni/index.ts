/**
 * @module lab/cni
 * kwire-cni: the CNI plugin entry (`runCni`) for the `kwire cni` subcommand and the lab, plus the
 * pieces other lab code reuses (config loading, result types, deterministic names, error codes).
 * The executable is `bin.ts`; it imports `main.ts` directly to keep start-up small. Agent mode
 * (`kwire cni agent` + the bin/kwire-cni shim): `agent.ts`, `agent-protocol.ts`, `warm.ts`.
 */
export { runCni, parseCniArgs, type CniEnv, type CniOutput } from "./main.js";
export { HANDLERS, versionInfo, defaultDeps, type Handler } from "./handlers.js";
export { loadNetConf, DEFAULT_BRIDGE, VALID_ATTACHMENTS } from "./config.js";
export { CniError, KwireCode, SpecCode, errorJson, type CniErrorCode, type CniErrorJson } from "./errors.js";
export { hostVethName, HOST_VETH_PREFIX } from "./names.js";
export { MASQ_TABLE } from "./masq.js";
export { SUPPORTED_VERSIONS, LATEST_VERSION } from "./version.js";
export type { CniDeps } from "./deps.js";
export { startAgent, runAgentProcess, type Agent, type AgentOptions, type AgentProcessOptions } from "./agent.js";
export { agentAddress, decodeReply, decodeRequest, encodeRequest, encodeResult, DEFAULT_AGENT, PROTOCOL, type AgentReply, type AgentRequest, type ClientOutcome } from "./agent-protocol.js";
export { startNow, warmLauncher, type Launcher, type Started } from "./warm.js";
export type * from "./types.js";
