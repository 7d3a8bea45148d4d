/**
 * @module lab/nft-apply
 * Load a rendered table into a node netns in one `nft -f -` transaction (add/delete/define: the
 * old table, if any, is replaced atomically — habit 10), and remove it again.
 */
import { deleteScript, policyTableNames, replaceScript, type Table } from "../nft/index.js";
import type { Host } from "./host.js";
import { LabError } from "./errors.js";
import { deleteProxyScript } from "./services.js";

export async function applyTable(host: Host, netns: string, table: Table): Promise<void> {
  await applyScript(host, netns, replaceScript(table));
}

/** Run one `nft -f -` transaction in `netns` (all of it or nothing). */
export async function applyScript(host: Host, netns: string, script: string): Promise<void> {
  const r = await host.exec(["nft", "-f", "-"], { netns, input: script });
  if (r.code !== 0) throw new LabError("command-failed", `nft -f in ${netns} failed: ${r.stderr.trim().split("\n").slice(0, 3).join(" | ")}`, r.stderr);
}

/** Remove the lab's tables (policy; the Service table of either rendering) from a netns; a missing table or netns is fine. */
export async function removeTable(host: Host, netns: string): Promise<void> {
  await host.exec(["nft", "-f", "-"], { netns, input: policyTableNames().map((t) => deleteScript(t.family, t.name)).join("") + deleteProxyScript });
}
