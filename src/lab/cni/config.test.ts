import { describe, expect, it } from "vitest";
import { DEFAULT_BRIDGE, loadNetConf } from "./config.js";
import { CniError } from "./errors.js";
import { baseConfig } from "./testing/fixtures.js";

const problem = (over: Record<string, unknown>): [number, string] | "ok" => {
  const c = loadNetConf(baseConfig(over));
  return c instanceof CniError ? [c.code, c.msg] : "ok";
};

describe("network config | defaults", () => {
  it("fills bridge defaults and lets isDefaultGateway imply isGateway", () => {
    const c = loadNetConf({ cniVersion: "1.0.0", name: "n", type: "kwire", isDefaultGateway: true, ipam: { type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }]] } });
    expect(c instanceof CniError ? c.msg : [c.bridge, c.isGateway, c.mtu, c.ipMasq, c.hairpinMode, c.ipam.dataDir]).toEqual([DEFAULT_BRIDGE, true, 0, false, false, "/var/lib/cni/networks"]);
  });
});

describe("network config | messages name the field and value", () => {
  it.each([
    [{ cniVersion: "0.2.0" }, 1, 'incompatible CNI versions; config is "0.2.0", plugin supports ["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'],
    [{ cniVersion: 1 }, 7, "cniVersion must be a string, got 1"],
    [{ name: "" }, 7, "missing network name"],
    [{ name: "bad name" }, 7, 'invalid network name "bad name" (must match /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)'],
    [{ mtu: 42 }, 7, "invalid mtu 42 (must be an integer between 68 and 65535, or 0 for the default)"],
    [{ bridge: "a-very-long-bridge-name" }, 7, 'invalid bridge name "a-very-long-bridge-name": is longer than 15 characters'],
    [{ hairpinMode: "yes" }, 7, 'hairpinMode must be a boolean, got "yes"'],
    [{ vlan: 100 }, 2, "field vlan=100 is not supported by kwire"],
    [{ ipam: undefined }, 7, "ipam is required (kwire allocates addresses itself; see ipam.ranges)"],
    [{ ipam: { type: "dhcp" } }, 2, 'ipam.type "dhcp" is not supported (kwire has built-in IPAM: "host-local" or "kwire")'],
    [{ ipam: { type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }, { subnet: "10.0.0.0/25" }]] } }, 7, "ranges 10.0.0.0/24 (ipam.ranges[0][0]) and 10.0.0.0/25 (ipam.ranges[0][1]) overlap"],
    [{ prevResult: { ips: [{}] } }, 6, "failed to decode prevResult: ips[0].address is required"],
    [{ "cni.dev/valid-attachments": [{ containerID: 1 }] }, 7, 'cni.dev/valid-attachments[0] must be {"containerID": string, "ifname": string}, got {"containerID":1}'],
  ])("%j → code %i", (over, code, msg) => {
    expect(problem(over)).toEqual([code, msg]);
  });
});
