/**
 * @module demo (command)
 * `kwire demo`: the embedded example cluster — summary, matrix, one allowed and one denied trace, and one trace through DNS and a Service.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { analyzeFiles } from "../../analyze/index.js";
import { traceText } from "../../report/index.js";
import { DEMO_CLUSTER, packagePath } from "../assets.js";
import type { Io } from "../context.js";
import { EXIT_OK } from "../io.js";
import { renderMatrix } from "./matrix.js";
import { runTrace } from "./trace.js";

/** The demo renders workload-level matrices, which print no notes (only --level service does). */
const noNotes = (): void => undefined;

export function demoText(): string {
  const path = packagePath(DEMO_CLUSTER);
  const a = analyzeFiles([{ path: DEMO_CLUSTER, text: readFileSync(path, "utf8") }]);
  if ("error" in a) throw new Error(a.error);
  const base = { level: "workload", engine: "fast", includeSelf: false } as const;
  const parts = [
    `kwire demo — the example cluster in ${DEMO_CLUSTER}\n(try: kwire matrix -f ${DEMO_CLUSTER} -o wide)\n`,
    "== Summary ==\n" + renderMatrix(a, { ...base, output: "summary" }, noNotes),
    "== Who can reach whom (workloads) ==\n" + renderMatrix(a, { ...base, output: "table" }, noNotes),
    "== An allowed connection ==\n" + traceText(runTrace(a, "production/frontend", "production/api-server:8080", { protocol: "TCP" })),
    "== A denied connection ==\n" + traceText(runTrace(a, "production/frontend", "production/database:5432", { protocol: "TCP" })),
    "== Through a Service, by its DNS name ==\n" + traceText(runTrace(a, "production/frontend", "http://api-server.production:8080/", { protocol: "TCP" })),
  ];
  return parts.join("\n");
}

export function demoCommand(io: Io, setExit: (n: number) => void): Command {
  return new Command("demo").description("analyse the embedded example cluster").action(() => {
    io.out(demoText());
    setExit(EXIT_OK);
  });
}
