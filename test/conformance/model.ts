/**
 * @module conformance/model
 * The upstream e2e model (kubernetes test/e2e/network/netpol/model.go): namespaces x, y, z
 * labelled `ns: <name>` (plus the automatic `kubernetes.io/metadata.name`), each holding pods
 * a, b, c labelled `pod: <name>`. Every pod runs one container per (port, protocol) for ports
 * 80 and 81 over TCP, UDP and SCTP, named `cont-80-tcp` with containerPort name `serve-80-tcp`,
 * as `Container.Name()`/`Container.PortName()` do. Pod IPs are 10.0.<ns>.<pod> (x=1, y=2, z=3;
 * a=1, b=2, c=3) in status.podIP, so ipBlock cases can name them.
 */
import type { Labels, Protocol } from "../../src/model/index.js";

export const NAMESPACES = ["x", "y", "z"] as const;
export const POD_NAMES = ["a", "b", "c"] as const;
export const SERVED_PORTS = [80, 81] as const;
export const SERVED_PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export type Ns = (typeof NAMESPACES)[number];
export type PodName = (typeof POD_NAMES)[number];
export type PodString = `${Ns}/${PodName}`;

/** All nine pods in the upstream order: x/a, x/b, x/c, y/a, …, z/c. */
export const ALL_PODS: readonly PodString[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((p): PodString => `${ns}/${p}`));

/** Label changes for "updated namespace/pod" cases: extra labels merged over the defaults. */
export interface ModelOptions {
  readonly namespaceLabels?: Partial<Record<Ns, Labels>>;
  readonly podLabels?: Partial<Record<PodString, Labels>>;
}

export function podIP(pod: PodString): string {
  const [ns, name] = pod.split("/") as [Ns, PodName];
  return `10.0.${NAMESPACES.indexOf(ns) + 1}.${POD_NAMES.indexOf(name) + 1}`;
}

/** `serve-80-tcp`: the containerPort name upstream gives each served (port, protocol). */
export function portName(port: number, protocol: Protocol): string {
  return `serve-${port}-${protocol.toLowerCase()}`;
}

function labelLines(labels: Labels, indent: string): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${indent}${JSON.stringify(k)}: ${JSON.stringify(labels[k])}`)
    .join("\n");
}

function namespaceYaml(ns: Ns, opts: ModelOptions): string {
  const labels = { ns, ...(opts.namespaceLabels?.[ns] ?? {}) };
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
${labelLines(labels, "    ")}`;
}

function containerYaml(port: number, protocol: Protocol): string {
  const name = `cont-${port}-${protocol.toLowerCase()}`;
  return `  - name: ${name}
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    ports:
    - containerPort: ${port}
      name: ${portName(port, protocol)}
      protocol: ${protocol}`;
}

function podYaml(pod: PodString, opts: ModelOptions): string {
  const [ns, name] = pod.split("/") as [Ns, PodName];
  const labels = { pod: name, ...(opts.podLabels?.[pod] ?? {}) };
  const containers = SERVED_PORTS.flatMap((port) => SERVED_PROTOCOLS.map((proto) => containerYaml(port, proto)));
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
${labelLines(labels, "    ")}
spec:
  containers:
${containers.join("\n")}
status:
  phase: Running
  podIP: ${podIP(pod)}
  podIPs:
  - ip: ${podIP(pod)}`;
}

/** The model as one multi-document YAML file, as `kubectl get ns,pods -o yaml` would give it. */
export function modelYaml(opts: ModelOptions = {}): string {
  return [...NAMESPACES.map((ns) => namespaceYaml(ns, opts)), ...ALL_PODS.map((p) => podYaml(p, opts))].join("\n---\n") + "\n";
}
