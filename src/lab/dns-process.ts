/**
 * @module lab/dns-process
 * Run the lab DNS server (dns-main.ts) as a process inside a pod netns, as the pod servers are
 * run: `nsenter --net=<pod netns> -- node <entry> <config>` started by proc.ts, logging to
 * `log/<netns>.dns.log`. The entry is
 * `dist/lab/dns-main.js` when kwire runs from `dist/` (beside this module, or in `../lab` from the
 * bundled executable dist/cli/kwire.js); from the TypeScript sources
 * (vitest, dev), the three files it needs (dns-main, dns-server, dns-wire: no other imports) are
 * transpiled with `typescript` into `<lab dir>/dns-js/` first.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DnsTable } from "./dns-server.js";
import { LabError } from "./errors.js";
import type { LabPod } from "./plan.js";
import { runsArg, startInNetns, tail, type Child } from "./proc.js";

export const DNS_ENTRY = "dns-main.js";
const SOURCES = ["dns-main", "dns-server", "dns-wire"] as const;

export const dnsLogPath = (dir: string, netns: string): string => join(dir, "log", `${netns}.dns.log`);
const readyPath = (dir: string, netns: string): string => join(dir, "dns", `${netns}.ready`);

/** The path of a runnable dns-main.js. */
export async function dnsEntry(dir: string): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  // dist/lab/dns-process.js has it beside; the bundle dist/cli/kwire.js finds it in ../lab.
  if (here.endsWith(".js")) return [join(dirname(here), DNS_ENTRY), join(dirname(here), "..", "lab", DNS_ENTRY)].find((p) => existsSync(p)) ?? join(dirname(here), DNS_ENTRY);
  const out = join(dir, "dns-js");
  mkdirSync(out, { recursive: true });
  const ts = (await import("typescript")).default;
  for (const name of SOURCES) {
    const js = ts.transpileModule(readFileSync(join(dirname(here), `${name}.ts`), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    writeFileSync(join(out, `${name}.js`), js);
  }
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  return join(out, DNS_ENTRY);
}

/** Start the DNS server in `pod`'s netns on `port` (UDP and TCP). */
export function startDns(dir: string, entry: string, pod: LabPod, table: DnsTable, port: number, ipv6 = false): Child {
  mkdirSync(join(dir, "dns"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  const tablePath = join(dir, "dns", "table.json");
  writeFileSync(tablePath, JSON.stringify(table));
  const cfgPath = join(dir, "dns", `${pod.netns}.json`);
  writeFileSync(cfgPath, JSON.stringify({ table: tablePath, greeting: pod.id, ready: readyPath(dir, pod.netns), port, host: ipv6 ? "::" : "0.0.0.0" }));
  return startInNetns(pod.netns, [process.execPath, entry, cfgPath], dnsLogPath(dir, pod.netns), `the DNS server in ${pod.id}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitDns(dir: string, pod: LabPod, child: Child, timeoutMs = 15_000, aborted: () => boolean = () => false): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(readyPath(dir, pod.netns))) {
    if (aborted()) throw new LabError("interrupted", "interrupted while waiting for the DNS server");
    if (!child.running()) throw new LabError("server-not-ready", `the DNS server in ${pod.id} exited: ${tail(dnsLogPath(dir, pod.netns))}`);
    if (Date.now() - t0 > timeoutMs) throw new LabError("server-not-ready", `the DNS server in ${pod.id} was not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** True when `pid` is alive and runs the lab's DNS entry. */
export const isOurDns = (pid: number): boolean => runsArg(pid, DNS_ENTRY);
