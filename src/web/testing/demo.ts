/**
 * @module demo (web testing)
 * The demo cluster as the page gets it, and its workload matrix computed the way the worker does
 * (with the north-south `exposures`).
 */
import demoText from "../../../fixtures/demo/cluster.yaml?raw";
import { analyzeFiles } from "../../analyze/index.js";
import { computeMatrix, serviceContext } from "../../engine/index.js";
import { workloadExposures } from "../worker/exposures.js";
import { matrixJson, type MatrixJson } from "../../report/index.js";
import type { InputFileMsg } from "../protocol.js";

export const DEMO_PATH = "fixtures/demo/cluster.yaml";
export const DEMO_FILES: readonly InputFileMsg[] = [{ path: DEMO_PATH, text: demoText }];

export function matrixOf(files: readonly InputFileMsg[]): MatrixJson {
  const a = analyzeFiles(files);
  if ("error" in a) throw new Error(a.error);
  return matrixJson(computeMatrix(a.analysis, { level: "workload" }), [], workloadExposures(a.cluster, () => serviceContext(a.cluster, a.analysis.topology)));
}

export const WEB = "production/web[Deployment]";
export const FRONTEND = "production/frontend[Deployment]";
export const API = "production/api-server[Deployment]";
export const DATABASE = "production/database[StatefulSet]";
export const COREDNS = "kube-system/coredns[Deployment]";
export const PROMETHEUS = "monitoring/prometheus[Deployment]";
