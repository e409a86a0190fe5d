/**
 * A hand-written SVG of calls per second over time: one panel per contestant, each on its own time
 * and rate axes (the runs differ by two orders of magnitude in length), accepted calls and 429s as
 * two polylines, Jama's limit as a dashed line.
 */
import type { Measures } from './measure';

const WIDTH = 960;
const PANEL = 150;
const GAP = 34;
const LEFT = 56;
const RIGHT = 20;
const TOP = 40;
const BOTTOM = 30;

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round step giving about `count` ticks over `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

function polyline(values: readonly number[], x: (i: number) => number, y: (v: number) => number) {
  // A step per second: each bin is drawn flat over its second.
  const points: string[] = [];
  values.forEach((v, i) => {
    points.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`, `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`);
  });
  return points.join(' ');
}

export function renderChart(results: readonly Measures[], limit: number, title: string): string {
  const plotW = WIDTH - LEFT - RIGHT;
  const height = TOP + results.length * (PANEL + GAP) + BOTTOM;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="600">${esc(title)}</text>`,
    `<g transform="translate(${WIDTH - RIGHT - 230},12)"><line x1="0" y1="4" x2="18" y2="4" stroke="#1f77b4" stroke-width="2"/><text x="24" y="8">accepted</text><line x1="90" y1="4" x2="108" y2="4" stroke="#d62728" stroke-width="1.5"/><text x="114" y="8">429</text><line x1="150" y1="4" x2="168" y2="4" stroke="#555" stroke-dasharray="4 3"/><text x="174" y="8">limit</text></g>`,
  ];
  results.forEach((r, index) => {
    const top = TOP + index * (PANEL + GAP);
    const seconds = Math.max(1, r.series.accepted.length);
    const peak = Math.max(limit + 2, ...r.series.accepted, ...r.series.rejected);
    const x = (s: number) => LEFT + (s / seconds) * plotW;
    const y = (v: number) => top + PANEL - (v / peak) * PANEL;
    const status = r.drained
      ? `drained in ${r.wallSeconds.toFixed(1)} s`
      : `did not drain in ${r.capSeconds} s`;
    out.push(
      `<g>`,
      `<text x="${LEFT}" y="${top - 6}" font-weight="600">${esc(r.name)}</text>`,
      `<text x="${WIDTH - RIGHT}" y="${top - 6}" text-anchor="end" fill="#444">${esc(status)} · ${r.calls} calls · ${r.rejected429} × 429</text>`,
      `<rect x="${LEFT}" y="${top}" width="${plotW}" height="${PANEL}" fill="none" stroke="#ccc"/>`,
    );
    const yStep = tickStep(peak, 4);
    for (let v = 0; v <= peak; v += yStep) {
      out.push(
        `<line x1="${LEFT}" y1="${y(v).toFixed(1)}" x2="${LEFT + plotW}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`,
        `<text x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#666">${v}</text>`,
      );
    }
    const xStep = tickStep(seconds, 10);
    for (let s = 0; s <= seconds; s += xStep) {
      out.push(
        `<line x1="${x(s).toFixed(1)}" y1="${top + PANEL}" x2="${x(s).toFixed(1)}" y2="${top + PANEL + 4}" stroke="#666"/>`,
        `<text x="${x(s).toFixed(1)}" y="${top + PANEL + 15}" text-anchor="middle" fill="#666">${s} s</text>`,
      );
    }
    out.push(
      `<line x1="${LEFT}" y1="${y(limit).toFixed(1)}" x2="${LEFT + plotW}" y2="${y(limit).toFixed(1)}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<polyline fill="none" stroke="#d62728" stroke-width="1.2" points="${polyline(r.series.rejected, x, y)}"/>`,
      `<polyline fill="none" stroke="#1f77b4" stroke-width="1.8" points="${polyline(r.series.accepted, x, y)}"/>`,
      `</g>`,
    );
  });
  out.push(
    `<text x="${LEFT + plotW / 2}" y="${height - 10}" text-anchor="middle" fill="#444">Calls per second (1 s bins) since the storm began. Each panel has its own scales; the dashed line is Jama's limit (${limit}/s).</text>`,
    `<text transform="translate(14,${TOP + (results.length * (PANEL + GAP)) / 2}) rotate(-90)" text-anchor="middle" fill="#444">calls/s</text>`,
    `</svg>`,
  );
  return `${out.join('\n')}\n`;
}
