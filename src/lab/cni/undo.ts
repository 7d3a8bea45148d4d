/**
 * @module lab/cni/undo
 * An undo stack for multi-step setup (bridge.go's `success := false` + deferred teardowns): push an
 * inverse after each step succeeds; on failure `unwind` runs them newest-first, keeps going past
 * failing steps and reports what could not be undone.
 */

export class UndoStack {
  private readonly steps: { readonly what: string; readonly run: () => Promise<void> }[] = [];

  push(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Names of the registered steps, oldest first (for tests and logs). */
  names(): string[] {
    return this.steps.map((s) => s.what);
  }

  /** Run every inverse newest-first; returns descriptions of the ones that failed. */
  async unwind(): Promise<string[]> {
    const failed: string[] = [];
    for (const s of this.steps.splice(0).reverse()) {
      try {
        await s.run();
      } catch (e) {
        failed.push(`${s.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return failed;
  }

  /** Forget the inverses: the whole operation succeeded. */
  clear(): void {
    this.steps.length = 0;
  }
}
