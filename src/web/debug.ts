/**
 * @module debug
 * A small window.kwireDebug hook for the end-to-end tests: where a heat-map cell or a graph edge is (viewport coordinates), and the
 * timings the page measured (time to first render, engine times in the worker).
 */

export interface DebugHook {
  cellCenter?: (src: string, dst: string) => { x: number; y: number } | undefined;
  whatifCellCenter?: (src: string, dst: string) => { x: number; y: number } | undefined;
  graphEdgeCenter?: (src: string, dst: string) => { x: number; y: number } | undefined;
  diffEdgeCenter?: (src: string, dst: string) => { x: number; y: number } | undefined;
  /** A north-south exposure edge of the graph: src is the proxy's endpoint id, or `ingress-controller`. */
  exposureEdgeCenter?: (src: string, dst: string) => { x: number; y: number } | undefined;
  timings: Record<string, number>;
}

declare global {
  interface Window {
    kwireDebug?: DebugHook;
  }
}

export function debugHook(): DebugHook {
  window.kwireDebug ??= { timings: {} };
  return window.kwireDebug;
}
