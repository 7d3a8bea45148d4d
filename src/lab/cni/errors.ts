/**
 * @module lab/cni/errors
 * CNI error codes (spec 1.1 "Error" section: 1–99 are the spec's, 100+ are the plugin's) and the
 * `CniError` the handlers fail with. The skeleton (`main.ts`) turns it into the spec's error JSON
 * `{cniVersion, code, msg, details}` and a non-zero exit.
 */

/** Codes defined by the CNI spec. */
export const SpecCode = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnvironment: 4,
  IoFailure: 5,
  DecodingFailure: 6,
  InvalidNetworkConfig: 7,
  TryAgainLater: 11,
  PluginNotAvailable: 50,
  LimitedConnectivity: 51,
} as const;

/** kwire's own codes (>= 100). Documented in `README.md` of this folder and the report. */
export const KwireCode = {
  /** A range set has no free address left. */
  IpamExhausted: 100,
  /** `IP=` in CNI_ARGS asked for an address that is taken or outside every range set. */
  IpamRequestedUnavailable: 101,
  /** An `ip`/`nsenter` invocation failed (details carry the command's stderr). */
  LinkFailed: 102,
  /** The attachment already exists (host veth for this containerID+ifname is present). */
  AttachmentExists: 103,
  /** CHECK found the netns, interface, addresses, routes or IPAM state differ from prevResult. */
  CheckMismatch: 104,
  /** Applying or removing the ipMasq nftables rules failed. */
  NftFailed: 105,
  /** A bug in kwire-cni (an unexpected exception); the message carries it. */
  Internal: 199,
} as const;

export type CniErrorCode = (typeof SpecCode)[keyof typeof SpecCode] | (typeof KwireCode)[keyof typeof KwireCode];

export class CniError extends Error {
  constructor(readonly code: CniErrorCode, readonly msg: string, readonly details: string = "") {
    super(msg);
  }
}

/** The spec's error object. `details` is omitted when empty, as the Go skeleton does. */
export interface CniErrorJson {
  readonly cniVersion: string;
  readonly code: number;
  readonly msg: string;
  readonly details?: string;
}

export function errorJson(e: CniError, cniVersion: string): CniErrorJson {
  return { cniVersion, code: e.code, msg: e.msg, ...(e.details === "" ? {} : { details: e.details }) };
}
