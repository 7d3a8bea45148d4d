/**
 * The kube-proxy nftables ruleset kwire renders must load into a real kernel: `nft -c -f` (check
 * mode: parsed and validated against the kernel, nothing committed) for every node of the
 * proxy-basic scenario and for the demo cluster. `nft` needs CAP_NET_ADMIN even in check mode
 * (it talks netlink to build its cache), so the test is skipped without root or without nft.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCluster } from "../../src/parse/index.js";
import { renderProxyRules } from "../../src/services/kube-proxy/index.js";
import { buildTopology, serviceLayerOf } from "../../src/engine/index.js";
import { parseCidr } from "../../src/model/index.js";
import { scenario } from "../cli/harness.js";

const NFT = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].find((p) => existsSync(p));
const skip = process.platform !== "linux" ? "needs Linux" : process.getuid?.() !== 0 ? "needs root (nft -c opens a netlink socket, CAP_NET_ADMIN)" : NFT === undefined ? "needs nft (apt-get install nftables)" : undefined;
const REPO = join(import.meta.dirname, "..", "..");

function check(text: string): { code: number; stderr: string } {
  const r = spawnSync(NFT ?? "nft", ["-c", "-f", "-"], { input: text, encoding: "utf8" });
  return { code: r.status ?? 1, stderr: r.stderr };
}

describe.skipIf(skip !== undefined)(`kube-proxy nftables rules load with nft -c${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  it("nft is new enough to matter (1.0.x rejects symbolic dstnat outside prerouting)", () => {
    expect(execFileSync(NFT ?? "nft", ["--version"], { encoding: "utf8" })).toMatch(/nftables v\d/);
  });

  for (const [file, nodes] of [[scenario("proxy-basic", "cluster.yaml"), ["node-a", "node-b"]], ["fixtures/demo/cluster.yaml", ["node-a", "node-b"]]] as const) {
    for (const node of nodes) {
      it(`${file} --node ${node}`, () => {
        const { cluster } = loadCluster([{ path: file, text: readFileSync(join(REPO, file), "utf8") }]);
        const cidr = parseCidr("10.244.0.0/16");
        const text = renderProxyRules(cluster, "nftables", { nodeName: node, nodeIPs: [], masqueradeAll: false, clusterCIDRs: cidr.ok ? [cidr.cidr] : [] }, serviceLayerOf(cluster, buildTopology(cluster)));
        expect(text).toContain("table ip kube-proxy");
        const r = check(text);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
      });
    }
  }
});
