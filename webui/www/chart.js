// SPDX-License-Identifier: Apache-2.0
// A line chart drawn as SVG: counter readings over time. No library: a few dozen lines are
// all a monotonic counter needs.

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function ticks(min, max, n) {
  if (max === min) return [min];
  const step = Math.pow(10, Math.floor(Math.log10((max - min) / n)));
  const mult = [1, 2, 5, 10].find((m) => (max - min) / (step * m) <= n) || 10;
  const st = step * mult;
  const out = [];
  for (let v = Math.ceil(min / st) * st; v <= max; v += st) out.push(v);
  return out;
}

// points: [[unix seconds, value], ...]
export function lineChart(points, { width = 720, height = 260, label = '' } = {}) {
  const pad = { l: 72, r: 16, t: 16, b: 36 };
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img',
    'aria-label': label });
  if (!points.length) {
    svg.append(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'muted' },
      'No readings yet'));
    return svg;
  }
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (x0 === x1) { x0 -= 3600; x1 += 3600; }
  if (y0 === y1) { y0 = Math.max(0, y0 - 10); y1 += 10; }
  const X = (v) => pad.l + (v - x0) / (x1 - x0) * (width - pad.l - pad.r);
  const Y = (v) => height - pad.b - (v - y0) / (y1 - y0) * (height - pad.t - pad.b);
  for (const v of ticks(y0, y1, 5)) {
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 8, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' },
      Number(v).toLocaleString()));
  }
  const days = (x1 - x0) / 86400;
  for (const t of ticks(x0, x1, 6)) {
    const d = new Date(t * 1000);
    svg.append(s('text', { x: X(t), y: height - pad.b + 20, 'text-anchor': 'middle', class: 'axis' },
      days > 2 ? d.toLocaleDateString() : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
  }
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
  svg.append(s('path', { d: path, class: 'line' }));
  for (const p of points.slice(-60)) {
    const c = s('circle', { cx: X(p[0]), cy: Y(p[1]), r: 3, class: 'dot' });
    c.append(s('title', {}, `${new Date(p[0] * 1000).toLocaleString()}: ${Number(p[1]).toLocaleString()}`));
    svg.append(c);
  }
  return svg;
}
