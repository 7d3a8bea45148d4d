#!/usr/bin/env node
/**
 * @module bin
 * The executable behind `kwire` and `kubectl-kwire`.
 */
import { runCli } from "./main.js";

const chunks: string[] = [];
runCli(process.argv.slice(2), { out: (s) => void chunks.push(s), err: (s) => void process.stderr.write(s) }).then((code) => {
  process.stdout.write(chunks.join(""), () => process.exit(code));
});
