/**
 * @module analyze/diff
 * The changed connections between two analysed inputs, by the cheapest exact path: when they
 * differ only in policies and labels (the usual pull request, a web What-if edit) the engine's
 * incremental path (src/engine/incremental.ts) gives them without either full matrix; otherwise
 * undefined, and the caller compares the two matrices (src/report/diff.ts diffMatrices). Used by
 * `kwire diff` and the web UI's What-if; property-tested against comparing the full matrices.
 */
import { incrementalChanges, incrementalMatrixChanges, type MatrixOptions } from "../engine/index.js";
import { isAllPorts, portSetToList } from "../model/index.js";
import type { MatrixDiff, PortsJson } from "../report/index.js";
import type { Analyzed } from "./index.js";

export function incrementalDiff(before: Analyzed, after: Analyzed, opts: MatrixOptions): MatrixDiff | undefined {
  if (before.analysis.engine !== "fast" || after.analysis.engine !== "fast") return undefined;
  const inc = incrementalChanges(before.analysis, before.cluster, { cluster: after.cluster, topology: after.analysis.topology });
  if (!inc) return undefined;
  const json = (id: number): PortsJson => {
    const p = inc.ports.get(id);
    return isAllPorts(p) ? "all" : portSetToList(p);
  };
  const changes = incrementalMatrixChanges(inc, after.analysis.topology, opts);
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ConnectivityDiff",
    level: opts.level,
    added: changes.filter((c) => c.before === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after) })),
    removed: changes.filter((c) => c.after === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.before) })),
    changed: changes.filter((c) => c.before !== 0 && c.after !== 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after), previousPorts: json(c.before) })),
  };
}
