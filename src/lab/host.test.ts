import { describe, expect, it } from "vitest";
import { createHost, FakeHost, hostInNetns, netnsPath, wrapArgv } from "./host.js";

describe("host | real", () => {
  it("runs argv without a shell and passes stdin", async () => {
    const h = createHost();
    const r = await h.exec([process.execPath, "-e", "process.stdin.pipe(process.stdout)"], { input: "$HOME; echo hi" });
    expect(r).toEqual({ stdout: "$HOME; echo hi", stderr: "", code: 0 });
  });
  it("reports exit codes and a missing program as 127", async () => {
    const h = createHost();
    expect((await h.exec([process.execPath, "-e", "process.exit(3)"])).code).toBe(3);
    const missing = await h.exec(["/nonexistent/kw-prog"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("ENOENT");
  });
  it("reads files, undefined when missing", async () => {
    const h = createHost();
    expect(await h.readFile("/nonexistent/file")).toBeUndefined();
    expect(await h.readFile("/proc/net/dev")).toContain("lo:");
    expect(await h.exists("/proc/net/dev")).toBe(true);
  });
});

describe("host | netns wrapping", () => {
  it("enters a netns through nsenter, never in-process", () => {
    expect(netnsPath("pod1")).toBe("/var/run/netns/pod1");
    expect(netnsPath("/proc/42/ns/net")).toBe("/proc/42/ns/net");
    expect(wrapArgv(["ip", "link"], "pod1")).toEqual(["nsenter", "--net=/var/run/netns/pod1", "--", "ip", "link"]);
    expect(wrapArgv(["ip", "link"], undefined)).toEqual(["ip", "link"]);
  });
  it("hostInNetns routes exec and file helpers into the netns", async () => {
    const fake = new FakeHost().on((c) => (c.argv[0] === "cat" ? { stdout: "x" } : undefined));
    const h = hostInNetns(fake, "node1");
    await h.exec(["ip", "link"]);
    await h.exec(["ip", "addr"], { netns: "/var/run/netns/pod" });
    expect(await h.readFile("/proc/net/dev")).toBe("x");
    await h.writeFile("/proc/sys/net/ipv4/ip_forward", "1");
    expect(fake.transcript()).toBe([
      "[node1] ip link",
      "[/var/run/netns/pod] ip addr",
      "[node1] cat /proc/net/dev",
      "[node1] tee /proc/sys/net/ipv4/ip_forward\n  | 1",
    ].join("\n"));
  });
});

describe("host | fake", () => {
  it("records calls and answers from the newest matching responder", async () => {
    const h = new FakeHost({ "/a": "1" })
      .on((c) => (c.argv[0] === "ip" ? { code: 2, stderr: "old" } : undefined))
      .on((c) => (c.argv[1] === "link" ? { stdout: "new" } : undefined));
    expect(await h.exec(["ip", "link"])).toEqual({ stdout: "new", stderr: "", code: 0 });
    expect(await h.exec(["ip", "addr"])).toEqual({ stdout: "", stderr: "old", code: 2 });
    expect(await h.exec(["true"])).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(h.calls.map((c) => c.argv.join(" "))).toEqual(["ip link", "ip addr", "true"]);
    expect(await h.readFile("/a")).toBe("1");
  });
});
