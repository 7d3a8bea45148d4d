/**
 * @module shape
 * Guards between the parsers and everything that walks a parsed value. js-yaml turns aliases into
 * shared references, so an alias can make a value contain itself (`&r … items: [*r]`) or expand
 * to billions of nodes from a few lines ("billion laughs"); JSON has no depth limit. Every later
 * walk (decoders, `plain()` of kept objects, JSON output, the web UI) trusts values that passed
 * `inspectShape`: acyclic, at most MAX_DEPTH deep, at most MAX_EXPANDED nodes once aliases are
 * expanded. The check itself is iterative (no recursion on input), O(distinct nodes).
 */
import type { PathSeg } from "./source-text.js";

/**
 * Deepest map/list nesting kept: js-yaml's own limit (`maxDepth`, 100), now for JSON too.
 * Kubernetes objects nest about 10 levels (a CRD's openAPIV3Schema a few dozen).
 */
export const MAX_DEPTH = 100;
/** Most map/list/scalar nodes one object may expand to through aliases. */
export const MAX_EXPANDED = 2_000_000;

export type ShapeProblem =
  | { readonly type: "cycle"; readonly path: readonly PathSeg[] }
  | { readonly type: "depth"; readonly path: readonly PathSeg[] }
  | { readonly type: "expansion"; readonly nodes: number };

function isContainer(v: unknown): v is object {
  return typeof v === "object" && v !== null;
}

interface Frame {
  readonly node: object;
  /** Keys of a map; undefined for a list (its indices are used). */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  next: number;
  size: number;
  height: number;
}

function frame(node: object): Frame {
  if (Array.isArray(node)) return { node, keys: undefined, length: node.length, next: 0, size: 1, height: 1 };
  const keys = Object.keys(node);
  return { node, keys, length: keys.length, next: 0, size: 1, height: 1 };
}

/** The key of the child `f` looked at last. */
const keyOf = (f: Frame): PathSeg => (f.keys ? (f.keys[f.next - 1] ?? "") : f.next - 1);

function childAt(f: Frame, i: number): unknown {
  return f.keys ? (f.node as Record<string, unknown>)[f.keys[i] as string] : (f.node as unknown[])[i];
}

/** Undefined when `value` is safe to walk; else the first problem found, with where. */
export function inspectShape(value: unknown): ShapeProblem | undefined {
  if (!isContainer(value)) return undefined;
  // Post-order memo per distinct node: expanded size and height (a shared subtree is counted
  // once per reference, as any walk would see it, but visited once).
  const done = new Map<object, { size: number; height: number }>();
  const onStack = new Set<object>();
  const stack: Frame[] = [frame(value)];
  onStack.add(value);
  // The path to the child being looked at: each frame's current key.
  const path = (): PathSeg[] => stack.map(keyOf);
  for (;;) {
    const top = stack[stack.length - 1] as Frame;
    if (top.next < top.length) {
      const child = childAt(top, top.next++);
      if (!isContainer(child)) {
        top.size++;
        continue;
      }
      if (onStack.has(child)) return { type: "cycle", path: path() };
      const memo = done.get(child);
      if (memo) {
        top.size += memo.size;
        top.height = Math.max(top.height, memo.height + 1);
        if (stack.length + memo.height > MAX_DEPTH) return { type: "depth", path: path() };
        continue;
      }
      if (stack.length >= MAX_DEPTH) return { type: "depth", path: path() };
      onStack.add(child);
      stack.push(frame(child));
      continue;
    }
    stack.pop();
    onStack.delete(top.node);
    if (top.size > MAX_EXPANDED) return { type: "expansion", nodes: top.size };
    done.set(top.node, { size: top.size, height: top.height });
    const parent = stack[stack.length - 1];
    if (!parent) return undefined;
    parent.size += top.size;
    parent.height = Math.max(parent.height, top.height + 1);
  }
}
