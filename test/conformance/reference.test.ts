/**
 * The conformance suite against the reference engine (`referenceAnalysis`), plus `kwire trace`
 * for every pair of every case (trace does not depend on the engine, so it runs once, here).
 */
import { referenceAnalysis } from "../../src/engine/index.js";
import { runConformance } from "./harness.js";

runConformance("reference engine", (cluster) => referenceAnalysis(cluster), { trace: true });
