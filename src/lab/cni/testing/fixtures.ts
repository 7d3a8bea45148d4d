/**
 * @module lab/cni/testing/fixtures
 * Shared unit-test fixtures: a network config, a FakeHost primed like a node netns, a request.
 */
import { FakeHost } from "../../host.js";
import { FakeStore } from "../../ipam/index.js";
import { loadNetConf } from "../config.js";
import { CniError } from "../errors.js";
import type { CniDeps } from "../deps.js";
import type { CniCommand, CniRequest, NetConf } from "../types.js";

export const NETNS = "/var/run/netns/kw-t-unit";

export const baseConfig = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  cniVersion: "1.1.0",
  name: "unit",
  type: "kwire",
  bridge: "kw-unit0",
  isGateway: true,
  isDefaultGateway: true,
  hairpinMode: true,
  mtu: 1450,
  ipam: { type: "host-local", dataDir: "/tmp/kw-unit", ranges: [[{ subnet: "10.9.0.0/29" }], [{ subnet: "fd09::/120" }]] },
  ...over,
});

export function conf(over: Record<string, unknown> = {}): NetConf {
  const c = loadNetConf(baseConfig(over));
  if (c instanceof CniError) throw new Error(c.msg);
  return c;
}

export function request(command: CniCommand, c: NetConf = conf(), containerID = "ctr1"): CniRequest {
  return { command, containerID, netns: NETNS, ifname: "eth0", args: {}, path: ["/usr/lib/cni"], conf: c };
}

const PROC_NET_DEV = "Inter-|   Receive\n face |bytes\n    lo: 0 0\n  eth0: 0 0\n";

/** A FakeHost whose netns exists and whose node batch prints the bridge. */
export function fakeNode(): FakeHost {
  return new FakeHost({ [NETNS]: "", "/proc/net/dev": PROC_NET_DEV, "/proc/sys/net/ipv4/ip_forward": "0\n" }).on((c) =>
    c.argv.includes("-batch") && c.netns === undefined && c.argv.includes("-j")
      ? { stdout: '[{"ifname":"kw-unit0","address":"02:aa:bb:cc:dd:ee","linkinfo":{"info_kind":"bridge"}}]\n' }
      : undefined,
  );
}

export function deps(host: FakeHost, store = new FakeStore()): CniDeps & { store: FakeStore } {
  return { host, store, openStore: () => store };
}
