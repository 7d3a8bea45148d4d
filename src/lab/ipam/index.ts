/**
 * @module lab/ipam
 * kwire's host-local-style IPAM: address math, ranges and range sets, the `Store` interface with
 * its disk and in-memory implementations, the allocator and the `ipam` config decoder.
 */
export * from "./addr.js";
export * from "./range.js";
export * from "./store.js";
export * from "./allocator.js";
export * from "./config.js";
export { DiskStore } from "./disk-store.js";
export { FakeStore } from "./fake-store.js";
export { acquireLock, LockTimeoutError, type LockOptions } from "./lock.js";
