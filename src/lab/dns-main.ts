/**
 * @module lab/dns-main
 * The lab DNS server as a process: `node dns-main.js <config.json>`, started by `lab up` inside
 * a kube-dns endpoint pod's netns (`nsenter --net`). The config names the answer table file,
 * the greeting (the pod id, for lab probes of port 53) and a ready file written once UDP and TCP
 * port 53 are bound. Imports only the server and the codec (see dns-process.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { startDnsServer, type DnsTable } from "./dns-server.js";

interface MainConfig {
  readonly table: string;
  readonly greeting: string;
  readonly ready: string;
  readonly port: number;
  /** "::" when the pod has IPv6 (answers probes over both families), else 0.0.0.0. */
  readonly host?: string;
}

const cfg = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as MainConfig;
const table = JSON.parse(readFileSync(cfg.table, "utf8")) as DnsTable;
process.on("SIGTERM", () => process.exit(0));
startDnsServer(table, { host: cfg.host ?? "0.0.0.0", port: cfg.port, greeting: cfg.greeting }).then(
  () => writeFileSync(cfg.ready, String(process.pid)),
  (e: unknown) => {
    console.error(`kwire lab dns: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
