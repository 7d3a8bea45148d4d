/**
 * @module cni/testing/suite
 * The setup the kwire-cni binary tests share: inside a `describe`, build the plugin and make the
 * file's throwaway netns before its tests; remove them and the file's temp dir after. (Kept apart
 * from lab.ts, which the benchmark imports without vitest.)
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { compileCni } from "./build.js";
import { netnsAdd, netnsDel } from "./lab.js";

/** Registers the hooks; `onBuilt` receives the argv that runs the built plugin. */
export function builtPluginOnNetns(tmp: string, netns: readonly string[], onBuilt: (bin: string[]) => void): void {
  beforeAll(() => {
    onBuilt([process.execPath, compileCni(join(tmp, "build"))]);
    netnsDel(...netns);
    for (const n of netns) netnsAdd(n);
  });
  afterAll(() => {
    netnsDel(...netns);
    rmSync(tmp, { recursive: true, force: true });
  });
}
