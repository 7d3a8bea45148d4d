/**
 * @module documents
 * Lines of the input text: the YAML document around a line (between `---` markers), an excerpt
 * of it for the trace explorer, and replacing one document for the what-if editor.
 */

export interface Span {
  /** 1-based, inclusive, without the `---` markers. */
  readonly startLine: number;
  readonly endLine: number;
}

const MARKER = /^(---|\.\.\.)([ \t].*)?\r?$/;

export function splitLines(text: string): string[] {
  return text.split("\n");
}

/** The document holding `line` (1-based); the whole text when it has no markers. */
export function documentSpan(text: string, line: number): Span {
  const lines = splitLines(text);
  const at = Math.min(Math.max(line, 1), lines.length);
  let start = 1;
  for (let i = at - 1; i >= 0; i--) {
    if (MARKER.test(lines[i] ?? "")) {
      start = i + 2;
      break;
    }
  }
  let end = lines.length;
  for (let i = at; i < lines.length; i++) {
    if (MARKER.test(lines[i] ?? "")) {
      end = i;
      break;
    }
  }
  // Trailing blank lines are not part of what a person reads as the document.
  while (end > start && (lines[end - 1] ?? "").trim() === "") end--;
  return { startLine: start, endLine: Math.max(start, end) };
}

export function spanText(text: string, s: Span): string {
  return splitLines(text).slice(s.startLine - 1, s.endLine).join("\n");
}

export interface Excerpt {
  readonly firstLine: number;
  readonly lines: readonly string[];
  /** The line the excerpt is about (1-based, in file numbering). */
  readonly mark: number;
}

/** The document around `line`, clipped to `max` lines centred on it. */
export function excerpt(text: string, line: number, max = 24): Excerpt {
  const s = documentSpan(text, line);
  const all = splitLines(text);
  let first = s.startLine;
  let last = s.endLine;
  if (last - first + 1 > max) {
    first = Math.max(s.startLine, line - Math.floor(max / 3));
    last = Math.min(s.endLine, first + max - 1);
  }
  return { firstLine: first, lines: all.slice(first - 1, last), mark: line };
}

/** `text` with the lines of `s` replaced by `replacement` (markers untouched). */
export function replaceSpan(text: string, s: Span, replacement: string): string {
  const lines = splitLines(text);
  const body = replacement.replace(/\s+$/, "").split("\n");
  return [...lines.slice(0, s.startLine - 1), ...body, ...lines.slice(s.endLine)].join("\n");
}
