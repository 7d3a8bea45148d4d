/**
 * @module nodeport-duplicate
 * A nodePort (per protocol) belongs to one Service port cluster-wide; a second claim is
 * rejected by the API server ("provided port is already allocated").
 */
import { objectName, type Finding, type LintCheck } from "../types.js";

export const nodePortDuplicate: LintCheck = {
  code: "nodeport-duplicate",
  severity: "error",
  description: "the same nodePort and protocol is used by two Service ports",
  run(ctx) {
    const first = new Map<string, { readonly who: string; readonly line: string }>();
    const out: Finding[] = [];
    for (const svc of ctx.cluster.services) {
      for (const sp of svc.ports) {
        if (sp.nodePort === undefined) continue;
        const key = `${sp.protocol}/${sp.nodePort}`;
        const prev = first.get(key);
        if (!prev) {
          first.set(key, { who: `${objectName(svc)} port ${sp.name ?? sp.port}`, line: `${sp.source.file}:${sp.source.line}` });
          continue;
        }
        out.push({
          code: "nodeport-duplicate",
          severity: "error",
          message: `nodePort ${sp.nodePort}/${sp.protocol} is already used by ${prev.who} (${prev.line}): the API server rejects the second Service`,
          object: objectName(svc),
          source: sp.source,
          hint: "give each Service port its own nodePort, or leave nodePort out and let the API server allocate one",
        });
      }
    }
    return out;
  },
};
