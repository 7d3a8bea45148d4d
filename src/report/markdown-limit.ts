/**
 * @module markdown-limit
 * `-o md` is a pull-request comment, and GitHub refuses comments longer than 65,536 characters
 * ("Body is too long (maximum is 65536 characters)"). A table that would not fit keeps its
 * summary and as many rows as fit, then says how many rows were left out and how to get them.
 * Lengths are counted in UTF-16 code units, never fewer than the characters GitHub counts.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** `head` (summary and table header) + rows, cut to `limit` with a truncation note. */
export function boundedMarkdown(head: string, rows: readonly string[], what: string, full: string, limit = GITHUB_COMMENT_LIMIT): string {
  const whole = `${head}${rows.join("\n")}\n`;
  if (whole.length <= limit) return whole;
  const note = (shown: number): string =>
    `\n> **Truncated:** ${rows.length - shown} of ${rows.length} ${what} are not shown — the whole table would exceed GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit. ${full}\n`;
  const reserve = note(0).length;
  let size = head.length;
  let shown = 0;
  for (const r of rows) {
    if (size + r.length + 1 + reserve > limit) break;
    size += r.length + 1;
    shown++;
  }
  return `${head}${rows.slice(0, shown).join("\n")}${shown > 0 ? "\n" : ""}${note(shown)}`;
}
