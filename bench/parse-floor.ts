/**
 * The floor under the whole `kwire matrix` process, as the bench's baseline in the same run: a
 * fresh Node process that reads the generated input, decodes it and JSON.parses every document
 * (the `documents` layout's `---`-separated objects, or the one List), keeping the parsed objects
 * as a loader would, and does nothing else. `node dist-bench/bench/parse-floor.js FILE`.
 */
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: parse-floor FILE");
const text = readFileSync(file).toString("utf8");
const kept: unknown[] = text.split("\n---\n").map((doc) => JSON.parse(doc) as unknown);
process.stdout.write(`${kept.length}\n`);
