/**
 * @module protocol
 * The L4 protocols NetworkPolicy knows, and port sets over them.
 */
export const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isProtocol(x: unknown): x is Protocol {
  return x === "TCP" || x === "UDP" || x === "SCTP";
}

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
