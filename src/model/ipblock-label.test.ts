import { describe, expect, it } from "vitest";
import { ipBlockLabel } from "./ipblock-label.js";

describe("ipBlockLabel: short labels for external cells", () => {
  it("keeps one or two CIDRs as they are", () => {
    expect(ipBlockLabel(["10.0.0.0/8"])).toBe("10.0.0.0/8");
    expect(ipBlockLabel(["::/0"])).toBe("::/0");
    expect(ipBlockLabel(["10.0.0.0/8", "192.168.0.0/16"])).toBe("10.0.0.0/8,192.168.0.0/16");
  });

  it("writes the complement of 10.0.0.0/8 as 0.0.0.0/0(except:10.0.0.0/8)", () => {
    const cidrs = ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"];
    expect(ipBlockLabel(cidrs)).toBe("0.0.0.0/0(except:10.0.0.0/8)");
  });

  it("keeps the list when naming the holes would not be shorter", () => {
    expect(ipBlockLabel(["10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/24"])).toBe("10.0.0.0/24,10.0.2.0/24,10.0.4.0/24");
  });
});
