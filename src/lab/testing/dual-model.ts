/**
 * @module lab/testing/dual-model
 * The upstream x/y/z model (test/conformance/model.ts) made dual-stack: every pod also declares
 * an IPv6 address, fd00:0:0:<ns>::<pod> (x = 1, y = 2, z = 3; a = 1, b = 2, c = 3), after its IPv4
 * one in status.podIPs, as a dual-stack cluster reports it. Upstream's e2e suite runs the same
 * cases on IPv6 clusters (test/e2e/network/netpol/network_policy.go: the ipBlock cases take the
 * host mask 32 or 128 from the family of the server pod's IP).
 */
import { ALL_PODS, modelYaml, podIP, type ModelOptions, type PodString } from "../../../test/conformance/model.js";

export function podIP6(pod: PodString): string {
  const [, , ns, p] = podIP(pod).split(".");
  return `fd00:0:0:${ns ?? "0"}::${p ?? "0"}`;
}

/** `families`: which addresses the pods declare (status.podIP is the first). */
export function dualModelYaml(families: "dual" | "ipv6", opts: ModelOptions = {}): string {
  let text = modelYaml(opts);
  for (const pod of ALL_PODS) {
    const v4 = podIP(pod);
    const v6 = podIP6(pod);
    const list = families === "dual" ? `  podIP: ${v4}\n  podIPs:\n  - ip: ${v4}\n  - ip: ${v6}` : `  podIP: ${v6}\n  podIPs:\n  - ip: ${v6}`;
    text = text.replace(`  podIP: ${v4}\n  podIPs:\n  - ip: ${v4}`, list);
  }
  return text;
}
