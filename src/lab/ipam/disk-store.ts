/**
 * @module lab/ipam/disk-store
 * The on-disk `Store` (host-local `backend/disk/backend.go`): in `<dataDir>/<network>/` one file per
 * reserved address, named by the canonical address and holding `containerID\nifname` (host-local's
 * `\r\n` is read too); `last_reserved_ip.<rangeSet>` remembers where round-robin continues; the
 * exclusive lock is `.kwire.lock` (see `lock.ts`). File operations are synchronous on purpose: a
 * CNI process is short-lived and each call is one syscall.
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseIp } from "./addr.js";
import { acquireLock, type LockOptions } from "./lock.js";
import { ownerKey, sameOwner, type Owner, type Reservation, type Store } from "./store.js";

const LOCK_FILE = ".kwire.lock";
const LAST_PREFIX = "last_reserved_ip.";

const errno = (e: unknown): string | undefined =>
  e instanceof Error && "code" in e && typeof e.code === "string" ? e.code : undefined;

export class DiskStore implements Store {
  readonly dir: string;

  constructor(dataDir: string, network: string, private readonly lockOptions: LockOptions = {}) {
    this.dir = join(dataDir, network);
  }

  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const release = await acquireLock(join(this.dir, LOCK_FILE), this.lockOptions);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async reserve(owner: Owner, ip: string, rangeSetIndex: number): Promise<boolean> {
    try {
      writeFileSync(join(this.dir, ip), `${owner.containerID}\n${owner.ifname}`, { flag: "wx", mode: 0o644 });
    } catch (e) {
      if (errno(e) === "EEXIST") return false;
      throw e;
    }
    writeFileSync(join(this.dir, `${LAST_PREFIX}${rangeSetIndex}`), ip);
    return true;
  }

  async lastReserved(rangeSetIndex: number): Promise<string | undefined> {
    return this.read(`${LAST_PREFIX}${rangeSetIndex}`)?.trim();
  }

  async getByOwner(owner: Owner): Promise<string[]> {
    return (await this.list()).filter((r) => sameOwner(r, owner)).map((r) => r.ip);
  }

  async releaseByOwner(owner: Owner): Promise<string[]> {
    const ips = await this.getByOwner(owner);
    for (const ip of ips) this.unlink(ip);
    return ips;
  }

  async release(ip: string): Promise<void> {
    this.unlink(ip);
  }

  async list(): Promise<Reservation[]> {
    const out: Reservation[] = [];
    for (const name of this.names()) {
      if (parseIp(name) === undefined) continue;
      const text = this.read(name);
      if (text === undefined) continue;
      const [containerID = "", ifname = ""] = text.split(/\r?\n/);
      out.push({ ip: name, containerID: containerID.trim(), ifname: ifname.trim() });
    }
    return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }

  async gc(valid: readonly Owner[]): Promise<Reservation[]> {
    const keep = new Set(valid.map(ownerKey));
    const gone = (await this.list()).filter((r) => !keep.has(ownerKey(r)));
    for (const r of gone) this.unlink(r.ip);
    return gone;
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (e) {
      if (errno(e) === "ENOENT") return [];
      throw e;
    }
  }

  private read(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, name), "utf8");
    } catch (e) {
      if (errno(e) === "ENOENT") return undefined;
      throw e;
    }
  }

  private unlink(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (e) {
      if (errno(e) !== "ENOENT") throw e;
    }
  }
}

const _check: Store = new DiskStore("/nonexistent", "x");
void _check;
