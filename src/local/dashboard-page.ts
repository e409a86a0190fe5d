/**
 * The local dashboard: one self-contained page (no framework, no external request) that polls
 * `GET /dashboard/data` every second with the bearer token from its URL's fragment — the fragment
 * never reaches the server, and the page itself holds no data. Every value is set as text.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jama-sync local</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#1d2733;background:#f6f8fa}
h1{font-size:1.3rem;margin:0}h2{font-size:1rem;margin:0 0 .4rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem;margin-top:1rem}
section{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:.8rem}
table{border-collapse:collapse;width:100%}td,th{padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
.big{font-size:1.6rem;font-weight:600}.muted{color:#57606a;font-size:.85rem}.bad{color:#c0262d}
svg{width:100%;height:140px;background:#fbfcfd}ol{margin:0;padding-left:1.2rem;font-family:ui-monospace,monospace;font-size:.8rem}
</style></head><body>
<h1>jama-sync local <span class="muted" id="target"></span></h1>
<div class="muted">updated <span id="updated">never</span> · <span id="problem"></span></div>
<div id="envs" class="grid"></div>
<div class="grid">
<section><h2>Backlog by queue</h2><table id="queues"><tr><th>queue</th><th>waiting</th><th>in flight</th><th>delayed</th><th>oldest</th></tr></table></section>
<section><h2>Dead letters</h2><div class="big" data-figure="dlq"></div><div class="muted">jama-sync dlq list · dlq redrive</div></section>
<section><h2>Sync latency (ms)</h2><table><tr><th>p50</th><th>p95</th><th>p99</th><th>samples</th></tr>
<tr><td data-figure="latency.p50"></td><td data-figure="latency.p95"></td><td data-figure="latency.p99"></td><td data-figure="latency.count"></td></tr></table></section>
<section><h2>Mirror</h2><span class="big" data-figure="mirror.items"></span> items <span class="muted">+<span data-figure="mirror.tombstones"></span> tombstones</span></section>
<section><h2>Reconciliation runs</h2><table id="runs"><tr><th>run</th><th>mode</th><th>projects done</th><th>scan backlog</th><th>state</th></tr></table></section>
<section><h2>Last synced</h2><ol id="last"></ol></section>
</div>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const $ = (s, root = document) => root.querySelector(s);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
const set = (name, value) => { for (const e of document.querySelectorAll('[data-figure="' + name + '"]')) e.textContent = value === undefined ? '–' : String(value); };
const row = (cells) => { const tr = el('tr'); for (const c of cells) tr.append(el('td', c)); tr.dataset.row = ''; return tr; };
const rows = (table, list) => { for (const r of table.querySelectorAll('tr[data-row]')) r.remove(); for (const cells of list) table.append(row(cells)); };
function envCard(env) {
  let card = document.getElementById('env-' + env.env);
  if (card) return card;
  card = el('section'); card.id = 'env-' + env.env;
  card.append(el('h2', 'Jama calls/s · ' + env.env));
  const figures = el('div');
  for (const [key, label] of [['ratePerSecond','calls/s now'],['rateLimit','limit'],['calls','calls'],['throttled','429s'],['busiestSecond','busiest second'],['mirrorItems','items in mirror'],['limiterRate','limiter rate']]) {
    const f = el('span', '', 'big'); f.dataset.figure = 'jama.' + env.env + '.' + key;
    figures.append(f, el('span', ' ' + label + '  ', 'muted'));
  }
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 600 140'); svg.setAttribute('preserveAspectRatio', 'none');
  for (const [series, color, dash] of [['limit','#8c959f','4 4'],['accepted','#1a7f37',''],['throttled','#c0262d','']]) {
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', color); line.setAttribute('stroke-width', '2');
    if (dash) line.setAttribute('stroke-dasharray', dash);
    line.dataset.series = series; svg.append(line);
  }
  card.append(figures, svg, el('div', 'last 120 s, counted in the Jama client · green accepted · red 429 · dashed limit', 'muted'));
  $('#envs').append(card);
  return card;
}
function chart(card, env, seconds) {
  const top = Math.max(env.rateLimit * 1.25, ...seconds.map((s) => s.accepted + s.throttled), 1);
  const x = (i) => (600 * i) / Math.max(1, seconds.length - 1), y = (v) => 140 - (140 * v) / top;
  const pts = (pick) => seconds.map((s, i) => x(i).toFixed(1) + ',' + y(pick(s)).toFixed(1)).join(' ');
  $('[data-series="accepted"]', card).setAttribute('points', pts((s) => s.accepted));
  $('[data-series="throttled"]', card).setAttribute('points', pts((s) => s.throttled));
  $('[data-series="limit"]', card).setAttribute('points', '0,' + y(env.rateLimit) + ' 600,' + y(env.rateLimit));
  card.dataset.accepted = String(seconds.reduce((n, s) => n + s.accepted, 0));
}
function render(d) {
  const s = d.status, c = s.counters;
  $('#target').textContent = s.target;
  for (const env of c ? c.jama.environments : []) {
    const card = envCard(env);
    for (const k of ['ratePerSecond','rateLimit','calls','throttled','busiestSecond']) set('jama.' + env.env + '.' + k, env[k]);
    const m = s.mirror && s.mirror.environments ? s.mirror.environments.find((e) => e.env === env.env) : undefined;
    set('jama.' + env.env + '.mirrorItems', m ? m.items : undefined);
    const l = s.limiters.find((x) => x.env === env.env);
    set('jama.' + env.env + '.limiterRate', l && l.rate !== undefined ? l.rate.toFixed(1) : undefined);
    chart(card, env, d.history[env.env] || []);
  }
  rows($('#queues'), s.queues.map((q) => [q.name, q.visible, q.inFlight, q.delayed, q.oldestAgeSeconds === undefined ? '–' : q.oldestAgeSeconds + ' s']));
  const dlq = s.queues.find((q) => q.name === 'dead letters');
  set('dlq', dlq ? dlq.visible + dlq.inFlight + dlq.delayed : undefined);
  document.querySelector('[data-figure="dlq"]').classList.toggle('bad', Boolean(dlq && dlq.visible + dlq.inFlight + dlq.delayed));
  for (const k of ['p50','p95','p99','count']) set('latency.' + k, d.activity.latency[k]);
  set('mirror.items', s.mirror ? s.mirror.items : undefined);
  set('mirror.tombstones', s.mirror ? s.mirror.tombstones : undefined);
  rows($('#runs'), d.runs.map((r) => [r.runId.slice(0, 8), r.mode, r.finished + ' / ' + r.projects, r.reconcileBacklog, r.state]));
  const last = $('#last'); last.replaceChildren(...d.activity.last.map((j) => el('li', new Date(j.at).toLocaleTimeString() + '  ' + j.env + '  ' + j.what + (j.latencyMs === undefined ? '' : '  ' + j.latencyMs + ' ms'))));
  $('#updated').textContent = new Date(d.at).toLocaleTimeString();
  document.body.dataset.updated = String(d.at);
}
async function tick() {
  try {
    const res = await fetch('/dashboard/data', { headers: { authorization: 'Bearer ' + token } });
    if (!res.ok) throw new Error(res.status === 401 ? 'wrong or missing token: open the URL jama-sync local printed' : 'HTTP ' + res.status);
    render(await res.json());
    $('#problem').textContent = '';
  } catch (e) { $('#problem').textContent = String(e.message || e); }
  setTimeout(tick, 1000);
}
tick();
</script></body></html>
`;
