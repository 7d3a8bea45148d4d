/**
 * @module conformance/cases
 * Every case group of the suite, in the order they run.
 */
import type { CaseGroup } from "./dsl.js";
import { EGRESS_CASES } from "./cases-egress.js";
import { INGRESS_CASES } from "./cases-ingress.js";
import { IPBLOCK_CASES } from "./cases-ipblock.js";
import { PORT_CASES } from "./cases-ports.js";
import { SEMANTICS_CASES } from "./cases-semantics.js";
import { UPDATE_CASES } from "./cases-updates.js";

export const CASE_GROUPS: readonly CaseGroup[] = [INGRESS_CASES, EGRESS_CASES, PORT_CASES, IPBLOCK_CASES, UPDATE_CASES, SEMANTICS_CASES];
