/**
 * @module lab-report (command helpers)
 * Text and JSON renderings for `kwire lab status` and `kwire lab probe`.
 */
import { renderTable } from "../../report/index.js";
import { isMismatch, PROXY_TABLES, type CellResult, type LabState, type ProbeRun } from "../../lab/index.js";

export function statusText(s: LabState): string {
  const six = s.ipFamily === "dual" || s.ipFamily === "ipv6";
  const nodes = renderTable(["NODE", "NETNS", "POD CIDR", "UPLINK"], s.nodes.map((n) => [n.name, n.netns, six && n.podCidr6 !== undefined ? `${n.podCidr},${n.podCidr6}` : n.podCidr, six && n.transitIp6 !== undefined ? `${n.transitIp},${n.transitIp6}` : n.transitIp]));
  const pods = renderTable(
    ["POD", "NODE", "IP", "NETNS", "PORTS", "SERVER PID"],
    s.pods.map((p) => [p.pod.hostNetwork === true ? `${p.pod.id} (hostNetwork)` : p.pod.id, p.pod.node, (p.ips ?? (p.ip === undefined ? [] : [p.ip])).join(",") || "-", p.pod.netns, p.pod.ports.map((c) => `${c.containerPort}/${c.protocol}`).join(",") || "-", p.pid === undefined ? "-" : String(p.pid)]),
  );
  const phases = Object.entries(s.timings).map(([k, v]) => `${k} ${v.toFixed(2)}s`).join(", ");
  const dns = s.dns === undefined ? "dns: none (no kube-system/kube-dns Service with endpoints)\n" : `dns: ${s.dns.nameserver} (${s.dns.domain}), servers in ${s.dns.servers.map((x) => x.netns).join(", ")}\n`;
  // States written before --proxy existed used kube-proxy's tables.
  const proxy = s.proxy ?? "kube-proxy";
  // One Service table per family the lab runs (services.ts): ip, and ip6 for IPv6 Services.
  const t = PROXY_TABLES[proxy];
  const tables = s.ipFamily === "ipv6" ? `table ip6 ${t}` : s.ipFamily === "dual" ? `table ip ${t}, ip6 ${t} when Services have IPv6 ClusterIPs` : `table ip ${t}`;
  const services = `services: ${proxy} (${tables})
backend: ${s.backend ?? "routes"}, ${s.ipFamily ?? "ipv4"}, pod MTU ${s.podMtu ?? 1500}
${policyLine(s)}`;
  const ns = s.northSouth === undefined ? "" : `north-south: internet netns ${s.northSouth.netns}; L7 proxies in ${s.northSouth.proxies.map((p) => `${p.pod} (TCP ${p.ports.join(",")}, pid ${p.pid ?? "-"})`).join(", ")}
${s.northSouth.notes.map((n) => `  note: ${n}
`).join("")}`;
  return `lab: phase ${s.phase} (started ${s.startedAt}, ${s.dir})
${phases === "" ? "" : `timings: ${phases}
`}${services}${dns}${ns}
${nodes}
${pods}`;
}

/** Which policy model the tables enforce (table inet kwire). */
function policyLine(s: LabState): string {
  const p = s.policy ?? "kubernetes";
  const what = p === "kubernetes" ? "NetworkPolicy and the Admin/Baseline tiers" : p === "calico" ? "Calico's ordered tiers (Calico policies, NetworkPolicy, ANP/BANP)" : "Cilium's deny and allow tiers (CNP, CCNP, NetworkPolicy)";
  return `policy: ${p}: ${what} (table inet kwire)${s.cni === undefined ? "" : `, --cni ${s.cni}`}\n`;
}

export function statusJson(s: LabState): Record<string, unknown> {
  return {
    policy: s.policy ?? "kubernetes", cni: s.cni ?? null,
    backend: s.backend ?? "routes", ipFamily: s.ipFamily ?? "ipv4", podMtu: s.podMtu ?? 1500,
    phase: s.phase, startedAt: s.startedAt, dir: s.dir, fabric: s.fabric, timings: s.timings, notes: s.notes, nodes: s.nodes, dns: s.dns ?? null,
    proxy: s.proxy ?? "kube-proxy", northSouth: s.northSouth ?? null,
    pods: s.pods.map((p) => ({ id: p.pod.id, node: p.pod.node, netns: p.pod.netns, hostNetwork: p.pod.hostNetwork === true, ip: p.ip ?? null, ips: p.ips ?? (p.ip === undefined ? [] : [p.ip]), pid: p.pid ?? null, ports: p.pod.ports })),
  };
}

const yesNo = (b: boolean | undefined): string => (b === undefined ? "skipped" : b ? "allowed" : "denied");

export function probeText(run: ProbeRun): string {
  const s = run.summary;
  const bad = run.results.filter(isMismatch);
  const head = bad.length === 0
    ? "no mismatches: every probed cell behaved as the model predicts\n"
    : `MISMATCHES (${bad.length}):\n` + renderTable(["KIND", "SRC", "DST", "PORT", "PREDICTED", "OBSERVED", "VERDICT"], bad.map((r) => [r.kind, r.src, r.kind === "dns" ? `${r.dst} @${r.dstIp}` : `${r.dst} ${r.dstIp}`, `${r.port}/${r.protocol}`, yesNo(r.predicted), yesNo(r.observed), r.reply ? `${r.verdict} (${r.reply})` : r.verdict]));
  const lines = [
    `cells ${s.cells}, probed ${s.probed}, skipped ${s.skipped}, mismatches ${s.mismatches}`,
    `predicted allowed ${s.predictedAllowed}, observed allowed ${s.observedAllowed}; agreement ${(s.agreementRate * 100).toFixed(1)}%, probe success ${(s.probeSuccessRate * 100).toFixed(1)}%`,
    `rtt p50 ${s.rttP50Ms.toFixed(2)} ms, p90 ${s.rttP90Ms.toFixed(2)} ms, p99 ${s.rttP99Ms.toFixed(2)} ms; ${run.seconds.toFixed(1)} s; flow log ${run.flowLog}`,
    ...(["pod", "service", "dns", "north-south"] as const).map((k) => {
      const b = run.byKind[k];
      return `${k}: ${b.probed} probed, ${b.mismatches} mismatches, predicted allowed ${b.predictedAllowed}, observed allowed ${b.observedAllowed}, success ${(b.probeSuccessRate * 100).toFixed(1)}%`;
    }),
    ...s.skipReasons.map((r) => `skipped: ${r}`),
  ];
  return `${head}${lines.join("\n")}\n`;
}

/** `-o json`: one record per cell, as the issue asks, plus the summary. */
export function probeJson(run: ProbeRun): unknown {
  return {
    cells: run.results.map((r) => ({ kind: r.kind, src: r.src, dst: r.dst, dstIp: r.dstIp, ...(r.name === undefined ? {} : r.kind === "north-south" ? { name: r.name, accept: r.accept ?? [], reply: r.reply ?? "" } : { name: r.name, qtype: r.qtype ?? "A", expect: r.expect ?? [], reply: r.reply ?? "" }), port: r.port, protocol: r.protocol, predicted: r.predicted, observed: r.observed ?? null, verdict: r.verdict, latencyMs: r.latencyMs })),
    summary: run.summary,
    byKind: run.byKind,
    dnsSuccessRate: run.dnsSuccessRate,
    serviceSuccessRate: run.serviceSuccessRate,
  };
}
