/**
 * @module cni-config (decoder)
 * A CNI network configuration (`/etc/cni/net.d/*.conflist` or `*.conf`, CNI spec
 * https://github.com/containernetworking/cni/blob/main/SPEC.md §"Network configuration format"):
 * not a Kubernetes object, but evidence of the cluster's CNI. Read leniently — plugins define
 * their own fields — into what the analysis can use: plugin types (which reveal the CNI), the
 * IPAM ranges (host-local `ranges[][].subnet` or the older `subnet`) and any `mtu`.
 */
import type { SourceRef } from "../../model/index.js";
import type { Cursor } from "../cursor.js";

export interface CniPluginEvidence {
  readonly type: string;
  readonly ipamType?: string;
  /** IPAM subnets as written (host-local `ranges[][].subnet`, `subnet`). */
  readonly ranges: readonly string[];
  readonly mtu?: number;
  /**
   * `capabilities.portMappings: true`: the runtime passes the pod's hostPorts to this plugin
   * (CNI CONVENTIONS.md, "portMappings"); portmap declares it, so do plugins that map ports themselves.
   */
  readonly portMappings?: true;
  readonly source: SourceRef;
}

export interface CniConfigEvidence {
  readonly name?: string;
  readonly cniVersion?: string;
  /** Plugins in chain order (a `.conf` is a chain of one). */
  readonly plugins: readonly CniPluginEvidence[];
  readonly source: SourceRef;
}

/**
 * A document is a CNI configuration when it has no `kind`/`apiVersion` and either a `plugins`
 * list (a .conflist, even one missing its required cniVersion) or a plugin `type` with
 * `cniVersion` or `ipam` (a .conf).
 */
export function isCniConfig(obj: Cursor): boolean {
  if (!obj.get("kind").isAbsent || !obj.get("apiVersion").isAbsent) return false;
  if (obj.get("plugins").kind === "seq") return true;
  return obj.get("type").kind === "string" && (!obj.get("cniVersion").isAbsent || !obj.get("ipam").isAbsent);
}

export function decodeCniConfig(obj: Cursor): CniConfigEvidence {
  const str = (c: Cursor): string | undefined => (c.kind === "string" ? String(c.scalar()) : undefined);
  const plugins = obj.get("plugins").kind === "seq" ? obj.get("plugins").items() : [obj];
  const name = str(obj.get("name"));
  const cniVersion = str(obj.get("cniVersion"));
  return {
    ...(name !== undefined ? { name } : {}),
    ...(cniVersion !== undefined ? { cniVersion } : {}),
    plugins: plugins.flatMap((p) => {
      const type = str(p.get("type"));
      return type === undefined ? [] : [plugin(p, type)];
    }),
    source: obj.ref,
  };
}

function plugin(p: Cursor, type: string): CniPluginEvidence {
  const ipam = p.get("ipam");
  const ipamType = ipam.get("type").kind === "string" ? String(ipam.get("type").scalar()) : undefined;
  const ranges: string[] = [];
  const subnet = ipam.get("subnet").scalar();
  if (typeof subnet === "string") ranges.push(subnet);
  for (const set of ipam.get("ranges").items()) {
    for (const r of set.items()) {
      const s = r.get("subnet").scalar();
      if (typeof s === "string") ranges.push(s);
    }
  }
  // flannel keeps the bridge's settings under `delegate`.
  const mtuC = p.get("mtu").kind === "number" ? p.get("mtu") : p.get("delegate").get("mtu");
  const mtu = mtuC.kind === "number" ? Number(mtuC.scalar()) : undefined;
  const portMappings = p.get("capabilities").get("portMappings").scalar() === true;
  return { type, ...(ipamType !== undefined ? { ipamType } : {}), ranges, ...(mtu !== undefined ? { mtu } : {}), ...(portMappings ? { portMappings: true as const } : {}), source: p.ref };
}

/** Main plugin types (CNI binaries) → the CNI they belong to (names as model/cni.ts has them). */
const CNI_OF_PLUGIN: Readonly<Record<string, string>> = {
  flannel: "flannel",
  calico: "calico",
  "cilium-cni": "cilium",
  "weave-net": "weave",
  "weave-plugin-2.8.1": "weave",
  antrea: "antrea",
  "ovn-k8s-cni-overlay": "ovn-kubernetes",
  "aws-cni": "aws-vpc-cni",
  bridge: "bridge",
  "kwire-cni": "kwire",
};

/** The CNI a configuration reveals: its first plugin whose type names one; "canal" for flannel + calico. */
export function cniOfConfig(c: CniConfigEvidence): string | undefined {
  const types = c.plugins.map((p) => p.type);
  if (types.includes("calico") && types.includes("flannel")) return "canal";
  for (const t of types) {
    const name = CNI_OF_PLUGIN[t] ?? (t.startsWith("weave-plugin") ? "weave" : undefined);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** A chain maps hostPorts when a plugin declares the `portMappings` capability or is portmap. */
export const chainMapsHostPorts = (c: CniConfigEvidence): boolean => c.plugins.some((p) => p.type === "portmap" || p.portMappings === true);

/** Whether the CNI configurations read map hostPorts: undefined when none was read. */
export function cniMapsHostPorts(configs: readonly CniConfigEvidence[]): boolean | undefined {
  return configs.length === 0 ? undefined : configs.some(chainMapsHostPorts);
}
