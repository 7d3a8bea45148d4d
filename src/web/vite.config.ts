/**
 * @module vite.config
 * Builds the web UI into dist/web/ (run from the package root: `vite build --config src/web/vite.config.ts`).
 * Relative asset paths and one script chunk with the engine worker inlined, so `kwire serve --export`
 * can fold the whole app into one HTML file that opens from file://.
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/web",
  base: "./",
  logLevel: "warn",
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    assetsInlineLimit: 0,
    rolldownOptions: { output: { codeSplitting: false } },
  },
  worker: { format: "iife" },
});
