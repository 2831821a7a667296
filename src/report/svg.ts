import { escapeHtml as esc } from './text.js';

/** Small, dependency-free SVG charts: the report must open offline, with no script and no network. */
const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };
const COLORS = { warm: '#e4572e', scratch: '#4062bb', line: '#29335c', other: '#8c8c8c', saved: '#59c3c3' };

export { COLORS };

interface Axis {
  min: number;
  max: number;
  format: (v: number) => string;
}

function frame(title: string, labels: string[], axis: Axis, body: string, legend: [string, string][]): string {
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const ticks = Array.from({ length: 5 }, (_, i) => axis.min + ((axis.max - axis.min) * i) / 4);
  const y = (v: number) => PAD.top + plotH - ((v - axis.min) / (axis.max - axis.min || 1)) * plotH;
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  const grid = ticks.map((t) => `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/><text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${esc(axis.format(t))}</text>`).join('');
  const xLabels = labels.map((label, i) => `<text x="${PAD.left + step * (i + 0.5)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" font-size="11">${esc(label)}</text>`).join('');
  // Legend entries side by side, each as wide as its text (about 6.5 px per character at 11 px).
  let legendX = PAD.left;
  const legendItems = legend
    .map(([name, color]) => {
      const item = `<rect x="${legendX}" y="${HEIGHT - 12}" width="10" height="10" fill="${color}"/><text x="${legendX + 14}" y="${HEIGHT - 3}" font-size="11">${esc(name)}</text>`;
      legendX += 14 + name.length * 6.5 + 18;
      return item;
    })
    .join('');
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${HEIGHT + 8}" width="${WIDTH}" height="${HEIGHT + 8}">${grid}${body}${xLabels}${legendItems}</svg>`;
}

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

/** Lines with dots; null values break the line. */
export function lineChart(title: string, labels: string[], series: Series[], axis: Axis): string {
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  const x = (i: number) => PAD.left + step * (i + 0.5);
  const y = (v: number) => PAD.top + plotH - ((v - axis.min) / (axis.max - axis.min || 1)) * plotH;
  const body = series
    .map((s) => {
      const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`));
      const path = points.reduce((d, p, i) => (p === null ? d : `${d}${d === '' || points[i - 1] === null ? 'M' : 'L'}${p}`), '');
      const dots = s.values.map((v, i) => (v === null ? '' : `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${s.color}" data-series="${esc(s.name)}" data-index="${i}" data-value="${v}"/>`)).join('');
      return `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    })
    .join('');
  return frame(title, labels, axis, body, series.map((s) => [s.name, s.color]));
}

/** Stacked bars, one stack per label. */
export function stackedBarChart(title: string, labels: string[], series: Series[], axis: Axis): string {
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, labels.length);
  const scale = (v: number) => ((v - axis.min) / (axis.max - axis.min || 1)) * plotH;
  const body = labels
    .map((_, i) => {
      let base = 0;
      return series
        .map((s) => {
          const v = s.values[i] ?? 0;
          const h = scale(v);
          const rect = `<rect x="${(PAD.left + step * i + step * 0.2).toFixed(1)}" y="${(PAD.top + plotH - base - h).toFixed(1)}" width="${(step * 0.6).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}" data-series="${esc(s.name)}" data-index="${i}" data-value="${v}"/>`;
          base += h;
          return rect;
        })
        .join('');
    })
    .join('');
  return frame(title, labels, axis, body, series.map((s) => [s.name, s.color]));
}

/** A round tick step (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6 or 7.5 times a power of ten) of at least `raw`. */
export function niceStep(raw: number): number {
  if (raw <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const multiple = [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10].find((m) => m * magnitude >= raw * (1 - 1e-9)) ?? 10;
  return Number((multiple * magnitude).toPrecision(6));
}

/** An axis maximum that is four round ticks above zero and above every value. */
export function niceMax(values: number[]): number {
  const max = Math.max(0, ...values);
  return max === 0 ? 1 : 4 * niceStep((max * 1.05) / 4);
}

/** An axis minimum four round ticks below `top` and below every value (for accuracies, top = 1). */
export function niceMin(values: number[], top: number): number {
  const min = Math.min(top, ...values);
  return Math.max(0, top - 4 * niceStep((top - min + 0.005) / 4));
}
