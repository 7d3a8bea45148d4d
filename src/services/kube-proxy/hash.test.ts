import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { base32, sha256, sha256Base32, utf8 } from "./hash.js";

describe("hash", () => {
  it("sha256 matches node:crypto for lengths around block boundaries", () => {
    for (const n of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const text = "k".repeat(n) + "é";
      const want = createHash("sha256").update(text, "utf8").digest("hex");
      expect(Buffer.from(sha256(utf8(text))).toString("hex")).toBe(want);
    }
  });
  it("base32 is RFC 4648 with padding", () => {
    expect(base32(utf8("foobar"))).toBe("MZXW6YTBOI======");
    expect(base32(utf8("f"))).toBe("MY======");
  });
  it("reproduces a chain hash from kube-proxy's proxier_test.go (ns1/svc1:p80 tcp)", () => {
    // KUBE-SVC-XPGD46QRK7WJZT7O is the chain kube-proxy's own tests expect for ns1/svc1:p80/TCP.
    expect(sha256Base32("ns1/svc1:p80tcp").slice(0, 16)).toBe("XPGD46QRK7WJZT7O");
  });
});
