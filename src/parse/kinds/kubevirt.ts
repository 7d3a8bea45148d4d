/**
 * @module kubevirt (decoder)
 * KubeVirt `VirtualMachine` and `VirtualMachineInstance` (kubevirt.io/v1) as workloads: a VMI
 * runs in one virt-launcher pod, and that pod is what NetworkPolicies select. Its labels are the
 * VMI's labels plus what virt-controller adds (kubevirt/kubevirt
 * pkg/virt-controller/services/template.go `podLabels`, pinned by template_test.go):
 * `kubevirt.io: virt-launcher`, `kubevirt.io/created-by: <VMI uid>` and
 * `vm.kubevirt.io/name: <hostname>` (spec.hostname, else the VMI's name). A VirtualMachine's VMI
 * takes its labels from `spec.template.metadata.labels` and the VM's name
 * (https://kubevirt.io/user-guide/user_workloads/lifecycle/, "VirtualMachine"), so the same
 * labels hold for a VM. `kubevirt.io/domain` is an annotation of the launcher pod, not a label:
 * it selects nothing unless the template's labels carry it, as KubeVirt's examples do
 * (https://kubevirt.io/user-guide/network/service_objects/).
 *
 * Ports: the interfaces' `ports` (`spec.domain.devices.interfaces[].ports`: name, port, protocol)
 * are the launcher pod's named ports (masquerade binding forwards exactly those). Whether it runs:
 * `spec.running`, else `spec.runStrategy` (Always, RerunOnFailure, Once: one pod; Halted: none;
 * Manual: as `status.ready` says); a VMI runs unless its phase is Succeeded or Failed. A VMI's
 * `status.interfaces[].ipAddress` is not used: without its launcher pod in the input the pod's
 * address is unknown, as for any workload template.
 */
import { isProtocol, type ContainerPort, type Workload } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";

export const KUBEVIRT_KINDS = ["VirtualMachine", "VirtualMachineInstance"] as const;
export type KubevirtKind = (typeof KUBEVIRT_KINDS)[number];

export const isKubevirtApi = (apiVersion: string): boolean => apiVersion.startsWith("kubevirt.io/");

/** The interfaces' ports: one bad entry is an error on that entry (the rest is read). */
function interfacePorts(vmiSpec: Cursor): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const iface of vmiSpec.get("domain").get("devices").get("interfaces").items()) {
    for (const p of iface.get("ports").items()) {
      const port = p.entry((e) => {
        const n = e.get("port").optInt();
        if (n === undefined || n < 1 || n > 65535) {
          e.get("port").error("invalid-port", n === undefined ? 'required field "port" is missing' : `port ${n} is outside 1-65535`);
          return undefined;
        }
        const proto = e.get("protocol").optString() ?? "TCP";
        if (!isProtocol(proto)) {
          e.get("protocol").error("invalid-protocol", `protocol "${proto}" is not TCP, UDP or SCTP`);
          return undefined;
        }
        const name = e.get("name").optString();
        return { ...(name !== undefined ? { name } : {}), containerPort: n, protocol: proto };
      });
      if (port) out.push(port);
    }
  }
  return out;
}

function vmReplicas(spec: Cursor, status: Cursor): number {
  const running = spec.get("running").optBool();
  if (running !== undefined) return running ? 1 : 0;
  const strategy = spec.get("runStrategy").optString() ?? "Halted";
  if (strategy === "Manual") return status.get("ready").optBool() === true ? 1 : 0;
  return strategy === "Halted" ? 0 : 1;
}

export function decodeKubevirt(kind: KubevirtKind, obj: Cursor): Workload | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const spec = obj.get("spec");
  const isVm = kind === "VirtualMachine";
  const template = isVm ? spec.get("template") : obj;
  if (isVm && template.isAbsent) {
    template.error("missing-field", `VirtualMachine ${meta.namespace}/${meta.name} has no VMI template (spec.template)`);
    return undefined;
  }
  const vmiSpec = template.get("spec");
  const own = isVm ? template.get("metadata").get("labels").stringMap() : meta.labels;
  const hostname = vmiSpec.get("hostname").optString() ?? meta.name;
  const uid = isVm ? undefined : obj.get("metadata").get("uid").optString();
  const labels: Record<string, string> = { ...own, "kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": hostname, ...(uid !== undefined ? { "kubevirt.io/created-by": uid } : {}) };
  const phase = obj.get("status").get("phase").optString();
  const replicas = isVm ? vmReplicas(spec, obj.get("status")) : phase === "Succeeded" || phase === "Failed" ? 0 : 1;
  return { kind, namespace: meta.namespace, name: meta.name, labels, hostNetwork: false, ports: interfacePorts(vmiSpec), replicas, owners: meta.owners, source: obj.ref };
}
