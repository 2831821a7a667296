/** Small, dependency-free SVG charts: the report must open offline, with no script and no network. */
const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 16, bottom: 36 };
const COLORS = { warm: '#e4572e', scratch: '#4062bb', line: '#29335c', other: '#8c8c8c', saved: '#59c3c3' };

export { COLORS };

const esc = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

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
  const legendItems = legend.map(([name, color], i) => `<rect x="${PAD.left + i * 150}" y="${HEIGHT - 12}" width="10" height="10" fill="${color}"/><text x="${PAD.left + 14 + i * 150}" y="${HEIGHT - 3}" font-size="11">${esc(name)}</text>`).join('');
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

export function niceMax(values: number[]): number {
  const max = Math.max(0, ...values);
  if (max === 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  return Math.ceil((max * 1.1) / magnitude) * magnitude;
}
