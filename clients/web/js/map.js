// The map: Occitanie's départements drawn as SVG from the GeoJSON with a simple projection
// (equirectangular, longitudes shrunk by cos(latitude) around the region's middle: at this size the
// distortion does not show), structures and depots as dots on top. Two thousand circles are cheap
// for SVG; one listener on the layer handles every click.
const NS = 'http://www.w3.org/2000/svg';
const LAT0 = 43.7;
const KX = Math.cos((LAT0 * Math.PI) / 180);
const SCALE = 100; // user units per degree of latitude
const BOUNDS = { minLng: -0.4, maxLng: 4.95, minLat: 42.25, maxLat: 45.12 };

export function project(lng, lat) {
  return [(lng - BOUNDS.minLng) * KX * SCALE, (BOUNDS.maxLat - lat) * SCALE];
}

const FULL = (() => {
  const [x1, y1] = project(BOUNDS.minLng, BOUNDS.maxLat);
  const [x2, y2] = project(BOUNDS.maxLng, BOUNDS.minLat);
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
})();

function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

// Drops the points closer than tol (user units) to the last one kept: 13 outlines of ~20,000
// points become a few thousand, enough at screen size.
function ringPath(ring, tol) {
  let d = '';
  let lx = null;
  let ly = null;
  for (let i = 0; i < ring.length; i++) {
    const [x, y] = project(ring[i][0], ring[i][1]);
    const last = i === ring.length - 1;
    if (lx !== null && !last && Math.abs(x - lx) < tol && Math.abs(y - ly) < tol) continue;
    d += `${lx === null ? 'M' : 'L'}${x.toFixed(2)},${y.toFixed(2)}`;
    lx = x;
    ly = y;
  }
  return `${d}Z`;
}

function featurePath(geom, tol) {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
  let d = '';
  const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
  for (const poly of polys) {
    for (const ring of poly) {
      d += ringPath(ring, tol);
      for (const [lng, lat] of ring) {
        const [x, y] = project(lng, lat);
        if (x < box.x1) box.x1 = x;
        if (x > box.x2) box.x2 = x;
        if (y < box.y1) box.y1 = y;
        if (y > box.y2) box.y2 = y;
      }
    }
  }
  return { d, box };
}

export class RegionMap {
  // container: an element; onPick({kind, id}) when a dot is clicked; onDep(code|null) when a
  // département is chosen (clicked) or the whole region again.
  constructor(container, { onPick, onDep, label }) {
    this.container = container;
    this.onPick = onPick;
    this.onDep = onDep;
    this.root = svg('svg', {
      viewBox: `${FULL.x} ${FULL.y} ${FULL.w} ${FULL.h}`,
      class: 'map',
      role: 'img',
      'aria-label': label || 'map',
      preserveAspectRatio: 'xMidYMid meet',
    });
    this.gDeps = svg('g', { class: 'deps' });
    this.gLabels = svg('g', { class: 'dep-labels' });
    this.gDots = svg('g', { class: 'dots' });
    this.gHot = svg('g', { class: 'dots hot' }); // dots with an alert, drawn above the others
    this.gDepots = svg('g', { class: 'depots' });
    this.root.append(this.gDeps, this.gLabels, this.gDots, this.gHot, this.gDepots);
    container.append(this.root);
    this.deps = new Map(); // code -> {path, box}
    this.dots = new Map(); // structure id -> circle
    this.zoom = 1;
    this.selectedDep = null;
    this.root.addEventListener('click', (ev) => this.click(ev));
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') this.click(ev);
    });
  }

  drawDepartements(geojson, names) {
    this.gDeps.replaceChildren();
    this.gLabels.replaceChildren();
    for (const f of geojson.features) {
      const code = f.properties.code;
      const { d, box } = featurePath(f.geometry, 0.35);
      const path = svg('path', { d, class: 'dep', 'data-dep': code, tabindex: '0' });
      const title = svg('title', {});
      title.textContent = `${code} ${names[code] || f.properties.nom || ''}`;
      path.append(title);
      this.gDeps.append(path);
      this.deps.set(code, { path, box, title });
    }
  }

  // Labels at the départements' centres (from the territories list).
  drawLabels(territories) {
    this.gLabels.replaceChildren();
    for (const d of territories) {
      const [x, y] = project(d.lng, d.lat);
      const text = svg('text', { x: x.toFixed(1), y: y.toFixed(1), class: 'dep-label' });
      text.textContent = d.code;
      this.gLabels.append(text);
      const dep = this.deps.get(d.code);
      if (dep) dep.title.textContent = `${d.code} ${d.name}`;
    }
  }

  // structures: [{id, name, lat, lng}]; severity(id) -> 'stockout'|'critical'|'warning'|'silent'|null
  drawStructures(structures, severity, titleOf) {
    this.gDots.replaceChildren();
    this.gHot.replaceChildren();
    this.dots.clear();
    const fragCold = document.createDocumentFragment();
    const fragHot = document.createDocumentFragment();
    for (const s of structures) {
      if (s.lat === null || s.lng === null || s.lat === undefined) continue;
      const [x, y] = project(s.lng, s.lat);
      const c = svg('circle', { cx: x.toFixed(2), cy: y.toFixed(2), 'data-id': String(s.id), class: 'dot' });
      const title = svg('title', {});
      title.textContent = titleOf(s);
      c.append(title);
      this.dots.set(s.id, c);
      const sev = severity(s.id);
      this.style(c, sev);
      (sev ? fragHot : fragCold).append(c);
    }
    this.gDots.append(fragCold);
    this.gHot.append(fragHot);
    this.resize();
  }

  // Recolours one structure (after an alert event) and moves it to the right layer.
  setSeverity(id, sev) {
    const c = this.dots.get(id);
    if (!c) return;
    this.style(c, sev);
    const layer = sev ? this.gHot : this.gDots;
    if (c.parentNode !== layer) layer.append(c);
    else if (sev) layer.append(c); // on top of its layer: the newest alert shows
    this.sizeDot(c);
  }

  moveStructure(s, titleOf) {
    const c = this.dots.get(s.id);
    if (!c || s.lat === null || s.lat === undefined) return false;
    const [x, y] = project(s.lng, s.lat);
    c.setAttribute('cx', x.toFixed(2));
    c.setAttribute('cy', y.toFixed(2));
    c.firstChild.textContent = titleOf(s);
    return true;
  }

  removeStructure(id) {
    const c = this.dots.get(id);
    if (c) c.remove();
    this.dots.delete(id);
  }

  style(c, sev) {
    c.dataset.sev = sev || 'none';
    c.setAttribute('class', `dot sev-${sev || 'none'}`);
  }

  drawDepots(depots, titleOf) {
    this.gDepots.replaceChildren();
    for (const d of depots) {
      if (d.lat === null || d.lat === undefined) continue;
      const [x, y] = project(d.lng, d.lat);
      const r = d.level === 'regional' ? 4 : 2.8;
      const el = svg('rect', {
        x: (x - r / 2).toFixed(2), y: (y - r / 2).toFixed(2), width: r.toFixed(2), height: r.toFixed(2),
        class: `depot depot-${d.level}`, 'data-depot': String(d.id), 'data-r': String(r),
        'data-cx': x.toFixed(2), 'data-cy': y.toFixed(2),
      });
      const title = svg('title', {});
      title.textContent = titleOf(d);
      el.append(title);
      this.gDepots.append(el);
    }
    this.resize();
  }

  highlight(id) {
    for (const c of this.root.querySelectorAll('.dot.selected')) c.classList.remove('selected');
    const c = this.dots.get(id);
    if (c) {
      c.classList.add('selected');
      c.parentNode.append(c);
    }
  }

  click(ev) {
    const target = ev.target;
    if (target.dataset && target.dataset.id) {
      this.onPick({ kind: 'structure', id: Number(target.dataset.id) });
      return;
    }
    if (target.dataset && target.dataset.depot) {
      this.onPick({ kind: 'depot', id: Number(target.dataset.depot) });
      return;
    }
    if (target.dataset && target.dataset.dep) {
      this.showDep(this.selectedDep === target.dataset.dep ? null : target.dataset.dep);
      this.onDep(this.selectedDep);
    }
  }

  // Zooms on a département (null: the whole region).
  showDep(code) {
    this.selectedDep = code;
    for (const [c, d] of this.deps) d.path.classList.toggle('selected', c === code);
    let v = FULL;
    if (code && this.deps.has(code)) {
      const b = this.deps.get(code).box;
      const pad = 6;
      v = { x: b.x1 - pad, y: b.y1 - pad, w: b.x2 - b.x1 + 2 * pad, h: b.y2 - b.y1 + 2 * pad };
    }
    this.root.setAttribute('viewBox', `${v.x.toFixed(1)} ${v.y.toFixed(1)} ${v.w.toFixed(1)} ${v.h.toFixed(1)}`);
    this.zoom = Math.max(1, Math.min(FULL.w / v.w, FULL.h / v.h));
    this.root.classList.toggle('zoomed', !!code);
    this.resize();
  }

  sizeDot(c) {
    const sev = c.dataset.sev;
    const base = sev === 'stockout' ? 2.4 : sev === 'critical' ? 2.1 : sev === 'warning' || sev === 'silent' ? 1.8 : 1.15;
    c.setAttribute('r', (base / Math.sqrt(this.zoom)).toFixed(2));
  }

  // Dots keep about the same size on screen whatever the zoom.
  resize() {
    for (const c of this.dots.values()) this.sizeDot(c);
    const k = Math.sqrt(this.zoom);
    for (const el of this.gDepots.children) {
      const r = Number(el.dataset.r) / k;
      el.setAttribute('x', (Number(el.dataset.cx) - r / 2).toFixed(2));
      el.setAttribute('y', (Number(el.dataset.cy) - r / 2).toFixed(2));
      el.setAttribute('width', r.toFixed(2));
      el.setAttribute('height', r.toFixed(2));
    }
    this.root.style.setProperty('--zoom', String(k));
  }
}
