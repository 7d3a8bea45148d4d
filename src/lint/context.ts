/**
 * @module lint context
 * What checks read: the cluster as declared (every policy, even when the CNI ignores them),
 * and — built once, on first use — the topology, the fast engine's analysis and the Service
 * layer (pod instances including workload templates). Checks ask per equivalence class (the
 * engine's `ClassIndex`, `EgressReach`), never per pod pair, so lint scales with the engine.
 */
import { cniByName, CNI_DAEMONSETS, groupBy, type Cluster, type CniInfo, type SkippedObject } from "../model/index.js";
import { buildTopology, ClassIndex, EgressReach, fastAnalysis, serviceLayerOf, type Analysis, type Subject, type Topology, type TopologyOptions } from "../engine/index.js";
import type { ServiceLayer } from "../services/index.js";
import type { CniConfigEvidence } from "../parse/index.js";
import { policyDialectOf } from "../analyze/index.js";
import { enforcedTiers, type EnforcedTiers } from "../policy/index.js";

export interface LintOptions {
  /** --cni NAME; otherwise detected from a DaemonSet in the input. */
  readonly cni?: string;
  /** kube-apiserver --service-node-port-range. */
  readonly nodePortRange?: { readonly from: number; readonly to: number };
  /** --pod-cidr: where pods without an address in the input live (the engine's default otherwise). */
  readonly podCidr?: string;
  /** What the input declared but the parser skipped (LoadResult.skippedObjects). */
  readonly skipped?: readonly SkippedObject[];
  /** CNI network configurations in the input (LoadResult.cniConfigs). */
  readonly cniConfigs?: readonly CniConfigEvidence[];
}

export class LintContext {
  private topo?: Topology;
  private an?: Analysis;
  private sl?: ServiceLayer;
  private ci?: ClassIndex;
  private er?: EgressReach;
  private byNs?: ReadonlyMap<string, readonly Subject[]>;
  readonly nodePortRange: { readonly from: number; readonly to: number };

  /**
   * The cluster as declared, with the policy dialect the analysis would use (Calico's or
   * Cilium's tiers, decided from --cni / the input as `kwire matrix` decides it), so lint and the
   * engines judge the same policies the same way.
   */
  readonly cluster: Cluster;

  constructor(declared: Cluster, readonly options: LintOptions = {}) {
    this.nodePortRange = options.nodePortRange ?? { from: 30000, to: 32767 };
    this.cluster = declared;
    if (declared.policyDialect === undefined) {
      const explicit = options.cni !== undefined;
      const d = policyDialectOf(declared, this.cni?.info, explicit);
      if (!("error" in d) && d.dialect !== undefined) this.cluster = { ...declared, policyDialect: d.dialect };
    }
  }

  /** The ordered tiers the cluster's CNI enforces (Calico or Cilium); undefined for the Kubernetes tiers. */
  get enforced(): EnforcedTiers | undefined {
    return enforcedTiers(this.cluster);
  }

  /** Options every topology built for this lint run uses (checks that add pods build their own). */
  get topologyOptions(): TopologyOptions {
    return this.options.podCidr === undefined ? {} : { podCidr: this.options.podCidr };
  }

  get topology(): Topology {
    return (this.topo ??= buildTopology(this.cluster, this.topologyOptions));
  }

  get analysis(): Analysis {
    return (this.an ??= fastAnalysis(this.cluster, this.topology));
  }

  /** The engine's classes and selector index over `topology`. */
  get classes(): ClassIndex {
    return (this.ci ??= new ClassIndex(this.topology, this.analysis));
  }

  /** Egress rules per class, for "can this source get out toward that class" in bulk. */
  get egress(): EgressReach {
    return (this.er ??= new EgressReach(this.cluster, this.classes));
  }

  /** Subjects of a namespace, in topology order. */
  subjectsIn(ns: string): readonly Subject[] {
    return (this.byNs ??= groupBy(this.topology.subjects, (s) => s.namespace)).get(ns) ?? [];
  }

  get services(): ServiceLayer {
    return (this.sl ??= serviceLayerOf(this.cluster, this.topology));
  }

  /** The CNI named by --cni, else the one a DaemonSet in the input reveals. */
  get cni(): { readonly info: CniInfo; readonly from: string } | undefined {
    if (this.options.cni !== undefined) {
      const info = cniByName(this.options.cni);
      return info ? { info, from: "--cni" } : undefined;
    }
    for (const w of this.cluster.workloads) {
      const name = w.kind === "DaemonSet" ? CNI_DAEMONSETS[w.name] : undefined;
      const info = name ? cniByName(name) : undefined;
      if (info) return { info, from: `DaemonSet ${w.namespace}/${w.name}` };
    }
    return undefined;
  }
}
