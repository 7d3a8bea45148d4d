/**
 * @module calico (decoder)
 * Calico's policy kinds, projectcalico.org/v3 and the crd.projectcalico.org/v1 form the CRDs
 * store (same spec): NetworkPolicy, GlobalNetworkPolicy, StagedNetworkPolicy,
 * StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy, Tier, NetworkSet, GlobalNetworkSet.
 *
 * Defaults decided here, once (apiv3 PolicySpec / TierSpec docs):
 * - `tier` absent ⇒ "default"; `order` absent ⇒ +Inf (undefined);
 * - `types` absent or empty ⇒ [Ingress] when there are no egress rules, [Egress] when there are
 *   egress rules but no ingress rules, [Ingress, Egress] when there are both;
 * - `selector` absent ⇒ all(); Tier `defaultAction` absent ⇒ Deny; `stagedAction` absent ⇒ Set.
 * The built-in tiers keep the order and default action the Tier CRD's CEL rules pin them to.
 */
import {
  CALICO_BUILTIN_TIERS,
  type CalicoNetworkSet,
  type CalicoPolicy,
  type CalicoPolicyKind,
  type CalicoRule,
  type CalicoTier,
  parseCidr,
  parseIp,
  type Cidr,
  type PolicyType,
  type StagedAction,
  type StagedKubernetesNetworkPolicy,
} from "../../model/index.js";
import { Cursor } from "../cursor.js";
import { decodeCalicoRule, decodeCalicoSelector, netSetsOf } from "./calico-rule.js";
import { decodeMeta } from "./metadata.js";
import { decodeNetworkPolicy } from "./network-policy.js";

export const CALICO_GROUPS = ["projectcalico.org/v3", "crd.projectcalico.org/v1"] as const;

export type CalicoObject = CalicoPolicy | CalicoTier | CalicoNetworkSet | StagedKubernetesNetworkPolicy;

const POLICY_KINDS: readonly CalicoPolicyKind[] = ["NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy"];

/** True for the apiVersion/kind pairs this module decodes. */
export function isCalicoKind(apiVersion: string, kind: string): boolean {
  return (CALICO_GROUPS as readonly string[]).includes(apiVersion) && (POLICY_KINDS.includes(kind as CalicoPolicyKind) || ["Tier", "NetworkSet", "GlobalNetworkSet", "StagedKubernetesNetworkPolicy"].includes(kind));
}

/** Decodes one Calico object; undefined (with diagnostics) when it is invalid. */
export function decodeCalicoObject(obj: Cursor, apiVersion: string, kind: string): CalicoObject | undefined {
  const pk = POLICY_KINDS.find((k) => k === kind);
  if (pk) return decodeCalicoPolicy(obj, pk, apiVersion);
  if (kind === "Tier") return decodeCalicoTier(obj);
  if (kind === "NetworkSet" || kind === "GlobalNetworkSet") return decodeNetworkSet(obj, kind);
  if (kind === "StagedKubernetesNetworkPolicy") return decodeStagedKubernetesNetworkPolicy(obj, apiVersion);
  return undefined;
}

function isGlobal(kind: CalicoPolicyKind): boolean {
  return kind === "GlobalNetworkPolicy" || kind === "StagedGlobalNetworkPolicy";
}

function specKeys(kind: CalicoPolicyKind): string[] {
  const common = ["order", "tier", "selector", "types", "ingress", "egress", "serviceAccountSelector", "performanceHints"];
  const global = isGlobal(kind) ? ["namespaceSelector", "doNotTrack", "preDNAT", "applyOnForward"] : [];
  const staged = kind.startsWith("Staged") ? ["stagedAction"] : [];
  return [...common, ...global, ...staged];
}

export function decodeCalicoPolicy(obj: Cursor, kind: CalicoPolicyKind, apiVersion: string): CalicoPolicy | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "status"]);
  const meta = decodeMeta(obj, !isGlobal(kind));
  const spec = obj.get("spec");
  if (spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
  if (!meta || !spec.expect("map")) return undefined;
  spec.checkKeys(specKeys(kind));
  const tier = spec.get("tier").optString() ?? "default";
  checkTierPrefix(obj, meta.name, tier);
  const order = decodeOrder(spec.get("order"));
  const selector = spec.get("selector").isAbsent ? undefined : decodeCalicoSelector(spec.get("selector"));
  const namespaceSelector = isGlobal(kind) && !spec.get("namespaceSelector").isAbsent ? decodeCalicoSelector(spec.get("namespaceSelector")) : undefined;
  const serviceAccountSelector = spec.get("serviceAccountSelector").isAbsent ? undefined : decodeCalicoSelector(spec.get("serviceAccountSelector"));
  const ingress = decodeRules(spec.get("ingress"));
  const egress = decodeRules(spec.get("egress"));
  const types = decodeTypes(spec.get("types"), ingress.length > 0 || hasItems(spec.get("ingress")), egress.length > 0 || hasItems(spec.get("egress")));
  const hostOptions = isGlobal(kind) ? decodeHostOptions(spec, egress.length > 0) : [];
  const stagedAction = kind.startsWith("Staged") ? decodeStagedAction(spec.get("stagedAction")) : undefined;
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || !types) return undefined;
  return {
    kind,
    apiVersion,
    name: meta.name,
    namespace: isGlobal(kind) ? undefined : meta.namespace,
    tier,
    order,
    selector,
    namespaceSelector,
    serviceAccountSelector,
    types,
    ingress,
    egress,
    stagedAction,
    hostOptions,
    source: obj.ref,
  };
}

function hasItems(c: Cursor): boolean {
  return c.kind === "seq" && c.items().length > 0;
}

/**
 * Older Calico releases require a policy outside the default tier to be named `<tier>.<name>`
 * (and reject it otherwise); current ones do not. kwire accepts both and says so.
 */
function checkTierPrefix(obj: Cursor, name: string, tier: string): void {
  if (tier === "default" || name.startsWith(`${tier}.`)) return;
  obj.get("metadata").get("name").report("invalid-value", "warning", `policy "${name}" is in tier "${tier}" but its name does not start with "${tier}.": older Calico releases reject this`, `rename it "${tier}.${name}" to load on every Calico version`);
}

function decodeOrder(c: Cursor): number | undefined {
  if (c.isAbsent) return undefined;
  if (!c.expect("number")) return undefined;
  const n = Number(c.scalar());
  if (!Number.isFinite(n)) {
    c.error("invalid-value", `order ${String(c.scalar())} is not a finite number`);
    return undefined;
  }
  return n;
}

function decodeRules(c: Cursor): CalicoRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CalicoRule[] = [];
  c.items().forEach((r, i) => {
    const rule = decodeCalicoRule(r, i);
    if (rule) out.push(rule);
  });
  return out;
}

/** apiv3 PolicySpec.Types defaulting; explicit values must be Ingress or Egress, once each. */
function decodeTypes(c: Cursor, hasIngress: boolean, hasEgress: boolean): PolicyType[] | undefined {
  if (c.isAbsent || (c.kind === "seq" && c.items().length === 0)) {
    if (hasEgress && hasIngress) return ["Ingress", "Egress"];
    return hasEgress ? ["Egress"] : ["Ingress"];
  }
  if (!c.expect("seq")) return undefined;
  const out: PolicyType[] = [];
  for (const it of c.items()) {
    const v = it.optString();
    if (v !== "Ingress" && v !== "Egress") {
      if (v !== undefined) it.error("invalid-value", `type "${v}" is not Ingress or Egress`);
      return undefined;
    }
    if (out.includes(v)) {
      it.error("invalid-value", `type "${v}" is listed twice`);
      return undefined;
    }
    out.push(v);
  }
  return out;
}

/** doNotTrack, preDNAT and applyOnForward apply to host endpoints, which kwire does not model. */
function decodeHostOptions(spec: Cursor, hasEgress: boolean): string[] {
  const out: string[] = [];
  const flag = (k: string): boolean => spec.get(k).optBool() === true;
  const dnt = flag("doNotTrack");
  const pre = flag("preDNAT");
  const fwd = flag("applyOnForward");
  if (dnt && pre) spec.get("preDNAT").error("invalid-value", "preDNAT and doNotTrack cannot both be true");
  if ((dnt || pre) && !fwd) spec.get("applyOnForward").error("invalid-value", "applyOnForward must be true when doNotTrack or preDNAT is true");
  if (pre && hasEgress) spec.get("egress").error("invalid-value", "a preDNAT policy cannot have egress rules");
  for (const [k, v] of [["doNotTrack", dnt], ["preDNAT", pre], ["applyOnForward", fwd]] as const) if (v) out.push(k);
  if (out.length > 0) spec.report("peer-not-modelled", "warning", `${out.join(", ")}: host-endpoint options kwire does not model (it models pod traffic only)`);
  return out;
}

function decodeStagedAction(c: Cursor): StagedAction | undefined {
  const t = c.optString() ?? "Set";
  if (t !== "Set" && t !== "Delete" && t !== "Learn" && t !== "Ignore") {
    c.error("invalid-value", `stagedAction "${t}" is not one of Set, Delete, Learn, Ignore`);
    return undefined;
  }
  return t;
}

export function decodeCalicoTier(obj: Cursor): CalicoTier | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "status"]);
  const meta = decodeMeta(obj, false);
  const spec = obj.get("spec");
  if (!meta) return undefined;
  if (!spec.isAbsent && spec.expect("map")) spec.checkKeys(["order", "defaultAction"]);
  const order = decodeOrder(spec.get("order"));
  const da = spec.get("defaultAction").optString() ?? "Deny";
  if (da !== "Deny" && da !== "Pass") spec.get("defaultAction").error("invalid-value", `defaultAction "${da}" is not Deny or Pass`);
  const builtin = CALICO_BUILTIN_TIERS.find((t) => t.name === meta.name);
  if (builtin && (order !== builtin.order || da !== builtin.defaultAction)) {
    obj.get("metadata").get("name").error("invalid-value", `the built-in tier "${builtin.name}" must have order ${builtin.order} and defaultAction ${builtin.defaultAction} (got ${order ?? "none"}, ${da})`);
  }
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || (da !== "Deny" && da !== "Pass")) return undefined;
  return { kind: "Tier", name: meta.name, order, defaultAction: da, source: obj.ref };
}

function decodeNetworkSet(obj: Cursor, kind: "NetworkSet" | "GlobalNetworkSet"): CalicoNetworkSet | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "status"]);
  const meta = decodeMeta(obj, kind === "NetworkSet");
  if (!meta) return undefined;
  const spec = obj.get("spec");
  const nets: Cidr[] = [];
  const domains: string[] = [];
  if (!spec.isAbsent && spec.expect("map")) {
    spec.checkKeys(["nets", "allowedEgressDomains"]);
    const nc = spec.get("nets");
    if (!nc.isAbsent && nc.expect("seq")) for (const it of nc.items()) {
      const t = it.optString();
      if (t === undefined) continue;
      const ip = t.includes("/") ? undefined : parseIp(t);
      const parsed = ip ? parseCidr(`${t}/${ip.family === 4 ? 32 : 128}`) : parseCidr(t);
      if (parsed.ok) nets.push(parsed.cidr);
      else it.error("invalid-cidr", `invalid CIDR "${t}": ${parsed.reason}`);
    }
    const dc = spec.get("allowedEgressDomains");
    if (!dc.isAbsent && dc.expect("seq")) {
      for (const it of dc.items()) domains.push(it.optString() ?? "?");
      dc.report("peer-not-modelled", "warning", `allowedEgressDomains (${domains.join(", ")}) is not modelled: kwire cannot resolve names, so the set matches only its nets`);
    }
  }
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed) return undefined;
  return { kind, name: meta.name, namespace: kind === "NetworkSet" ? meta.namespace : undefined, labels: meta.labels, nets, netSets: netSetsOf(nets), allowedEgressDomains: domains, source: obj.ref };
}

/**
 * StagedKubernetesNetworkPolicy: a networking.k8s.io/v1 NetworkPolicySpec plus `stagedAction`,
 * decoded by the NetworkPolicy decoder (the one place NetworkPolicy quirks live).
 */
function decodeStagedKubernetesNetworkPolicy(obj: Cursor, apiVersion: string): StagedKubernetesNetworkPolicy | undefined {
  const before = obj.ctx.diagnostics.length;
  const stagedAction = decodeStagedAction(obj.get("spec").get("stagedAction"));
  const policy = decodeNetworkPolicy(obj, ["stagedAction"]);
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || !policy || !stagedAction) return undefined;
  return { kind: "StagedKubernetesNetworkPolicy", apiVersion, stagedAction, policy, source: obj.ref };
}
