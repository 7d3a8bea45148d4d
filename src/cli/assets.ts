/**
 * @module assets
 * Files shipped with the package (the demo cluster), located relative to this module.
 */
import { fileURLToPath } from "node:url";

/** dist/cli/assets.js and src/cli/assets.ts both sit two levels below the package root. */
export function packagePath(rel: string): string {
  return fileURLToPath(new URL(`../../${rel}`, import.meta.url));
}

export const DEMO_CLUSTER = "fixtures/demo/cluster.yaml";
