/**
 * @module classes
 * Equivalence classes of nodes: two pods with the same namespace, labels, hostNetwork,
 * named containerPorts, service account and ipBlock membership of their IPs (and, when the
 * topology says so, node: Cilium's host / remote-node entities) get the same verdicts from every
 * policy, so the engine evaluates one of them. Each external cell is a class of its own.
 */
import type { ExternalCell } from "./external.js";
import type { Subject, Topology } from "./topology.js";

export interface ClassInfo {
  /** A node of the class (the first). */
  readonly representative: number;
  readonly subject: Subject | undefined;
  readonly cell: ExternalCell | undefined;
  /** For subject classes: the external cells their IPs fall in (ipBlock membership). */
  readonly ipCells: readonly number[];
  /** Id of the set of named containerPorts (what named policy ports resolve against). */
  readonly portsSig: number;
  readonly size: number;
}

export interface Classes {
  readonly classOf: Int32Array;
  readonly infos: readonly ClassInfo[];
  readonly portsSigs: readonly Subject["ports"][];
}

/**
 * Index of the external cell containing an address, by binary search over cell intervals. IPv4
 * intervals are searched as numbers (exact below 2^53), which is several times cheaper than
 * comparing bigints for every pod.
 */
export function cellLocator(cells: readonly ExternalCell[]): (family: 4 | 6, v: bigint) => number {
  const spans: { family: number; lo: bigint; hi: bigint; cell: number }[] = [];
  cells.forEach((c, i) => c.intervals.forEach((iv) => spans.push({ family: c.family, lo: iv.lo, hi: iv.hi, cell: i })));
  spans.sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const v4 = spans.filter((s) => s.family === 4);
  const v6 = spans.filter((s) => s.family === 6);
  const lo4 = Float64Array.from(v4, (s) => Number(s.lo));
  const hi4 = Float64Array.from(v4, (s) => Number(s.hi));
  const cell4 = Int32Array.from(v4, (s) => s.cell);
  return (family, v) => {
    if (family === 4) {
      const x = Number(v);
      let lo = 0;
      let hi = lo4.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((hi4[mid] as number) < x) lo = mid + 1;
        else if ((lo4[mid] as number) > x) hi = mid - 1;
        else return cell4[mid] as number;
      }
      return -1;
    }
    let lo = 0;
    let hi = v6.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = v6[mid] as (typeof v6)[number];
      if (s.hi < v) lo = mid + 1;
      else if (s.lo > v) hi = mid - 1;
      else return s.cell;
    }
    return -1;
  };
}

/** Labels as one string, by sorted key (equal labels, equal strings). */
export function labelsKey(l: Readonly<Record<string, string>>): string {
  const keys = Object.keys(l);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = "";
  for (const k of keys) out += `${k}=${l[k]}\u0001`;
  return out;
}

function namedPortsKey(ports: Subject["ports"]): string {
  const parts: string[] = [];
  for (const p of ports) if (p.name !== undefined) parts.push(`${p.name}/${p.protocol}/${p.containerPort}`);
  if (parts.length > 1) parts.sort();
  return parts.join(",");
}

/** The same keys with the same values. */
export function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function sameNamedPorts(a: Subject["ports"], b: Subject["ports"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Subject["ports"][number];
    const y = b[i] as Subject["ports"][number];
    if (x.name !== y.name || x.protocol !== y.protocol || x.containerPort !== y.containerPort) return false;
  }
  return true;
}

/** Pods of one workload sit next to each other and usually share everything: a cheap check first. */
/**
 * The address families a subject has, as bits (1: IPv4, 2: IPv6; 0: no address yet). Part of a
 * class's identity: a Calico rule's `ipVersion` matches only connections of a family both ends
 * have (calico-match.ts `connectionFamilies`), so two pods that differ only in their families
 * (an IPv4-only pod and a dual-stack one, when no ipBlock cell tells them apart) are not alike.
 */
export function familyBits(s: Pick<Subject, "ips">): number {
  let bits = 0;
  for (const ip of s.ips) bits |= ip.family === 4 ? 1 : 2;
  return bits;
}

function sameIdentity(a: Subject, b: Subject, aCells: readonly number[], bCells: readonly number[], byNode: boolean): boolean {
  return (
    a.namespace === b.namespace &&
    familyBits(a) === familyBits(b) &&
    a.hostNetwork === b.hostNetwork &&
    a.serviceAccount === b.serviceAccount &&
    (!byNode || a.nodeName === b.nodeName) &&
    aCells.length === bCells.length &&
    aCells.every((c, i) => c === bCells[i]) &&
    sameLabels(a.labels, b.labels) &&
    sameNamedPorts(a.ports, b.ports)
  );
}

const built = new WeakMap<Topology, Classes>();

/**
 * The classes of a topology, built once per topology: the fast engine and the ClassIndex that
 * lint and the web UI ask per-class questions through share them (and so their class ids).
 */
export function buildClasses(t: Topology): Classes {
  let c = built.get(t);
  if (!c) {
    c = computeClasses(t);
    built.set(t, c);
  }
  return c;
}

function computeClasses(t: Topology): Classes {
  const locate = cellLocator(t.cells);
  const byNode = t.classesByNode === true;
  const S = t.subjects.length;
  const classOf = new Int32Array(S + t.cells.length);
  const infos: ClassInfo[] = [];
  const byKey = new Map<string, number>();
  const sizes: number[] = [];
  const sigIds = new Map<string, number>();
  const portsSigs: Subject["ports"][] = [];
  const sigOf = (s: Subject): number => {
    const key = namedPortsKey(s.ports);
    let id = sigIds.get(key);
    if (id === undefined) {
      id = portsSigs.length;
      sigIds.set(key, id);
      portsSigs.push(s.ports.filter((p) => p.name !== undefined));
    }
    return id;
  };
  const cellsOf = (s: Subject): number[] => {
    if (s.ips.length === 0 || t.cells.length === 0) return [];
    if (s.ips.length === 1) {
      const ip = s.ips[0] as Subject["ips"][number];
      const c = locate(ip.family, ip.value);
      return c >= 0 ? [c] : [];
    }
    return [...new Set(s.ips.map((ip) => locate(ip.family, ip.value)))].filter((c) => c >= 0).sort((a, b) => a - b);
  };
  let prev: Subject | undefined;
  let prevCells: readonly number[] = [];
  const NO_CELLS: readonly number[] = [];
  const one: number[] = [0];
  for (let i = 0; i < S; i++) {
    const s = t.subjects[i] as Subject;
    // The usual pod has one IP: its cell is compared in a reused one-element list, and a list of
    // its own is made only for a new class.
    let ipCells: readonly number[];
    if (s.ips.length === 1 && t.cells.length > 0) {
      const ip = s.ips[0] as Subject["ips"][number];
      const c = locate(ip.family, ip.value);
      if (c < 0) ipCells = NO_CELLS;
      else {
        one[0] = c;
        ipCells = one;
      }
    } else ipCells = cellsOf(s);
    if (prev && sameIdentity(prev, s, prevCells, ipCells, byNode)) {
      const cls = classOf[i - 1] as number;
      classOf[i] = cls;
      sizes[cls] = (sizes[cls] as number) + 1;
      continue;
    }
    if (ipCells === one) ipCells = [one[0] as number];
    prev = s;
    prevCells = ipCells;
    const portsSig = sigOf(s);
    const key = `${s.namespace}\u0000${labelsKey(s.labels)}\u0000${s.hostNetwork ? 1 : 0}\u0000${portsSig}\u0000${ipCells.join(",")}\u0000${s.serviceAccount ?? ""}\u0000${byNode ? (s.nodeName ?? "") : ""}\u0000${familyBits(s)}`;
    let cls = byKey.get(key);
    if (cls === undefined) {
      cls = infos.length;
      byKey.set(key, cls);
      infos.push({ representative: i, subject: s, cell: undefined, ipCells, portsSig, size: 0 });
      sizes.push(0);
    }
    classOf[i] = cls;
    sizes[cls] = (sizes[cls] as number) + 1;
  }
  t.cells.forEach((cell, k) => {
    classOf[S + k] = infos.length;
    infos.push({ representative: S + k, subject: undefined, cell, ipCells: [], portsSig: -1, size: 1 });
    sizes.push(1);
  });
  const sized = infos.map((c, i): ClassInfo => ({ representative: c.representative, subject: c.subject, cell: c.cell, ipCells: c.ipCells, portsSig: c.portsSig, size: sizes[i] as number }));
  return { classOf, infos: sized, portsSigs };
}
