#!/usr/bin/env node
/**
 * @module bin
 * The executable behind `kwire` and `kubectl-kwire`.
 */
import { runCli } from "./main.js";

// Output goes out as it is produced (a streamed matrix is never held whole); the process exits
// once stdout has drained.
runCli(process.argv.slice(2), { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) }).then((code) => {
  process.stdout.write("", () => process.exit(code));
});
