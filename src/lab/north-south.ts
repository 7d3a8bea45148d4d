/**
 * @module lab/north-south
 * North-south traffic in the lab, planned (pure): which L7 proxies run where, their routing
 * tables, and the cells `lab probe` checks from the `internet` netns.
 *
 * - **Proxies** run in the netns of the data-plane pods the input declares — the Ingress
 *   controller (`findController`), a Gateway's data plane (`dataPlaneOf`) — so the policies of
 *   those pods apply to the proxied connection. When the input has none, `withLabProxies` adds one
 *   proxy pod (`ingress-nginx/kwire-ingress-controller`, or `<gw ns>/kwire-gateway-<gw>`) with
 *   the labels the model looks for, and says so.
 * - **Routing tables are compiled from the model**: each request a cell sends is traced with
 *   `traceAny` (`--from internet URL`); when the trace reaches endpoints, the proxy's table maps
 *   that exact request (method, Host, path and query, the headers sent) to the endpoint
 *   addresses. Anything else gets a 404. So the lab checks the kernel part (internet → proxy pod,
 *   proxy pod → backend pods under the policies), not a second copy of the route matching.
 * - **Cells**: per Ingress rule host and path, per Gateway listener, HTTPRoute hostname and rule
 *   (its first match), plus one unknown host per proxy port (a 404 in the model and the lab).
 *   Predicted: the trace's verdict; observed: HTTP 200 whose body is an endpoint pod's id.
 *
 * Not in the lab (stated as skip reasons or notes): GRPCRoute (the proxy speaks HTTP/1.1),
 * OpenShift Routes, RegularExpression matches, HTTPS listeners.
 */
import { attachedRoutes, dataPlaneOf, findController, traceAny, type Trace } from "../engine/index.js";
import { podPort } from "../engine/gateway-trace.js";
import type { ServiceContext } from "../engine/index.js";
import { effectiveClass } from "../ingress/index.js";
import { GATEWAY_NAME_LABEL, type Cluster, type Gateway, type HTTPRouteMatch, type Pod } from "../model/index.js";
import type { Cell } from "./compare.js";

/** The `internet` client (`INTERNET_CLIENT` of trace-any.ts) lives in this netns on the fabric. */
export const INTERNET_NETNS = "kw-inet";
/** The label the lab puts on proxy pods it adds. */
export const LAB_PROXY_LABEL = "kwire.dev/lab-proxy";
const INGRESS_NAME_LABEL = "app.kubernetes.io/name";
const ANY_HOST = "kwire-lab";
/** A host no route names (RFC 2606 `.invalid`): the model and the proxies answer 404. */
export const UNKNOWN_HOST = "kwire-unknown.invalid";

export interface ProxyRoute {
  readonly method: string;
  readonly host: string;
  /** Path and query string as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly backends: readonly { readonly ip: string; readonly port: number }[];
}

export interface LabProxyPlan {
  /** The pod (`namespace/name`) whose netns runs the proxy. */
  readonly pod: string;
  readonly ports: readonly number[];
  readonly routes: readonly ProxyRoute[];
}

/** One HTTP request of a north-south cell. */
export interface NorthSouthRequest {
  readonly method: string;
  readonly host: string;
  /** The Host header sent: the host, with `:port` when the listener port is not 80. */
  readonly authority: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

const LAB_SOURCE = { file: "<lab>", line: 0, column: 0, path: "" } as const;

function proxyPod(namespace: string, name: string, labels: Record<string, string>, ports: readonly number[]): Pod {
  return {
    kind: "Pod", namespace, name, labels: { ...labels, [LAB_PROXY_LABEL]: "true" }, ips: [], hostNetwork: false, owners: [], source: LAB_SOURCE,
    ports: [...new Set(ports)].sort((a, b) => a - b).map((p) => ({ name: `http-${p}`, containerPort: p, protocol: "TCP" as const })),
  };
}

const httpListeners = (gw: Gateway): number[] => gw.listeners.filter((l) => l.protocol === "HTTP").map((l) => l.port);

/**
 * The cluster with a proxy pod for every Ingress class and Gateway that has no data-plane pod in
 * the input (none for Gateways without an HTTP listener). `notes` say what was added.
 */
export function withLabProxies(cluster: Cluster, ctx: ServiceContext): { cluster: Cluster; notes: string[] } {
  const added: Pod[] = [];
  const notes: string[] = [];
  const ingressNeedsOne = cluster.ingresses.some((i) => findController(ctx, effectiveClass(i, cluster.ingressClasses)) === undefined);
  if (ingressNeedsOne) {
    added.push(proxyPod("ingress-nginx", "kwire-ingress-controller", { [INGRESS_NAME_LABEL]: "ingress-nginx" }, [80]));
    notes.push(`no Ingress controller pod in the input: the lab adds ingress-nginx/kwire-ingress-controller (${INGRESS_NAME_LABEL}=ingress-nginx, TCP/80) to run the Ingress proxy`);
  }
  for (const gw of cluster.gateways ?? []) {
    const ports = httpListeners(gw);
    if (ports.length === 0 || dataPlaneOf(ctx, gw).length > 0) continue;
    added.push(proxyPod(gw.namespace, `kwire-gateway-${gw.name}`, { [GATEWAY_NAME_LABEL]: gw.name }, ports));
    notes.push(`Gateway ${gw.namespace}/${gw.name} has no data-plane pod in the input: the lab adds ${gw.namespace}/kwire-gateway-${gw.name} (${GATEWAY_NAME_LABEL}=${gw.name}, TCP/${ports.join(",")}) to run its proxy`);
  }
  if ((cluster.openshiftRoutes ?? []).length > 0) notes.push("OpenShift Routes are not run in the lab (no router proxy): their north-south cells are not probed");
  return { cluster: added.length === 0 ? cluster : { ...cluster, pods: [...cluster.pods, ...added] }, notes };
}

/** A request the lab sends, and the proxy (pod id, pod port) it goes to. */
interface Candidate {
  readonly request: NorthSouthRequest;
  readonly url: string;
  readonly proxy: string;
  readonly port: number;
  readonly skip?: string;
}

const concrete = (host: string | undefined): string => (host === undefined ? `${ANY_HOST}.example` : host.startsWith("*.") ? `${ANY_HOST}${host.slice(1)}` : host);

function ingressCandidates(ctx: ServiceContext): Candidate[] {
  const out: Candidate[] = [];
  const proxies = new Set<string>();
  for (const ing of ctx.cluster.ingresses) {
    const proxy = findController(ctx, effectiveClass(ing, ctx.cluster.ingressClasses));
    if (proxy === undefined) continue;
    proxies.add(proxy.label);
    for (const r of ing.rules) {
      for (const p of r.paths) {
        const host = concrete(r.host);
        const request = { method: "GET", host, authority: host, path: p.path, headers: {} };
        out.push({ request, url: `http://${host}${p.path}`, proxy: proxy.label, port: 80, ...(p.pathType === "ImplementationSpecific" ? { skip: "pathType ImplementationSpecific: the controller decides" } : {}) });
      }
    }
  }
  for (const proxy of proxies) out.push({ request: { method: "GET", host: UNKNOWN_HOST, authority: UNKNOWN_HOST, path: "/", headers: {} }, url: `http://${UNKNOWN_HOST}/`, proxy, port: 80 });
  return out;
}

function matchRequest(m: HTTPRouteMatch | undefined): { path: string; method: string; headers: Record<string, string>; skip?: string } {
  if (m === undefined) return { path: "/", method: "GET", headers: {} };
  const regex = m.path.type === "RegularExpression" || m.headers.some((h) => h.type !== "Exact") || m.queryParams.some((q) => q.type !== "Exact");
  const query = m.queryParams.map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`).join("&");
  const path = `${m.path.type === "RegularExpression" ? "/" : m.path.value}${query === "" ? "" : `?${query}`}`;
  return { path, method: m.method ?? "GET", headers: Object.fromEntries(m.headers.map((h) => [h.name.toLowerCase(), h.value])), ...(regex ? { skip: "a RegularExpression match: implementation-specific, not run in the lab" } : {}) };
}

function gatewayCandidates(ctx: ServiceContext): Candidate[] {
  const out: Candidate[] = [];
  for (const gw of ctx.cluster.gateways ?? []) {
    const dp = dataPlaneOf(ctx, gw)[0];
    if (dp === undefined) continue;
    for (const l of gw.listeners) {
      if (l.protocol !== "HTTP") continue;
      const port = podPort(ctx, gw, dp, l.port);
      const hostPart = (h: string): string => (l.port === 80 ? h : `${h}:${l.port}`);
      for (const a of attachedRoutes(ctx)) {
        if (a.gateway !== gw || a.attached.listener !== l) continue;
        for (const h of a.attached.hostnames) {
          const host = concrete(h ?? l.hostname);
          a.route.rules.forEach((rule, ri) => {
            if (a.route.kind === "GRPCRoute") {
              if (ri === 0) out.push({ request: { method: "POST", host, authority: hostPart(host), path: "/", headers: {} }, url: `http://${hostPart(host)}/`, proxy: dp.label, port, skip: "GRPCRoute: the lab's proxy speaks HTTP/1.1, not gRPC" });
              return;
            }
            const httpRule = a.route.rules[ri];
            const m = httpRule !== undefined && "matches" in httpRule ? matchRequest(httpRule.matches[0] as HTTPRouteMatch | undefined) : matchRequest(undefined);
            out.push({ request: { method: m.method, host, authority: hostPart(host), path: m.path, headers: m.headers }, url: `http://${hostPart(host)}${m.path}`, proxy: dp.label, port, ...(m.skip === undefined ? {} : { skip: m.skip }) });
          });
        }
      }
      out.push({ request: { method: "GET", host: UNKNOWN_HOST, authority: hostPart(UNKNOWN_HOST), path: "/", headers: {} }, url: `http://${hostPart(UNKNOWN_HOST)}/`, proxy: dp.label, port });
    }
  }
  return out;
}

const HOP_STAGES = new Set(["ingress-controller", "gateway-data-plane", "router"]);

/** The proxy pod and pod port the trace's client → proxy hop names (`reached on TCP/80: ns/name (…`). */
function hopOf(t: Trace): { proxy: string; port: number } | undefined {
  const step = t.steps.find((s) => HOP_STAGES.has(s.stage));
  const m = step === undefined ? null : /on TCP\/(\d+): (\S+) \(/.exec(step.detail);
  return m === null ? undefined : { port: Number(m[1]), proxy: m[2] ?? "" };
}

function sortedUnique<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
}

/** A north-south cell: the request sent from the internet netns; `skip` when the lab does not run it. */
export interface NorthSouthCell extends Cell {
  readonly kind: "north-south";
  readonly request: NorthSouthRequest;
  readonly skip?: string;
}

export interface NorthSouthPlan {
  readonly proxies: readonly LabProxyPlan[];
  readonly cells: readonly NorthSouthCell[];
}

/**
 * Proxies and cells for a lab cluster whose `pods` have their lab addresses (before they have
 * any, only the proxies' ports are right). Cells go straight to the proxy pod's address: see
 * docs/lab-north-south.md.
 */
export function planNorthSouth(ctx: ServiceContext, pods: readonly { readonly id: string; readonly ip: string }[]): NorthSouthPlan {
  const ipById = new Map(pods.map((p) => [p.id, p.ip]));
  const idByIp = new Map(pods.map((p) => [p.ip, p.id]));
  const routes = new Map<string, ProxyRoute[]>();
  const ports = new Map<string, Set<number>>();
  const cells: NorthSouthCell[] = [];
  const candidates = sortedUnique([...ingressCandidates(ctx), ...gatewayCandidates(ctx)], (c) => `${c.proxy} ${c.port} ${c.request.method} ${c.url} ${JSON.stringify(c.request.headers)}`);
  for (const c of candidates) {
    const t = traceAny(ctx, { dst: c.url, protocol: "TCP", namespace: "default", from: "internet", method: c.request.method, headers: new Map(Object.entries(c.request.headers)) });
    const hop = t.ok ? hopOf(t.trace) : undefined;
    const proxy = hop?.proxy ?? c.proxy;
    const port = hop?.port ?? c.port;
    const ip = ipById.get(proxy) ?? "";
    const base = { kind: "north-south" as const, src: "internet", dst: `${proxy} ${c.request.method} ${c.url}`, dstIp: ip, port, protocol: "TCP" as const, name: c.request.host, request: c.request };
    if (!ports.has(proxy)) ports.set(proxy, new Set());
    ports.get(proxy)?.add(port);
    if (!t.ok || c.skip !== undefined || ip === "") {
      cells.push({ ...base, predicted: t.ok && t.trace.verdict === "allowed", skip: c.skip ?? (t.ok ? `${proxy} has no lab address` : `the model cannot answer: ${t.error}`) });
      continue;
    }
    const eps = (t.trace.steps.find((s) => s.stage === "endpoints")?.endpoints ?? []).filter((e) => e.verdict !== "unused");
    const accept = eps.flatMap((e) => idByIp.get(e.address) ?? []);
    if (eps.length > 0) {
      const list = routes.get(proxy) ?? [];
      list.push({ ...c.request, backends: eps.map((e) => ({ ip: e.address, port: e.port })) });
      routes.set(proxy, list);
    }
    cells.push({ ...base, predicted: t.trace.verdict === "allowed", accept });
  }
  const proxies = [...ports.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([pod, ps]) => ({ pod, ports: [...ps].sort((a, b) => a - b), routes: routes.get(pod) ?? [] }));
  return { proxies, cells };
}
