#!/usr/bin/env node
/**
 * @module lab/cni/bin
 * The `kwire-cni` executable: read stdin fully, hand env + stdin to `runCni`, print, exit.
 * Nothing else is imported here — a runtime pays for every module on each ADD.
 */
import { runCni } from "./main.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8");
}

const out = await runCni(process.env, await readStdin());
if (out.stdout !== "") process.stdout.write(out.stdout.endsWith("\n") ? out.stdout : `${out.stdout}\n`);
process.exitCode = out.exitCode;
