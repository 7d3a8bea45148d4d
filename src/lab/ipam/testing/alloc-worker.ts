/**
 * @module lab/ipam/testing/alloc-worker
 * A separate process for the IPAM concurrency test: `node alloc-worker.js DATADIR NETWORK ID SUBNET`
 * allocates one address from SUBNET on the disk store and prints it (or `ERR <message>`).
 */
import { allocate } from "../allocator.js";
import { formatIp } from "../addr.js";
import { DiskStore } from "../disk-store.js";
import { canonicalizeRange } from "../range.js";

const [dataDir = "", network = "", id = "", subnet = ""] = process.argv.slice(2);
const r = canonicalizeRange({ subnet }, "subnet");
if (!r.ok) {
  process.stdout.write(`ERR ${r.issue.message}\n`);
} else {
  try {
    const got = await allocate(new DiskStore(dataDir, network), [[r.value]], { containerID: id, ifname: "eth0" });
    process.stdout.write(`${got.map((a) => formatIp(a.address)).join(",")}\n`);
  } catch (e) {
    process.stdout.write(`ERR ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
