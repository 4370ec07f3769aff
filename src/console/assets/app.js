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
const state = { topic: null, partitions: [], view: null, figures: null };

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
    case 'kafka':
      return [`${fmt(sum((x) => x.records))} records`];
    case 'sink':
      return f.sink
        ? [`lag ${fmt(sum((x) => x.sinkLag))}`, `${f.sink.members} consumer(s), ${f.sink.state}`]
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

function render(f) {
  state.figures = f;
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
      down.append(`down: ${s.reason || 'unreachable'} — start it: `, el('code', {}, s.start || ''));
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
    $('#records').replaceChildren(
      ...r.records.map((rec) =>
        el(
          'li',
          { class: 'record', 'data-partition': String(rec.partition), 'data-offset': String(rec.offset) },
          el(
            'p',
            { class: 'where' },
            `partition ${rec.partition} · offset ${rec.offset} · ${new Date(rec.timestamp).toISOString()}`,
          ),
          el('pre', {}, JSON.stringify(rec.value, null, 2)),
        ),
      ),
    );
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
  es.onerror = () => {
    live.textContent = 'disconnected: is `pinpipe console` still running? retrying…';
    live.className = 'live off';
  };
}

function start() {
  $('#jump').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    void showRecords(`partition=${form.get('partition')}&offset=${form.get('offset')}`);
  });
  $('#newest').addEventListener('click', () => void showRecords(''));
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
