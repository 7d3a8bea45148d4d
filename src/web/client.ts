/**
 * @module client
 * The page's side of the worker protocol: `call(type, body)` returns a promise of that type's
 * result, and remembers how long the last call took.
 */
import type { RequestMsg, RequestType, Requests, ResponseMsg, Results } from "./protocol.js";

type Pending = { readonly resolve: (r: ResponseMsg) => void };

export class EngineClient {
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener("message", (e: MessageEvent<ResponseMsg>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      p.resolve(e.data);
    });
  }

  call<K extends RequestType>(type: K, body: Requests[K]): Promise<Results[K]> {
    const id = this.next++;
    return new Promise<Results[K]>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (r) => {
          // The worker answers a request of type K with Results[K] (worker/index.ts `handle`):
          // the message boundary is where that type is re-asserted.
          if (r.ok) resolve(r.result as Results[K]);
          else reject(new Error(r.error));
        },
      });
      const msg = { id, type, body } as RequestMsg;
      this.worker.postMessage(msg);
    });
  }
}
