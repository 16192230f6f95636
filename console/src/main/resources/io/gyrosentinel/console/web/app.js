// GyroSentinel console: one script for the three pages (body[data-page]). No framework, no CDN: plants are offline.
'use strict';

const page = document.body.dataset.page;
const devices = new Map();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function fmt(v, digits = 3) { return v == null ? '–' : Number(v).toPrecision(digits); }
function when(iso) { return iso ? new Date(iso).toLocaleString() : '–'; }
function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)gs_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(path, options = {}) {
  const headers = Object.assign({'Accept': 'application/json'}, options.headers || {});
  if (options.method && options.method !== 'GET') {
    headers['X-GS-CSRF'] = csrf();
    headers['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, Object.assign({}, options, {headers, credentials: 'same-origin'}));
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = {error: text}; }
  if (!r.ok) throw new Error((body && (body.error || body.title)) || (r.status + ' ' + r.statusText));
  return body;
}

function showError(e) {
  const p = document.getElementById('error');
  if (p) p.textContent = e ? String(e.message || e) : '';
}

// ---- live updates

function connect() {
  const link = document.getElementById('link');
  const es = new EventSource('/api/stream');
  es.onopen = () => { link.textContent = 'live'; link.className = 'link-up'; };
  es.onerror = () => { link.textContent = 'reconnecting…'; link.className = 'link-down'; };
  es.addEventListener('fleet', ev => { for (const d of JSON.parse(ev.data)) update(d); });
  es.addEventListener('device', ev => update(JSON.parse(ev.data)));
  es.addEventListener('alarm', ev => alarmChanged(JSON.parse(ev.data)));
  es.addEventListener('calibration', ev => calibrated(JSON.parse(ev.data)));
  es.addEventListener('deployment', ev => jobDone('deployment', JSON.parse(ev.data)));
  es.addEventListener('recording', ev => jobDone('recording', JSON.parse(ev.data)));
}

function update(d) {
  const old = devices.get(d.id) || {};
  devices.set(d.id, Object.assign(old, d));
  if (page === 'fleet') renderCard(devices.get(d.id));
  if (page === 'device' && d.id === deviceId) renderDevice(devices.get(d.id));
}

function jobDone(kind, r) {
  if (page === 'models') { loadModels(); return; }
  if (page !== 'device' || r.device !== deviceId) return;
  const p = document.getElementById('calibration');
  if (kind === 'deployment') {
    p.textContent = r.ok ? `${r.action} by ${r.by}: model ${r.model} active in slot ${r.slot}`
      : `${r.action} failed: ${r.error}`;
  } else {
    p.textContent = r.ok ? `recorded ${r.samples} samples (${r.gaps} gaps) by ${r.by}` : `recording failed: ${r.error}`;
  }
  p.className = r.ok ? 'ok' : 'error';
  loadDeviceAlarms();
}

function calibrated(c) {
  if (page !== 'device' || c.device !== deviceId) return;
  const p = document.getElementById('calibration');
  p.textContent = c.ok ? `recalibrated by ${c.by}: new threshold ${fmt(c.threshold)} from ${c.windows} windows`
    : `calibration failed: ${c.error}`;
  p.className = c.ok ? 'ok' : 'error';
}

function alarmChanged(a) {
  if (page === 'alarms') loadAlarms();
  if (page === 'device' && a.device === deviceId) loadDeviceAlarms();
  if (page === 'fleet') refreshOpenCounts();
}

// ---- fleet page

function renderCard(d) {
  const grid = document.getElementById('devices');
  let card = grid.querySelector(`[data-id="${CSS.escape(d.id)}"]`);
  if (!card) {
    card = el('a', {class: 'device', 'data-id': d.id, href: '/device?id=' + encodeURIComponent(d.id)});
    const cards = [...grid.children];
    const after = cards.find(c => c.dataset.id > d.id);
    grid.insertBefore(card, after || null);
    document.getElementById('empty').hidden = true;
  }
  const state = !d.online ? 'offline' : d.anomaly ? 'anomaly' : 'healthy';
  if (state === 'anomaly' && card.dataset.state !== 'anomaly') {
    // when each card turned red, page clock (the load benchmark reads it)
    (window.gsMarks = window.gsMarks || []).push({id: d.id, at: Date.now()});
    if (window.gsMarks.length > 10000) window.gsMarks.shift();
  }
  card.className = 'device ' + state;
  card.dataset.state = state;
  const ratio = d.score != null && d.threshold ? Math.min(1, d.score / d.threshold / 2) : 0;
  const bar = el('div', {class: 'bar'}, el('span'), el('i'));
  bar.firstChild.style.width = (ratio * 100).toFixed(1) + '%';
  const badges = el('div', {class: 'badges'});
  if (d.drift && d.drift.state === 'DRIFTING') badges.append(el('span', {class: 'badge drift', title: d.drift.suggestion}, 'drift'));
  if (d.feedback && d.feedback.suggestRecalibration) badges.append(el('span', {class: 'badge recal', title: d.feedback.suggestion}, 'recalibrate?'));
  card.replaceChildren(
    el('h2', {}, el('span', {class: 'name'}, d.id), el('span', {class: 'state'}, state)),
    badges,
    el('div', {class: 'meta'}, `score ${fmt(d.score)} / threshold ${fmt(d.threshold)}`),
    bar,
    el('div', {class: 'meta'}, `model ${d.model || 'none'}${d.precision ? ' (' + d.precision + ')' : ''} · firmware ${d.firmware}`),
    el('div', {class: 'meta'}, `open alarms ${d.openAlarms ?? 0} · events ${d.events} · gaps ${d.gaps}` +
      (d.missingSamples ? ` (${d.missingSamples} samples)` : '') +
      (d.link ? ` · reconnects ${d.link.reconnects}, bad frames ${d.link.badFrames}` : '')));
  renderSummary();
}

function renderSummary() {
  const all = [...devices.values()];
  const s = document.getElementById('summary');
  s.replaceChildren(
    el('b', {}, all.length), ' devices · ',
    el('b', {}, all.filter(d => d.online && !d.anomaly).length), ' healthy · ',
    el('b', {}, all.filter(d => d.anomaly).length), ' anomalous · ',
    el('b', {}, all.filter(d => !d.online).length), ' offline · ',
    el('b', {}, all.reduce((n, d) => n + (d.openAlarms || 0), 0)), ' open alarms');
}

async function refreshOpenCounts() {
  try {
    for (const d of await api('/api/devices')) update(d);
  } catch (e) { /* the next push repairs it */ }
}

// ---- alarms (the alarms page and the device page)

let statusFilter = '';

function alarmRow(a, withDevice) {
  const note = el('input', {class: 'note', placeholder: 'note', value: ''});
  const act = (action) => async () => {
    try {
      showError(null);
      await api(`/api/alarms/${a.id}/${action}`, {method: 'POST', body: JSON.stringify({note: note.value || null})});
    } catch (e) { showError(e); }
  };
  const actions = el('td', {class: 'actions'});
  if (a.status === 'OPEN') actions.append(el('button', {onclick: act('acknowledge'), 'data-action': 'acknowledge'}, 'Acknowledge'), ' ');
  if (a.status === 'OPEN' || a.status === 'ACKNOWLEDGED') {
    actions.append(el('button', {onclick: act('confirm'), 'data-action': 'confirm'}, 'Real fault'), ' ',
      el('button', {onclick: act('dismiss'), 'data-action': 'dismiss'}, 'False alarm'), ' ', note);
  }
  const cells = [el('td', {}, when(a.startedAt))];
  if (withDevice) cells.push(el('td', {}, el('a', {href: '/device?id=' + encodeURIComponent(a.device)}, a.device)));
  cells.push(el('td', {}, a.model), el('td', {}, `${fmt(a.peakScore)} / ${fmt(a.threshold)}`),
    el('td', {}, a.active ? 'going on' : 'ended ' + when(a.endedAt)),
    el('td', {class: 'status'}, a.status.toLowerCase()),
    el('td', {}, a.note ? `${a.note} (${a.updatedBy})` : (a.updatedBy ? `(${a.updatedBy})` : '')), actions);
  return el('tr', {class: 'status-' + a.status, 'data-alarm': a.id}, ...cells);
}

async function loadAlarms() {
  try {
    const q = statusFilter ? '?status=' + statusFilter : '';
    const rows = (await api('/api/alarms' + q)).map(a => alarmRow(a, true));
    document.querySelector('#alarms tbody').replaceChildren(...rows);
  } catch (e) { showError(e); }
}

// ---- device page

const deviceId = new URLSearchParams(location.search).get('id');
let liveChart = null;

function renderDevice(d) {
  if (d.controllable === false) {
    // a device of an MQTT fleet: the console sees its results, but has no connection for requests
    for (const id of ['recalibrate', 'deploy-controls', 'record-controls']) document.getElementById(id).hidden = true;
  }
  document.getElementById('title').textContent = d.id + (d.anomaly ? ' — ANOMALY' : d.online ? ' — healthy' : ' — offline');
  document.getElementById('title').className = d.anomaly ? 'error' : '';
  const facts = [['online', d.online ? 'yes' : 'no'], ['firmware', d.firmware],
    ['model', (d.model || 'none') + (d.precision ? ' (' + d.precision + ')' : '')],
    ['score', fmt(d.score)], ['threshold', fmt(d.threshold)], ['events', d.events], ['windows', d.windows],
    ['gaps', `${d.gaps} (${d.missingSamples} samples)`]];
  if (d.link) facts.push(['link', `${d.link.framesIn} frames in, ${d.link.badFrames} bad, ${d.link.reconnects} reconnects`]);
  if (d.drift) {
    const dr = d.drift;
    facts.push(['drift', dr.state === 'LEARNING' ? 'learning the normal scores…'
      : `${dr.state.toLowerCase()} (KS ${fmt(dr.ks, 2)}, median ×${fmt(dr.medianRatio, 2)})`]);
  }
  if (d.channelShare) {
    const names = ['x', 'y', 'z'];
    facts.push(['share of the score', d.channelShare.map((v, i) => `${names[i] || 'ch' + i} ${(100 * v).toFixed(0)} %`).join(' · ')]);
  }
  if (d.feedback) facts.push(['feedback', `${d.feedback.confirmed} confirmed, ${d.feedback.dismissed} false alarms (30 days)`]);
  document.getElementById('facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const advice = [d.drift && d.drift.suggestion, d.feedback && d.feedback.suggestion].filter(x => x);
  document.getElementById('advice').replaceChildren(...advice.map(a => el('p', {class: 'advice'}, a)));
  if (liveChart && d.score != null) {
    const ds = liveChart.data;
    ds.labels.push(new Date(d.updatedMillis).toLocaleTimeString());
    ds.datasets[0].data.push(d.score);
    ds.datasets[1].data.push(d.threshold);
    if (ds.labels.length > 240) { ds.labels.shift(); ds.datasets[0].data.shift(); ds.datasets[1].data.shift(); }
    liveChart.update('none');
  }
}

function deploymentRow(d, withDevice) {
  const cells = [el('td', {}, when(d.at))];
  if (withDevice) cells.push(el('td', {}, el('a', {href: '/device?id=' + encodeURIComponent(d.device)}, d.device)));
  cells.push(el('td', {}, d.action), el('td', {}, [d.bundle, d.model].filter(x => x).join(' → ')),
    el('td', {class: d.ok ? 'ok' : 'error'}, d.ok ? 'ok' : 'failed: ' + (d.detail || '')), el('td', {}, d.by));
  return el('tr', {}, ...cells);
}

async function loadDeviceAlarms() {
  try {
    const d = await api('/api/devices/' + encodeURIComponent(deviceId));
    document.querySelector('#alarms tbody').replaceChildren(...d.alarms.map(a => alarmRow(a, false)));
    document.querySelector('#deployments tbody').replaceChildren(...d.deployments.map(x => deploymentRow(x, false)));
    document.querySelector('#recordings tbody').replaceChildren(...d.recordings.map(r => el('tr', {},
      el('td', {}, when(r.startedAt)), el('td', {}, r.file), el('td', {}, r.label), el('td', {}, r.samples),
      el('td', {}, r.gaps), el('td', {}, r.by))));
    return d;
  } catch (e) { showError(e); return null; }
}

function chart(id, datasets) {
  if (typeof Chart === 'undefined') return null;
  return new Chart(document.getElementById(id), {
    type: 'line', data: {labels: [], datasets},
    options: {animation: false, maintainAspectRatio: false, elements: {point: {radius: 0}}, scales: {y: {beginAtZero: true}}}
  });
}

// ---- models page

async function loadModels() {
  try {
    const m = await api('/api/models');
    document.getElementById('directory').textContent = m.directory
      ? 'Bundle directory: ' + m.directory : 'No bundle directory (serve --bundles DIR).';
    const runsOn = model => m.running.filter(r => r.model === model).map(r => r.device).join(', ');
    document.querySelector('#bundles tbody').replaceChildren(...m.bundles.map(b => {
      const man = b.manifest || {};
      const rep = b.report || {};
      const ver = rep.verification && rep.shipped ? rep.verification[rep.shipped] : null;
      const cost = rep.cost && rep.shipped ? rep.cost[rep.shipped] : null;
      return el('tr', {'data-bundle': b.file}, el('td', {}, b.file), el('td', {}, b.modelId || b.error),
        el('td', {}, [man.family, man.quantization || man.precision].filter(x => x).join(' / ')),
        el('td', {}, [man.window, man.stride].filter(x => x != null).join(' / ')),
        el('td', {}, fmt(man.threshold)),
        el('td', {}, ver ? `${ver.passed ? 'passed' : 'FAILED'} (ROC-AUC ${fmt(ver.rocAuc)})` : '–'),
        el('td', {}, cost && cost.macsPerWindow ? cost.macsPerWindow + ' MACs/window' : '–'),
        el('td', {}, b.signed ? 'yes' : 'no'), el('td', {}, runsOn(b.modelId) || '–'));
    }));
    document.querySelector('#deployments tbody').replaceChildren(...m.deployments.map(d => deploymentRow(d, true)));
  } catch (e) { showError(e); }
}

// ---- start

(async function main() {
  let session = {role: 'VIEWER'};
  try {
    session = await api('/api/session');
    document.getElementById('who').textContent = session.user + ' (' + session.role.toLowerCase() + ')';
  } catch (e) { showError(e); }
  if (page === 'alarms') {
    for (const b of document.querySelectorAll('#filters button')) {
      b.onclick = () => {
        statusFilter = b.dataset.status;
        document.querySelectorAll('#filters button').forEach(x => x.classList.toggle('on', x === b));
        loadAlarms();
      };
    }
    loadAlarms();
  }
  if (page === 'models') loadModels();
  if (page === 'device') {
    const started = (what) => { const p = document.getElementById('calibration'); p.textContent = what; p.className = ''; };
    const admin = session.role === 'ADMIN';
    document.getElementById('record-controls').hidden = session.role === 'VIEWER';
    document.getElementById('record').onclick = async () => {
      try {
        showError(null);
        await api(`/api/devices/${encodeURIComponent(deviceId)}/record`, {method: 'POST',
          body: JSON.stringify({seconds: 30, label: document.getElementById('record-label').value})});
        started('recording 30 s…');
      } catch (e) { showError(e); }
    };
    if (admin) {
      try {
        const m = await api('/api/models');
        const sel = document.getElementById('bundle');
        sel.replaceChildren(...m.bundles.filter(b => b.modelId).map(b => el('option', {value: b.file}, b.file)));
        document.getElementById('deploy-controls').hidden = false;
        document.getElementById('deploy').disabled = m.bundles.length === 0;
      } catch (e) { showError(e); }
      document.getElementById('deploy').onclick = async () => {
        try {
          showError(null);
          const bundle = document.getElementById('bundle').value;
          await api(`/api/devices/${encodeURIComponent(deviceId)}/deploy`, {method: 'POST', body: JSON.stringify({bundle})});
          started(`deploying ${bundle} (the device checks its signature)…`);
        } catch (e) { showError(e); }
      };
      document.getElementById('rollback').onclick = async () => {
        try {
          showError(null);
          await api(`/api/devices/${encodeURIComponent(deviceId)}/rollback`, {method: 'POST'});
          started('rolling back…');
        } catch (e) { showError(e); }
      };
    }
    const button = document.getElementById('recalibrate');
    button.hidden = !admin;
    button.onclick = async () => {
      try {
        showError(null);
        const r = await api(`/api/devices/${encodeURIComponent(deviceId)}/calibrate`, {method: 'POST',
          body: JSON.stringify({seconds: 30, quantile: 0.999})});
        const p = document.getElementById('calibration');
        p.textContent = 'calibrating on 30 s of normal operation…';
        p.className = '';
      } catch (e) { showError(e); }
    };
    const signalChart = chart('signal', [{label: 'x', data: [], borderColor: '#1565c0'},
      {label: 'y', data: [], borderColor: '#2e7d32'}, {label: 'z', data: [], borderColor: '#ef6c00'}]);
    if (signalChart) {
      signalChart.options.scales.y.beginAtZero = false;
      const sig = new EventSource('/api/devices/' + encodeURIComponent(deviceId) + '/signal');
      sig.addEventListener('signal', ev => {
        const p = JSON.parse(ev.data);
        const ds = signalChart.data;
        for (let i = 0; i < p.t.length; i++) {
          ds.labels.push(((p.t[i] % 100000) / 1000).toFixed(2));
          for (let c = 0; c < 3 && c < p.axes.length; c++) ds.datasets[c].data.push(p.axes[c][i]);
        }
        const keep = 500;
        if (ds.labels.length > keep) {
          const cut = ds.labels.length - keep;
          ds.labels.splice(0, cut);
          ds.datasets.forEach(x => x.data.splice(0, cut));
        }
        signalChart.update('none');
      });
    }
    liveChart = chart('live', [{label: 'score', data: [], borderColor: '#1d2330'},
      {label: 'threshold', data: [], borderColor: '#c62828', borderDash: [6, 4]}]);
    const d = await loadDeviceAlarms();
    if (d) {
      update(d);
      const h = chart('history', [{label: 'mean', data: [], borderColor: '#1d2330'},
        {label: 'max', data: [], borderColor: '#b26a00'}, {label: 'threshold', data: [], borderColor: '#c62828', borderDash: [6, 4]}]);
      if (h) {
        for (const m of d.scoreMinutes) {
          h.data.labels.push(new Date(m.t).toLocaleTimeString());
          h.data.datasets[0].data.push(m.mean); h.data.datasets[1].data.push(m.max); h.data.datasets[2].data.push(m.threshold);
        }
        h.update('none');
      }
    }
  }
  connect();
})();
