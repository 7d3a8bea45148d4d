/**
 * @module service (decoder)
 * v1 Service with the API server's defaulting (SetDefaults_Service) and the validation that
 * decides what a Service means (ValidateService). Range checks that do not change meaning
 * (nodePort inside --service-node-port-range) belong to `kwire lint`.
 *
 * Defaults: type ClusterIP; port protocol TCP; targetPort = port; sessionAffinity None;
 * externalTrafficPolicy and internalTrafficPolicy Cluster. `clusterIP: None` ⇒ headless.
 * An empty selector `{}` is the same as none: "If empty or not present, the service is
 * assumed to have an external process managing its endpoints".
 */
import { formatIp, isProtocol, parseCidr, parseIp, type Cidr, type Ip, type IpFamilyPolicy, type Service, type ServicePort, type ServiceType, type TargetPort, type TrafficPolicy } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";
import { IANA_SVC_NAME } from "./network-policy.js";

const TYPES: readonly ServiceType[] = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
/** RFC 1123 subdomain, as `externalName` must be. */
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function decodeService(obj: Cursor): Service | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || (!spec.isAbsent && !spec.expect("map"))) return undefined;
  const type = decodeType(spec.get("type"));
  if (!type) return undefined;
  const ips = decodeClusterIPs(spec);
  const ports = decodePorts(spec.get("ports"), type);
  const selector = spec.get("selector").stringMap();
  const externalName = spec.get("externalName").optString();
  const headless = ips.headless;
  checkTypeRules(spec, type, headless, ips.ips.length > 0, externalName);
  const externalIPs = ipList(spec.get("externalIPs"));
  const lbIPs = loadBalancerIPs(spec, obj.get("status"));
  const sourceRanges = loadBalancerSourceRanges(spec, obj, type);
  const traffic = trafficPolicies(spec, type, externalIPs.length > 0);
  const families = type === "ExternalName" ? {} : decodeIpFamilies(spec, ips.ips);
  const svc: Service = {
    kind: "Service",
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    type,
    // The selector is ignored for ExternalName Services.
    ...(Object.keys(selector).length > 0 && type !== "ExternalName" ? { selector } : {}),
    clusterIPs: type === "ExternalName" ? [] : ips.ips,
    headless: type !== "ExternalName" && headless,
    ...families,
    ...(type === "ExternalName" && externalName !== undefined ? { externalName } : {}),
    externalIPs,
    loadBalancerIPs: type === "LoadBalancer" ? lbIPs : [],
    ...(sourceRanges.length > 0 ? { loadBalancerSourceRanges: sourceRanges } : {}),
    ports,
    sessionAffinity: decodeAffinity(spec.get("sessionAffinity")),
    ...traffic,
    publishNotReadyAddresses: spec.get("publishNotReadyAddresses").optBool() ?? false,
    source: obj.ref,
  };
  return svc;
}

function decodeType(c: Cursor): ServiceType | undefined {
  const text = c.optString() ?? "ClusterIP";
  const t = TYPES.find((x) => x === text);
  if (!t) c.error("invalid-value", `type "${text}" is not one of ${TYPES.join(", ")}`);
  return t;
}

/** spec.clusterIP / spec.clusterIPs: "None" ⇒ headless; otherwise IP addresses ("" = allocate). */
function decodeClusterIPs(spec: Cursor): { ips: Ip[]; headless: boolean } {
  const texts: { c: Cursor; text: string }[] = [];
  const single = spec.get("clusterIP").optString();
  if (single !== undefined && single !== "") texts.push({ c: spec.get("clusterIP"), text: single });
  const list = spec.get("clusterIPs");
  if (!list.isAbsent && list.expect("seq")) {
    for (const item of list.items()) {
      const t = item.optString();
      if (t !== undefined && t !== "" && !texts.some((x) => x.text === t)) texts.push({ c: item, text: t });
    }
  }
  if (texts.some((x) => x.text === "None")) {
    if (texts.length > 1) spec.get("clusterIPs").error("invalid-value", 'clusterIPs may hold "None" only as its single value');
    return { ips: [], headless: true };
  }
  const ips: Ip[] = [];
  for (const { c, text } of texts) {
    const ip = parseIp(text);
    if (!ip) c.error("invalid-value", `"${text}" is not an IP address (or "None" for a headless Service)`);
    else ips.push(ip);
  }
  return { ips, headless: false };
}

const POLICIES: readonly IpFamilyPolicy[] = ["SingleStack", "PreferDualStack", "RequireDualStack"];

/**
 * spec.ipFamilies and spec.ipFamilyPolicy, validated as the API server does (ServiceSpec API
 * reference; https://kubernetes.io/docs/concepts/services-networking/dual-stack/): ipFamilies
 * holds "a maximum of two entries (dual-stack families, in either order)", IPv4 or IPv6, and
 * "must correspond to the values of the clusterIPs field, if specified"; two families (or two
 * clusterIPs) need PreferDualStack or RequireDualStack. Which ClusterIPs the Service then gets
 * is decided where they are allocated (services/frontends.ts).
 */
function decodeIpFamilies(spec: Cursor, ips: readonly Ip[]): { ipFamilies?: (4 | 6)[]; ipFamilyPolicy?: IpFamilyPolicy } {
  const out: { ipFamilies?: (4 | 6)[]; ipFamilyPolicy?: IpFamilyPolicy } = {};
  const pc = spec.get("ipFamilyPolicy");
  const policyText = pc.optString();
  if (policyText !== undefined) {
    const p = POLICIES.find((x) => x === policyText);
    if (p === undefined) pc.error("invalid-value", `ipFamilyPolicy "${policyText}" is not one of ${POLICIES.join(", ")}`);
    else out.ipFamilyPolicy = p;
  }
  const fc = spec.get("ipFamilies");
  if (!fc.isAbsent && fc.expect("seq")) {
    const fams: (4 | 6)[] = [];
    for (const item of fc.items()) {
      const t = item.optString();
      const f = t === "IPv4" ? 4 : t === "IPv6" ? 6 : undefined;
      if (f === undefined) item.error("invalid-value", `ipFamilies entry ${JSON.stringify(t)} is not IPv4 or IPv6`);
      else if (fams.includes(f)) item.error("invalid-value", `ipFamilies lists ${t} twice`);
      else fams.push(f);
    }
    if (fams.length > 0) out.ipFamilies = fams;
  }
  const single = (out.ipFamilyPolicy ?? "SingleStack") === "SingleStack";
  if (single && (out.ipFamilies?.length ?? 0) > 1) fc.error("invalid-value", "ipFamilies lists two families, which ipFamilyPolicy SingleStack (the default) does not allow: use PreferDualStack or RequireDualStack");
  if (single && ips.length > 1) spec.get("clusterIPs").error("invalid-value", "clusterIPs holds two addresses, which ipFamilyPolicy SingleStack (the default) does not allow: use PreferDualStack or RequireDualStack");
  if (ips.length === 2 && ips[0]?.family === ips[1]?.family) spec.get("clusterIPs").error("invalid-value", `clusterIPs ${ips.map(formatIp).join(", ")} are of one family; a dual-stack Service has one of each`);
  ips.forEach((ip, i) => {
    const f = out.ipFamilies?.[i];
    if (f !== undefined && f !== ip.family) spec.get("clusterIPs").error("invalid-value", `clusterIPs[${i}] ${formatIp(ip)} is IPv${ip.family} but ipFamilies[${i}] is IPv${f}`);
  });
  return out;
}

function decodePorts(c: Cursor, type: ServiceType): ServicePort[] {
  const out: ServicePort[] = [];
  if (c.isAbsent || !c.expect("seq")) return out;
  const items = c.items();
  for (const p of items) {
    const port = decodePort(p, items.length > 1);
    if (!port) continue;
    if (out.some((x) => x.port === port.port && x.protocol === port.protocol)) {
      p.error("invalid-value", `port ${port.protocol}/${port.port} is listed twice`);
      continue;
    }
    if (port.name !== undefined && out.some((x) => x.name === port.name)) {
      p.get("name").error("invalid-value", `port name "${port.name}" is used twice`);
      continue;
    }
    if (port.nodePort !== undefined && type === "ClusterIP") {
      p.get("nodePort").error("invalid-value", "nodePort may not be used when type is 'ClusterIP'");
      continue;
    }
    out.push(port);
  }
  return out;
}

function decodePort(p: Cursor, named: boolean): ServicePort | undefined {
  if (!p.expect("map")) return undefined;
  const name = p.get("name").optString();
  if (named && (name === undefined || name === "")) {
    p.get("name").error("missing-field", "a Service with more than one port must name each port");
    return undefined;
  }
  const portC = p.get("port");
  if (portC.isAbsent) portC.error("missing-field", 'required field "port" is missing');
  const port = portC.optInt();
  if (port === undefined) return undefined;
  if (port < 1 || port > 65535) {
    portC.error("invalid-port", `port ${port} is outside 1-65535`);
    return undefined;
  }
  const protoText = p.get("protocol").optString() ?? "TCP";
  if (!isProtocol(protoText)) {
    p.get("protocol").error("invalid-protocol", `protocol "${protoText}" is not TCP, UDP or SCTP`);
    return undefined;
  }
  const targetPort = decodeTargetPort(p.get("targetPort"), port);
  if (!targetPort) return undefined;
  const nodePort = p.get("nodePort").optInt();
  const appProtocol = p.get("appProtocol").optString();
  return {
    ...(name !== undefined && name !== "" ? { name } : {}),
    protocol: protoText,
    port,
    targetPort,
    ...(nodePort !== undefined && nodePort !== 0 ? { nodePort } : {}),
    ...(appProtocol !== undefined ? { appProtocol } : {}),
    source: p.ref,
  };
}

/** "Number or name of the port to access on the pods … Defaults to the value of 'port'." */
function decodeTargetPort(c: Cursor, port: number): TargetPort | undefined {
  if (c.isAbsent) return { type: "Number", port };
  if (c.kind === "string") {
    const text = String(c.scalar());
    // A quoted number ("8080") is an IntOrString string, validated as a port name, and rejected.
    if (!IANA_SVC_NAME.test(text)) {
      c.error("invalid-port", `targetPort "${text}" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and '-', at least one letter)`);
      return undefined;
    }
    return { type: "Name", name: text };
  }
  const n = c.optInt();
  if (n === undefined) return undefined;
  if (n === 0) return { type: "Number", port };
  if (n < 1 || n > 65535) {
    c.error("invalid-port", `targetPort ${n} is outside 1-65535`);
    return undefined;
  }
  return { type: "Number", port: n };
}

function checkTypeRules(spec: Cursor, type: ServiceType, headless: boolean, hasIPs: boolean, externalName: string | undefined): void {
  if (type === "ExternalName") {
    if (externalName === undefined || externalName === "") {
      spec.get("externalName").error("missing-field", 'a Service of type ExternalName needs "externalName"');
    } else if (!DNS1123_SUBDOMAIN.test(externalName.replace(/\.$/, ""))) {
      spec.get("externalName").error("invalid-value", `externalName "${externalName}" is not a lowercase RFC 1123 DNS name`);
    }
    if (hasIPs || headless) spec.get("clusterIP").error("invalid-value", "clusterIP must be empty for a Service of type ExternalName");
    return;
  }
  if (headless && (type === "NodePort" || type === "LoadBalancer")) {
    spec.get("clusterIP").error("invalid-value", `clusterIP may not be "None" for a Service of type ${type}`);
  }
  if (spec.get("ports").items().length === 0 && !headless) {
    spec.get("ports").error("missing-field", `a Service of type ${type} needs at least one port (only headless and ExternalName Services may have none)`);
  }
}

function ipList(c: Cursor): Ip[] {
  const out: Ip[] = [];
  if (c.isAbsent || !c.expect("seq")) return out;
  for (const item of c.items()) {
    const t = item.optString();
    if (t === undefined) continue;
    const ip = parseIp(t);
    if (ip) out.push(ip);
    else item.error("invalid-value", `"${t}" is not an IP address`);
  }
  return out;
}

/** spec.loadBalancerIP (deprecated, still honoured by many providers) and status.loadBalancer.ingress[].ip. */
function loadBalancerIPs(spec: Cursor, status: Cursor): Ip[] {
  const out: Ip[] = [];
  const add = (ip: Ip | undefined): void => {
    if (ip && !out.some((x) => x.family === ip.family && x.value === ip.value)) out.push(ip);
  };
  for (const item of status.get("loadBalancer").get("ingress").items()) {
    const t = item.get("ip").optString();
    if (t !== undefined) add(parseIp(t));
  }
  const requested = spec.get("loadBalancerIP").optString();
  if (requested !== undefined && requested !== "") {
    const ip = parseIp(requested);
    if (!ip) spec.get("loadBalancerIP").error("invalid-value", `"${requested}" is not an IP address`);
    add(ip);
  }
  return out;
}

const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

/**
 * spec.loadBalancerSourceRanges (CIDRs, "only applies to LoadBalancer Services"; the API
 * trims spaces). The older annotation is read by cloud providers' load balancers, not by
 * kube-proxy: a warning says it is not modelled.
 */
function loadBalancerSourceRanges(spec: Cursor, obj: Cursor, type: ServiceType): Cidr[] {
  const out: Cidr[] = [];
  const c = spec.get("loadBalancerSourceRanges");
  if (!c.isAbsent && c.expect("seq")) {
    for (const item of c.items()) {
      const t = item.optString()?.trim();
      if (t === undefined) continue;
      const r = parseCidr(t);
      if (r.ok) out.push(r.cidr);
      else item.error("invalid-cidr", `"${t}" is not a CIDR: ${r.reason}`);
    }
  }
  if (out.length > 0 && type !== "LoadBalancer") c.report("invalid-value", "warning", `loadBalancerSourceRanges applies to LoadBalancer Services only; type is ${type}: ignored`);
  const ann = obj.get("metadata").get("annotations").get(SOURCE_RANGES_ANNOTATION);
  if (!ann.isAbsent) ann.report("invalid-value", "warning", `annotation ${SOURCE_RANGES_ANNOTATION} is enforced by some cloud load balancers, not by kube-proxy: not modelled (use spec.loadBalancerSourceRanges)`);
  return type === "LoadBalancer" ? out : [];
}

function decodeAffinity(c: Cursor): "None" | "ClientIP" {
  const t = c.optString() ?? "None";
  if (t === "None" || t === "ClientIP") return t;
  c.error("invalid-value", `sessionAffinity "${t}" is not None or ClientIP`);
  return "None";
}

/** Both default to Cluster; externalTrafficPolicy may be set only on externally reachable Services. */
function trafficPolicies(spec: Cursor, type: ServiceType, hasExternalIPs: boolean): { externalTrafficPolicy: TrafficPolicy; internalTrafficPolicy: TrafficPolicy } {
  const ext = policy(spec.get("externalTrafficPolicy"));
  const int = policy(spec.get("internalTrafficPolicy"));
  const external = type === "NodePort" || type === "LoadBalancer" || (type === "ClusterIP" && hasExternalIPs);
  if (ext !== undefined && !external) {
    spec.get("externalTrafficPolicy").error("invalid-value", "externalTrafficPolicy may only be set on externally-accessible Services (NodePort, LoadBalancer, or with externalIPs)");
  }
  return { externalTrafficPolicy: ext ?? "Cluster", internalTrafficPolicy: int ?? "Cluster" };
}

function policy(c: Cursor): TrafficPolicy | undefined {
  const t = c.optString();
  if (t === undefined) return undefined;
  if (t === "Local" || t === "Cluster") return t;
  c.error("invalid-value", `traffic policy "${t}" is not Cluster or Local`);
  return undefined;
}
