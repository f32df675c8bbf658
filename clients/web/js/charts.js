// Small SVG charts, no library: stacked bars over time, horizontal stacked bars, and a step line.
// Colours come from CSS classes (series-<key>), so the theme stays in the stylesheet.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(v) {
  if (v <= 4) return 4;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// buckets: [{t: Date-ish ms, values: {key: n}}]; series: [{key, label}]; fmtTick(ms) -> text.
export function timeBars(container, { buckets, series, fmtTick, title, empty }) {
  const W = 360;
  const H = 150;
  const L = 28;
  const B = 20;
  const T = 8;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title || '' });
  const totals = buckets.map((b) => series.reduce((s, x) => s + (b.values[x.key] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - L - 4;
  const plotH = H - B - T;
  for (const f of [0, 0.5, 1]) {
    const y = T + plotH * (1 - f);
    root.append(svg('line', { x1: L, x2: W - 4, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: L - 4, y: y + 3, class: 'tick', 'text-anchor': 'end' }, String(Math.round(max * f))));
  }
  const n = Math.max(1, buckets.length);
  const bw = plotW / n;
  buckets.forEach((b, i) => {
    let y = T + plotH;
    for (const s of series) {
      const v = b.values[s.key] || 0;
      if (!v) continue;
      const h = (v / max) * plotH;
      y -= h;
      const r = svg('rect', { x: (L + i * bw + bw * 0.12).toFixed(1), y: y.toFixed(1), width: (bw * 0.76).toFixed(1), height: h.toFixed(1), class: `series-${s.key}` });
      r.append(svg('title', {}, `${fmtTick(b.t)} — ${s.label}: ${v}`));
      root.append(r);
    }
  });
  const every = Math.max(1, Math.ceil(n / 6));
  buckets.forEach((b, i) => {
    if (i % every) return;
    root.append(svg('text', { x: (L + i * bw + bw / 2).toFixed(1), y: H - 6, class: 'tick', 'text-anchor': 'middle' }, fmtTick(b.t)));
  });
  if (totals.every((v) => v === 0) && empty) {
    root.append(svg('text', { x: L + plotW / 2, y: T + plotH / 2, class: 'chart-empty', 'text-anchor': 'middle' }, empty));
  }
  container.replaceChildren(root, legend(series));
}

// rows: [{label, values: {key: n}}]; a bar per row, stacked by series.
export function hBars(container, { rows, series, title }) {
  const W = 360;
  const rowH = 16;
  const L = 120;
  const H = rows.length * rowH + 6;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title || '' });
  const max = niceMax(Math.max(0, ...rows.map((r) => series.reduce((s, x) => s + (r.values[x.key] || 0), 0))));
  rows.forEach((r, i) => {
    const y = 3 + i * rowH;
    root.append(svg('text', { x: L - 6, y: y + rowH * 0.68, class: 'tick', 'text-anchor': 'end' }, r.label));
    let x = L;
    let total = 0;
    for (const s of series) {
      const v = r.values[s.key] || 0;
      total += v;
      if (!v) continue;
      const w = (v / max) * (W - L - 40);
      const rect = svg('rect', { x: x.toFixed(1), y: y + 2, width: w.toFixed(1), height: rowH - 5, class: `series-${s.key}` });
      rect.append(svg('title', {}, `${r.label} — ${s.label}: ${v}`));
      root.append(rect);
      x += w;
    }
    root.append(svg('text', { x: x + 4, y: y + rowH * 0.68, class: 'tick' }, String(total)));
  });
  container.replaceChildren(root, legend(series));
}

// points: [{t, v}] (a value that holds until the next point); window [t0, t1].
export function stepLine(container, { points, t0, t1, fmtTick, title, cls = 'series-line', empty }) {
  const W = 360;
  const H = 120;
  const L = 28;
  const B = 20;
  const T = 8;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title || '' });
  const max = niceMax(Math.max(0, ...points.map((p) => p.v)));
  const plotW = W - L - 4;
  const plotH = H - B - T;
  const span = Math.max(1, t1 - t0);
  const X = (t) => L + ((Math.min(Math.max(t, t0), t1) - t0) / span) * plotW;
  const Y = (v) => T + plotH * (1 - v / max);
  for (const f of [0, 0.5, 1]) {
    const y = T + plotH * (1 - f);
    root.append(svg('line', { x1: L, x2: W - 4, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: L - 4, y: y + 3, class: 'tick', 'text-anchor': 'end' }, String(Math.round(max * f))));
  }
  if (points.length) {
    let d = `M${X(points[0].t).toFixed(1)},${Y(points[0].v).toFixed(1)}`;
    for (let i = 1; i < points.length; i++) {
      d += `H${X(points[i].t).toFixed(1)}V${Y(points[i].v).toFixed(1)}`;
    }
    d += `H${X(t1).toFixed(1)}`;
    root.append(svg('path', { d, class: cls, fill: 'none' }));
  } else if (empty) {
    root.append(svg('text', { x: L + plotW / 2, y: T + plotH / 2, class: 'chart-empty', 'text-anchor': 'middle' }, empty));
  }
  for (const f of [0, 0.5, 1]) {
    const t = t0 + span * f;
    root.append(svg('text', { x: X(t).toFixed(1), y: H - 6, class: 'tick', 'text-anchor': f === 0 ? 'start' : f === 1 ? 'end' : 'middle' }, fmtTick(t)));
  }
  container.replaceChildren(root);
}

function legend(series) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  for (const s of series) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch series-${s.key}`;
    li.append(sw, document.createTextNode(s.label));
    ul.append(li);
  }
  return ul;
}
