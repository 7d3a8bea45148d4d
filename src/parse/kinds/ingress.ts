/**
 * @module ingress (decoder)
 * networking.k8s.io/v1 Ingress and IngressClass with the API server's validation
 * (ValidateIngressSpec): `defaultBackend` or `rules` must be given; every path needs a
 * `pathType`; Exact and Prefix paths are absolute and free of `//`, `/./`, `/../`, `%2f`
 * and of a `/..` or `/.` suffix; a backend is a service XOR a resource, and a service port
 * is a number XOR a name. The class is `spec.ingressClassName`, else the deprecated
 * `kubernetes.io/ingress.class` annotation.
 */
import type { Ingress, IngressBackend, IngressClass, IngressPath, IngressRule, PathType } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";
import { IANA_SVC_NAME } from "./network-policy.js";

const PATH_TYPES: readonly PathType[] = ["Exact", "Prefix", "ImplementationSpecific"];
const INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES = ["/..", "/."];
const CLASS_ANNOTATION = "kubernetes.io/ingress.class";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

export function decodeIngress(obj: Cursor): Ingress | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || spec.isAbsent || !spec.expect("map")) {
    if (meta && spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
    return undefined;
  }
  const dbC = spec.get("defaultBackend");
  const defaultBackend = dbC.isAbsent ? undefined : decodeBackend(dbC);
  const rules: IngressRule[] = [];
  const rulesC = spec.get("rules");
  if (!rulesC.isAbsent && rulesC.expect("seq")) for (const r of rulesC.items()) {
    const rule = decodeRule(r);
    if (rule) rules.push(rule);
  }
  if (dbC.isAbsent && rulesC.items().length === 0) spec.error("missing-field", "either `defaultBackend` or `rules` must be specified");
  const className = spec.get("ingressClassName").optString() ?? annotation(obj, CLASS_ANNOTATION);
  return {
    kind: "Ingress",
    namespace: meta.namespace,
    name: meta.name,
    ...(className !== undefined ? { ingressClassName: className } : {}),
    ...(defaultBackend ? { defaultBackend } : {}),
    rules,
    tls: spec.get("tls").items().map((t) => {
      const secretName = t.get("secretName").optString();
      return { hosts: t.get("hosts").items().map((h) => h.optString() ?? ""), ...(secretName !== undefined ? { secretName } : {}) };
    }),
    source: obj.ref,
  };
}

function annotation(obj: Cursor, key: string): string | undefined {
  const v = obj.get("metadata").get("annotations").get(key).scalar();
  return typeof v === "string" ? v : undefined;
}

function decodeRule(r: Cursor): IngressRule | undefined {
  if (!r.expect("map")) return undefined;
  const host = r.get("host").optString();
  if (host !== undefined && host !== "") {
    const bare = host.startsWith("*.") ? host.slice(2) : host;
    if (bare.includes("*")) r.get("host").error("invalid-value", `host "${host}" may use a wildcard only as its whole first label ("*.example.com")`);
    else if (/^[\d.]+$/.test(bare) || bare.includes(":")) r.get("host").error("invalid-value", `host "${host}" must be a DNS name, not an IP address`);
  }
  const paths: IngressPath[] = [];
  const http = r.get("http");
  if (!http.isAbsent && http.expect("map")) {
    const pathsC = http.get("paths");
    if (pathsC.items().length === 0) pathsC.error("missing-field", 'required field "paths" is missing or empty');
    for (const p of pathsC.items()) {
      const path = decodePath(p);
      if (path) paths.push(path);
    }
  }
  return { ...(host !== undefined && host !== "" ? { host } : {}), paths, source: r.ref };
}

/**
 * pathType is required. ImplementationSpecific is matched as Prefix (what ingress-nginx does
 * for paths without regex annotations); an empty ImplementationSpecific path means "/".
 */
function decodePath(p: Cursor): IngressPath | undefined {
  if (!p.expect("map")) return undefined;
  const ptC = p.get("pathType");
  if (ptC.isAbsent) {
    ptC.error("missing-field", "pathType must be specified (Exact, Prefix or ImplementationSpecific)");
    return undefined;
  }
  const ptText = ptC.optString();
  const pathType = PATH_TYPES.find((t) => t === ptText);
  if (!pathType) {
    if (ptText !== undefined) ptC.error("invalid-value", `pathType "${ptText}" is not Exact, Prefix or ImplementationSpecific`);
    return undefined;
  }
  const pathC = p.get("path");
  const path = pathC.optString() ?? "";
  if (!checkPath(pathC, path, pathType)) return undefined;
  const backend = decodeBackend(p.get("backend"));
  if (!backend) return undefined;
  return { path: path === "" ? "/" : path, pathType, backend };
}

function checkPath(c: Cursor, path: string, pathType: PathType): boolean {
  if (pathType === "ImplementationSpecific") {
    if (path !== "" && !path.startsWith("/")) return fail(c, `path "${path}" must be an absolute path`);
    return true;
  }
  if (!path.startsWith("/")) return fail(c, `path "${path}" must be an absolute path`);
  const seq = INVALID_SEQUENCES.find((s) => path.includes(s));
  if (seq) return fail(c, `path "${path}" must not contain "${seq}"`);
  const suffix = INVALID_SUFFIXES.find((s) => path.endsWith(s));
  if (suffix) return fail(c, `path "${path}" must not end with "${suffix}"`);
  return true;
}

function fail(c: Cursor, message: string): false {
  c.error("invalid-value", message);
  return false;
}

function decodeBackend(b: Cursor): IngressBackend | undefined {
  if (b.isAbsent) {
    b.error("missing-field", 'required field "backend" is missing');
    return undefined;
  }
  if (!b.expect("map")) return undefined;
  const svc = b.get("service");
  const res = b.get("resource");
  if (svc.isAbsent === res.isAbsent) {
    b.error("invalid-value", "a backend sets exactly one of service and resource");
    return undefined;
  }
  if (!res.isAbsent) {
    const kind = res.get("kind").reqString();
    const name = res.get("name").reqString();
    return kind !== undefined && name !== undefined ? { resource: { kind, name }, source: b.ref } : undefined;
  }
  const name = svc.get("name").reqString();
  const port = svc.get("port");
  const number = port.get("number").optInt();
  const pname = port.get("name").optString();
  if ((number === undefined) === (pname === undefined)) {
    port.error("invalid-value", "a service backend port sets exactly one of number and name");
    return undefined;
  }
  if (number !== undefined && (number < 1 || number > 65535)) return void port.get("number").error("invalid-port", `port ${number} is outside 1-65535`);
  if (pname !== undefined && !IANA_SVC_NAME.test(pname)) return void port.get("name").error("invalid-port", `"${pname}" is not a valid port name`);
  if (name === undefined) return undefined;
  return { service: { name, port: number !== undefined ? { number } : { name: pname ?? "" } }, source: b.ref };
}

export function decodeIngressClass(obj: Cursor): IngressClass | undefined {
  const meta = decodeMeta(obj, false);
  if (!meta) return undefined;
  const controller = obj.get("spec").get("controller").reqString();
  if (controller === undefined) return undefined;
  const isDefault = annotation(obj, DEFAULT_CLASS_ANNOTATION) === "true";
  return { kind: "IngressClass", name: meta.name, controller, isDefault, source: obj.ref };
}
