#!/usr/bin/env node
/**
 * @module bin
 * The executable behind `kwire` and `kubectl-kwire`.
 */
import { runCli } from "./main.js";
import { progress, progressFor, setProgress } from "./progress.js";

const chunks: string[] = [];
setProgress(progressFor(process.stderr));
runCli(process.argv.slice(2), { out: (s) => void chunks.push(s), err: (s) => {
  progress().clear(); // a message replaces the progress line; the next tick or stage redraws it
  process.stderr.write(s);
} }).then((code) => {
  progress().done();
  process.stdout.write(chunks.join(""), () => process.exit(code));
});
