/**
 * @module lab/resolv
 * A lab pod's resolver configuration, as the kubelet writes it for dnsPolicy ClusterFirst:
 * `nameserver <kube-dns ClusterIP>`, `search <ns>.svc.D svc.D D`, `options ndots:5` — plus
 * `timeout:1 attempts:1`, so a lookup that policy blocks fails in seconds rather than glibc's
 * 5 s × 2 per candidate. It lives in `/etc/netns/<pod netns>/resolv.conf`, which `ip netns exec`
 * bind-mounts over /etc/resolv.conf (`nsenter --net` does not). Removal deletes only that file
 * and the directory when it is then empty.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const NETNS_ETC = "/etc/netns";

export function resolvConfText(nameserver: string, namespace: string, domain: string): string {
  return `# written by kwire lab up\nnameserver ${nameserver}\nsearch ${namespace}.svc.${domain} svc.${domain} ${domain}\noptions ndots:5 timeout:1 attempts:1\n`;
}

export function writeResolvConf(netns: string, text: string, root = NETNS_ETC): void {
  mkdirSync(join(root, netns), { recursive: true });
  writeFileSync(join(root, netns, "resolv.conf"), text);
}

export function removeResolvConf(netns: string, root = NETNS_ETC): void {
  const dir = join(root, netns);
  rmSync(join(dir, "resolv.conf"), { force: true });
  try {
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    /* not empty or already gone: leave it */
  }
}

/** Netns names with a directory under /etc/netns that match `pattern`. */
export function resolvDirs(pattern: RegExp, root = NETNS_ETC): string[] {
  try {
    return readdirSync(root).filter((n) => pattern.test(n));
  } catch {
    return [];
  }
}
