/**
 * `kwire trace` north-south: Gateway API, OpenShift Routes, Ingress classes nobody serves and
 * ExternalName aliases, run through the CLI on fixtures/scenarios/north-south, goldens under
 * its expected/. Each case cites the spec text or conformance test it pins.
 */
import { describe, expect, it } from "vitest";
import { golden, run, scenario, STACK_LINE } from "../cli/harness.js";

const F = ["-f", scenario("north-south", "cluster.yaml")];
const GW = "https://github.com/kubernetes-sigs/gateway-api/blob/main";

interface Case {
  readonly name: string;
  /** The rule, and where it is written. */
  readonly rule: string;
  readonly source: string;
  readonly args: readonly string[];
  readonly verdict: "allowed" | "denied";
  readonly says: readonly string[];
}

const NET = ["--from", "internet"];

const CASES: readonly Case[] = [
  // Listener hostname matching: conformance HTTPRouteListenerHostnameMatching (bar.com → v1, foo.bar.com → v2, *.bar.com → v3, also for several labels).
  { name: "gw-listener-exact", rule: "the listener with the exact hostname takes bar.com", source: `${GW}/conformance/tests/httproute-listener-hostname-matching.go`, args: [...NET, "http://bar.com/"], verdict: "allowed", says: ["listener listener-1", "HTTPRoute gw/backend-v1", "allowed via backend-v1"] },
  { name: "gw-listener-more-specific", rule: "foo.bar.com goes to the foo.bar.com listener, not *.bar.com", source: `${GW}/conformance/tests/httproute-listener-hostname-matching.go`, args: [...NET, "http://foo.bar.com/"], verdict: "allowed", says: ["listener listener-2", "allowed via backend-v2"] },
  { name: "gw-listener-wildcard-labels", rule: "*.bar.com is a suffix match: multiple.prefixes.bar.com goes to listener-3", source: `${GW}/conformance/tests/httproute-listener-hostname-matching.go`, args: [...NET, "http://multiple.prefixes.bar.com/"], verdict: "allowed", says: ["listener listener-3", "allowed via backend-v3"] },
  // HTTPRoute matching: conformance HTTPRouteMatching (path prefix /v2 and header version: two → v2).
  { name: "gw-prefix-longest", rule: "the longest PathPrefix wins: /v2/example → the /v2 rule", source: `${GW}/conformance/tests/httproute-matching.go`, args: [...NET, "http://match.example.com/v2/example"], verdict: "allowed", says: ["rule 1 matches GET /v2/example: PathPrefix /v2", "allowed via backend-v2"] },
  { name: "gw-header-count", rule: "on an equal path, the match with more header matches wins (/ with version: two → v2)", source: `${GW}/conformance/tests/httproute-matching.go`, args: [...NET, "http://match.example.com/", "--header", "Version: two"], verdict: "allowed", says: ["header version=two", "allowed via backend-v2"] },
  { name: "gw-exact-over-prefix", rule: "\"Exact path match\" comes before the longest prefix; the data plane's egress policy then denies backend-v3", source: `${GW}/apis/v1/httproute_types.go (HTTPRouteRule.Matches precedence)`, args: [...NET, "http://match.example.com/v2/exact"], verdict: "denied", says: ["rule 2 matches GET /v2/exact: Exact /v2/exact", "gw/envoy-gw-1 is isolated for egress by gw/envoy-egress"] },
  { name: "gw-method-match", rule: "\"Method match\" outranks a plain prefix of the same length", source: `${GW}/apis/v1/httproute_types.go (HTTPRouteRule.Matches precedence)`, args: [...NET, "http://match.example.com/v2/x", "--method", "POST"], verdict: "denied", says: ["rule 3 matches POST /v2/x: PathPrefix /v2, method POST"] },
  { name: "gw-query-match", rule: "\"Largest number of query param matches\" breaks the remaining tie", source: `${GW}/apis/v1/httproute_types.go (HTTPRouteRule.Matches precedence)`, args: [...NET, "http://match.example.com/v2/x?canary=yes"], verdict: "denied", says: ["rule 4 matches GET /v2/x: PathPrefix /v2, query canary=yes"] },
  { name: "gw-oldest-route", rule: "\"The oldest Route based on creation timestamp\" wins a tie across routes", source: `${GW}/apis/v1/httproute_types.go (HTTPRouteRule.Matches precedence)`, args: [...NET, "http://match.example.com/tie"], verdict: "allowed", says: ["HTTPRoute gw/zz-older rule 0", "precedence over HTTPRoute gw/newer-tie"] },
  { name: "gw-data-plane-port", rule: "the data plane is the pods labelled gateway.networking.k8s.io/gateway-name; the client reaches them on the targetPort of the Service in front (80 → 10080)", source: "CONTRACT.md north-south sources; Envoy Gateway's generated Service", args: [...NET, "http://match.example.com/v2"], verdict: "allowed", says: ["reached on TCP/10080: gw/envoy-gw-1"] },
  { name: "gw-reference-grant", rule: "a backendRef to another namespace is allowed by a ReferenceGrant there", source: `${GW}/apis/v1beta1/referencegrant_types.go`, args: [...NET, "http://shop.example.com/billing"], verdict: "allowed", says: ["HTTPRoute apps/shop rule 0", "allowed via billing"] },
  { name: "gw-no-reference-grant", rule: "without a ReferenceGrant the reference is not permitted: 500, denied", source: `${GW}/conformance/tests/httproute-invalid-reference-grant.go`, args: [...NET, "http://shop.example.com/ledger"], verdict: "denied", says: ["RefNotPermitted", "500"] },
  { name: "gw-weight-zero", rule: "weight 0 never receives traffic; all backends at 0 ⇒ 500", source: `${GW}/conformance/tests/httproute-all-backends-weight-zero.go`, args: [...NET, "http://shop.example.com/zero"], verdict: "denied", says: ["weight 0: it never receives traffic", "500"] },
  { name: "gw-port-missing", rule: "a backendRef port the Service does not declare is an invalid backend: 500", source: `${GW}/apis/v1/httproute_types.go (HTTPBackendRef: invalid backends get a 500)`, args: [...NET, "http://shop.example.com/badport"], verdict: "denied", says: ["has no port 9999", "500"] },
  { name: "gw-partial-invalid", rule: "an invalid backend takes its share of requests to 500; the valid one still serves", source: `${GW}/apis/v1/httproute_types.go (HTTPRouteRule.BackendRefs)`, args: [...NET, "http://shop.example.com/"], verdict: "allowed", says: ["apps/shop:8080 (weight 90, 90%)", "its 10% of requests get a 500"] },
  { name: "gw-selector-no-route", rule: "a listener whose namespace selector admits no attached route answers 404", source: `${GW}/apis/v1/gateway_types.go (RouteNamespaces.From Selector)`, args: [...NET, "http://x.example.com:8080/"], verdict: "denied", says: ["0 route(s) attached to listener infra-only", "404"] },
  { name: "gw-grpc-method", rule: "GRPCRoute: more characters in a matching method win (shop.Cart/Add over shop.Cart/*)", source: `${GW}/apis/v1/grpcroute_types.go (GRPCRouteRule.Matches precedence)`, args: [...NET, "http://grpc.example.com/shop.Cart/Add", "--method", "POST"], verdict: "allowed", says: ["GRPCRoute gw/grpc rule 0", "allowed via backend-v2"] },
  { name: "gw-status-address", rule: "the Gateway's address comes from status.addresses: a URL to it with a Host header follows the listener that hostname matches", source: `${GW}/apis/v1/gateway_types.go (GatewayStatus.Addresses)`, args: [...NET, "http://198.51.100.80/v2", "--header", "Host: match.example.com"], verdict: "allowed", says: ["Gateway gw/gw (class eg, address 198.51.100.80) listener web", "rule 1 matches GET /v2"] },
  { name: "gw-status-address-no-host", rule: "without a Host the request to the Gateway's address matches no hostname listener on port 80", source: `${GW}/apis/v1/gateway_types.go (Listener.Hostname)`, args: [...NET, "http://198.51.100.80/"], verdict: "denied", says: ["has no HTTP listener on port 80 that takes host 198.51.100.80"] },
  // OpenShift Routes (openshift/router GenerateRouteRegexp; longest path first).
  { name: "os-route-longest-path", rule: "the Route with the longest matching path wins; router pods are the policy source", source: "openshift/router pkg/router/template/util/util.go GenerateRouteRegexp", args: [...NET, "http://ledger.apps.example.org/api/v1"], verdict: "allowed", says: ["Route other/ledger", "openshift-ingress/router-default-1", "allowed by other/ledger-from-router"] },
  { name: "os-route-element-wise", rule: "path /api does not match /apix (\"(/.*)?$\"), so / takes it; its only backend has weight 0: 503", source: "openshift/router pkg/router/template/util/util.go GenerateRouteRegexp", args: [...NET, "http://ledger.apps.example.org/apix"], verdict: "denied", says: ["Route other/ledger-root", "weight 0", "503"] },
  // Ingress.
  { name: "ingress-class-nobody-serves", rule: "an Ingress whose class has no IngressClass and no controller is served by nobody", source: "https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class", args: [...NET, "http://legacy.example.org/"], verdict: "denied", says: ["which no IngressClass declares", "nobody serves it"] },
  { name: "unknown-host-from-outside", rule: "a host no Ingress, Gateway or Route serves, from outside, is denied (exit 1), not a usage error", source: "CONTRACT.md north-south sources", args: [...NET, "http://foo.com/"], verdict: "denied", says: ["no Ingress, Gateway or Route serves host foo.com"] },
  // ExternalName: CoreDNS answers the CNAME and the in-zone target's A record (plugin/backend_lookup.go).
  { name: "externalname-in-cluster", rule: "an ExternalName alias of an in-cluster Service continues through that Service's ClusterIP and endpoints", source: "https://github.com/coredns/coredns/blob/master/plugin/backend_lookup.go (A: CNAME target inside the zone)", args: ["apps/shop", "db-alias.apps:5432"], verdict: "allowed", says: ["CNAME pg.data.svc.cluster.local, A 10.96.4.10", "Service data/pg", "allowed via pg-0"] },
  { name: "externalname-outside-allowed", rule: "an ExternalName to a name outside the cluster is an external address judged by ipBlock egress (--external-ip)", source: "https://kubernetes.io/docs/concepts/services-networking/service/#externalname", args: ["apps/shop", "svc/payments:443", "-n", "apps", "--external-ip", "api.payments.example=192.0.2.7"], verdict: "allowed", says: ["192.0.2.7 (api.payments.example, --external-ip)", "allowed by apps/shop-egress egress[0]"] },
  { name: "externalname-outside-denied", rule: "the same ExternalName resolving outside the ipBlock is denied by egress", source: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource (ipBlock)", args: ["apps/shop", "svc/payments:443", "-n", "apps", "--external-ip", "api.payments.example=198.51.100.7"], verdict: "denied", says: ["ipBlock 192.0.2.0/24 does not contain 198.51.100.7"] },
  // loadBalancerSourceRanges (pkg/proxy/iptables/proxier.go KUBE-FW-*; nftables firewall-*): dropped at the LB IP, nodePorts not filtered.
  { name: "lbsr-inside", rule: "a client inside loadBalancerSourceRanges reaches the LoadBalancer IP", source: "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/ (loadBalancerSourceRanges); pkg/proxy/iptables/proxier.go", args: ["--from-ip", "203.0.113.9", "198.51.100.20:443"], verdict: "allowed", says: ["203.0.113.9 is inside 203.0.113.0/24", "allowed via admin"] },
  { name: "lbsr-outside", rule: "a client outside loadBalancerSourceRanges is dropped at the LoadBalancer IP", source: "pkg/proxy/iptables/proxier.go (KUBE-PROXY-FIREWALL DROP)", args: ["--from-ip", "198.51.100.9", "198.51.100.20:443"], verdict: "denied", says: ["198.51.100.9 is outside every range"] },
  { name: "lbsr-nodeport", rule: "\"nodeports are not subject to loadBalancerSourceRanges\"", source: "pkg/proxy/iptables/proxier.go (Capture nodeports)", args: ["--from-ip", "198.51.100.9", "10.0.0.1:30443"], verdict: "allowed", says: ["via NodePort 10.0.0.1:30443"] },
  { name: "lbsr-pod", rule: "a pod's connection to the LoadBalancer IP is checked with the pod's own address (caught in its node's prerouting)", source: "pkg/proxy/iptables/proxier.go (KUBE-SERVICES → KUBE-FW-*)", args: ["apps/shop", "198.51.100.20:443"], verdict: "denied", says: ["10.244.1.16 is outside every range"] },
];

describe("kwire trace north-south (Gateway API, OpenShift Route, Ingress, ExternalName)", () => {
  for (const c of CASES) {
    it(`${c.rule} — ${c.source} (expected/trace.${c.name}.txt)`, async () => {
      const r = await run(["trace", ...c.args, ...F]);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code, r.stderr).toBe(c.verdict === "allowed" ? 0 : 1);
      for (const s of c.says) expect(r.stdout).toContain(s);
      await expect(r.stdout).toMatchFileSnapshot(golden("north-south", `trace.${c.name}.txt`));
    });
  }

  it("an ExternalName outside the cluster whose possible addresses the policies treat differently asks for --external-ip (exit 2)", async () => {
    const r = await run(["trace", "apps/shop", "svc/payments:443", "-n", "apps", ...F]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give its address with --external-ip api\.payments\.example=IP/);
  });

  it("TCPRoute is listed as not modelled (a warning naming file:line), never silently dropped", async () => {
    const r = await run(["trace", ...NET, "http://bar.com/", ...F]);
    expect(r.stderr).toMatch(/cluster\.yaml:\d+:\d+: warning\[unsupported-kind\]: TCPRoute .* is not modelled/);
  });

  it("bad --external-ip and --header values are usage errors", async () => {
    for (const bad of [["--external-ip", "nope"], ["--header", "novalue"]]) {
      const r = await run(["trace", "apps/shop", "svc/payments:443", "-n", "apps", ...bad, ...F]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });
});
