/**
 * @module lab/cni/version
 * The CNI spec versions kwire-cni speaks and the version gates of the spec: CHECK from 0.4.0,
 * STATUS and GC from 1.1.0, and `ips[].version` present only before 1.0.0.
 */

export const SUPPORTED_VERSIONS = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: CniVersion = "1.1.0";

export const isSupported = (v: string): v is CniVersion => SUPPORTED_VERSIONS.some((s) => s === v);

/** Compare dotted versions numerically ("0.10.0" > "0.4.0"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const atLeast = (v: string, min: string): boolean => compareVersions(v, min) >= 0;

/** The first spec version that defines each verb. */
export const VERB_SINCE: Readonly<Record<string, string>> = { ADD: "0.1.0", DEL: "0.1.0", VERSION: "0.1.0", CHECK: "0.4.0", STATUS: "1.1.0", GC: "1.1.0" };
