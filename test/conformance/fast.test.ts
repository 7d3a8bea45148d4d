/**
 * The conformance suite against the fast engine (`fastAnalysis`).
 */
import { fastAnalysis } from "../../src/engine/index.js";
import { runConformance } from "./harness.js";

runConformance("fast engine", (cluster) => fastAnalysis(cluster));
