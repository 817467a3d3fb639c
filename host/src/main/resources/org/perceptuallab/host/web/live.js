// The live view: loads /live/state and draws it; /live/version says when the folders changed, and the page loads
// the state again. Every text goes in through textContent (no markup from the data).
(function () {
  'use strict';
  const studiesEl = document.getElementById('studies');
  const statusEl = document.getElementById('status');
  const choices = {}; // the comparison's selections per experiment, kept across updates
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  let loading = false;
  let again = false;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) node.setAttribute(k, v); });
    children.flat(Infinity).forEach(c => { if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c)); });
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  function fileUrl(study, file) { return '/live/' + study.id + '/files/' + file; }

  function picture(study, p) {
    const caption = el('figcaption', null, p.title || '', p.value ? [el('br'), p.value] : null);
    if (!p.file) {
      return el('figure', null, el('div', {class: 'missing'}, p.status || '–'), caption);
    }
    return el('figure', null, el('a', {href: fileUrl(study, p.file)}, el('img', {src: fileUrl(study, p.file), alt: p.alt || p.title || ''})), caption);
  }

  function progress(study) {
    const rows = study.progress.map(p => el('tr', {'data-experiment': p.experiment}, el('td', null, p.experiment),
      el('td', null, el('div', {class: 'bar', title: p.done + ' done, ' + p.failed + ' failed, ' + p.running + ' running'},
        ['done', 'failed', 'running'].map(s => el('span', {class: s, style: 'width:' + (100 * p[s] / Math.max(1, p.cells)) + '%'})))),
      el('td', {class: 'count'}, p.done + ' of ' + p.cells + ' done'),
      el('td', null, (p.failed ? p.failed + ' failed ' : '') + (p.running ? p.running + ' running ' : '') + (p.missing ? p.missing + ' waiting' : ''))));
    return el('div', {class: 'scroll'}, el('table', {class: 'progress'}, el('tr', null, el('th', null, 'experiment'),
      el('th', null, 'progress'), el('th', null, 'cells'), el('th', null, 'besides')), rows));
  }

  function failures(model) {
    if (!model.failures.length) return null;
    return el('div', {class: 'failures'}, el('h3', null, model.failures.length + ' failed'),
      model.failures.map(f => [el('b', null, f.experiment + ' × ' + f.loss), el('pre', null, f.error)]));
  }

  function overview(model) {
    const o = model.overview;
    if (!o) return null;
    const head = el('tr', null, el('th', null, 'loss'), o.columns.map(c => el('th', null, c.experiment + ': ' + c.metric + (c.higherIsBetter ? ' ↑' : ' ↓'))), el('th', null, 'mean rank'));
    const rows = o.rows.map(r => el('tr', null, el('td', null, r.loss),
      r.values.map(v => v ? el('td', {class: v.rank === 1 ? 'best' : null}, v.value + ' (' + v.rank + ')') : el('td', null, '–')),
      el('td', null, typeof r.meanRank === 'number' ? r.meanRank.toFixed(2) : '–')));
    return [el('h3', null, 'Overview'), el('div', {class: 'scroll'}, el('table', {class: 'overview'}, head, rows))];
  }

  function gallery(study, view) {
    const g = view.gallery;
    if (!g) return null;
    return [el('h4', null, 'Images' + (g.orderedBy ? ' (best ' + g.orderedBy.metric + ' first)' : '')),
      g.inputs.length ? el('div', {class: 'gallery'}, g.inputs.map(p => picture(study, p))) : null,
      g.rows.map(r => [r.caption ? el('h4', null, r.caption) : null, el('div', {class: 'gallery'}, r.pictures.map(p => picture(study, p)))])];
  }

  // Two losses' images of the same input side by side: a caption (the input) and two losses to pick.
  function comparison(study, view) {
    const g = view.gallery;
    const rows = g ? g.rows.filter(r => r.caption && r.pictures.filter(p => p.file).length >= 2) : [];
    if (!rows.length) return null;
    const key = study.id + '/' + view.name;
    const chosen = choices[key] || (choices[key] = {});
    const row = rows.find(r => r.caption === chosen.caption) || rows[0];
    const pictures = row.pictures.filter(p => p.file);
    const a = pictures.find(p => p.title === chosen.a) || pictures[0];
    const b = pictures.find(p => p.title === chosen.b && p !== a) || pictures.find(p => p !== a);
    function select(name, options, current, onChange) {
      const s = el('select', {'aria-label': name, 'data-role': name}, options.map(o => el('option', o === current ? {selected: ''} : null, o)));
      s.addEventListener('change', () => { onChange(s.value); render(); });
      return s;
    }
    return el('div', {class: 'compare'}, el('h4', null, 'Compare two losses on the same input'),
      select('input', rows.map(r => r.caption), row.caption, v => { chosen.caption = v; }),
      select('loss A', pictures.map(p => p.title), a.title, v => { chosen.a = v; }),
      select('loss B', pictures.map(p => p.title), b.title, v => { chosen.b = v; }),
      el('div', {class: 'pair'}, g.inputs.slice(0, 1).map(p => picture(study, p)), picture(study, a), picture(study, b)));
  }

  // One chart per series name, one line per cell, x the step.
  function curves(study, view) {
    const cells = study.cells.filter(c => c.experiment === view.name && Object.keys(c.series).length);
    if (!cells.length) return null;
    const names = [...new Set(cells.flatMap(c => Object.keys(c.series)))];
    return [el('h4', null, 'Curves'), el('div', {class: 'charts'}, names.map(name => chart(name, cells.filter(c => c.series[name]))))];
  }

  function chart(name, cells) {
    const W = 380, H = 220, L = 52, B = 22, T = 8, R = 8;
    let maxX = 1, lo = Infinity, hi = -Infinity;
    cells.forEach(c => {
      const s = c.series[name];
      maxX = Math.max(maxX, s.count - 1);
      s.values.forEach(v => { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
    });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    const log = lo > 0 && hi / lo > 20;
    const f = v => log ? Math.log10(v) : v;
    const y0 = f(lo), y1 = f(hi) === y0 ? y0 + 1 : f(hi);
    const px = x => L + (W - L - R) * x / maxX;
    const py = v => T + (H - T - B) * (1 - (f(v) - y0) / (y1 - y0));
    const root = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': name});
    root.append(svg('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#bbb'}));
    [[lo, H - B], [hi, T + 10]].forEach(([v, y]) => {
      const t = svg('text', {x: L - 4, y: y, 'text-anchor': 'end', 'font-size': 11});
      t.textContent = Number(v).toPrecision(3);
      root.append(t);
    });
    const steps = svg('text', {x: W - R, y: H - 6, 'text-anchor': 'end', 'font-size': 11});
    steps.textContent = 'step ' + maxX + (log ? ' · log scale' : '');
    root.append(steps);
    cells.forEach((c, i) => {
      const s = c.series[name];
      const points = [];
      s.values.forEach((v, k) => { if (v !== null) points.push(px(k * s.every).toFixed(1) + ',' + py(v).toFixed(1)); });
      root.append(svg('polyline', {points: points.join(' '), fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 1.5, 'data-cell': c.name}));
    });
    return el('div', {class: 'chart', 'data-series': name}, el('b', null, name), root,
      el('div', {class: 'legend'}, cells.map((c, i) => [el('i', {style: 'background:' + COLORS[i % COLORS.length]}), c.name + (c.status === 'running' ? ' (running)' : '')])));
  }

  function details(view) {
    const d = view.details;
    const head = el('tr', null, el('th', null, 'loss'), el('th', null, 'status'), d.metrics.map(m => el('th', null, m.name)), el('th', null, 'time'));
    const rows = d.rows.map(r => el('tr', {'data-status': r.status}, el('td', null, r.loss), el('td', {class: r.status}, r.status),
      d.metrics.map((m, i) => r.values[i] ? el('td', {class: r.values[i].best ? 'best' : null}, r.values[i].text === null ? '–' : r.values[i].text) : el('td', null, '')),
      el('td', null, r.time || '')));
    return el('div', {class: 'scroll'}, el('table', {class: 'details'}, head, rows));
  }

  function study(s) {
    if (s.error) return el('section', null, el('h2', null, s.folder), el('p', {class: 'failures'}, s.error));
    const m = s.model;
    const c = m.counts;
    return el('section', {'data-study': s.id}, el('h2', null, m.matrix),
      el('p', {class: 'note'}, s.folder + ' · ' + c.done + ' of ' + c.cells + ' cells done' + (c.failed ? ', ' + c.failed + ' failed' : '') + (c.running ? ', ' + c.running + ' running' : '') + (m.software ? ' · ' + m.software : '')),
      progress(s), failures(m), overview(m),
      m.experiments.map(v => el('div', {class: 'experiment', 'data-experiment': v.name}, el('h3', null, v.name + (v.synthetic ? ' (synthetic data)' : '')),
        v.note ? el('p', {class: 'note'}, v.note) : null, details(v), comparison(s, v), gallery(s, v), curves(s, v))),
      m.notes.length ? [el('h3', null, 'Notes'), el('ul', null, m.notes.map(n => el('li', null, n)))] : null);
  }

  let state = null;
  function render() {
    if (!state) return;
    studiesEl.replaceChildren(...state.studies.map(study));
    document.title = 'plab live: ' + state.studies.map(s => s.model ? s.model.matrix : s.folder).join(', ');
  }

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const response = await fetch('/live/state', {cache: 'no-store'});
      if (!response.ok) throw new Error('the server answered ' + response.status);
      state = await response.json();
      render();
      statusEl.className = '';
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString() + ' (version ' + state.version + '); the page follows the folders as cells finish';
    } catch (e) {
      statusEl.className = 'lost';
      statusEl.textContent = 'cannot load the state: ' + e.message;
    } finally {
      loading = false;
      if (again) { again = false; load(); }
    }
  }

  // The version moves when the folders change (the server watches them); the state is loaded only then.
  async function poll() {
    try {
      const response = await fetch('/live/version', {cache: 'no-store'});
      const body = await response.json();
      if (!state || body.version !== state.version) await load();
    } catch (e) {
      statusEl.className = 'lost';
      statusEl.textContent = 'connection to plab serve lost; retrying…';
    }
    setTimeout(poll, 1000);
  }
  poll();
}());
