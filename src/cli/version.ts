/**
 * @module version
 * `kwire version`: the package version (read from package.json, the one place it is written),
 * the Kubernetes minor whose semantics kwire follows, and the Node.js runtime.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { packagePath } from "./assets.js";
import { UsageError } from "./io.js";

/** The Kubernetes minor whose API semantics kwire implements (README: "Kubernetes 1.31 semantics"). */
export const KUBERNETES_SEMANTICS = "1.31";

let cached: string | undefined;

/** `version` of the package.json beside the code (src/ or dist/). */
export function packageVersion(): string {
  if (cached === undefined) {
    const pkg: unknown = JSON.parse(readFileSync(packagePath("package.json"), "utf8"));
    cached = typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string" ? pkg.version : "unknown";
  }
  return cached;
}

export function versionInfo(): { readonly kwire: string; readonly kubernetesSemantics: string; readonly node: string } {
  return { kwire: packageVersion(), kubernetesSemantics: KUBERNETES_SEMANTICS, node: process.versions.node };
}

export function versionCommand(io: { readonly out: (s: string) => void }, setExit: (n: number) => void): Command {
  return new Command("version")
    .description("print kwire's version, the Kubernetes semantics it follows, and the Node.js version")
    .option("-o, --output <format>", "text|json", "text")
    .action((opts: { output: string }) => {
      const v = versionInfo();
      if (opts.output === "json") io.out(JSON.stringify(v, null, 2) + "\n");
      else if (opts.output === "text") io.out(`kwire ${v.kwire} (Kubernetes ${v.kubernetesSemantics} semantics, Node.js ${v.node})\n`);
      else throw new UsageError(`-o must be text or json, not "${opts.output}"`);
      setExit(0);
    });
}
