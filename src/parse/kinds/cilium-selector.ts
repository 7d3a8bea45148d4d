/**
 * @module cilium-selector (decoder)
 * Cilium endpoint selectors and entities: label keys lose their `k8s:`/`any:` source prefix,
 * `reserved:` keys name entities, and getEndpointSelector's namespace scoping
 * (pkg/k8s/apis/cilium.io/utils/utils.go) is applied once, here.
 */
import { CILIUM_ENTITIES, CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX, type CiliumEntity, type CiliumSelector, type LabelRequirement, type LabelSelector } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeSelector } from "./label-selector.js";

/** Strips a `k8s:`/`any:` source prefix; `reserved:` keys are returned separately. */
function bareKey(k: string): { key: string; reserved: boolean } {
  if (k.startsWith("reserved:")) return { key: k.slice("reserved:".length), reserved: true };
  const m = /^(k8s|any):(.*)$/.exec(k);
  return { key: m ? (m[2] ?? k) : k, reserved: false };
}

export function decodeCiliumSelector(c: Cursor): CiliumSelector | undefined {
  const raw = decodeSelector(c);
  if (!raw) return undefined;
  const reserved: string[] = [];
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.matchLabels)) {
    const b = bareKey(k);
    if (b.reserved) reserved.push(b.key);
    else matchLabels[b.key] = v;
  }
  const matchExpressions: LabelRequirement[] = [];
  for (const r of raw.matchExpressions) {
    const b = bareKey(r.key);
    if (b.reserved) reserved.push(b.key);
    else matchExpressions.push({ ...r, key: b.key });
  }
  return { selector: { matchLabels, matchExpressions }, reserved, source: c.ref };
}

function hasKey(s: LabelSelector, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(s.matchLabels, key) || s.matchExpressions.some((r) => r.key === key);
}

function hasKeyPrefix(s: LabelSelector, prefix: string): boolean {
  return Object.keys(s.matchLabels).some((k) => k.startsWith(prefix)) || s.matchExpressions.some((r) => r.key.startsWith(prefix));
}

/**
 * getEndpointSelector: namespaced policy ⇒ `io.kubernetes.pod.namespace = ns` (the subject always;
 * peers unless they name the namespace or namespace labels); clusterwide ⇒ peers need the label.
 */
export function withNamespaceMatch(s: LabelSelector, ns: string | undefined, subject: boolean): LabelSelector {
  if (subject) return ns === undefined ? s : { matchLabels: { ...s.matchLabels, [CILIUM_NAMESPACE_LABEL]: ns }, matchExpressions: s.matchExpressions };
  if (hasKey(s, CILIUM_NAMESPACE_LABEL)) return s;
  if (ns === undefined) return { matchLabels: s.matchLabels, matchExpressions: [...s.matchExpressions, { key: CILIUM_NAMESPACE_LABEL, operator: "Exists", values: [] }] };
  if (hasKeyPrefix(s, CILIUM_NAMESPACE_LABELS_PREFIX)) return s;
  return { matchLabels: { ...s.matchLabels, [CILIUM_NAMESPACE_LABEL]: ns }, matchExpressions: s.matchExpressions };
}

export function decodePeerSelectors(c: Cursor, ns: string | undefined, entities: CiliumEntity[]): CiliumSelector[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumSelector[] = [];
  for (const it of c.items()) {
    const sel = decodeCiliumSelector(it);
    if (!sel) continue;
    if (sel.reserved.length > 0) {
      // Reserved labels name entities (reserved:host ≡ entity host); Cilium adds no namespace.
      const known = sel.reserved.filter((r): r is CiliumEntity => (CILIUM_ENTITIES as readonly string[]).includes(r));
      if (known.length === sel.reserved.length && Object.keys(sel.selector.matchLabels).length === 0 && sel.selector.matchExpressions.length === 0) entities.push(...known);
      else {
        it.report("peer-not-modelled", "warning", `selector mixes reserved labels (${sel.reserved.join(", ")}) with others: kwire treats it as matching no endpoint`);
        out.push(sel);
      }
      continue;
    }
    out.push({ ...sel, selector: withNamespaceMatch(sel.selector, ns, false) });
  }
  return out;
}

export function decodeEntities(c: Cursor): CiliumEntity[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumEntity[] = [];
  for (const it of c.items()) {
    const t = it.optString();
    if (t === undefined) continue;
    const e = CILIUM_ENTITIES.find((x) => x === t);
    if (!e) it.error("invalid-value", `entity "${t}" is not one of ${CILIUM_ENTITIES.join(", ")}`);
    else out.push(e);
  }
  return out;
}

