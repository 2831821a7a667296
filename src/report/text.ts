/** Text helpers shared by the HTML report, the SVG charts and the terminal output. */
export const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** 0.9123 -> "91.23%"; a missing value -> "-". */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(100 * value).toFixed(2)}%`;
}
