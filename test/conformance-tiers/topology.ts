/**
 * @module conformance-tiers/topology
 * The network-policy-api conformance topology, from
 * kubernetes-sigs/network-policy-api conformance/base/manifests.yaml
 * (commit d48faeeb0e0235fce9233fac6fb737cf654e89ed): four namespaces
 * `network-policy-conformance-{gryffindor,slytherin,hufflepuff,ravenclaw}` labelled
 * `conformance-house: <house>`, each running a StatefulSet of 2 replicas (harry-potter,
 * draco-malfoy, cedric-diggory, luna-lovegood) whose pods serve TCP 80/8080, UDP 53/5353 and
 * SCTP 9003/9005.
 *
 * The pods are written as the Pod objects the StatefulSet controller creates
 * (`<set>-0`, `<set>-1`), so kwire sees what `kubectl get pods -o yaml` would show:
 * - labels: the template's `conformance-house`, plus `statefulset.kubernetes.io/pod-name` and
 *   `apps.kubernetes.io/pod-index`, which the controller adds (upstream policies select
 *   `statefulset.kubernetes.io/pod-name: cedric-diggory-0`);
 * - namespaces carry `kubernetes.io/metadata.name`, which the API server adds;
 * - container ports: upstream declares only `80/TCP` named `web` and `53/UDP` named `dns`; the
 *   other served ports (8080/TCP, 5353/UDP, 9003/SCTP, 9005/SCTP) are declared here without a
 *   name, so every probed port is a declared one. No upstream policy names a port other than
 *   `web`/`dns`, so this changes no verdict.
 * - fixed pod IPs (status.podIP) so that `networks` (CIDR) peers can name them.
 *
 * Upstream's fifth namespace (`forbidden-forrest`, host-network pods used only by the
 * experimental `nodes`-peer tests) is not part of this topology.
 */

export const HOUSES = ["gryffindor", "slytherin", "hufflepuff", "ravenclaw"] as const;
export type House = (typeof HOUSES)[number];

/** The StatefulSet of each house, as in manifests.yaml. */
export const STATEFULSET: Readonly<Record<House, string>> = {
  gryffindor: "harry-potter",
  slytherin: "draco-malfoy",
  hufflepuff: "cedric-diggory",
  ravenclaw: "luna-lovegood",
};

export const namespaceOf = (house: House): string => `network-policy-conformance-${house}`;

/** Pod names as upstream's tests write them (`harry-potter-0`, …). */
export type PodName = `${"harry-potter" | "draco-malfoy" | "cedric-diggory" | "luna-lovegood"}-${0 | 1}`;

export interface ConformancePod {
  readonly name: PodName;
  readonly house: House;
  readonly namespace: string;
  readonly index: 0 | 1;
  readonly ip: string;
}

/** 10.244.<house 1-4>.<10 + replica index>: one /24 per house, fixed. */
export const PODS: readonly ConformancePod[] = HOUSES.flatMap((house, h) =>
  ([0, 1] as const).map((index): ConformancePod => ({
    name: `${STATEFULSET[house]}-${index}` as PodName,
    house,
    namespace: namespaceOf(house),
    index,
    ip: `10.244.${h + 1}.${10 + index}`,
  })),
);

export function pod(name: PodName): ConformancePod {
  const p = PODS.find((x) => x.name === name);
  if (!p) throw new Error(`no conformance pod ${name}`);
  return p;
}

/** kwire's pod id (`namespace/name`). */
export const podId = (name: PodName): string => `${pod(name).namespace}/${name}`;

/** Served ports: [containerPort, protocol, upstream port name or undefined]. */
export const SERVED: readonly (readonly [number, "TCP" | "UDP" | "SCTP", string | undefined])[] = [
  [80, "TCP", "web"],
  [8080, "TCP", undefined],
  [5353, "UDP", undefined],
  [53, "UDP", "dns"],
  [9003, "SCTP", undefined],
  [9005, "SCTP", undefined],
];

function namespaceYaml(house: House): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespaceOf(house)}
  labels:
    conformance-house: ${house}
    kubernetes.io/metadata.name: ${namespaceOf(house)}`;
}

function containerYaml(set: string, [port, protocol, name]: (typeof SERVED)[number]): string {
  return `  - name: ${set}-${port}
    image: registry.k8s.io/e2e-test-images/agnhost:2.43
    ports:
    - containerPort: ${port}
      protocol: ${protocol}${name === undefined ? "" : `\n      name: ${name}`}`;
}

function podYaml(p: ConformancePod): string {
  const set = STATEFULSET[p.house];
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${p.name}
  namespace: ${p.namespace}
  labels:
    conformance-house: ${p.house}
    statefulset.kubernetes.io/pod-name: ${p.name}
    apps.kubernetes.io/pod-index: "${p.index}"
spec:
  containers:
  - name: ${set}-client
    image: registry.k8s.io/e2e-test-images/agnhost:2.43
${SERVED.map((s) => containerYaml(set, s)).join("\n")}
status:
  phase: Running
  podIP: ${p.ip}
  podIPs:
  - ip: ${p.ip}`;
}

/** Namespaces and pods as one multi-document YAML file. */
export function clusterYaml(): string {
  return [...HOUSES.map(namespaceYaml), ...PODS.map(podYaml)].join("\n---\n") + "\n";
}
