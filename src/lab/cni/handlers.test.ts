import { describe, expect, it } from "vitest";
import { CniError, KwireCode, SpecCode } from "./errors.js";
import { HANDLERS } from "./handlers.js";
import { hostVethName } from "./names.js";
import { conf, deps, fakeNode, NETNS, request } from "./testing/fixtures.js";
import type { CniResult } from "./types.js";
import type { Launcher } from "./warm.js";
import type { FakeHost } from "../host.js";

const add = async (d: ReturnType<typeof deps>, c = conf(), id = "ctr1"): Promise<CniResult> => {
  const r = await HANDLERS.ADD(request("ADD", c, id), d);
  if (r === undefined) throw new Error("no result");
  return r;
};
const failure = async (p: Promise<unknown>): Promise<CniError> => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof CniError)) throw new Error(`expected CniError, got ${String(e)}`);
  return e;
};
const veth = hostVethName("ctr1", "eth0");

describe("ADD", () => {
  it("runs one node batch and one container batch", async () => {
    const host = fakeNode();
    await add(deps(host));
    expect(host.transcript()).toBe([
      "ip -j -d -batch -",
      "  | link add name kw-unit0 address de:c8:22:09:22:c9 mtu 1450 type bridge",
      "  | link set dev kw-unit0 up",
      "  | addr replace 10.9.0.1/29 dev kw-unit0",
      "  | addr replace fd09::1/120 dev kw-unit0 nodad",
      `  | link add name ${veth} address 66:ec:3d:7c:70:78 mtu 1450 type veth peer name eth0 address ae:c2:ad:d3:af:54 mtu 1450 netns ${NETNS}`,
      `  | link set dev ${veth} master kw-unit0 up`,
      `  | link set dev ${veth} type bridge_slave hairpin on`,
      "  | link show dev kw-unit0",
      "  | ",
      `[${NETNS}] ip -batch -`,
      "  | addr add 10.9.0.2/29 dev eth0",
      "  | addr add fd09::2/120 dev eth0 nodad",
      "  | link set dev eth0 up",
      "  | route add 0.0.0.0/0 via 10.9.0.1 dev eth0",
      "  | route add ::/0 via fd09::1 dev eth0",
      "  | ",
    ].join("\n"));
    expect(host.writes).toEqual([{ path: "/proc/sys/net/ipv4/ip_forward", data: "1" }, { path: "/proc/sys/net/ipv6/conf/all/forwarding", data: "1" }]);
  });

  it("returns a bridge-plugin-shaped result", async () => {
    expect(await add(deps(fakeNode()))).toEqual({
      cniVersion: "1.1.0",
      interfaces: [
        { name: "kw-unit0", mac: "02:aa:bb:cc:dd:ee" },
        { name: veth, mac: "66:ec:3d:7c:70:78" },
        { name: "eth0", mac: "ae:c2:ad:d3:af:54", sandbox: NETNS },
      ],
      ips: [
        { interface: 2, address: "10.9.0.2/29", gateway: "10.9.0.1" },
        { interface: 2, address: "fd09::2/120", gateway: "fd09::1" },
      ],
      routes: [{ dst: "0.0.0.0/0", gw: "10.9.0.1" }, { dst: "::/0", gw: "fd09::1" }],
      dns: {},
    });
  });

  it("adds ips[].version for pre-1.0.0 configs and chains onto prevResult", async () => {
    const prev = { cniVersion: "0.4.0", interfaces: [{ name: "lo0" }], ips: [{ interface: 0, address: "192.0.2.1/32" }], dns: { nameservers: ["192.0.2.53"] } };
    const r = await add(deps(fakeNode()), conf({ cniVersion: "0.4.0", prevResult: prev }));
    expect(r.cniVersion).toBe("0.4.0");
    expect(r.interfaces?.map((i) => i.name)).toEqual(["lo0", "kw-unit0", veth, "eth0"]);
    expect(r.ips).toEqual([
      { interface: 0, address: "192.0.2.1/32", version: "4" },
      { interface: 3, address: "10.9.0.2/29", gateway: "10.9.0.1", version: "4" },
      { interface: 3, address: "fd09::2/120", gateway: "fd09::1", version: "6" },
    ]);
    expect(r.dns).toEqual({ nameservers: ["192.0.2.53"] });
  });

  it("rolls back IPAM and the veth when the container batch fails", async () => {
    const host = fakeNode().on((c) => (c.netns === NETNS ? { code: 2, stderr: "Error: Nexthop has invalid gateway.\nCommand failed -:4" } : undefined));
    const d = deps(host);
    const e = await failure(add(d));
    expect(e.code).toBe(KwireCode.LinkFailed);
    expect(e.msg).toBe('container netns: "ip route add 0.0.0.0/0 via 10.9.0.1 dev eth0" failed: Error: Nexthop has invalid gateway.');
    expect(await d.store.list()).toEqual([]);
    expect(host.calls.at(-1)?.argv).toEqual(["ip", "link", "del", "dev", veth]);
  });

  it("retries without creating the bridge when a concurrent ADD created it", async () => {
    let first = true;
    const host = fakeNode().on((c) => {
      if (!c.argv.includes("-batch") || c.netns !== undefined || !first) return undefined;
      first = false;
      return { code: 2, stderr: "RTNETLINK answers: File exists\nCommand failed -:1" };
    });
    await add(deps(host));
    const nodeBatches = host.calls.filter((c) => c.netns === undefined && c.argv.includes("-batch"));
    expect(nodeBatches.length).toBe(2);
    expect(nodeBatches[1]?.input?.includes("type bridge\n")).toBe(false);
  });

  it("fails with code 3 when the netns does not exist, touching nothing", async () => {
    const host = fakeNode();
    host.files.delete(NETNS);
    const e = await failure(add(deps(host)));
    expect([e.code, e.msg]).toEqual([SpecCode.UnknownContainer, `container netns "${NETNS}" does not exist`]);
    expect(host.calls).toEqual([]);
  });

  it("refuses a second ADD of the same attachment (code 103)", async () => {
    const host = fakeNode();
    host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    expect((await failure(add(deps(host)))).code).toBe(KwireCode.AttachmentExists);
  });

  it("exhaustion is code 100 with host-local's message", async () => {
    const d = deps(fakeNode());
    const small = conf({ ipam: { type: "host-local", ranges: [[{ subnet: "10.9.0.0/30" }]] } });
    await add(d, small, "a");
    const e = await failure(add(d, small, "b"));
    expect([e.code, e.msg]).toEqual([KwireCode.IpamExhausted, "no IP addresses available in range set: 10.9.0.1-10.9.0.2"]);
  });

  it("ipMasq renders one nft transaction and removes it on DEL", async () => {
    const host = fakeNode();
    const d = deps(host);
    await add(d, conf({ ipMasq: true }));
    const nft = host.calls.filter((c) => c.argv[0] === "nft");
    expect(nft.length).toBe(1);
    expect(nft[0]?.input).toContain("add element inet kwire-cni masq4 { 10.9.0.2 : jump kw-");
    host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    await HANDLERS.DEL(request("DEL", conf({ ipMasq: true })), d);
    expect(host.calls.at(-1)?.input).toContain("delete element inet kwire-cni masq4 { 10.9.0.2 }");
  });
});

describe("DEL", () => {
  it("releases IPAM and deletes the host veth; a second DEL is a no-op success", async () => {
    const host = fakeNode();
    const d = deps(host);
    await add(d);
    host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    await HANDLERS.DEL(request("DEL"), d);
    expect(host.calls.at(-1)?.argv).toEqual(["ip", "link", "del", "dev", veth]);
    expect(await d.store.list()).toEqual([]);
    host.files.set("/proc/net/dev", "x\ny\n");
    const before = host.calls.length;
    await HANDLERS.DEL(request("DEL"), d);
    expect(host.calls.length).toBe(before);
  });
  it("treats a link that vanished meanwhile as success", async () => {
    const host = fakeNode().on((c) => (c.argv[1] === "link" && c.argv[2] === "del" ? { code: 1, stderr: 'Cannot find device "x"' } : undefined));
    host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    await expect(HANDLERS.DEL(request("DEL"), deps(host))).resolves.toBeUndefined();
  });
});

describe("STATUS and GC", () => {
  it("STATUS is ok while addresses remain and code 50 when a range set is exhausted", async () => {
    const d = deps(fakeNode());
    const small = conf({ ipam: { type: "host-local", ranges: [[{ subnet: "10.9.0.0/30" }]] } });
    await expect(HANDLERS.STATUS(request("STATUS", small), d)).resolves.toBeUndefined();
    await add(d, small);
    const e = await failure(HANDLERS.STATUS(request("STATUS", small), d));
    expect([e.code, e.msg]).toEqual([SpecCode.PluginNotAvailable, "no IP addresses available in range set: 10.9.0.1-10.9.0.2"]);
  });
  it("GC frees reservations and bridge ports not in cni.dev/valid-attachments", async () => {
    const host = fakeNode();
    const d = deps(host);
    await add(d, conf(), "keep");
    await add(d, conf(), "drop");
    const stale = hostVethName("drop", "eth0");
    host.on((c) => (c.argv.includes("master") ? { stdout: `[{"ifname":"${hostVethName("keep", "eth0")}"},{"ifname":"${stale}"},{"ifname":"other0"}]\n` } : undefined));
    await HANDLERS.GC(request("GC", conf({ "cni.dev/valid-attachments": [{ containerID: "keep", ifname: "eth0" }] })), d);
    expect((await d.store.list()).map((r) => r.containerID)).toEqual(["keep", "keep"]);
    expect(host.calls.at(-1)?.input).toBe(`link del dev ${stale}\n`);
  });
  it("GC without the attachment list is an invalid config (code 7)", async () => {
    expect((await failure(HANDLERS.GC(request("GC"), deps(fakeNode())))).code).toBe(SpecCode.InvalidNetworkConfig);
  });
});

describe("CHECK", () => {
  const live = (addrs: string) => `[{"ifname":"eth0","address":"ae:c2:ad:d3:af:54","addr_info":[${addrs}]}]\n[{"dst":"default","gateway":"10.9.0.1"}]\n`;
  const ok4 = '{"family":"inet","local":"10.9.0.2","prefixlen":29,"scope":"global"}';
  const ok6 = '{"family":"inet6","local":"fd09:0::2","prefixlen":120,"scope":"global"}';
  const setup = async (addrs: string) => {
    const host = fakeNode();
    const d = deps(host);
    const prevResult = await add(d);
    host.on((c) => (c.netns === NETNS && c.argv.includes("-batch") ? { stdout: live(addrs) } : undefined))
      .on((c) => (c.argv.includes("-6") ? { stdout: '[{"dst":"default","gateway":"fd09::1"}]\n' } : undefined))
      .on((c) => (c.argv.includes("link") && c.argv.includes("show") && c.netns === undefined ? { stdout: '[{"ifname":"x","master":"kw-unit0"}]' } : undefined));
    return { d, c: conf({ prevResult }) };
  };
  it("passes when interface, addresses, routes and IPAM match prevResult", async () => {
    const { d, c } = await setup(`${ok4},${ok6}`);
    await expect(HANDLERS.CHECK(request("CHECK", c), d)).resolves.toBeUndefined();
  });
  it("lists every mismatch", async () => {
    const { d, c } = await setup(ok6);
    const e = await failure(HANDLERS.CHECK(request("CHECK", c), d));
    expect(e.code).toBe(KwireCode.CheckMismatch);
    expect(e.details).toBe("eth0 lacks address 10.9.0.2/29 (has fd09::2/120)");
  });
  it("needs prevResult", async () => {
    expect((await failure(HANDLERS.CHECK(request("CHECK"), deps(fakeNode())))).code).toBe(SpecCode.InvalidNetworkConfig);
  });
});

/** A launcher whose processes run on the FakeHost when fed, so transcripts compare with plain exec. */
function fakeLauncher(host: FakeHost): Launcher & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    start: (argv, netns) => {
      const id = `${argv.join(" ")}${netns === undefined ? "" : ` @${netns}`}`;
      log.push(`start ${id}`);
      let fed = false;
      return {
        finish: (input) => { fed = true; log.push(`finish ${id}`); return host.exec(argv, { input, ...(netns === undefined ? {} : { netns }) }); },
        cancel: () => { if (!fed) log.push(`cancel ${id}`); fed = true; },
        get ready() { return !fed; },
      };
    },
    close: () => undefined,
  };
}

describe("with a launcher (agent mode)", () => {
  it("ADD starts the container batch first, runs the same commands as without, and answers the same", async () => {
    const [plain, early] = [fakeNode(), fakeNode()];
    const launcher = fakeLauncher(early);
    const a = await add(deps(plain));
    const b = await add({ ...deps(early), launcher });
    expect(b).toEqual(a);
    expect(early.transcript()).toBe(plain.transcript());
    expect(launcher.log).toEqual([`start ip -batch - @${NETNS}`, "start ip -j -d -batch -", "finish ip -j -d -batch -", `finish ip -batch - @${NETNS}`]);
  });

  it("cancels the early container batch when ADD fails before it, and rolls back through the launcher", async () => {
    const host = fakeNode();
    host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    const launcher = fakeLauncher(host);
    expect((await failure(add({ ...deps(host), launcher }))).code).toBe(KwireCode.AttachmentExists);
    expect(launcher.log).toEqual([`start ip -batch - @${NETNS}`, `cancel ip -batch - @${NETNS}`]);
    const failing = fakeNode().on((c) => (c.netns === NETNS ? { code: 2, stderr: "Error: Nexthop has invalid gateway.\nCommand failed -:4" } : undefined));
    const l2 = fakeLauncher(failing);
    const d = { ...deps(failing), launcher: l2 };
    expect((await failure(add(d))).code).toBe(KwireCode.LinkFailed);
    expect(failing.calls.at(-1)).toMatchObject({ argv: ["ip", "-j", "-d", "-batch", "-"], input: `link del dev ${veth}\n` });
    expect(await d.store.list()).toEqual([]);
  });

  it("DEL deletes the veth as a one-line batch and reports a failure with the same text as `ip link del`", async () => {
    const stderr = "RTNETLINK answers: Operation not permitted\n";
    const viaExec = fakeNode().on((c) => (c.argv[2] === "del" ? { code: 2, stderr } : undefined));
    const viaBatch = fakeNode().on((c) => (c.input?.startsWith("link del") === true ? { code: 1, stderr: `${stderr}Command failed -:1\n` } : undefined));
    const errs: CniError[] = [];
    for (const [host, launcher] of [[viaExec, undefined], [viaBatch, fakeLauncher(viaBatch)]] as const) {
      host.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
      errs.push(await failure(HANDLERS.DEL(request("DEL"), { ...deps(host), ...(launcher === undefined ? {} : { launcher }) })));
    }
    expect(errs.map((e) => [e.code, e.msg, e.details])).toEqual([0, 1].map(() => [KwireCode.LinkFailed, `deleting host interface ${veth} failed: RTNETLINK answers: Operation not permitted`, stderr]));
    const gone = fakeNode().on((c) => (c.input?.startsWith("link del") === true ? { code: 1, stderr: `Cannot find device "${veth}"\nCommand failed -:1\n` } : undefined));
    gone.files.set("/proc/net/dev", `x\ny\n ${veth}: 0\n`);
    await expect(HANDLERS.DEL(request("DEL"), { ...deps(gone), launcher: fakeLauncher(gone) })).resolves.toBeUndefined();
  });
});
