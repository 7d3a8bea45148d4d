/**
 * @module service-target
 * What a `kwire trace` destination names, beyond pods and workloads: a Service
 * (`svc/NAME[:PORT]`), a DNS name (`api.prod`, `api.prod.svc.cluster.local:8080`), a URL
 * (`http://api.prod:8080/healthz`; default port 80 for http, 443 for https) or an address with
 * a port. Pod and workload forms (`x/a`, `deploy/web`, `ns/name[Kind]`) are `workload`, left to
 * `resolveTarget`.
 */
import { parseIp, type Ip } from "../model/index.js";

export type PortRef = number | string;

export type Destination =
  | { readonly type: "service"; readonly namespace: string; readonly name: string; readonly port?: PortRef }
  | { readonly type: "name"; readonly host: string; readonly port?: PortRef; readonly path?: string; readonly url?: string }
  | { readonly type: "address"; readonly ip: Ip; readonly port?: PortRef; readonly path?: string; readonly url?: string }
  | { readonly type: "workload" };

export type DestinationResult = { readonly ok: true; readonly dst: Destination } | { readonly ok: false; readonly error: string };

const SCHEME_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };
const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([/?#].*)?$/i;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/i;
const SERVICE_PREFIX = /^(svc|service|services)\/([^/:]+)(?::([^:]+))?$/i;

const portRef = (s: string | undefined): PortRef | undefined => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : s);
const withPort = <T extends object>(o: T, port: PortRef | undefined): T & { port?: PortRef } => (port === undefined ? o : { ...o, port });

export function parseDestination(text: string, defaultNamespace: string): DestinationResult {
  const t = text.trim();
  const url = URL_RE.exec(t);
  if (url) return fromUrl(t, url);
  const svc = SERVICE_PREFIX.exec(t);
  if (svc) return { ok: true, dst: withPort({ type: "service" as const, namespace: defaultNamespace, name: svc[2] ?? "" }, portRef(svc[3])) };
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    const ip = parseIp(v6[1] ?? "");
    return ip ? { ok: true, dst: withPort({ type: "address" as const, ip }, portRef(v6[2])) } : { ok: false, error: `"${t}" is not an address` };
  }
  const colon = (t.match(/:/g) ?? []).length === 1 ? t.lastIndexOf(":") : -1;
  const base = colon >= 0 ? t.slice(0, colon) : t;
  const port = colon >= 0 ? portRef(t.slice(colon + 1)) : undefined;
  const ip = parseIp(base);
  if (ip) return { ok: true, dst: withPort({ type: "address" as const, ip }, port) };
  if (base.includes(".") && !base.includes("/") && DNS_NAME.test(base)) return { ok: true, dst: withPort({ type: "name" as const, host: base }, port) };
  return { ok: true, dst: { type: "workload" } };
}

function fromUrl(text: string, m: RegExpExecArray): DestinationResult {
  const scheme = (m[1] ?? "").toLowerCase();
  const hostText = (m[2] ?? "").replace(/^\[|\]$/g, "");
  const explicit = m[3] === undefined ? undefined : Number(m[3]);
  const port = explicit ?? SCHEME_PORTS[scheme];
  if (port === undefined) return { ok: false, error: `URL "${text}": no default port for scheme "${scheme}"; give one (${scheme}://HOST:PORT)` };
  const path = m[4] === undefined || !m[4].startsWith("/") ? `/${m[4] ?? ""}`.replace(/^\/[?#].*$/, "/") : m[4];
  const ip = parseIp(hostText);
  if (ip) return { ok: true, dst: { type: "address", ip, port, path, url: text } };
  if (!DNS_NAME.test(hostText)) return { ok: false, error: `URL "${text}": "${hostText}" is not a host name` };
  return { ok: true, dst: { type: "name", host: hostText, port, path, url: text } };
}
