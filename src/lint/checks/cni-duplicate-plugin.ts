/**
 * @module cni-duplicate-plugin
 * A plugin type listed twice in one chain (`plugins[]` of a .conflist) runs twice on every ADD:
 * two portmap or bandwidth plugins install their rules twice, two main plugins fight over eth0.
 */
import type { Finding, LintCheck } from "../types.js";

export const cniDuplicatePlugin: LintCheck = {
  code: "cni-duplicate-plugin",
  severity: "warning",
  description: "a CNI configuration lists the same plugin type twice in its chain",
  run(ctx) {
    return (ctx.options.cniConfigs ?? []).flatMap((c) => {
      const first = new Map<string, number>();
      const out: Finding[] = [];
      c.plugins.forEach((p, i) => {
        const prev = first.get(p.type);
        if (prev === undefined) {
          first.set(p.type, i);
          return;
        }
        out.push({
          code: "cni-duplicate-plugin",
          severity: "warning",
          message: `plugins[${i}] has type "${p.type}", like plugins[${prev}]: the runtime calls it twice on every ADD and DEL`,
          object: `CNI configuration ${c.name ?? c.source.file}`,
          source: p.source,
          hint: "keep one entry per plugin type",
        });
      });
      return out;
    });
  },
};
