/**
 * @module worker
 * The Web Worker entry: runs the engine (a Session) off the page's main thread and answers each
 * request message with the same id.
 */
import type { RequestMsg, ResponseMsg, Results } from "../protocol.js";
import { Session, SessionError } from "./session.js";

const session = new Session();

function handle(msg: RequestMsg): Results[RequestMsg["type"]] {
  switch (msg.type) {
    case "load":
      return session.load(msg.body.files, msg.body);
    case "trace":
      return session.trace(msg.body);
    case "policy":
      return session.policy(msg.body.scenario, msg.body.id);
    case "whatif":
      return session.whatIf(msg.body.files);
    case "lint":
      return session.lint(msg.body.files, msg.body.cni);
    case "apply":
      session.apply();
      return { applied: true };
  }
}

function isRequest(x: unknown): x is RequestMsg {
  return typeof x === "object" && x !== null && "id" in x && "type" in x && "body" in x;
}

self.addEventListener("message", (e: MessageEvent<unknown>) => {
  if (!isRequest(e.data)) return;
  const id = e.data.id;
  let reply: ResponseMsg;
  try {
    reply = { id, ok: true, result: handle(e.data) };
  } catch (err) {
    const message = err instanceof SessionError ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
    reply = { id, ok: false, error: message };
  }
  self.postMessage(reply);
});
