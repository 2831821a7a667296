/** Text helpers shared by the HTML report, the SVG charts and the terminal output. */
export const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** 0.9123 -> "91.23%"; a missing value -> "-". */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(100 * value).toFixed(2)}%`;
}

/** Small runs cost fractions of a cent: four significant digits below 100, two decimals above. */
export const amount = (value: number | null): string => (value === null ? '-' : value === 0 ? '0' : Math.abs(value) >= 100 ? value.toFixed(2) : String(Number(value.toPrecision(4))));
