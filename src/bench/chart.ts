import type { ContinualResult } from './continual.js';
import type { MultiStepResult } from './multistep.js';
import type { RunRecord } from './run-one.js';
import { escapeHtml as esc } from '../report/text.js';

/**
 * SVG chart of accuracy against compute (cumulative training GFLOPs, scoring included) for scratch
 * and the combined method, one line per seed, A* as a dashed line. Dependency-free, no script.
 */
const W = 720;
const H = 360;
const PAD = { left: 60, right: 20, top: 30, bottom: 50 };
const COLORS: Record<string, string> = { scratch: '#4062bb', combined: '#e4572e', chain: '#e4572e' };

interface Line {
  name: string;
  seed: number;
  points: { x: number; y: number }[];
}

/** Cumulative GFLOPs at each evaluation of a run, starting at `offset` (the scoring pass comes first). */
function lineOf(record: RunRecord, offset = 0): Line['points'] {
  const perStep = (record.compute.examples * record.trainFlopsPerExample) / Math.max(1, record.compute.steps);
  return record.curve.map((p) => ({ x: (offset + record.compute.scoringFlops + p.step * perStep) / 1e9, y: p.accuracy }));
}

function render(title: string, lines: Line[], targets: number[]): string {
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const ys = lines.flatMap((l) => l.points.map((p) => p.y)).concat(targets);
  const xMax = Math.max(1e-9, ...xs);
  // Zoom on the interesting band: from a bit under the lowest accuracy any line reaches late on.
  const yMin = Math.max(0, Math.floor(Math.min(...lines.map((l) => l.points[Math.floor(l.points.length / 4)]?.y ?? 1), ...targets) * 50 - 1) / 50);
  const yMax = Math.min(1, Math.ceil(Math.max(...ys) * 100 + 0.5) / 100);
  const px = (x: number) => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const py = (y: number) => PAD.top + (1 - (Math.max(yMin, y) - yMin) / (yMax - yMin || 1)) * (H - PAD.top - PAD.bottom);
  const grid = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4)
    .map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e5e5e5"/><text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${(100 * t).toFixed(1)}%</text>`)
    .join('');
  const xTicks = Array.from({ length: 5 }, (_, i) => (xMax * i) / 4)
    .map((t) => `<text x="${px(t).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${t.toPrecision(3)}</text>`)
    .join('');
  const targetLines = targets.map((t) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#555" stroke-dasharray="4 3"/>`).join('');
  const paths = lines
    .map((l) => `<path d="${l.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join('')}" fill="none" stroke="${COLORS[l.name] ?? '#8c8c8c'}" stroke-width="1.5" opacity="0.85" data-series="${esc(l.name)}" data-seed="${l.seed}"/>`)
    .join('');
  const legend = [...new Set(lines.map((l) => l.name))].map((name, i) => `<rect x="${PAD.left + i * 140}" y="${H - 18}" width="10" height="10" fill="${COLORS[name] ?? '#8c8c8c'}"/><text x="${PAD.left + 14 + i * 140}" y="${H - 9}" font-size="12">${esc(name)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/><text x="${PAD.left}" y="18" font-size="13">${esc(title)}</text>${grid}${targetLines}${paths}${xTicks}<text x="${(W + PAD.left) / 2}" y="${H - 26}" text-anchor="middle" font-size="11">training GFLOPs (scoring included)</text>${legend}${targets.length > 0 ? `<text x="${W - PAD.right}" y="${H - 9}" text-anchor="end" font-size="11">dashed: A* per seed</text>` : ''}</svg>\n`;
}

export function continualChart(result: ContinualResult): string {
  const lines = result.runs.filter((r) => r.name === 'scratch' || r.name === 'combined').map((r) => ({ name: r.name, seed: r.seed, points: lineOf(r) }));
  const targets = result.summaries.find((s) => s.name === 'scratch')?.seeds.map((s) => s.target) ?? [];
  return render(`${result.dataset} v${result.oldVersion} -> v${result.newVersion}: ${result.evaluationSplit} accuracy vs compute`, lines, targets);
}

/** Multi-step: cumulative compute over versions 2..k, scratch retrained each time vs the chain. */
export function multiStepChart(result: MultiStepResult): string {
  const lines: Line[] = [];
  for (const seed of result.settings.seeds) {
    for (const name of ['scratch', 'chain']) {
      let offset = 0;
      const points: Line['points'] = [];
      for (const record of result.runs.filter((r) => r.seed === seed && r.name === name)) {
        const line = lineOf(record, offset);
        points.push(...line);
        offset += record.compute.flops + record.compute.scoringFlops;
      }
      lines.push({ name, seed, points });
    }
  }
  return render(`${result.dataset} versions ${result.versions.join(',')}: ${result.evaluationSplit} accuracy vs cumulative compute`, lines, []);
}
