/**
 * @module assert-never
 * Exhaustiveness: every switch over a union ends here, so a new variant breaks the build.
 */
export function assertNever(x: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(x)}`);
}
