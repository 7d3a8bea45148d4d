/**
 * @module class-index
 * The fast engine's equivalence classes and its selector index, for bulk questions asked per
 * class rather than per pod (lint at 100k pods). Built from the same topology, so class ids are
 * the engine's own (`Analysis.classOf`); a mismatch is a bug and throws.
 */
import { selectorMatches, type ClusterPolicySubject, type LabelSelector, type Labels, type Peer, type PolicyRule } from "../model/index.js";
import type { Analysis } from "./analysis.js";
import type { Bitset } from "./bitset.js";
import { buildClasses, type ClassInfo, type Classes } from "./classes.js";
import { SelectionIndex } from "./selection.js";
import type { Subject, Topology } from "./topology.js";

export class ClassIndex {
  readonly classes: Classes;
  private readonly selection: SelectionIndex;
  /** Namespaces that have subjects, with the namespace labels their subjects carry. */
  private readonly subjectNamespaces: readonly { readonly name: string; readonly labels: Labels }[];
  private readonly nsCache = new Map<string, readonly string[]>();

  constructor(readonly topology: Topology, analysis?: Analysis) {
    this.classes = buildClasses(topology);
    if (analysis && (analysis.classCount !== this.classes.infos.length || analysis.topology !== topology)) {
      throw new Error("ClassIndex: the analysis was built from another topology");
    }
    this.selection = new SelectionIndex(topology, this.classes.infos);
    const seen = new Map<string, Labels>();
    for (const s of topology.subjects) if (!seen.has(s.namespace)) seen.set(s.namespace, s.namespaceLabels);
    this.subjectNamespaces = [...seen].map(([name, labels]) => ({ name, labels }));
  }

  get classCount(): number {
    return this.classes.infos.length;
  }

  info(c: number): ClassInfo {
    const i = this.classes.infos[c];
    if (!i) throw new Error(`unknown class ${c}`);
    return i;
  }

  /** The subject standing for class `c` (undefined for external cells). */
  subject(c: number): Subject | undefined {
    return this.info(c).subject;
  }

  /** Subject classes in `ns` (not hostNetwork) whose labels `sel` matches: `policySelects`, per class. */
  podsIn(ns: string, sel: LabelSelector): readonly number[] {
    return this.selection.podsIn(ns, sel);
  }

  /** Classes a rule's peers match, as the engine compiles it (undefined: every peer). */
  rulePeers(rule: PolicyRule, policyNs: string): Bitset | undefined {
    return this.selection.rulePeers(rule, policyNs);
  }

  /** Subject classes a cluster-scoped policy selects, as the engine compiles it. */
  clusterSubject(subject: ClusterPolicySubject): readonly number[] {
    return this.selection.clusterSubject(subject);
  }

  /** Classes a policy peer matches (subjects and external cells), as the engine compiles it. */
  peer(peer: Peer, policyNs: string): Bitset {
    return this.selection.peer(peer, policyNs);
  }

  /**
   * Namespaces holding subjects whose namespace labels `sel` matches (labels as the subjects
   * see them, so a namespace the input never declares counts with its default name label).
   */
  subjectNamespacesMatching(sel: LabelSelector, key: string): readonly string[] {
    let out = this.nsCache.get(key);
    if (!out) {
      out = this.subjectNamespaces.filter((n) => selectorMatches(sel, n.labels)).map((n) => n.name);
      this.nsCache.set(key, out);
    }
    return out;
  }
}
