/**
 * @module pod-spec
 * The parts of a PodSpec the network cares about: containerPorts (of containers and of
 * restartable init containers, i.e. sidecars), hostNetwork, nodeName, hostname/subdomain.
 */
import { isProtocol, parseIp, trimmed, type ContainerPort, type DnsPolicy, type PodDns, type Protocol } from "../../model/index.js";
import { isRecord, type Cursor } from "../cursor.js";

export interface PodSpecInfo {
  readonly ports: ContainerPort[];
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  /** spec.serviceAccountName, else the deprecated spec.serviceAccount. */
  readonly serviceAccount?: string;
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly dns?: PodDns;
}

const DNS_POLICIES: readonly DnsPolicy[] = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];

/** spec.dnsPolicy (default ClusterFirst) and spec.dnsConfig; `None` requires dnsConfig with a nameserver (ValidatePodSpec). */
function decodeDns(spec: Cursor): PodDns | undefined {
  const text = spec.get("dnsPolicy").optString() ?? "ClusterFirst";
  const dnsPolicy = DNS_POLICIES.find((p) => p === text);
  if (!dnsPolicy) {
    spec.get("dnsPolicy").error("invalid-value", `dnsPolicy "${text}" is not one of ${DNS_POLICIES.join(", ")}`);
    return undefined;
  }
  const c = spec.get("dnsConfig");
  const strings = (x: Cursor): string[] => x.items().map((i) => i.optString()).filter((v): v is string => v !== undefined);
  const dnsConfig = c.isAbsent || !c.expect("map") ? undefined : {
    nameservers: strings(c.get("nameservers")),
    searches: strings(c.get("searches")),
    options: c.get("options").items().flatMap((o) => {
      const name = o.get("name").optString();
      const value = o.get("value").optString();
      return name === undefined ? [] : [value === undefined ? { name } : { name, value }];
    }),
  };
  if (dnsPolicy === "None" && (dnsConfig?.nameservers.length ?? 0) === 0) spec.get("dnsConfig").error("missing-field", 'dnsPolicy None requires dnsConfig with at least one nameserver');
  if (dnsPolicy === "ClusterFirst" && dnsConfig === undefined) return undefined;
  return dnsConfig ? { dnsPolicy, dnsConfig } : { dnsPolicy };
}

export function decodePodSpec(spec: Cursor): PodSpecInfo {
  const ports: ContainerPort[] = [];
  if (!spec.isAbsent && spec.expect("map")) {
    collectPorts(spec.get("containers"), ports, false);
    collectPorts(spec.get("initContainers"), ports, true);
  }
  const hostNetwork = spec.get("hostNetwork").optBool() ?? false;
  const nodeName = spec.get("nodeName").optString();
  const serviceAccount = spec.get("serviceAccountName").optString() ?? spec.get("serviceAccount").optString();
  const hostname = spec.get("hostname").optString();
  const subdomain = spec.get("subdomain").optString();
  const dns = spec.isAbsent ? undefined : decodeDns(spec);
  return podSpecInfo(ports, hostNetwork, dns, nodeName, serviceAccount, hostname, subdomain);
}

function podSpecInfo(
  ports: ContainerPort[], hostNetwork: boolean, dns: PodDns | undefined, nodeName: string | undefined,
  serviceAccount: string | undefined, hostname: string | undefined, subdomain: string | undefined,
): PodSpecInfo {
  // Built field by field, not with conditional spreads (spreads of fresh literals gave many
  // objects a hidden class of their own).
  const out: { -readonly [K in keyof PodSpecInfo]: PodSpecInfo[K] } = { ports: trimmed(ports), hostNetwork };
  if (dns !== undefined) out.dns = dns;
  if (nodeName !== undefined) out.nodeName = nodeName;
  if (serviceAccount !== undefined && serviceAccount !== "") out.serviceAccount = serviceAccount;
  if (hostname !== undefined) out.hostname = hostname;
  if (subdomain !== undefined) out.subdomain = subdomain;
  return out;
}

/** Marks a plain value the cursor path would report (wrong type, out of range): not fast. */
const BAD: unique symbol = Symbol("bad");

/** `optString` of a plain value: absent or null → undefined, a string, else BAD. */
function str(v: unknown): string | undefined | typeof BAD {
  return v === undefined || v === null ? undefined : typeof v === "string" ? v : BAD;
}

/** `optInt` of a plain value: absent or null → undefined, an int32 number, else BAD. */
function int(v: unknown): number | undefined | typeof BAD {
  if (v === undefined || v === null) return undefined;
  return typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : BAD;
}

/**
 * `decodePodSpec` of a clean spec read from its parsed value without cursors (the load's fast
 * path, see pod.ts): undefined whenever the cursor path would report anything (it then decodes
 * the object and reports it). A dnsConfig always goes the cursor path.
 */
export function plainPodSpec(spec: unknown, at?: () => Cursor): PodSpecInfo | undefined {
  const absent = spec === undefined || spec === null;
  if (!absent && !isRecord(spec)) return undefined;
  const s: Record<string, unknown> = absent ? {} : spec;
  const ports: (ContainerPort | DeferredPort)[] = [];
  if (!absent && (!plainPorts(s["containers"], "containers", ports, false, at !== undefined) || !plainPorts(s["initContainers"], "initContainers", ports, true, at !== undefined))) return undefined;
  const hn = s["hostNetwork"];
  if (hn !== undefined && hn !== null && typeof hn !== "boolean") return undefined;
  const nodeName = str(s["nodeName"]);
  let serviceAccount = str(s["serviceAccountName"]);
  if (serviceAccount === undefined) serviceAccount = str(s["serviceAccount"]);
  const hostname = str(s["hostname"]);
  const subdomain = str(s["subdomain"]);
  if (nodeName === BAD || serviceAccount === BAD || hostname === BAD || subdomain === BAD) return undefined;
  let dns: PodDns | undefined;
  if (!absent) {
    const policy = str(s["dnsPolicy"]) ?? "ClusterFirst";
    const dnsPolicy = DNS_POLICIES.find((p) => p === policy);
    const config = s["dnsConfig"];
    if (!dnsPolicy || dnsPolicy === "None" || (config !== undefined && config !== null)) return undefined;
    if (dnsPolicy !== "ClusterFirst") dns = { dnsPolicy };
  }
  return podSpecInfo(at === undefined ? (ports as ContainerPort[]) : resolveDeferred(ports, at), hn === true, dns, nodeName, serviceAccount, hostname, subdomain);
}

/**
 * A containerPort entry the plain reading stepped aside for (`plainPodSpec` with a cursor
 * factory): decoded by the cursor path on its own once the rest of the spec proved plain, so one
 * bad entry costs that entry's decode and diagnostic, not the whole pod's (issue 11: "1,000
 * diagnostics add ≤ 10%"). The cursor path decodes entries the same way (`collectPorts`: each
 * port in its own `entry`), so the ports, their order and the diagnostics are the same.
 */
interface DeferredPort { readonly field: "containers" | "initContainers"; readonly container: number; readonly port: number }

const isDeferred = (p: ContainerPort | DeferredPort): p is DeferredPort => "field" in p;

function resolveDeferred(ports: readonly (ContainerPort | DeferredPort)[], at: () => Cursor): ContainerPort[] {
  if (!ports.some(isDeferred)) return ports as ContainerPort[];
  const spec = at();
  const out: ContainerPort[] = [];
  for (const p of ports) {
    if (!isDeferred(p)) {
      out.push(p);
      continue;
    }
    const port = spec.get(p.field).items()[p.container]?.get("ports").items()[p.port]?.entry(decodeContainerPort);
    if (port) out.push(port);
  }
  return out;
}

/**
 * `collectPorts` of plain containers; false when the cursor path would report anything outside
 * a port entry. A port entry it would report on is deferred when `defer` (see DeferredPort).
 */
function plainPorts(containers: unknown, field: DeferredPort["field"], out: (ContainerPort | DeferredPort)[], sidecarsOnly: boolean, defer: boolean): boolean {
  if (containers === undefined || containers === null) return true;
  if (!Array.isArray(containers)) return false;
  for (let i = 0; i < containers.length; i++) {
    const c: unknown = containers[i];
    if (!isRecord(c)) return false;
    if (sidecarsOnly) {
      const restart = str(c["restartPolicy"]);
      if (restart === BAD) return false;
      if (restart !== "Always") continue;
    }
    const ports = c["ports"];
    if (ports === undefined || ports === null) continue;
    if (!Array.isArray(ports)) return false;
    for (let j = 0; j < ports.length; j++) {
      const port = plainContainerPort(ports[j]);
      if (port) out.push(port);
      else if (defer) out.push({ field, container: i, port: j });
      else return false;
    }
  }
  return true;
}

function plainContainerPort(p: unknown): ContainerPort | undefined {
  if (!isRecord(p)) return undefined;
  const port = int(p["containerPort"]);
  if (port === undefined || port === BAD || port < 1 || port > 65535) return undefined;
  const protocol = str(p["protocol"]) ?? "TCP";
  if (protocol === BAD || !isProtocol(protocol)) return undefined;
  const name = str(p["name"]);
  const hostPort = int(p["hostPort"]);
  const hostIP = str(p["hostIP"]);
  if (name === BAD || hostPort === BAD || hostIP === BAD) return undefined;
  if (hostPort !== undefined && (hostPort < 1 || hostPort > 65535)) return undefined;
  if (hostIP !== undefined && parseIp(hostIP) === undefined) return undefined;
  return containerPort(name, port, protocol, hostPort, hostIP);
}

/**
 * containerPorts, one list entry at a time: a broken entry (or container) is an error on that
 * entry only, and the rest of the pod is analysed (a lost port can hide a connection, never
 * invent one). `--strict` still fails on it.
 */
function collectPorts(containers: Cursor, out: ContainerPort[], sidecarsOnly: boolean): void {
  if (containers.isAbsent || !containers.expect("seq")) return;
  for (const c of containers.items()) {
    c.entry((container) => {
      if (!container.expect("map")) return undefined;
      if (sidecarsOnly && container.get("restartPolicy").optString() !== "Always") return undefined;
      const ports = container.get("ports");
      if (ports.isAbsent || !ports.expect("seq")) return undefined;
      for (const p of ports.items()) {
        const port = p.entry(decodeContainerPort);
        if (port) out.push(port);
      }
      return true;
    });
  }
}

function decodeContainerPort(p: Cursor): ContainerPort | undefined {
  if (!p.expect("map")) return undefined;
  const portC = p.get("containerPort");
  const port = portC.optInt();
  if (port === undefined) {
    if (portC.isAbsent) {
      const typo = p.keys().find((k) => k !== "containerPort" && k.toLowerCase() === "containerport");
      portC.error("missing-field", 'required field "containerPort" is missing', typo === undefined ? undefined : `"${typo}" is not a field; the name is "containerPort"`);
    }
    return undefined;
  }
  if (port < 1 || port > 65535) {
    portC.error("invalid-port", `containerPort ${port} is outside 1-65535`);
    return undefined;
  }
  const protoText = p.get("protocol").optString() ?? "TCP";
  if (!isProtocol(protoText)) {
    p.get("protocol").error("invalid-protocol", `protocol "${protoText}" is not TCP, UDP or SCTP`);
    return undefined;
  }
  const protocol: Protocol = protoText;
  const name = p.get("name").optString();
  // hostPort: "If specified, this must be a valid port number, 0 < x < 65536" (core/v1 ContainerPort).
  const hostC = p.get("hostPort");
  let hostPort = hostC.optInt();
  if (hostPort !== undefined && (hostPort < 1 || hostPort > 65535)) {
    hostC.error("invalid-port", `hostPort ${hostPort} is outside 1-65535; the port is read without it`);
    hostPort = undefined;
  }
  const ipC = p.get("hostIP");
  let hostIP = ipC.optString();
  if (hostIP !== undefined && parseIp(hostIP) === undefined) {
    ipC.error("invalid-value", `hostIP "${hostIP}" is not an IP address; the hostPort binds to every node address`);
    hostIP = undefined;
  }
  return containerPort(name, port, protocol, hostPort, hostIP);
}

function containerPort(name: string | undefined, port: number, protocol: Protocol, hostPort: number | undefined, hostIP: string | undefined): ContainerPort {
  // Literals, not conditional spreads (see decodePodSpec); the key order is the model's.
  const base: ContainerPort = name !== undefined ? { name, containerPort: port, protocol } : { containerPort: port, protocol };
  if (hostPort === undefined) return base;
  return hostIP !== undefined ? { ...base, hostPort, hostIP } : { ...base, hostPort };
}
