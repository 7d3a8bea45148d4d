// The `kwire` executable as one module (dist/cli/kwire.js), bundled from tsc's output
// (dist/cli/bin.js and the ~300 modules it imports). Node's ES module loader took ~0.3 s to
// resolve, read and link those files on every start (`kwire --version` 0.5 s, bare `node` 0.12 s);
// one file starts in ~0.2 s. Packages stay external: they are loaded from node_modules as before.
// The bundle sits in dist/cli beside bin.js, so the paths it finds relative to its own URL
// (src/cli/assets.ts: the package root, two levels up) are the same.
// `npm run bench` bundles its own build the same way: KWIRE_BUNDLE_DIR=dist-bench/src.
const dir = process.env["KWIRE_BUNDLE_DIR"] ?? "dist";
export default {
  input: `${dir}/cli/bin.js`,
  platform: "node",
  external: [/^[^./]/],
  output: { file: `${dir}/cli/kwire.js`, format: "esm", codeSplitting: false },
  checks: { ineffectiveDynamicImport: false },
};
