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

// Steps for the time axis, in seconds: the smallest that leaves at most n ticks is taken, so a
// chart of the first hour is marked in minutes and one of 90 days in days or weeks.
const MIN = 60, HOUR = 3600, DAY = 86400;
const TIME_STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR,
  6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

// Ticks on whole local minutes, hours or days (midnights): [{t, label}].
export function timeTicks(x0, x1, n) {
  const span = x1 - x0;
  const step = TIME_STEPS.find((st) => span / st <= n) || TIME_STEPS[TIME_STEPS.length - 1];
  const out = [];
  let d = new Date(x0 * 1000);
  if (step >= DAY) {
    d = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    while (d.getTime() / 1000 < x0) d.setDate(d.getDate() + 1);
    for (; d.getTime() / 1000 <= x1; d.setDate(d.getDate() + step / DAY)) {
      out.push({ t: d.getTime() / 1000, label: d.toLocaleDateString([], { month: 'short', day: 'numeric' }) });
    }
    return { step, ticks: out };
  }
  // Local time can be offset by a fraction of an hour: align within the local day.
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() / 1000;
  let t = midnight + Math.ceil((x0 - midnight) / step) * step;
  const multiDay = new Date(x1 * 1000).toDateString() !== new Date(x0 * 1000).toDateString();
  for (; t <= x1; t += step) {
    const at = new Date(t * 1000);
    const hm = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    // Across midnight the date is said where it changes, so an axis never repeats a time.
    const newDay = multiDay && (out.length === 0 || at.getHours() * HOUR + at.getMinutes() * MIN < step);
    out.push({ t, label: newDay ? `${at.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${hm}` : hm });
  }
  return { step, ticks: out };
}

// points: [[unix seconds, value], ...]; the time axis spans the readings (not the period asked
// for), so the first hour of a new device is not a dot in a month-wide chart.
export function lineChart(points, { width = 720, height = 260, label = '' } = {}) {
  const pad = { l: 72, r: 24, t: 16, b: 36 };
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
  // Readings within two minutes (the first polls of a device) get two minutes around their
  // middle: an axis of a few minute ticks, not one of seconds or a single point.
  if (x1 - x0 < 2 * MIN) { const mid = (x0 + x1) / 2; x0 = mid - MIN; x1 = mid + MIN; }
  if (y0 === y1) { y0 = Math.max(0, y0 - 10); y1 += 10; }
  const X = (v) => pad.l + (v - x0) / (x1 - x0) * (width - pad.l - pad.r);
  const Y = (v) => height - pad.b - (v - y0) / (y1 - y0) * (height - pad.t - pad.b);
  for (const v of ticks(y0, y1, 5)) {
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 8, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' },
      Number(v).toLocaleString()));
  }
  const tt = timeTicks(x0, x1, 6);
  svg.setAttribute('data-span', String(x1 - x0));
  svg.setAttribute('data-step', String(tt.step));
  for (const { t, label: text } of tt.ticks) {
    svg.append(s('text', { x: X(t), y: height - pad.b + 20, 'text-anchor': 'middle', class: 'axis x' }, text));
  }
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
  svg.append(s('path', { d: path, class: 'line' }));
  for (const p of points.slice(-60)) {
    const c = s('circle', { cx: X(p[0]), cy: Y(p[1]), r: 3, class: 'dot', 'data-ts': p[0], 'data-value': p[1] });
    c.append(s('title', {}, `${new Date(p[0] * 1000).toLocaleString()}: ${Number(p[1]).toLocaleString()}`));
    svg.append(c);
  }
  return svg;
}
