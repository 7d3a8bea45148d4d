/**
 * @module lab/ipam/store
 * The IPAM storage interface (host-local `backend/store.go`): who holds which address. Addresses
 * are canonical strings (`formatIp`). Implementations: `DiskStore` (a file per address, cross-process
 * lock) and `FakeStore` (memory, for unit tests).
 */

/** The owner of an attachment, as the CNI runtime names it. */
export interface Owner {
  readonly containerID: string;
  readonly ifname: string;
}

export interface Reservation extends Owner {
  readonly ip: string;
}

export interface Store {
  /** Run `fn` holding the store's exclusive lock (cross-process for the disk store). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Claim `ip` for `owner`; false when somebody already holds it. */
  reserve(owner: Owner, ip: string, rangeSetIndex: number): Promise<boolean>;
  /** The address most recently handed out from range set `rangeSetIndex`. */
  lastReserved(rangeSetIndex: number): Promise<string | undefined>;
  /** Addresses held by `owner`. */
  getByOwner(owner: Owner): Promise<string[]>;
  /** Free everything `owner` holds; returns the freed addresses (empty when nothing was held). */
  releaseByOwner(owner: Owner): Promise<string[]>;
  /** Free one address (rollback of a partial allocation). Missing is fine. */
  release(ip: string): Promise<void>;
  /** Every reservation, sorted by address string. */
  list(): Promise<Reservation[]>;
  /** Free every reservation whose owner is not in `valid`; returns what was freed. */
  gc(valid: readonly Owner[]): Promise<Reservation[]>;
}

export const ownerKey = (o: Owner): string => `${o.containerID}\u0000${o.ifname}`;

export const sameOwner = (a: Owner, b: Owner): boolean =>
  a.containerID === b.containerID && a.ifname === b.ifname;
