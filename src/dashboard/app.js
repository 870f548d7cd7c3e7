// faultline dashboard: plain ES module, no build step. Reads the API with the operator's key and
// follows GET /v1/stream (Server-Sent Events, read with fetch so the key travels in a header).
// Everything from the data is put in the page as text (never as HTML).
import uPlot from './vendor/uPlot.esm.js';

const KEY_STORAGE = 'faultline.apiKey';
const MAX_ROWS = 200;
const MAX_POINTS = 2000;

const $ = (id) => document.getElementById(id);

const state = {
  key: sessionStorage.getItem(KEY_STORAGE) ?? '',
  series: [],
  selected: null, // { id, source, metric }
  manual: false, // the operator picked a series: stop following anomalies
  points: [], // Score[] of the selected series, by ts
  anomalies: new Map(), // id -> AnomalyEvent
  heal: false, // the actions API answered
  stream: null, // AbortController of the running stream
  filter: '',
};

// ---------- small helpers ----------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const fmtTime = (ts) => new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
const fmtNum = (v) =>
  v === null || v === undefined ? '–' : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(4)).toString();
const idOf = (source, metric) => `${source}|${metric}`;

class AuthError extends Error {}

async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  if (state.key) headers.authorization = `Bearer ${state.key}`;
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 || res.status === 403) {
    const body = await res.json().catch(() => ({}));
    throw new AuthError(body.message ?? `HTTP ${res.status}`);
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    const err = new Error(body.message ?? `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return res.status === 204 ? null : res.json();
}

function setConn(s, text = s) {
  const c = $('conn');
  c.dataset.state = s;
  c.textContent = text;
}

function askForKey(reason) {
  setConn('unauthorized', 'key needed');
  $('key-button').hidden = false;
  $('key-reason').textContent = reason;
  const d = $('key-dialog');
  if (!d.open) d.showModal();
}

// ---------- charts ----------

let valueChart = null;
let scoreChart = null;

/** anomaly windows of the selected series: shaded spans, drawn under the lines */
const windowsPlugin = {
  hooks: {
    drawClear: [
      (u) => {
        const sel = state.selected;
        if (!sel || state.points.length === 0) return;
        const last = state.points[state.points.length - 1].ts;
        const { ctx, bbox } = u;
        ctx.save();
        ctx.fillStyle = 'rgba(255, 93, 93, 0.13)';
        for (const w of anomalyWindows(sel.id, last)) {
          const x0 = u.valToPos(w.from / 1000, 'x', true);
          const x1 = Math.max(x0 + 2, u.valToPos(w.to / 1000, 'x', true));
          const l = Math.max(bbox.left, x0);
          const r = Math.min(bbox.left + bbox.width, x1);
          if (r > l) ctx.fillRect(l, bbox.top, r - l, bbox.height);
        }
        ctx.restore();
      },
    ],
  },
};

/** one window per anomaly (rule and start): from its start to its resolution, or to the last point */
function anomalyWindows(id, lastTs) {
  const byStart = new Map();
  for (const a of state.anomalies.values()) {
    if (idOf(a.source, a.metric) !== id) continue;
    const key = `${a.rule}:${a.startedAt}`;
    const w = byStart.get(key) ?? { from: a.startedAt, to: lastTs };
    if (a.state === 'resolved') w.to = a.ts;
    byStart.set(key, w);
  }
  return [...byStart.values()];
}

function chartWidth() {
  return Math.max(300, $('chart-card').clientWidth - 28);
}

function buildCharts() {
  const sync = uPlot.sync('faultline');
  const axis = { stroke: '#8696a8', grid: { stroke: '#1f2935', width: 1 }, ticks: { stroke: '#243040' } };
  const cursor = { sync: { key: sync.key }, points: { size: 6 } };
  valueChart = new uPlot(
    {
      width: chartWidth(),
      height: 280,
      cursor,
      plugins: [windowsPlugin],
      scales: { x: { time: true } },
      axes: [{ ...axis }, { ...axis, size: 60 }],
      series: [
        {},
        { label: 'value', stroke: '#4ea1ff', width: 1.6 },
        { label: 'expected', stroke: '#a78bfa', width: 1, dash: [5, 4] },
        { label: 'lower', stroke: 'rgba(78,161,255,0.25)', width: 1 },
        { label: 'upper', stroke: 'rgba(78,161,255,0.25)', width: 1 },
        {
          label: 'anomaly',
          stroke: '#ff5d5d',
          width: 0,
          paths: () => null,
          points: { show: true, size: 10, width: 2, stroke: '#ffffff', fill: '#ff5d5d' },
        },
      ],
      bands: [{ series: [4, 3], fill: 'rgba(78,161,255,0.12)' }],
    },
    [[], [], [], [], [], []],
    $('chart-value'),
  );
  scoreChart = new uPlot(
    {
      width: chartWidth(),
      height: 110,
      cursor,
      plugins: [windowsPlugin],
      scales: { x: { time: true }, y: { range: [0, 1] } },
      axes: [
        { ...axis, show: false },
        { ...axis, size: 60, splits: () => [0, 0.5, 1] },
      ],
      series: [{}, { label: 'score', stroke: '#f5b942', width: 1.3, fill: 'rgba(245,185,66,0.12)' }],
    },
    [[], []],
    $('chart-score'),
  );
  new ResizeObserver(() => {
    valueChart.setSize({ width: chartWidth(), height: 280 });
    scoreChart.setSize({ width: chartWidth(), height: 110 });
  }).observe($('chart-card'));
}

let drawQueued = false;
function drawCharts() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    const pts = state.points;
    const firingAt = new Map();
    if (state.selected) {
      for (const a of state.anomalies.values()) {
        if (idOf(a.source, a.metric) === state.selected.id && a.state === 'firing') firingAt.set(a.ts, a.value);
      }
    }
    const xs = pts.map((p) => p.ts / 1000);
    valueChart.setData([
      xs,
      pts.map((p) => p.value),
      pts.map((p) => p.expected),
      pts.map((p) => p.lower),
      pts.map((p) => p.upper),
      pts.map((p) => (firingAt.has(p.ts) ? (firingAt.get(p.ts) ?? p.value) : null)),
    ]);
    scoreChart.setData([xs, pts.map((p) => p.score)]);
  });
}

function mergePoints(points) {
  if (points.length === 0) return;
  const byTs = new Map(state.points.map((p) => [p.ts, p]));
  for (const p of points) byTs.set(p.ts, p);
  state.points = [...byTs.values()].sort((a, b) => a.ts - b.ts).slice(-MAX_POINTS);
}

// ---------- series ----------

async function loadSeries() {
  const body = await api('/v1/series?limit=200');
  state.series = body.series;
  $('stat-series').textContent = String(body.count);
  renderSeries();
  if (!state.selected && state.series.length > 0) {
    const withAnomaly = [...state.anomalies.values()].sort((a, b) => b.ts - a.ts)[0];
    const first = withAnomaly ?? state.series[0];
    await select(first.source, first.metric, false);
  }
}

function firingSeries() {
  const s = new Set();
  const latest = new Map();
  for (const a of state.anomalies.values()) {
    const id = idOf(a.source, a.metric);
    const prev = latest.get(id);
    if (!prev || a.ts >= prev.ts) latest.set(id, a);
  }
  for (const [id, a] of latest) if (a.state === 'firing') s.add(id);
  return s;
}

function renderSeries() {
  const firing = firingSeries();
  const f = state.filter.toLowerCase();
  const shown = state.series.filter(
    (s) => !f || s.source.toLowerCase().includes(f) || s.metric.toLowerCase().includes(f),
  );
  const items = shown.map((s) => {
    const score = s.lastScore ?? 0;
    const fill = el('i', { class: score >= 0.5 ? 'hot' : '' });
    fill.style.width = `${Math.round(score * 100)}%`; // through the CSSOM: the page's CSP forbids style attributes
    return el(
      'li',
      {
        class: state.selected?.id === s.id ? 'selected' : '',
        dataset: { id: s.id },
        title: s.id,
        onclick: () => select(s.source, s.metric, true),
      },
      el('span', { class: `name${firing.has(s.id) ? ' firing' : ''}`, text: `${s.source} · ${s.metric}` }),
      el('span', { class: 'val', text: fmtNum(s.lastValue) }),
      el('span', { class: 'bar' }, fill),
    );
  });
  $('series-list').replaceChildren(...items);
}

async function select(source, metric, manual) {
  const id = idOf(source, metric);
  if (manual) {
    state.manual = true;
    $('follow').checked = false;
  }
  if (state.selected?.id === id) return;
  state.selected = { id, source, metric };
  state.points = [];
  $('chart-title').textContent = `${source} · ${metric}`;
  $('chart-sub').textContent = 'loading…';
  renderSeries();
  restartStream();
  try {
    const view = await api(
      `/v1/series/${encodeURIComponent(source)}/${encodeURIComponent(metric)}?limit=${MAX_POINTS}`,
    );
    if (state.selected?.id !== id) return;
    mergePoints(view.points);
    describeSelected(view);
  } catch (err) {
    if (err instanceof AuthError) return askForKey(err.message);
    $('chart-sub').textContent = err.status === 404 ? 'no scored points kept for this series yet' : err.message;
  }
  drawCharts();
}

function describeSelected(view, anomaly) {
  const a = anomaly ?? view?.lastAnomaly;
  const status = view ? `${view.status}, ${view.points.length} points — ` : '';
  $('chart-sub').textContent = a ? `${status}last anomaly (${a.state}): ${a.reason}` : status || 'no anomaly';
}

// ---------- anomalies ----------

function addAnomaly(a, fresh) {
  const prev = state.anomalies.get(a.id);
  if (prev && prev.state === 'resolved' && a.state === 'firing') return;
  state.anomalies.set(a.id, a);
  if (state.anomalies.size > MAX_ROWS * 2) {
    const oldest = [...state.anomalies.values()].sort((x, y) => x.ts - y.ts).slice(0, state.anomalies.size - MAX_ROWS);
    for (const o of oldest) state.anomalies.delete(o.id);
  }
  if (fresh && a.state === 'firing' && $('follow').checked && !state.manual) select(a.source, a.metric, false);
  renderAnomalies(fresh ? a.id : null);
  if (state.selected && idOf(a.source, a.metric) === state.selected.id) {
    if (fresh) describeSelected(null, a);
    drawCharts();
  }
}

function renderAnomalies(freshId) {
  const rows = [...state.anomalies.values()].sort((a, b) => b.ts - a.ts).slice(0, MAX_ROWS);
  const firing = firingSeries();
  $('stat-firing').textContent = String(firing.size);
  $('stat-anomalies').textContent = String(state.anomalies.size);
  $('no-anomalies').hidden = rows.length > 0;
  if (rows[0]) $('stat-last').textContent = `last: ${fmtTime(rows[0].ts)}`;
  $('anomaly-rows').replaceChildren(
    ...rows.map((a) =>
      el(
        'tr',
        {
          class: a.id === freshId ? 'fresh' : '',
          dataset: { testid: 'anomaly-row', id: a.id, state: a.state, series: idOf(a.source, a.metric) },
          onclick: () => select(a.source, a.metric, true),
        },
        el('td', { class: 'num', text: fmtTime(a.ts) }),
        el('td', { text: `${a.source} · ${a.metric}` }),
        el('td', {}, el('span', { class: `badge ${a.severity}`, text: a.severity })),
        el('td', {}, el('span', { class: `badge ${a.state}`, text: a.state })),
        el('td', { class: 'num', text: a.score.toFixed(2) }),
        el('td', { class: 'why', text: a.reason }),
      ),
    ),
  );
  renderSeries();
}

async function loadAnomalies() {
  const body = await api('/v1/anomalies?limit=200');
  for (const a of body.anomalies.reverse()) addAnomaly(a, false);
}

// ---------- self-healing (when the heal engine runs in the API process) ----------

async function loadActions() {
  const body = await api('/v1/actions');
  state.heal = true;
  $('actions-card').hidden = false;
  const s = body.status;
  const coord = body.coordinator;
  const role = s.safeMode ? 'SAFE MODE' : s.leader ? 'leader' : 'standby';
  $('heal-status').textContent =
    `${role}${coord?.token ? `, fencing token ${coord.token}` : ''}${s.dryRun ? ', dry run' : ''} — ${s.openCases} open, ${s.inFlight} in flight`;
  $('approvals').replaceChildren(
    ...body.pending.map((p) => {
      const first = p.plan[0];
      const buttons = el('span', {});
      const act = async (verb) => {
        for (const b of buttons.querySelectorAll('button')) b.disabled = true;
        try {
          await api(`/v1/actions/${encodeURIComponent(p.id)}/${verb}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(verb === 'reject' ? { reason: 'rejected from the dashboard' } : {}),
          });
        } catch (err) {
          if (err instanceof AuthError) askForKey(`${err.message} — approving needs the operate scope`);
          else alert(err.message);
        }
        await loadActions();
      };
      buttons.append(
        el('button', {
          type: 'button',
          dataset: { testid: 'approve', id: p.id },
          onclick: () => act('approve'),
          text: 'Approve',
        }),
        ' ',
        el('button', {
          type: 'button',
          class: 'reject',
          dataset: { testid: 'reject', id: p.id },
          onclick: () => act('reject'),
          text: 'Reject',
        }),
      );
      return el(
        'div',
        { class: 'approval', dataset: { testid: 'approval', id: p.id } },
        el(
          'span',
          { class: 'what' },
          el('b', { text: p.strategy }),
          ` ${first?.target ?? ''} — ${p.plan.length} step(s), awaiting approval until ${fmtTime(p.deadline)}`,
        ),
        buttons,
      );
    }),
  );
  $('actions-list').replaceChildren(
    ...body.recent
      .slice(0, 12)
      .map((a) =>
        el(
          'li',
          { dataset: { testid: 'action', decision: a.decision } },
          el('span', { class: `badge ${a.decision}`, text: a.decision }),
          ` ${a.strategy} ${a.target} `,
          el('span', { class: 'muted', text: `${fmtTime(a.ts)} ${a.reasons.slice(-1)[0] ?? ''}` }),
        ),
      ),
  );
}

let actionsTimer = null;
function refreshActionsSoon() {
  clearTimeout(actionsTimer);
  actionsTimer = setTimeout(() => loadActions().catch(() => {}), 250);
}

// ---------- the live stream ----------

function handleEvent(event, data) {
  if (event === 'hello') {
    if (data.heal) refreshActionsSoon();
    else $('actions-card').hidden = true;
  } else if (event === 'anomaly') addAnomaly(data, true);
  else if (event === 'scores') {
    if (state.selected?.id === data.id) {
      mergePoints(data.points);
      drawCharts();
    }
  } else if (event === 'action') refreshActionsSoon();
}

async function runStream(ctrl) {
  const q = state.selected ? `?series=${encodeURIComponent(state.selected.id)}` : '';
  const headers = { accept: 'text/event-stream' };
  if (state.key) headers.authorization = `Bearer ${state.key}`;
  const res = await fetch(`/v1/stream${q}`, { headers, signal: ctrl.signal });
  if (res.status === 401 || res.status === 403) throw new AuthError((await res.json()).message);
  if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
  setConn('live');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      }
      if (data) handleEvent(event, JSON.parse(data));
    }
  }
}

async function streamLoop(ctrl) {
  let delay = 1000;
  while (!ctrl.signal.aborted) {
    try {
      await runStream(ctrl);
      delay = 1000;
    } catch (err) {
      if (ctrl.signal.aborted) return;
      if (err instanceof AuthError) return askForKey(err.message);
      setConn('offline', 'reconnecting');
    }
    if (ctrl.signal.aborted) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(15_000, delay * 2);
    // catch up on what the stream missed while it was down
    await Promise.all([loadAnomalies(), loadSeries()]).catch(() => {});
  }
}

function restartStream() {
  state.stream?.abort();
  const ctrl = new AbortController();
  state.stream = ctrl;
  streamLoop(ctrl);
}

// ---------- start ----------

async function start() {
  try {
    await loadAnomalies();
    await loadSeries();
  } catch (err) {
    if (err instanceof AuthError) return askForKey(err.message);
    setConn('offline', 'API unreachable');
  }
  if (!state.stream) restartStream();
}

$('key-form').addEventListener('submit', () => {
  state.key = $('key-input').value.trim();
  sessionStorage.setItem(KEY_STORAGE, state.key);
  state.stream?.abort();
  state.stream = null;
  start();
});
$('key-button').addEventListener('click', () => $('key-dialog').showModal());
$('follow').addEventListener('change', (e) => {
  state.manual = !e.target.checked;
});
$('series-filter').addEventListener('input', (e) => {
  state.filter = e.target.value;
  renderSeries();
});
setInterval(() => loadSeries().catch(() => {}), 5000);

buildCharts();
start();
