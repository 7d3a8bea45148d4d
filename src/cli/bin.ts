#!/usr/bin/env node
/**
 * @module bin
 * The executable behind `kwire` and `kubectl-kwire`.
 */
import { runCli } from "./main.js";
import { progress, progressFor, setProgress } from "./progress.js";

// Output goes out as it is produced (a streamed matrix is never held whole); the process exits
// once stdout has drained. A message on stderr replaces the TTY progress line.
setProgress(progressFor(process.stderr));
runCli(process.argv.slice(2), { out: (s) => void process.stdout.write(s), err: (s) => {
  progress().clear(); // the next tick or stage redraws it
  process.stderr.write(s);
} }).then((code) => {
  progress().done();
  process.stdout.write("", () => process.exit(code));
});
