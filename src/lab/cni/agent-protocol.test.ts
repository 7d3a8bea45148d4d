import { describe, expect, it } from "vitest";
import {
  ABSTRACT_NAME_BYTES, agentAddress, decodeReply, decodeRequest, encodeRefusal, encodeRequest, encodeResult, END, GREETING,
  printedStdout, ProtocolError,
} from "./agent-protocol.js";

const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "c1", CNI_NETNS: "/var/run/netns/p", CNI_IFNAME: "eth0", CNI_PATH: "/opt/cni/bin" };

describe("agent protocol | request", () => {
  it("encodes the set CNI_* variables in a fixed order, a blank line, then stdin verbatim", () => {
    expect(encodeRequest({ ...env, HOME: "/root", CNI_ARGS: "" }, '{"a":1}\n\n')).toBe(
      "KWIRE-CNI/1\nCNI_COMMAND=ADD\nCNI_CONTAINERID=c1\nCNI_NETNS=/var/run/netns/p\nCNI_IFNAME=eth0\nCNI_ARGS=\nCNI_PATH=/opt/cni/bin\n\n" + '{"a":1}\n\n',
    );
  });

  it("round-trips, keeping unset apart from empty and stdin byte for byte", () => {
    for (const stdin of ["", "{}", "{\n", "x\r\n\n", "KWIRE-CNI/1\n\nCNI_COMMAND=DEL\n", "ünïcode ✓"]) {
      const e = { CNI_COMMAND: "DEL", CNI_ARGS: "" };
      expect(decodeRequest(encodeRequest(e, stdin))).toEqual({ env: e, stdin });
    }
    expect(decodeRequest("KWIRE-CNI/1\n\n")).toEqual({ env: {}, stdin: "" });
    expect(decodeRequest("KWIRE-CNI/1\nCNI_ARGS=A=1;B=2\n\nx")).toEqual({ env: { CNI_ARGS: "A=1;B=2" }, stdin: "x" });
  });

  it("refuses values it cannot carry", () => {
    expect(() => encodeRequest({ CNI_CONTAINERID: "a\nb" }, "")).toThrow(ProtocolError);
  });

  it.each([
    ["", /unsupported protocol ""/],
    ["KWIRE-CNI/2\n\n{}", /unsupported protocol "KWIRE-CNI\/2"/],
    ["KWIRE-CNI/1", /truncated request header/],
    ["KWIRE-CNI/1\nCNI_COMMAND=ADD\n", /truncated request header/],
    ["KWIRE-CNI/1\nCNI_COMMAND\n\n", /bad header line "CNI_COMMAND"/],
    ["KWIRE-CNI/1\nPATH=/bin\n\n", /bad header line "PATH=\/bin"/],
    ["KWIRE-CNI/1\nCNI_IFNAME=a\nCNI_IFNAME=b\n\n", /duplicate header CNI_IFNAME/],
  ])("rejects a malformed request %j", (text, msg) => {
    expect(() => decodeRequest(text)).toThrow(msg);
  });
});

describe("agent protocol | reply", () => {
  it("prints stdout as the standalone binary does: nothing, or text ending in one newline", () => {
    expect([printedStdout(""), printedStdout("{}"), printedStdout("{}\n")]).toEqual(["", "{}\n", "{}\n"]);
    expect(encodeResult(0, "{}")).toBe(`0\n{}\n${END}`);
    expect(encodeResult(1, "")).toBe(`1\n${END}`);
  });

  it("decodes results, refusals, and tells unreachable from broken", () => {
    expect(decodeReply(`${GREETING}${encodeResult(1, '{"code":4}')}`)).toEqual({ kind: "result", exitCode: 1, stdout: '{"code":4}\n' });
    expect(decodeReply(`${GREETING}${encodeResult(0, "")}`)).toEqual({ kind: "result", exitCode: 0, stdout: "" });
    expect(decodeReply(`${GREETING}${encodeRefusal("unsupported\nprotocol")}`)).toEqual({ kind: "refused", reason: "unsupported protocol" });
    expect(decodeReply("")).toEqual({ kind: "unreachable" });
    for (const partial of [GREETING, `${GREETING}0`, `${GREETING}0\n{"cniVer`, `${GREETING}0\n{}\nKWIRE-CNI/1 EN`, `${GREETING}x\n${END}`, "HTTP/1.1 400\n"]) {
      expect(decodeReply(partial)).toEqual({ kind: "broken" });
    }
  });
});

describe("agent protocol | address", () => {
  it("pads abstract names to the whole sun_path (Node 20 binds them NUL-padded) and keeps paths", () => {
    const a = agentAddress("kwire-cni");
    expect([a.length, a.startsWith("\0kwire-cni__"), a.endsWith("_")]).toEqual([1 + ABSTRACT_NAME_BYTES, true, true]);
    expect(agentAddress("x".repeat(ABSTRACT_NAME_BYTES))).toBe(`\0${"x".repeat(ABSTRACT_NAME_BYTES)}`);
    expect(agentAddress("/run/kwire/cni.sock")).toBe("/run/kwire/cni.sock");
  });

  it("rejects names the shim could not spell", () => {
    expect(() => agentAddress("x".repeat(ABSTRACT_NAME_BYTES + 1))).toThrow(/longer than 107 bytes/);
    expect(() => agentAddress("two words")).toThrow(ProtocolError);
    expect(() => agentAddress("")).toThrow(ProtocolError);
  });
});
