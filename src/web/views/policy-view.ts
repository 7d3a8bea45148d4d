/**
 * @module policy-view
 * View 4: one policy at a time — the workloads it selects, and per rule its action and the peers
 * it matches (selectors resolved against the input) on which ports, beside its YAML. The list is
 * grouped by tier in evaluation order: Admin, NetworkPolicy, Baseline with priorities; under
 * Calico its tiers by order with each policy's order; under Cilium the deny tier, then the allow tier.
 */
import type { App, View } from "../app.js";
import { clear, h } from "../dom.js";
import type { PolicyDetail, PolicySummary, RuleInfo } from "../protocol.js";
import { yamlExcerpt } from "./yaml-excerpt.js";

/** How the CNI's tiers decide (docs/calico-cilium.md "How Calico decides", "How Cilium decides"). */
const TIER_RULE_TEXT = "Rules run in order: Allow and Deny decide, Pass hands the traffic to the next tier, Log goes on; what no rule decides gets the tier's default action. ";

const CILIUM_RULE_TEXT = "Deny rules win over every allow; once a policy selects a pod for a direction, only what some allow rule allows passes. ";

const chips = (ids: readonly string[], empty: string): HTMLElement =>
  ids.length === 0 ? h("span", { class: "muted" }, empty) : h("div", { class: "chips" }, ...ids.slice(0, 200).map((id) => h("span", { class: "chip" }, id)), ids.length > 200 ? h("span", { class: "muted" }, ` +${ids.length - 200} more`) : null);

export class PolicyView implements View {
  readonly tab = "policies" as const;
  readonly el = h("section", { class: "view policy-view" });
  private readonly list = h("ul", { class: "policy-list", attrs: { "data-testid": "policy-list" } });
  private readonly detail = h("div", { class: "policy-detail", attrs: { "data-testid": "policy-detail" } });
  private readonly search = h("input", { attrs: { placeholder: "filter policies", "aria-label": "filter policies" } });
  private built = false;
  private current: string | undefined;

  constructor(private readonly app: App) {
    app.policyHandler = (id) => void this.open(id);
    app.on("base", () => {
      this.built = false;
      if (!this.el.hidden) this.show();
    });
  }

  show(): void {
    if (this.built) return;
    this.built = true;
    this.search.addEventListener("input", () => this.fillList());
    clear(this.el, h("aside", { class: "policy-side" }, this.search, this.list), this.detail);
    this.fillList();
    const first = this.current ?? this.app.base.policies[0]?.id;
    if (first) void this.open(first);
    else clear(this.detail, h("p", { class: "muted" }, "The input has no policies: every pod is non-isolated, so everything is allowed."));
  }

  private fillList(): void {
    const q = this.search.value.trim().toLowerCase();
    const items = this.app.base.policies.filter((p) => !q || p.id.toLowerCase().includes(q)).slice(0, 1000);
    // Tiers in evaluation order, as the worker lists the policies (Admin → NetworkPolicy →
    // Baseline; or the CNI's tiers: Calico's by order, Cilium's deny tier then allow tier).
    const tiers = [...new Set(items.map((p) => p.tier))];
    const grouped = tiers.some((t) => t !== "NetworkPolicy");
    const meta = (p: PolicySummary): string => {
      if (p.tierLabel !== undefined) return `${p.kind}${p.order !== undefined ? ` · order ${p.order}` : ""}`;
      return p.tier === "NetworkPolicy" ? p.namespace : `${p.kind}${p.kind === "BaselineAdminNetworkPolicy" ? "" : ` · priority ${p.priority ?? 0}`}`;
    };
    const li = (p: PolicySummary): HTMLElement =>
      h(
        "li",
        { class: p.id === this.current ? "active" : "", attrs: { "data-policy": p.id }, on: { click: () => void this.open(p.id) } },
        h("div", { class: "policy-name" }, p.tierLabel !== undefined && p.namespace ? `${p.namespace}/${p.name}` : p.name),
        h("div", { class: "muted small" }, `${meta(p)} · ${p.policyTypes.join("+")} · selects ${p.selects}`),
      );
    clear(
      this.list,
      ...(grouped
        ? tiers.flatMap((t) => {
            const mine = items.filter((p) => p.tier === t);
            const label = mine[0]?.tierLabel ?? `${t} tier`;
            return mine.length ? [h("li", { class: "tier-head muted small", attrs: { "data-tier": t } }, label), ...mine.map(li)] : [];
          })
        : items.map(li)),
    );
  }

  async open(id: string): Promise<void> {
    this.show();
    this.current = id;
    for (const li of this.list.querySelectorAll("li")) li.classList.toggle("active", li.getAttribute("data-policy") === id);
    try {
      const d = await this.app.engine.call("policy", { scenario: "base", id });
      clear(this.detail, this.render(d));
    } catch (e) {
      clear(this.detail, h("div", { class: "error" }, e instanceof Error ? e.message : String(e)));
    }
  }

  private render(d: PolicyDetail): HTMLElement {
    const rule = (r: RuleInfo): HTMLElement =>
      h(
        "tr",
        null,
        h("td", null, h("span", { class: `dir ${r.direction.toLowerCase()}` }, r.direction), ` [${r.index}]`, d.tier === "NetworkPolicy" ? null : h("span", { class: `action ${r.action.toLowerCase()}` }, ` ${r.action}`), r.name ? h("div", { class: "small" }, r.name) : null, h("div", { class: "muted small" }, `line ${r.line}`), r.unmodelled !== undefined ? h("div", { class: "sev warning small" }, `uncertain: ${r.unmodelled}`) : null, r.note !== undefined ? h("div", { class: "muted small" }, r.note) : null),
        h(
          "td",
          null,
          r.peers === "all"
            ? h("span", null, r.direction === "Ingress" ? "every source (no from)" : "every destination (no to)")
            : h("div", null, ...r.peers.map((p) => h("div", { class: "peer" }, h("div", { class: "peer-text" }, p.text), p.text.startsWith("ipBlock") ? null : chips(p.matches, "matches no workload in the input")))),
        ),
        h("td", null, r.ports),
      );
    const types = d.policyTypes.join(" + ");
    return h(
      "div",
      null,
      h("div", { class: "policy-title" }, h("h2", null, d.tierLabel !== undefined ? `${d.kind} ${d.namespace ? `${d.namespace}/` : ""}${d.name}` : d.id), h("button", { on: { click: () => this.app.editObject(d.file, d.line) } }, "Edit in what-if")),
      d.tierLabel !== undefined
        ? h("p", { attrs: { "data-testid": "policy-tier" } }, `${d.order !== undefined ? `Order ${d.order} in ` : d.tier.startsWith("cilium-") ? "In " : "No order (last in its tier) in "}${d.tierLabel}. ${d.tier.startsWith("cilium-") ? CILIUM_RULE_TEXT : TIER_RULE_TEXT}`, h("span", { class: "muted" }, d.selector))
        : d.tier === "NetworkPolicy"
        ? h("p", null, `Isolates the pods it selects for ${types}. `, h("span", { class: "muted" }, `podSelector ${d.selector}`))
        : h("p", null, `${d.kind} in the ${d.tier} tier${d.kind === "BaselineAdminNetworkPolicy" ? "" : `, priority ${d.priority ?? 0}`}: the first matching rule decides (Allow, Deny, or Pass to the next tier); selecting a pod does not isolate it. `, h("span", { class: "muted" }, `subject ${d.selector}`)),
      h("h3", null, `Selects ${d.selected.length} workload${d.selected.length === 1 ? "" : "s"}`),
      chips(d.selected, "selects no workload in the input"),
      h("h3", null, "Rules"),
      d.rules.length === 0
        ? h("p", null, `No rules: the selected pods admit nothing for ${types} (unless another policy allows it).`)
        : h("table", { class: "rules" }, h("thead", null, h("tr", null, h("th", null, "Rule"), h("th", null, d.tier === "NetworkPolicy" ? "Peers it admits" : "Peers it matches"), h("th", null, "Ports"))), h("tbody", null, ...d.rules.map(rule))),
      h("h3", null, "YAML"),
      yamlExcerpt(d.file, this.app.fileText(d.file), d.line, 80),
    );
  }
}
