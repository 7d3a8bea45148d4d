/**
 * @module lab/ipam/fake-store
 * In-memory `Store` for unit tests (host-local `backend/testing/fake_store.go`). Its lock is a
 * promise chain, so concurrent in-process callers still serialise.
 */
import { ownerKey, sameOwner, type Owner, type Reservation, type Store } from "./store.js";

export class FakeStore implements Store {
  readonly held = new Map<string, Owner>();
  readonly last = new Map<number, string>();
  /** Number of times `withLock` was entered, for assertions. */
  locks = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(initial: readonly Reservation[] = []) {
    for (const r of initial) this.held.set(r.ip, { containerID: r.containerID, ifname: r.ifname });
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      this.locks++;
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async reserve(owner: Owner, ip: string, rangeSetIndex: number): Promise<boolean> {
    if (this.held.has(ip)) return false;
    this.held.set(ip, { containerID: owner.containerID, ifname: owner.ifname });
    this.last.set(rangeSetIndex, ip);
    return true;
  }

  async lastReserved(rangeSetIndex: number): Promise<string | undefined> {
    return this.last.get(rangeSetIndex);
  }

  async getByOwner(owner: Owner): Promise<string[]> {
    return [...this.held].filter(([, o]) => sameOwner(o, owner)).map(([ip]) => ip).sort();
  }

  async releaseByOwner(owner: Owner): Promise<string[]> {
    const ips = await this.getByOwner(owner);
    for (const ip of ips) this.held.delete(ip);
    return ips;
  }

  async release(ip: string): Promise<void> {
    this.held.delete(ip);
  }

  async list(): Promise<Reservation[]> {
    return [...this.held].map(([ip, o]) => ({ ip, ...o })).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }

  async gc(valid: readonly Owner[]): Promise<Reservation[]> {
    const keep = new Set(valid.map(ownerKey));
    const gone = (await this.list()).filter((r) => !keep.has(ownerKey(r)));
    for (const r of gone) this.held.delete(r.ip);
    return gone;
  }
}

// Compile-time proof that the fake satisfies the interface (host-local `var _ backend.Store`).
const _check: Store = new FakeStore();
void _check;
