/**
 * @module cni-version
 * A CNI network configuration must name the spec version it conforms to: `cniVersion` is required
 * (CNI SPEC.md, "Network configuration format"), and the runtime refuses versions its plugins do
 * not support. Known: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0.
 */
import type { Finding, LintCheck } from "../types.js";

export const CNI_SPEC_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] as const;

export const cniVersion: LintCheck = {
  code: "cni-version",
  severity: "error",
  description: "a CNI configuration has no cniVersion, or one no CNI spec release has",
  run(ctx) {
    return (ctx.options.cniConfigs ?? []).flatMap((c): Finding[] => {
      const v = c.cniVersion;
      if (v !== undefined && (CNI_SPEC_VERSIONS as readonly string[]).includes(v)) return [];
      return [{
        code: "cni-version",
        severity: v === undefined ? "error" : "warning",
        message: v === undefined ? "the CNI configuration has no cniVersion (required by the CNI spec)" : `cniVersion "${v}" is not a CNI spec version (${CNI_SPEC_VERSIONS.join(", ")})`,
        object: `CNI configuration ${c.name ?? c.source.file}`,
        source: c.source,
        hint: 'set "cniVersion" to the spec version your plugins support, e.g. "1.0.0"',
      }];
    });
  },
};
