/* global document, window, fetch, EventSource, URLSearchParams, Node, FormData */
// The pinpipe console page: live pipeline figures over Server-Sent Events, a topic browser, an
// S3 browser and the batch results. Plain browser JavaScript, no build step, no external requests.
'use strict';

const token = new URLSearchParams(window.location.search).get('token') || '';
const LABELS = {
  mysql: 'MySQL source',
  emulator: 'Emulator',
  gateway: 'API Gateway',
  proxy: 'REST proxy',
  kafka: 'Kafka topics',
  sink: 'Sink',
  s3: 'S3',
  batch: 'Batch',
  results: 'Results',
};
const S3_SHORTCUTS = ['', 'topics/', 'errors/', 'curated/', 'analytics/', 'reports/'];
const state = { topic: null, partitions: [], view: null, figures: null, history: [], quarantineOf: null };
/** Seconds of history the sparklines show (one point per figures frame). */
const SPARK_POINTS = 60;
const SVG_NS = 'http://www.w3.org/2000/svg';

function $(sel) {
  return document.querySelector(sel);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function fmt(n) {
  return n === null || n === undefined ? '?' : Number(n).toLocaleString('en-US');
}

function bytes(n) {
  if (n === null || n === undefined) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function withToken(path) {
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

function notice(message) {
  const n = $('#notice');
  n.textContent = message || '';
  n.hidden = !message;
}

/** GET a console endpoint; non-2xx answers become an Error carrying the server's message. */
async function api(path) {
  let res;
  try {
    res = await fetch(withToken(path), { headers: { 'x-pinpipe-token': token } });
  } catch (err) {
    throw new Error(`The console does not answer (${err.message}). Is \`pinpipe console\` still running?`, {
      cause: err,
    });
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = new Error((body.error && body.error.message) || `HTTP ${res.status}`);
    e.status = res.status;
    throw e;
  }
  return body;
}

function stageFigures(id, f) {
  const t = f.topics;
  const sum = (pick) => t.reduce((a, x) => (a === null || pick(x) === null ? null : a + pick(x)), 0);
  switch (id) {
    case 'mysql':
      return f.sourceRows
        ? [
            `pin ${fmt(f.sourceRows.pin)}`,
            `geo ${fmt(f.sourceRows.geo)}`,
            `user ${fmt(f.sourceRows.user)} rows`,
          ]
        : [];
    case 'emulator':
      return [
        `${fmt(f.emulated.runs)} runs`,
        `${fmt(Object.values(f.emulated.acknowledged).reduce((a, b) => a + b, 0))} acknowledged`,
      ];
    case 'proxy':
      return f.proxy
        ? [
            `${fmt(f.proxy.requests)} requests`,
            `${fmt(f.proxy.records)} records`,
            `${fmt(Object.values(f.proxy.errors).reduce((a, b) => a + b, 0))} errors${errorCodes(f.proxy.errors)}`,
            `latency ${ms(f.proxy.latencyMs.mean)} mean, ${ms(f.proxy.latencyMs.p95)} p95`,
          ]
        : [];
    case 'gateway':
      // the gateway forwards every produce request to the proxy, which counts them (a
      // `pinpipe emulate --direct` or a curl to the proxy counts there too)
      return f.proxy
        ? [`${fmt(f.proxy.produceRequests)} produce requests`, 'forwarded to the REST proxy']
        : [];
    case 'kafka':
      return [`${fmt(sum((x) => x.records))} records`];
    case 'sink':
      return f.sink
        ? [
            `lag ${fmt(sum((x) => x.sinkLag))}`,
            `${f.sink.members} consumer(s), ${f.sink.state}`,
            ...(f.sink.metrics
              ? [
                  `${fmt(f.sink.metrics.records)} records in ${fmt(f.sink.metrics.objects)} objects (this run)`,
                ]
              : []),
          ]
        : [];
    case 's3':
      return f.s3 ? [`${fmt(f.s3.objects)} objects`, bytes(f.s3.bytes)] : [];
    case 'batch':
      return f.lastBatch
        ? [
            `run ${f.lastBatch.runDate}`,
            `${(f.lastBatch.durationMs / 1000).toFixed(1)} s`,
            `${fmt(f.lastBatch.quarantined)} quarantined`,
          ]
        : [];
    case 'results':
      return f.lastBatch
        ? [
            `pin ${fmt(f.lastBatch.rows.pin)}`,
            `geo ${fmt(f.lastBatch.rows.geo)}`,
            `user ${fmt(f.lastBatch.rows.user)} rows`,
          ]
        : [];
    default:
      return [];
  }
}

function ms(v) {
  return v === null || v === undefined ? '?' : `${v} ms`;
}

function errorCodes(errors) {
  const codes = Object.entries(errors);
  return codes.length ? ` (${codes.map(([c, n]) => `${c}: ${fmt(n)}`).join(', ')})` : '';
}

/** The running total a stage's sparkline follows (its rate per second is drawn). */
function stageTotal(id, f) {
  const sum = (pick) => f.topics.reduce((a, x) => a + (pick(x) || 0), 0);
  switch (id) {
    case 'emulator':
      return Object.values(f.emulated.acknowledged).reduce((a, b) => a + b, 0);
    case 'proxy':
      return f.proxy ? f.proxy.records : null;
    case 'kafka':
      return sum((x) => x.records);
    case 'sink':
      return f.sink && f.sink.metrics ? f.sink.metrics.records : null;
    case 's3':
      return f.s3 ? f.s3.objects : null;
    default:
      return null;
  }
}

/** Records per second of each stage over the last SPARK_POINTS frames, as an inline SVG line. */
function drawSparks(f) {
  state.history.push({
    at: Date.parse(f.at),
    totals: Object.fromEntries(f.stages.map((s) => [s.id, stageTotal(s.id, f)])),
  });
  if (state.history.length > SPARK_POINTS + 1) state.history.shift();
  for (const s of f.stages) {
    const li = document.querySelector(`li.stage[data-stage="${s.id}"]`);
    const line = li && li.querySelector('svg.spark polyline');
    if (!line) continue;
    const rates = [];
    for (let i = 1; i < state.history.length; i++) {
      const a = state.history[i - 1];
      const b = state.history[i];
      const x = a.totals[s.id];
      const y = b.totals[s.id];
      rates.push(
        x === null || y === null || b.at <= a.at ? 0 : Math.max(0, ((y - x) * 1000) / (b.at - a.at)),
      );
    }
    const max = Math.max(1, ...rates);
    const step = 120 / Math.max(1, SPARK_POINTS - 1);
    const offset = SPARK_POINTS - rates.length;
    line.setAttribute(
      'points',
      rates
        .map((r, i) => `${((offset + i) * step).toFixed(1)},${(23 - (r / max) * 22).toFixed(1)}`)
        .join(' '),
    );
    const svg = line.parentNode;
    svg.setAttribute('data-rate', rates.length ? rates[rates.length - 1].toFixed(1) : '0');
    let title = svg.querySelector('title');
    if (!title) {
      title = document.createElementNS(SVG_NS, 'title');
      svg.prepend(title);
    }
    title.textContent = `${rates.length ? rates[rates.length - 1].toFixed(1) : 0} per second now, ${max.toFixed(1)} at most in the last minute`;
  }
}

let verdictShownAt = '';
function renderVerdict(v) {
  // verdicts come both alone (as soon as reached) and inside figures frames: never go back to an older one
  if (v.at && v.at < verdictShownAt) return;
  if (v.at) verdictShownAt = v.at;
  const p = $('#verdict');
  p.className = `verdict ${v.state}`;
  p.replaceChildren();
  if (v.state === 'pending') p.append('Reconciliation: computing…');
  else if (v.state === 'unavailable') p.append(`Reconciliation unavailable: ${v.reason}`);
  else {
    p.append(
      v.state === 'ok'
        ? 'Reconciliation: every stage accounts for every record'
        : v.state === 'inflight'
          ? 'Reconciliation: nothing lost, nothing foreign; some records in flight'
          : 'Reconciliation: MISMATCH',
      ` (pinpipe verify, ${new Date(v.at).toLocaleTimeString()})`,
    );
    const list = el('ul', {});
    for (const t of v.topics) {
      const inFlight = t.inFlight ?? [];
      const text = !t.ok
        ? t.problems.join('; ')
        : inFlight.length > 0
          ? `in flight: ${inFlight.join('; ')}`
          : 'ok';
      list.append(
        el('li', { class: !t.ok ? 'bad' : inFlight.length > 0 ? 'inflight' : 'ok' }, `${t.topic}: ${text}`),
      );
    }
    p.append(list);
  }
}

async function showQuarantine(f) {
  const key = f.lastBatch ? f.lastBatch.generatedAt : null;
  if (key === state.quarantineOf) return;
  state.quarantineOf = key;
  const caption = $('#quarantine-caption');
  const table = $('#quarantine-lines');
  if (!key) return;
  try {
    const q = await api('/api/quarantine');
    const reasons = Object.entries(q.byReason).map(([r, n]) => `${r}: ${fmt(n)}`);
    caption.textContent = q.total
      ? `${fmt(q.total)} line(s) quarantined in the run of ${q.runDate} (${reasons.join(', ')})` +
        (q.entries.length < q.total ? `; the first ${q.entries.length} shown, all in ${q.duckdbPath}` : '')
      : `No line was quarantined in the run of ${q.runDate}.`;
    table.hidden = q.entries.length === 0;
    $('#quarantine-lines tbody').replaceChildren(
      ...q.entries.map((e) =>
        el(
          'tr',
          { class: 'quarantined', 'data-key': e.key, 'data-line': String(e.line) },
          el('td', {}, e.reason),
          el('td', {}, el('code', {}, e.key)),
          el('td', { class: 'num' }, String(e.line)),
          el('td', { class: 'num' }, String(e.offset)),
          el('td', {}, el('pre', { class: 'line' }, e.text === null ? '(no text)' : e.text)),
        ),
      ),
    );
  } catch (err) {
    caption.textContent = err.message;
    table.hidden = true;
  }
}

/** POST to start a job; the answer (202) and the figures then carry its progress. */
async function startJob(path) {
  try {
    const res = await fetch(withToken(path), { method: 'POST', headers: { 'x-pinpipe-token': token } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((body.error && body.error.message) || `HTTP ${res.status}`);
    notice('');
    renderJob(body);
  } catch (err) {
    notice(err.message);
  }
}

function renderJob(job) {
  const p = $('#job');
  if (!job) return;
  p.hidden = false;
  p.className = `job ${job.state}`;
  p.dataset.state = job.state;
  p.dataset.kind = job.kind;
  const what = p.querySelector('.what');
  const bar = p.querySelector('progress');
  const pr = job.progress;
  if (job.state === 'running') {
    what.textContent = `${job.kind} running: ${pr.step} ${fmt(pr.done)} of ${fmt(pr.total)}`;
    bar.hidden = false;
    bar.max = Math.max(1, pr.total);
    bar.value = pr.done;
  } else {
    what.textContent = `${job.kind} ${job.state}: ${job.message}`;
    bar.hidden = true;
  }
  $('#emulate button').disabled = job.state === 'running';
  $('#run-batch').disabled = job.state === 'running';
}

function render(f) {
  state.figures = f;
  renderJob(f.job);
  drawSparks(f);
  renderVerdict(f.verdict);
  void showQuarantine(f);
  for (const s of f.stages) {
    const li = document.querySelector(`li.stage[data-stage="${s.id}"]`);
    if (!li) continue;
    li.className = `stage ${s.state}`;
    li.querySelector('h3').textContent = s.label || LABELS[s.id];
    const figs = li.querySelector('.figures');
    figs.replaceChildren(...stageFigures(s.id, f).map((line) => el('span', {}, line)));
    if (s.id === 'kafka') {
      for (const t of f.topics) {
        figs.append(
          el(
            'button',
            { type: 'button', class: 'topic', 'data-topic': t.topic, onclick: () => openTopic(t.topic) },
            `${t.key} `,
            el('span', { class: 'count' }, fmt(t.records)),
          ),
        );
      }
    }
    const down = li.querySelector('.down');
    down.replaceChildren();
    if (s.state === 'down')
      down.append(
        ...breakable(`down: ${s.reason || 'unreachable'} — start it: `),
        el('code', {}, s.start || ''),
      );
    else if (s.state === 'idle' && s.start) down.append('run: ', el('code', {}, s.start));
  }
  const rows = f.topics.map((t) =>
    el(
      'tr',
      { 'data-topic': t.topic },
      el('td', {}, el('a', { href: '#topic-view', onclick: () => openTopic(t.topic) }, t.topic)),
      el('td', { class: 'num records' }, fmt(t.records)),
      el('td', { class: 'num' }, fmt(t.sinkLag)),
      el(
        'td',
        {},
        t.partitions ? t.partitions.map((p) => `p${p.partition}: ${fmt(p.lag)}`).join(' · ') : '?',
      ),
      el('td', { class: 'num' }, t.s3 ? fmt(t.s3.objects) : '?'),
      el('td', { class: 'num' }, t.s3 ? bytes(t.s3.bytes) : '?'),
      el('td', { class: 'num' }, fmt(f.emulated.acknowledged[t.key])),
    ),
  );
  $('#topics tbody').replaceChildren(...rows);
  markRowEnds();
  const live = $('#live');
  live.textContent = `live · updated ${new Date(f.at).toLocaleTimeString()}`;
  live.className = 'live on';
  const frame = $('#results-frame');
  if (f.lastBatch && frame.hidden) {
    frame.src = withToken('/results');
    frame.hidden = false;
    $('#results-none').hidden = true;
  }
}

/** Text with line-break opportunities after '/' and before ':' (a URL wraps between its parts). */
function breakable(text) {
  const out = [];
  for (const part of text.split(/(?<=\/)|(?=:\d)/)) {
    if (out.length) out.push(el('wbr', {}));
    out.push(part);
  }
  return out;
}

/** Marks the last stage of each row of the wrapped stage row (no arrow from it). */
function markRowEnds() {
  const stages = [...document.querySelectorAll('ol.stages li.stage')];
  stages.forEach((li, i) => {
    const next = stages[i + 1];
    li.classList.toggle('row-end', !next || next.offsetTop > li.offsetTop);
  });
}

async function showRecords(query) {
  const topic = state.topic;
  const caption = $('#records-caption');
  caption.textContent = 'reading…';
  try {
    const r = await api(`/api/topics/${encodeURIComponent(topic)}${query ? `?${query}` : ''}`);
    if (topic !== state.topic) return;
    notice('');
    state.partitions = r.partitions;
    $('#partitions tbody').replaceChildren(
      ...r.partitions.map((p) =>
        el(
          'tr',
          { 'data-partition': String(p.partition) },
          el('td', {}, String(p.partition)),
          el('td', { class: 'num' }, fmt(p.low)),
          el('td', { class: 'num' }, fmt(p.high)),
          el(
            'td',
            {},
            el(
              'button',
              { type: 'button', onclick: () => showRecords(`partition=${p.partition}`) },
              'newest of this partition',
            ),
          ),
        ),
      ),
    );
    $('#records').replaceChildren(...r.records.map((rec) => recordItem(rec, 'record')));
    caption.textContent = r.records.length
      ? `${r.records.length} record(s)${r.partial ? ' (partial: Kafka was slow)' : ''}, newest first`
      : 'No records in this topic yet.';
    const single = new URLSearchParams(query || '').get('partition');
    const older = $('#older');
    if (single !== null && r.records.length) {
      const p = r.partitions.find((x) => String(x.partition) === single);
      const first = Math.min(...r.records.map((x) => x.offset));
      older.hidden = !p || first <= p.low;
      older.onclick = () => showRecords(`partition=${single}&offset=${Math.max(p.low, first - 20)}`);
    } else older.hidden = true;
  } catch (err) {
    caption.textContent = '';
    notice(err.message);
  }
}

/** One record of a topic as a list item: where it is, then its value pretty-printed. */
function recordItem(rec, cls) {
  return el(
    'li',
    { class: cls, 'data-partition': String(rec.partition), 'data-offset': String(rec.offset) },
    el(
      'p',
      { class: 'where' },
      `partition ${rec.partition} · offset ${rec.offset} · ${new Date(rec.timestamp).toISOString()}`,
    ),
    el('pre', {}, JSON.stringify(rec.value, null, 2)),
  );
}

async function findPost(ind) {
  const topic = state.topic;
  const caption = $('#records-caption');
  caption.textContent = `looking for ind ${ind}…`;
  try {
    const r = await api(`/api/topics/${encodeURIComponent(topic)}/find?ind=${encodeURIComponent(ind)}`);
    if (topic !== state.topic) return;
    notice('');
    $('#older').hidden = true;
    const found = [...r.records].sort((a, b) => a.offset - b.offset || a.partition - b.partition);
    $('#records').replaceChildren(...found.map((rec) => recordItem(rec, 'record found')));
    caption.textContent = r.records.length
      ? `${r.records.length} record(s) with ${r.field} ${r.ind}, in offset order (${fmt(r.scanned)} of ${fmt(r.total)} read)`
      : `No record with ${r.field} ${r.ind} in ${topic} (${fmt(r.scanned)} of ${fmt(r.total)} read${r.partial ? ', stopped after 10 s' : ''}).`;
  } catch (err) {
    caption.textContent = '';
    notice(err.message);
  }
}

function openTopic(topic) {
  state.topic = topic;
  const view = $('#topic-view');
  view.hidden = false;
  $('#topic-name').textContent = topic;
  void showRecords('');
}

async function browse(prefix) {
  $('#s3-where').textContent = `s3://…/${prefix}`;
  $('#s3-preview').hidden = true;
  try {
    const r = await api(`/api/s3?prefix=${encodeURIComponent(prefix)}`);
    notice('');
    $('#s3-where').textContent = `s3://${r.bucket}/${prefix}`;
    const items = [];
    if (prefix) {
      const up = prefix.replace(/[^/]+\/$/, '');
      items.push(
        el('li', {}, el('button', { type: 'button', class: 'folder', onclick: () => browse(up) }, '../')),
      );
    }
    for (const f of r.folders) {
      items.push(
        el(
          'li',
          {},
          el('button', { type: 'button', class: 'folder', onclick: () => browse(f) }, f.slice(prefix.length)),
        ),
      );
    }
    for (const o of r.objects) {
      items.push(
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'object', 'data-key': o.key, onclick: () => preview(o.key) },
            o.key.slice(prefix.length),
          ),
          ` ${bytes(o.size)}`,
        ),
      );
    }
    if (!items.length) items.push(el('li', {}, 'empty'));
    if (r.truncated) items.push(el('li', {}, 'first 500 shown'));
    $('#s3-list').replaceChildren(...items);
  } catch (err) {
    $('#s3-list').replaceChildren();
    notice(err.message);
  }
}

async function preview(key) {
  try {
    const r = await api(`/api/s3/object?key=${encodeURIComponent(key)}&lines=20`);
    notice('');
    const pre = $('#s3-preview');
    pre.textContent = `${r.key} (${bytes(r.size)})\n\n${r.lines.join('\n')}${r.truncated ? '\n…' : ''}`;
    pre.hidden = false;
  } catch (err) {
    notice(err.message);
  }
}

function connect() {
  const live = $('#live');
  const es = new EventSource(withToken('/api/events'));
  es.addEventListener('figures', (e) => render(JSON.parse(e.data)));
  es.addEventListener('verdict', (e) => renderVerdict(JSON.parse(e.data)));
  es.onerror = () => {
    live.textContent = 'disconnected: is `pinpipe console` still running? retrying…';
    live.className = 'live off';
  };
}

function start() {
  window.addEventListener('resize', markRowEnds);
  $('#jump').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    void showRecords(`partition=${form.get('partition')}&offset=${form.get('offset')}`);
  });
  $('#newest').addEventListener('click', () => void showRecords(''));
  $('#emulate').addEventListener('submit', (e) => {
    e.preventDefault();
    void startJob(`/api/actions/emulate?count=${encodeURIComponent(new FormData(e.target).get('count'))}`);
  });
  $('#run-batch').addEventListener('click', () => void startJob('/api/actions/batch'));
  $('#find').addEventListener('submit', (e) => {
    e.preventDefault();
    void findPost(new FormData(e.target).get('ind'));
  });
  $('#s3 .shortcuts').replaceChildren(
    ...S3_SHORTCUTS.map((p) =>
      el('button', { type: 'button', onclick: () => browse(p) }, p || 'bucket root'),
    ),
  );
  api('/api/pipeline').then(render, (err) => notice(err.message));
  connect();
  void browse('');
}

document.addEventListener('DOMContentLoaded', start);
