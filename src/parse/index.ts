/**
 * @module parse
 * YAML/JSON/List → model + Diagnostic[], every object and field with file:line.
 */
export { loadCluster, type LoadResult } from "./load.js";
export type { InputFile } from "./documents.js";
export { chainMapsHostPorts, cniMapsHostPorts, cniOfConfig, type CniConfigEvidence, type CniPluginEvidence } from "./kinds/cni-config.js";
export { loadExpectations, type Expectation } from "./kinds/connectivity-test.js";
