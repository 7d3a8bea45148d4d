import { describe, expect, it } from "vitest";
import { formatIp } from "./addr.js";
import { allocate, firstExhausted, IpamError, releaseOwner } from "./allocator.js";
import { FakeStore } from "./fake-store.js";
import { canonicalizeRange, type RangeSet } from "./range.js";
import { parseIp } from "./addr.js";

const set = (...subnets: string[]): RangeSet => subnets.map((s) => {
  const r = canonicalizeRange({ subnet: s }, "r");
  if (!r.ok) throw new Error(r.issue.message);
  return r.value;
});
const owner = (id: string) => ({ containerID: id, ifname: "eth0" });
const addrs = (a: { address: { family: 4 | 6; value: bigint } }[]) => a.map((x) => formatIp(x.address));

describe("allocator", () => {
  it("hands out one address per range set, round-robin", async () => {
    const store = new FakeStore();
    const sets = [set("10.0.0.0/29"), set("fd00::/120")];
    expect(addrs(await allocate(store, sets, owner("a")))).toEqual(["10.0.0.2", "fd00::2"]);
    expect(addrs(await allocate(store, sets, owner("b")))).toEqual(["10.0.0.3", "fd00::3"]);
    await releaseOwner(store, owner("a"));
    expect(addrs(await allocate(store, sets, owner("c")))).toEqual(["10.0.0.4", "fd00::4"]);
  });
  it("fails with the CNI exhaustion message and rolls back earlier sets", async () => {
    const store = new FakeStore();
    const sets = [set("fd00::/120"), set("10.0.0.0/30")];
    await allocate(store, sets, owner("a"));
    const err = await allocate(store, sets, owner("b")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpamError);
    expect(err instanceof IpamError && err.kind).toBe("exhausted");
    expect(err instanceof Error && err.message).toBe("no IP addresses available in range set: 10.0.0.1-10.0.0.2");
    expect((await store.list()).map((r) => r.ip)).toEqual(["10.0.0.2", "fd00::2"]);
  });
  it("honours a requested address and refuses a taken one", async () => {
    const store = new FakeStore();
    const sets = [set("10.0.0.0/24")];
    const ip = parseIp("10.0.0.77");
    if (ip === undefined) throw new Error("bad");
    expect(addrs(await allocate(store, sets, owner("a"), [ip]))).toEqual(["10.0.0.77"]);
    await expect(allocate(store, sets, owner("b"), [ip])).rejects.toThrow("requested IP address 10.0.0.77 is not available");
  });
  it("reports the first exhausted set for STATUS", async () => {
    const store = new FakeStore();
    const sets = [set("10.0.0.0/24"), set("10.1.0.0/30")];
    expect(await firstExhausted(store, sets)).toBeUndefined();
    await allocate(store, sets, owner("a"));
    expect(await firstExhausted(store, sets)).toBe(1);
  });
  it("serialises concurrent in-process allocations through the lock", async () => {
    const store = new FakeStore();
    const sets = [set("10.0.0.0/24")];
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => allocate(store, sets, owner(`c${i}`))));
    const ips = all.flatMap(addrs);
    expect(new Set(ips).size).toBe(50);
  });
});
