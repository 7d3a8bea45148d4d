import { describe, expect, it } from "vitest";
import { createHost } from "../host.js";
import { startNow, warmLauncher, type Started } from "./warm.js";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("startNow | a program started before its input", () => {
  it("answers exactly like Host.exec for the same argv and input", async () => {
    const argv = ["sh", "-c", "cat; echo oops >&2; exit 2"];
    const early = startNow(argv);
    await new Promise((r) => setTimeout(r, 20));
    expect(early.ready).toBe(true);
    const got = await early.finish("line 1\nline 2\n");
    expect(got).toEqual(await createHost().exec(argv, { input: "line 1\nline 2\n" }));
    expect(got).toEqual({ stdout: "line 1\nline 2\n", stderr: "oops\n", code: 2 });
    expect(early.ready).toBe(false);
  });

  it("reports 127 for a missing program and 128+n for a signal", async () => {
    expect((await startNow(["/nonexistent/kw-c-prog"]).finish("")).code).toBe(127);
    expect((await startNow(["sh", "-c", "kill -TERM $$"]).finish("")).code).toBe(143);
  });

  it("cancel closes stdin with no input; finish afterwards just reports the exit", async () => {
    const s = startNow(["sh", "-c", "n=$(wc -c); echo \"got $n\""]);
    s.cancel();
    expect(s.ready).toBe(false);
    expect(await s.finish("ignored")).toEqual({ stdout: "got 0\n", stderr: "", code: 0 });
  });
});

describe("warmLauncher | spares in this netns", () => {
  const fake = () => {
    const log: string[] = [];
    let n = 0;
    const launch = (argv: readonly string[], netns?: string): Started => {
      const id = `${argv.join(" ")}${netns === undefined ? "" : `@${netns}`}#${n++}`;
      log.push(`start ${id}`);
      let ready = true;
      return {
        finish: async (input) => { ready = false; log.push(`finish ${id} ${input}`); return { stdout: id, stderr: "", code: 0 }; },
        cancel: () => { if (ready) log.push(`cancel ${id}`); ready = false; },
        get ready() { return ready; },
      };
    };
    return { log, launch };
  };

  it("prewarms, hands out a started copy, refills after the caller fed it", async () => {
    const { log, launch } = fake();
    const l = warmLauncher([["ip", "-batch", "-"]], 2, launch);
    expect(log).toEqual(["start ip -batch -#0", "start ip -batch -#1"]);
    const s = l.start(["ip", "-batch", "-"]);
    expect((await s.finish("x")).stdout).toBe("ip -batch -#0");
    await tick();
    expect(log.slice(2)).toEqual(["finish ip -batch -#0 x", "start ip -batch -#2"]);
    l.close();
    expect(log.slice(4)).toEqual(["cancel ip -batch -#1", "cancel ip -batch -#2"]);
    expect((await l.start(["ip", "-batch", "-"]).finish("y")).stdout).toBe("ip -batch -#3");
  });

  it("starts other netns on demand and keeps spares per argv", async () => {
    const { log, launch } = fake();
    const l = warmLauncher([], 1, launch);
    l.start(["ip", "-batch", "-"], "/var/run/netns/p1").cancel();
    const first = l.start(["cat"]);
    await tick();
    const second = l.start(["cat"]);
    await tick();
    expect(log).toEqual(["start ip -batch -@/var/run/netns/p1#0", "cancel ip -batch -@/var/run/netns/p1#0", "start cat#1", "start cat#2", "start cat#3"]);
    expect([(await first.finish("")).stdout, (await second.finish("")).stdout]).toEqual(["cat#1", "cat#2"]);
    l.close();
  });

  it("skips a spare that died meanwhile", async () => {
    const l = warmLauncher([["sh", "-c", "exit 0"]], 1);
    await new Promise((r) => setTimeout(r, 100));
    const s = l.start(["sh", "-c", "exit 0"]);
    expect(s.ready).toBe(true);
    s.cancel();
    l.close();
  });
});
