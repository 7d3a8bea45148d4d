/**
 * @module nft/conformance-tiers.lab.test
 * The network-policy-api conformance cases (test/conformance-tiers: upstream
 * kubernetes-sigs/network-policy-api conformance/tests/*.go, each case naming its Go file and
 * commit) through the compiled tables in a real kernel (root + nft; skipped with the reason
 * otherwise). The upstream topology — four houses, two pods each, serving TCP 80/8080 and UDP
 * 53/5353 — runs in throwaway netns on two nodes (replica 0 on node-a, replica 1 on node-b), so
 * probes cross one node's forward hook or both. For every step, both nodes' tables are replaced in
 * one `nft -f` each and every upstream probe is made with real packets: the kernel must give
 * upstream's verdict. Skipped, with the reason in the test title: SCTP probes (this kernel has no
 * SCTP) and a pod probing itself (its own IP stays on its loopback; the hairpin through a Service
 * is traced in compile-tiers.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labSkipReason } from "../lab/cni/testing/lab.js";
import { SCTP_SKIP } from "../lab/index.js";
import { GRESS_CASES } from "../../test/conformance-tiers/cases-gress.js";
import { PROTOCOL_RULE_CASES } from "../../test/conformance-tiers/cases-protocol-rules.js";
import { SEMANTICS_CASES } from "../../test/conformance-tiers/cases-semantics.js";
import { loadStep, probeText, stepManifest, type TierCase } from "../../test/conformance-tiers/harness.js";
import { PODS, SERVED } from "../../test/conformance-tiers/topology.js";
import { replaceScript } from "./print.js";
import { nftPodsOf, nodeTables } from "./testing/differential.js";
import { Plane, type NetPod } from "../../test/nft/plane.js";

const skip = labSkipReason();
const ALL_CASES: readonly TierCase[] = [...PROTOCOL_RULE_CASES, ...GRESS_CASES, ...SEMANTICS_CASES];
const nodeOf = (name: string): string => (name.endsWith("-0") ? "node-a" : "node-b");
const NET_PODS: readonly NetPod[] = PODS.map((p) => ({
  id: p.name,
  ip: p.ip,
  node: nodeOf(p.name),
  tcp: SERVED.filter(([, proto]) => proto === "TCP").map(([port]) => port),
  udp: SERVED.filter(([, proto]) => proto === "UDP").map(([port]) => port),
}));
const plane = new Plane(`kw-t-nc${process.pid}`);

describe.skipIf(skip !== undefined)(`network-policy-api conformance in a real kernel${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(async () => {
    plane.up(["node-a", "node-b"], NET_PODS);
    await plane.ready(NET_PODS);
  });

  afterAll(async () => {
    const { running } = await plane.teardown();
    expect(running, "servers left running").toEqual([]);
  });

  it("without a table every probed connection completes (so each denial below is the table's)", async () => {
    const unique = new Map(ALL_CASES.flatMap((c) => c.steps.flatMap((s) => s.probes)).filter((x) => x.protocol !== "SCTP" && x.from !== x.to).map((x) => [probeText(x), x]));
    const got = await Promise.all(
      [...unique.values()].map(async (x) => {
        const to = NET_PODS.find((p) => p.id === x.to);
        if (to === undefined || x.protocol === "SCTP") throw new Error(`no pod ${x.to}`);
        return `${probeText(x)}: ${await plane.probe(x.from, to, x.protocol, x.port)}`;
      }),
    );
    expect(got).toEqual([...unique.keys()].map((k) => `${k}: connected`));
  });

  for (const c of ALL_CASES) {
    c.steps.forEach((step, i) => {
      const kept = step.probes.filter((x) => x.protocol !== "SCTP" && x.from !== x.to);
      const skipped = step.probes.length - kept.length;
      const note = skipped === 0 ? "" : ` (${skipped} probe${skipped === 1 ? "" : "s"} skipped: ${SCTP_SKIP.split(":")[0]} / self)`;
      it.skipIf(kept.length === 0)(`${c.name}, ${i + 1}. ${step.title}${note}`, async () => {
        const { cluster } = loadStep(stepManifest(c, i));
        const tables = nodeTables(cluster, nftPodsOf(cluster, (id) => nodeOf(id)));
        for (const [node, ts] of tables) plane.load(node, ts.map(replaceScript).join(""));
        const got = await Promise.all(
          kept.map(async (x) => {
            const to = NET_PODS.find((p) => p.id === x.to);
            if (to === undefined || x.protocol === "SCTP") throw new Error(`no pod ${x.to}`);
            const o = await plane.probe(x.from, to, x.protocol, x.port);
            return `${probeText(x)}: ${o === "connected" ? "allowed" : o === "timeout" ? "denied" : "failed"}`;
          }),
        );
        expect(got).toEqual(kept.map((x) => `${probeText(x)}: ${x.allowed ? "allowed" : "denied"}`));
      });
    });
  }

});
