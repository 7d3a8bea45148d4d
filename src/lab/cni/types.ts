/**
 * @module lab/cni/types
 * CNI wire types (spec 1.1 names, verbatim) and kwire's decoded request. Handlers receive a
 * `CniRequest` (env + validated `NetConf`) and return a `CniResult` or nothing.
 */
import type { IpamConfig } from "../ipam/index.js";
import type { Owner } from "../ipam/index.js";

export type CniCommand = "ADD" | "DEL" | "CHECK" | "STATUS" | "GC" | "VERSION";
export const COMMANDS: readonly CniCommand[] = ["ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION"];

export interface CniInterface {
  readonly name: string;
  readonly mac?: string;
  readonly mtu?: number;
  readonly sandbox?: string;
}

export interface CniIpConfig {
  /** Index into `interfaces`. */
  readonly interface?: number;
  readonly address: string;
  readonly gateway?: string;
  /** Only in results before spec 1.0.0: "4" or "6". */
  readonly version?: "4" | "6";
}

export interface CniRoute {
  readonly dst: string;
  readonly gw?: string;
}

export interface CniDns {
  readonly nameservers?: readonly string[];
  readonly domain?: string;
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces?: readonly CniInterface[];
  readonly ips?: readonly CniIpConfig[];
  readonly routes?: readonly CniRoute[];
  readonly dns?: CniDns;
}

/** The validated network configuration of a `type: "kwire"` network (Debian `bridge` fields). */
export interface NetConf {
  readonly cniVersion: string;
  readonly name: string;
  readonly type: string;
  readonly bridge: string;
  readonly isGateway: boolean;
  readonly isDefaultGateway: boolean;
  readonly ipMasq: boolean;
  /** 0 means the kernel default (1500). */
  readonly mtu: number;
  readonly hairpinMode: boolean;
  readonly promiscMode: boolean;
  readonly ipam: IpamConfig;
  readonly dns?: CniDns;
  readonly prevResult?: CniResult;
  /** GC only: `cni.dev/valid-attachments`. */
  readonly validAttachments?: readonly Owner[];
}

export interface CniRequest {
  readonly command: CniCommand;
  readonly containerID: string;
  /** Path of the container's netns (may be empty for DEL/GC/STATUS). */
  readonly netns: string;
  readonly ifname: string;
  /** CNI_ARGS as key/value pairs. */
  readonly args: Readonly<Record<string, string>>;
  readonly path: readonly string[];
  readonly conf: NetConf;
}
