/**
 * @module trace-text
 * A trace for people: one line per stage, with the deciding rule's place.
 */
import type { Trace } from "../engine/index.js";

const MARK: Record<string, string> = { info: "•", allowed: "✔", denied: "✘", skipped: "–" };

export function traceText(t: Trace): string {
  const what = t.icmpType !== undefined ? ` ${t.protocol} type ${t.icmpType}${t.icmpCode !== undefined ? ` code ${t.icmpCode}` : ""}` : t.port !== undefined ? ` ${t.protocol}/${t.port}` : ` (${t.protocol})`;
  const head = `${t.src} → ${t.dst}${what}: ${t.verdict.toUpperCase()}`;
  const lines = t.steps.map((s) => {
    const where = s.source ? `  [${s.source.file}:${s.source.line}]` : "";
    return `  ${MARK[s.result] ?? "•"} ${s.stage.padEnd(15)} ${s.detail}${where}`;
  });
  const unc = traceUncertainty(t);
  const tail = unc.length ? [`  ? uncertain      this verdict may be wrong: ${unc.join("; ")}`] : [];
  return [head + (unc.length ? " (UNCERTAIN)" : ""), ...lines, ...tail].join("\n") + "\n";
}

/** Every reason a step gives why its verdict may be wrong (skipped or unmodelled policies), once each. */
export function traceUncertainty(t: Trace): string[] {
  return [...new Set(t.steps.flatMap((s) => s.uncertain ?? []))];
}

export function traceJson(t: Trace): unknown {
  return {
    verdict: t.verdict,
    src: t.src,
    dst: t.dst,
    protocol: t.protocol,
    ...(t.port !== undefined ? { port: t.port } : {}),
    ...(t.icmpType !== undefined ? { icmpType: t.icmpType } : {}),
    ...(t.icmpCode !== undefined ? { icmpCode: t.icmpCode } : {}),
    allowedPorts: t.allowedPorts,
    ...(traceUncertainty(t).length ? { uncertain: traceUncertainty(t).map((reason) => ({ reason })) } : {}),
    steps: t.steps,
  };
}
