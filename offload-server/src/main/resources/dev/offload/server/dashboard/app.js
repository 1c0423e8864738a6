// Offload dashboard: plain JavaScript, no build step, no dependencies.
//
// Safety rule: job data (kinds, args, messages, errors, results) is only ever inserted as text,
// through h() and text nodes; nothing here hands a string to an HTML parser. The server's
// Content-Security-Policy allows scripts from this origin only.
//
// Live updates: GET /api/events streams the queues and the newest page of jobs for the current
// filter (one stream per page); GET /api/jobs/{id}/events streams one job until it ends. Views
// update rows and cards in place, keyed by id, so focus and scroll survive an update.
'use strict';

(() => {
  const STATES = ['waiting', 'scheduled', 'available', 'running', 'retrying', 'succeeded', 'dead', 'cancelled'];
  const FINAL = new Set(['succeeded', 'dead', 'cancelled']);
  const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
  const TOKEN_KEY = 'offload.token';

  let token = sessionStorage.getItem(TOKEN_KEY);
  let streams = [];
  let timers = [];
  let queues = [];
  let kinds = [];
  let rerender = null;

  // ------------------------------------------------------------------ DOM helpers

  /** Creates an element; string children become text nodes, never markup. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v == null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'style') for (const [p, val] of Object.entries(v)) el.style.setProperty(p, val);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    add(el, children);
    return el;
  }

  function add(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function setText(el, text) {
    const t = text == null ? '' : String(text);
    if (el.textContent !== t) el.textContent = t;
  }

  function clear(el) {
    el.replaceChildren();
    return el;
  }

  const app = () => document.getElementById('app');
  const jobHref = (id) => '#/jobs/' + Number(id);

  // ------------------------------------------------------------------ formatting

  const nf = new Intl.NumberFormat();
  const fmtNum = (n) => (n == null ? '–' : nf.format(n));

  function fmtPct(p) {
    if (p == null || isNaN(p)) return '0%';
    const v = Math.max(0, Math.min(100, p));
    return (v > 0 && v < 10 && v % 1 ? v.toFixed(1) : Math.floor(v)) + '%';
  }

  function fmtDuration(ms) {
    if (ms == null || isNaN(ms)) return '–';
    ms = Math.max(0, ms);
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 60) return Math.round(s) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + Math.round(s % 60) + ' s';
    const hours = Math.floor(m / 60);
    if (hours < 48) return hours + ' h ' + (m % 60) + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  function fmtRel(iso) {
    if (!iso) return '–';
    const diff = Date.now() - Date.parse(iso);
    const future = diff < 0;
    const s = Math.abs(diff) / 1000;
    let text;
    if (s < 5) return future ? 'in a moment' : 'just now';
    if (s < 60) text = Math.round(s) + ' s';
    else if (s < 3600) text = Math.round(s / 60) + ' min';
    else if (s < 86400 * 2) text = Math.round(s / 3600) + ' h';
    else text = Math.round(s / 86400) + ' d';
    return future ? 'in ' + text : text + ' ago';
  }

  const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');

  /** A relative time that keeps itself current, with the exact time as a tooltip. */
  function timeEl(iso) {
    const el = h('time', { datetime: iso || null, title: iso ? fmtTime(iso) : null, 'data-rel': iso || '' });
    setText(el, fmtRel(iso));
    return el;
  }

  function updateTime(el, iso) {
    el.setAttribute('data-rel', iso || '');
    if (iso) {
      el.setAttribute('datetime', iso);
      el.title = fmtTime(iso);
    }
    setText(el, fmtRel(iso));
  }

  function badge(state) {
    const el = h('span', { class: 'badge st-' + state + (state === 'running' ? ' running' : '') });
    setText(el, state);
    return el;
  }

  function setBadge(el, state) {
    el.className = 'badge st-' + state + (state === 'running' ? ' running' : '');
    setText(el, state);
  }

  // ------------------------------------------------------------------ progress bars

  /** An accessible progress bar: role=progressbar with aria-valuenow, and the percent as text. */
  function progressBar(label, large) {
    const fill = h('div', { class: 'bar-fill' });
    const bar = h('div', {
      class: 'bar' + (large ? ' lg' : ''), role: 'progressbar',
      'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
    }, fill);
    bar.update = (percent, state, detail) => {
      const p = Math.max(0, Math.min(100, Number(percent) || 0));
      fill.style.setProperty('width', p + '%');
      bar.setAttribute('aria-valuenow', String(Math.round(p)));
      bar.setAttribute('aria-valuetext', fmtPct(p) + (detail ? ', ' + detail : ''));
      bar.classList.toggle('done', state === 'succeeded');
      bar.classList.toggle('failed', state === 'dead');
      bar.classList.toggle('stopped', state === 'cancelled');
      bar.classList.toggle('active', state === 'running');
    };
    return bar;
  }

  function percentOf(job) {
    if (job.state === 'succeeded') return 100;
    return job.progress ? job.progress.percent : 0;
  }

  // ------------------------------------------------------------------ JSON view

  const JSON_HIGHLIGHT_LIMIT = 200000;

  /** Pretty JSON with coloured tokens, built from text nodes only. */
  function jsonView(value) {
    const pre = h('pre', { class: 'json', tabindex: 0 });
    const text = JSON.stringify(value, null, 2);
    if (text === undefined) {
      pre.textContent = 'null';
    } else if (text.length > JSON_HIGHLIGHT_LIMIT) {
      pre.textContent = text;
    } else {
      renderJson(pre, value, 0);
    }
    return pre;
  }

  function renderJson(out, v, depth) {
    const pad = '  '.repeat(depth);
    if (v === null || typeof v === 'boolean') {
      out.append(h('span', { class: 'j-lit' }, String(v)));
    } else if (typeof v === 'number') {
      out.append(h('span', { class: 'j-num' }, String(v)));
    } else if (typeof v === 'string') {
      out.append(h('span', { class: 'j-str' }, JSON.stringify(v)));
    } else if (Array.isArray(v)) {
      if (!v.length) { out.append('[]'); return; }
      out.append('[\n');
      v.forEach((x, i) => {
        out.append(pad + '  ');
        renderJson(out, x, depth + 1);
        out.append(i < v.length - 1 ? ',\n' : '\n');
      });
      out.append(pad + ']');
    } else {
      const keys = Object.keys(v);
      if (!keys.length) { out.append('{}'); return; }
      out.append('{\n');
      keys.forEach((k, i) => {
        out.append(pad + '  ');
        out.append(h('span', { class: 'j-key' }, JSON.stringify(k)));
        out.append(': ');
        renderJson(out, v[k], depth + 1);
        out.append(i < keys.length - 1 ? ',\n' : '\n');
      });
      out.append(pad + '}');
    }
  }

  // ------------------------------------------------------------------ API, token, toasts

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  /**
   * The API's paths are written from its root ('/api/queues'); requests go relative to this page, so
   * the dashboard works at '/' on the standalone server and under a prefix such as '/offload/' when
   * an application mounts it.
   */
  function rel(path) {
    return path.replace(/^\/+/, '');
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    let res;
    try {
      res = await fetch(rel(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, 'The server cannot be reached.');
    }
    if (res.status === 401) {
      askForToken(token ? 'That token was not accepted.' : null);
      throw new ApiError(401, 'A token is required.');
    }
    const type = res.headers.get('Content-Type') || '';
    const data = res.status === 204 ? null : type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) throw new ApiError(res.status, (data && data.detail) || res.statusText);
    return data;
  }

  function toast(message, isError) {
    const el = h('div', { class: 'toast' + (isError ? ' error' : '') }, message);
    document.getElementById('toasts').append(el);
    setTimeout(() => el.remove(), isError ? 8000 : 4000);
  }

  function failed(e) {
    if (e instanceof ApiError && e.status === 401) return;
    toast(e.message || String(e), true);
  }

  /** Runs action on each click of button, which stays disabled meanwhile; a failure shows a toast. */
  function onClickBusy(button, action) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await action();
      } catch (e) {
        failed(e);
      } finally {
        button.disabled = false;
      }
    });
  }

  let tokenDialogOpen = false;

  function askForToken(error) {
    const dialog = document.getElementById('token-dialog');
    const err = document.getElementById('token-error');
    err.hidden = !error;
    setText(err, error || '');
    setLive('locked');
    if (!tokenDialogOpen) {
      tokenDialogOpen = true;
      closeStreams();
      dialog.showModal();
      document.getElementById('token-input').focus();
    }
  }

  function setupTokenDialog() {
    const dialog = document.getElementById('token-dialog');
    const input = document.getElementById('token-input');
    dialog.addEventListener('cancel', (e) => e.preventDefault());
    document.getElementById('token-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const candidate = input.value.trim();
      if (!candidate) return;
      const res = await fetch(rel('/api/queues'), { headers: { Authorization: 'Bearer ' + candidate } }).catch(() => null);
      if (!res || res.status === 401) {
        const err = document.getElementById('token-error');
        err.hidden = false;
        setText(err, res ? 'That token was not accepted.' : 'The server cannot be reached.');
        input.select();
        return;
      }
      token = candidate;
      sessionStorage.setItem(TOKEN_KEY, token);
      input.value = '';
      tokenDialogOpen = false;
      dialog.close();
      route();
    });
  }

  // ------------------------------------------------------------------ live streams

  function setLive(mode) {
    const el = document.getElementById('live');
    el.classList.toggle('on', mode === true);
    el.classList.toggle('off', mode !== true);
    setText(el.querySelector('.live-text'),
      mode === true ? 'Live' : mode === 'locked' ? 'Locked' : mode === 'idle' ? 'Idle' : 'Reconnecting…');
  }

  /**
   * Opens an EventSource with handlers per event name. The browser reconnects a dropped stream by
   * itself; a refused one (401, 404, 503) is closed, so we ask the API why and retry later.
   */
  function stream(path, handlers, onRefused) {
    const url = rel(path) + (token ? (path.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(token) : '');
    const es = new EventSource(url);
    const entry = { es, closed: false };
    es.addEventListener('open', () => setLive(true));
    es.addEventListener('error', () => {
      if (entry.closed) return;
      setLive(false);
      if (es.readyState === EventSource.CLOSED) {
        const retry = () => {
          if (entry.closed) return;
          if (onRefused) onRefused();
          else api('GET', '/api/queues').then(() => route(), (e) => { if (e.status !== 401) setTimeout(retry, 3000); });
        };
        setTimeout(retry, 1000);
      }
    });
    for (const [name, fn] of Object.entries(handlers)) {
      es.addEventListener(name, (e) => {
        try {
          fn(JSON.parse(e.data));
        } catch (err) {
          console.error('event ' + name + ' failed', err);
        }
      });
    }
    streams.push(entry);
    return entry;
  }

  function closeStream(entry) {
    entry.closed = true;
    entry.es.close();
  }

  function closeStreams() {
    streams.forEach(closeStream);
    streams = [];
  }

  function every(ms, fn) {
    timers.push(setInterval(fn, ms));
  }

  function feedPath(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    const s = q.toString();
    return '/api/events' + (s ? '?' + s : '');
  }

  function onQueues(doc) {
    queues = doc.queues || [];
    document.querySelectorAll('select[data-queues]').forEach(fillQueueSelect);
  }

  // ------------------------------------------------------------------ router

  function route() {
    closeStreams();
    timers.forEach(clearInterval);
    timers = [];
    rerender = null;
    every(1000, () => document.querySelectorAll('time[data-rel]').forEach((t) => {
      const iso = t.getAttribute('data-rel');
      if (iso) setText(t, fmtRel(iso));
    }));
    const hash = location.hash || '#/';
    const [path, query] = hash.slice(1).split('?');
    const params = new URLSearchParams(query || '');
    let m;
    let section;
    if (path === '/' || path === '') {
      section = 'overview';
      renderOverview();
    } else if (path === '/jobs') {
      section = 'jobs';
      renderJobs(params);
    } else if ((m = path.match(/^\/jobs\/(\d{1,18})$/))) {
      section = 'jobs';
      renderJob(m[1]);
    } else if ((m = path.match(/^\/jobs\/([^/]*)$/))) {
      // A hash that cannot name a job (not a number, or beyond any id): no request, no stream.
      section = 'jobs';
      noSuchJob(decodeURIComponent(m[1]));
    } else if (path === '/dead') {
      section = 'dead';
      renderDead(params);
    } else if ((m = path.match(/^\/workflows\/(\d{1,18})$/))) {
      section = null;
      renderWorkflow(m[1]);
    } else {
      section = null;
      clear(app()).append(h('div', { class: 'panel empty' }, h('strong', null, 'Page not found'), h('a', { href: '#/' }, 'Back to the overview')));
      document.title = 'Not found · Offload';
    }
    document.querySelectorAll('[data-nav]').forEach((a) => {
      if (a.getAttribute('data-nav') === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    // The page for this address is in place (its data may still be on the way): scripts and
    // browser tests can wait on this instead of on time.
    document.body.dataset.route = hash;
  }

  /** Rewrites the address for new filters without a navigation (and without losing focus). */
  function setQuery(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    const s = q.toString();
    history.replaceState(null, '', '#' + path + (s ? '?' + s : ''));
  }

  function pageHead(title, subtitle, ...actions) {
    document.title = title + ' · Offload';
    return h('div', { class: 'page-head' },
      h('div', null, h('h1', null, title), subtitle ? h('p', null, subtitle) : null),
      actions.length ? h('div', { class: 'actions' }, actions) : null);
  }

  // ------------------------------------------------------------------ overview

  function renderOverview() {
    const totals = {
      running: h('div', { class: 'v' }, '–'), pending: h('div', { class: 'v' }, '–'),
      rate: h('div', { class: 'v' }, '–'), dead: h('div', { class: 'v' }, '–'),
    };
    const summaryCard = (v, k, href) => h('div', { class: 'panel' }, h('div', { class: 'panel-body' },
      v, h('div', { class: 'k' }, href ? h('a', { href }, k) : k)));
    const grid = h('div', { class: 'queue-grid', 'aria-live': 'off' });
    const kindsBody = h('tbody');
    const kindsPanel = h('div', { class: 'panel' },
      h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Queue'),
          h('th', { scope: 'col', class: 'num' }, 'Runs (24 h)'), h('th', { scope: 'col', class: 'num' }, 'p50'),
          h('th', { scope: 'col', class: 'num' }, 'p95'), h('th', { scope: 'col', class: 'num hide-narrow' }, 'Max'),
          h('th', { scope: 'col' }, 'Advice'))),
        kindsBody)));
    const budgetNote = h('span', { class: 'muted' });
    const schedulesBody = h('tbody');
    const schedulesPanel = h('div', { class: 'panel' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'schedules' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Schedule'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'When'),
          h('th', { scope: 'col' }, 'Next'), h('th', { scope: 'col' }, 'Last job'), h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Actions'))),
        schedulesBody)));
    clear(app()).append(
      pageHead('Overview', 'Queues, throughput and latency over the last minute. Updates live.'),
      h('div', { class: 'summary' },
        summaryCard(totals.running, 'Running now', '#/jobs?state=running'),
        summaryCard(totals.pending, 'Waiting to run', '#/jobs?state=available'),
        summaryCard(totals.rate, 'Finished in the last minute'),
        summaryCard(totals.dead, 'Dead letters', '#/dead')),
      h('div', { class: 'section' }, h('div', { class: 'section-head' }, h('h2', null, 'Queues')), grid),
      h('div', { class: 'section' }, h('div', { class: 'section-head' }, h('h2', null, 'Job kinds'), budgetNote), kindsPanel),
      h('div', { class: 'section' }, h('div', { class: 'section-head' }, h('h2', null, 'Schedules')), schedulesPanel));

    const cards = new Map();
    stream(feedPath({ limit: 1 }), {
      queues: (doc) => {
        onQueues(doc);
        const sum = (f) => queues.reduce((a, q) => a + f(q), 0);
        setText(totals.running, fmtNum(sum((q) => q.running)));
        setText(totals.pending, fmtNum(sum((q) => q.pending)));
        setText(totals.rate, fmtNum(sum((q) => q.finishedLastMinute)));
        setText(totals.dead, fmtNum(sum((q) => q.counts.dead || 0)));
        if (!queues.length) {
          clear(grid).append(h('div', { class: 'panel empty' }, h('strong', null, 'No queues yet'), 'Enqueue a job and its queue shows up here.'));
          cards.clear();
          return;
        }
        if (!cards.size) clear(grid);
        const seen = new Set();
        for (const q of queues) {
          seen.add(q.name);
          let card = cards.get(q.name);
          if (!card) {
            card = queueCard(q.name);
            cards.set(q.name, card);
          }
          card.update(q);
          grid.append(card.el);
        }
        for (const [name, card] of cards) {
          if (!seen.has(name)) { card.el.remove(); cards.delete(name); }
        }
      },
      unavailable: (p) => toast(p.detail, true),
    });

    const loadKinds = () => api('GET', '/api/kinds').then((doc) => {
      kinds = doc.kinds || [];
      setText(budgetNote, 'Advice compares p95 with a request budget of ' + fmtDuration(doc.budgetMs) + '.');
      clear(kindsBody);
      if (!kinds.length) {
        kindsBody.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No kinds are registered on this node and none ran in the last 24 hours.')));
      }
      for (const k of kinds) {
        kindsBody.append(h('tr', null,
          h('td', null, h('a', { href: '#/jobs?kind=' + encodeURIComponent(k.kind), class: 'mono' }, k.kind)),
          h('td', { class: 'mono' }, k.queue || '–'),
          h('td', { class: 'num' }, fmtNum(k.runs)),
          h('td', { class: 'num' }, k.runs ? fmtDuration(k.p50Ms) : '–'),
          h('td', { class: 'num' }, k.runs ? fmtDuration(k.p95Ms) : '–'),
          h('td', { class: 'num hide-narrow' }, k.runs ? fmtDuration(k.maxMs) : '–'),
          h('td', null, k.advice ? h('span', { class: 'tag ' + k.advice }, k.advice === 'inline' ? 'fits a request' : 'run in background') : h('span', { class: 'muted' }, 'no runs yet'))));
      }
    }, failed);
    loadKinds();
    every(30000, loadKinds);

    const loadSchedules = () => api('GET', '/api/schedules').then((doc) => {
      const list = doc.schedules || [];
      clear(schedulesBody);
      if (!list.length) {
        schedulesBody.append(h('tr', null, h('td', { colspan: 7, class: 'empty' },
          'No schedules. Declare one with Offload.builder().schedule(…) or add one with offload schedules add.')));
      }
      for (const sc of list) {
        const status = sc.disabled ? 'disabled' : sc.paused ? 'paused' : 'active';
        const toggle = h('button', { class: 'btn small', type: 'button', 'aria-label': (sc.paused ? 'Resume' : 'Pause') + ' schedule ' + sc.name },
          sc.paused ? 'Resume' : 'Pause');
        toggle.addEventListener('click', () => api('POST', '/api/schedules/' + encodeURIComponent(sc.name) + (sc.paused ? '/resume' : '/pause'))
          .then(() => { toast('Schedule ' + sc.name + (sc.paused ? ' resumed' : ' paused')); loadSchedules(); }, failed));
        schedulesBody.append(h('tr', { 'data-schedule': sc.name },
          h('td', { class: 'mono' }, sc.name),
          h('td', null, h('a', { href: '#/jobs?kind=' + encodeURIComponent(sc.kind), class: 'mono' }, sc.kind)),
          h('td', { class: 'mono' }, sc.cron ? sc.cron + ' (' + sc.zone + ')' : 'every ' + sc.every),
          h('td', null, sc.next && sc.next.length ? timeEl(sc.next[0]) : '–'),
          h('td', null, sc.lastJob ? h('span', null, h('a', { href: '#/jobs/' + sc.lastJob, class: 'id-link' }, '#' + sc.lastJob), ' ', badge(sc.lastJobState)) : '–'),
          h('td', null, h('span', { class: 'tag sched-' + status }, status)),
          h('td', null, sc.disabled ? null : toggle)));
      }
    }, failed);
    loadSchedules();
    every(5000, loadSchedules);
  }

  // ------------------------------------------------------------------ workflow

  /** A workflow as a graph: its steps in columns by depth, each with its state and progress. */
  function renderWorkflow(id) {
    const head = h('div');
    const stateBadge = h('span');
    const overall = progressBar('Progress of the workflow', true);
    const summary = h('span', { class: 'muted' });
    const graph = h('div', { class: 'wf-graph', role: 'list', 'aria-label': 'Steps' });
    clear(app()).append(head,
      h('div', { class: 'panel wf-summary' }, h('div', { class: 'panel-body' },
        h('div', { class: 'progress-top' }, stateBadge, summary), overall)),
      h('div', { class: 'panel' }, h('div', { class: 'panel-body' }, graph)));
    const nodes = new Map();
    function depthOf(steps) {
      const byName = new Map(steps.map((st) => [st.name, st]));
      const depth = new Map();
      const visit = (st) => {
        if (depth.has(st.name)) return depth.get(st.name);
        depth.set(st.name, 0);
        const d = st.after.length ? 1 + Math.max(...st.after.map((a) => visit(byName.get(a)))) : 0;
        depth.set(st.name, d);
        return d;
      };
      steps.forEach(visit);
      return depth;
    }
    const load = () => api('GET', '/api/workflows/' + id).then((w) => {
      // Read every second: as live as the streams, so the header says so.
      setLive(true);
      clear(head).append(pageHead('Workflow #' + w.id + ' ' + w.name, 'State: ' + w.state + ' · ' + fmtPct(w.progress.percent) + (w.progress.eta != null && w.state === 'running' ? ' · about ' + Math.round(w.progress.eta) + ' s left' : '') + ' · updates every second'));
      setBadge(stateBadge, w.state === 'failed' ? 'dead' : w.state);
      setText(stateBadge, w.state);
      const ended = w.steps.filter((st) => FINAL.has(st.state)).length;
      setText(summary, fmtPct(w.progress.percent) + ' · ' + ended + ' of ' + w.steps.length + ' steps ended');
      overall.update(w.progress.percent, w.state === 'failed' ? 'dead' : w.state);
      if (!nodes.size) {
        const depth = depthOf(w.steps);
        const columns = [];
        for (const st of w.steps) {
          const d = depth.get(st.name);
          while (columns.length <= d) {
            const col = h('div', { class: 'wf-col' });
            columns.push(col);
            graph.append(col);
          }
          const bar = progressBar('Progress of step ' + st.name);
          const state = h('span');
          const node = h('div', { class: 'wf-step', role: 'listitem', 'data-step': st.name },
            h('div', { class: 'wf-step-name' }, h('a', { href: '#/jobs/' + st.jobId }, st.name)),
            h('div', { class: 'muted mono' }, st.kind),
            st.after.length ? h('div', { class: 'muted' }, 'after ' + st.after.join(', ')
              + (st.onFailure === 'continue' ? ', succeeded or not' : '')) : null,
            state, bar);
          nodes.set(st.name, { state, bar });
          columns[d].append(node);
        }
      }
      for (const st of w.steps) {
        const n = nodes.get(st.name);
        clear(n.state).append(badge(st.state));
        const pct = st.state === 'succeeded' ? 100 : st.progress ? st.progress.percent : 0;
        n.bar.update(pct, st.state);
      }
    }, (e) => { setLive(false); failed(e); });
    load();
    every(1000, load);
  }

  /** 'max 4 · 1 per key · 10/s per key', or '' for a queue without limits. */
  function limitsText(q) {
    const parts = [];
    if (q.maxRunning != null) parts.push('max ' + q.maxRunning);
    if (q.perKey != null) parts.push(q.perKey + ' per key');
    if (q.rate) parts.push(q.rate + (q.ratePerKey ? ' per key' : ''));
    if (q.fair) parts.push('fair');
    if (q.aging) parts.push('aging ' + q.aging);
    return parts.join(' · ');
  }

  function queueCard(name) {
    const title = h('div', { class: 'queue-name' }, h('a', { href: '#/jobs?queue=' + encodeURIComponent(name) }, name));
    const pausedTag = h('span', { class: 'tag paused', hidden: true }, 'paused');
    title.append(pausedTag);
    const button = h('button', { class: 'btn small', type: 'button' });
    const stat = (k) => {
      const v = h('div', { class: 'v' }, '0');
      return { v, el: h('div', { class: 'stat' }, v, h('div', { class: 'k' }, k)) };
    };
    const pending = stat('Pending');
    const running = stat('Running');
    const done = stat('Done / min');
    const dist = h('div', { class: 'dist', role: 'img' });
    const segs = {};
    const legend = h('div', { class: 'legend' });
    const counts = {};
    for (const s of STATES) {
      segs[s] = h('span', { class: 'st-' + s, style: { 'flex-grow': '0' } });
      dist.append(segs[s]);
      counts[s] = h('b', null, '0');
      legend.append(h('a', { href: '#/jobs?queue=' + encodeURIComponent(name) + '&state=' + s, class: 'st-' + s },
        h('i', { 'aria-hidden': 'true' }), s + ' ', counts[s]));
    }
    const foot = h('div', { class: 'queue-foot' });
    const latency = h('span');
    const run = h('span');
    const rate = h('span');
    // Jobs a node holds for a free slot are not running yet: shown apart from Running.
    const claimed = h('span', { class: 'claimed' });
    // Flow control: the queue's limits, and the due jobs they hold back now.
    const limits = h('span', { class: 'limits' });
    const held = h('span', { class: 'held' });
    foot.append(latency, run, rate, claimed, limits, held);
    const el = h('section', { class: 'panel queue-card', 'aria-label': 'Queue ' + name },
      h('div', { class: 'panel-head' }, title, button),
      h('div', { class: 'panel-body' },
        h('div', { class: 'stats' }, pending.el, running.el, done.el), dist, legend, foot));
    let paused = false;
    onClickBusy(button, async () => {
      const q = await api('POST', '/api/queues/' + encodeURIComponent(name) + (paused ? '/resume' : '/pause'));
      update(q);
      toast('Queue ' + name + (q.paused ? ' paused' : ' resumed'));
    });
    function update(q) {
      paused = q.paused;
      pausedTag.hidden = !paused;
      setText(button, paused ? 'Resume' : 'Pause');
      button.setAttribute('aria-label', (paused ? 'Resume' : 'Pause') + ' queue ' + name);
      setText(pending.v, fmtNum(q.pending));
      setText(running.v, fmtNum(q.running));
      setText(claimed, q.claimed ? fmtNum(q.claimed) + ' claimed ahead' : '');
      setText(done.v, fmtNum(q.finishedLastMinute));
      const parts = [];
      for (const s of STATES) {
        const n = q.counts[s] || 0;
        segs[s].style.setProperty('flex-grow', String(n));
        setText(counts[s], fmtNum(n));
        if (n) parts.push(n + ' ' + s);
      }
      dist.setAttribute('aria-label', parts.length ? 'Jobs by state: ' + parts.join(', ') : 'No jobs');
      setText(latency, 'Wait p50 ' + (q.latencyP50Ms == null ? '–' : fmtDuration(q.latencyP50Ms)));
      setText(run, 'Run p50 ' + (q.runP50Ms == null ? '–' : fmtDuration(q.runP50Ms)));
      setText(rate, q.throughputPerSecond + ' jobs/s');
      setText(limits, limitsText(q));
      const w = q.waitingOnLimits;
      const why = w ? [[w.queueLimit, 'queue limit'], [w.keyLimit, 'key limit'], [w.rate, 'rate'], [w.paused, 'paused']]
        .filter(([n]) => n).map(([n, r]) => fmtNum(n) + ' ' + r) : [];
      setText(held, (w && w.total ? fmtNum(w.total) + ' held (' + why.join(', ') + ')' : '')
        + (q.keysAtLimit ? (w && w.total ? ', ' : '') + fmtNum(q.keysAtLimit) + (q.keysAtLimit === 1 ? ' key' : ' keys') + ' at limit' : ''));
    }
    return { el, update };
  }

  // ------------------------------------------------------------------ jobs table

  function fillQueueSelect(select) {
    const current = select.value || select.getAttribute('data-value') || '';
    const names = new Set(queues.map((q) => q.name));
    if (current) names.add(current);
    const wanted = ['', ...[...names].sort()];
    const have = [...select.options].map((o) => o.value);
    if (wanted.join('\n') !== have.join('\n')) {
      clear(select);
      for (const n of wanted) select.append(h('option', { value: n }, n || 'All queues'));
    }
    select.value = current;
  }

  function filterBar(params, fields, onChange) {
    const bar = h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() });
    const controls = {};
    const error = h('p', { class: 'form-error', hidden: true });
    for (const f of fields) {
      const id = 'filter-' + f;
      let control;
      if (f === 'state') {
        control = h('select', { id }, h('option', { value: '' }, 'All states'), STATES.map((s) => h('option', { value: s }, s)));
        control.value = params.get('state') || '';
      } else if (f === 'queue') {
        control = h('select', { id, 'data-queues': '', 'data-value': params.get('queue') || '' });
        fillQueueSelect(control);
      } else {
        const list = f === 'kind' ? h('datalist', { id: id + '-list' }, kinds.map((k) => h('option', { value: k.kind }))) : null;
        control = h('input', {
          id, type: 'search', list: list ? id + '-list' : null, autocomplete: 'off', spellcheck: 'false',
          placeholder: f === 'kind' ? 'e.g. orders.sync' : 'e.g. java.io.IOException',
        });
        control.value = params.get(f) || '';
        if (list) bar.append(list);
      }
      controls[f] = control;
      const label = { state: 'State', queue: 'Queue', kind: 'Kind', errorClass: 'Error class' }[f];
      bar.append(h('div', { class: 'field' }, h('label', { for: id }, label), control));
    }
    const clearBtn = h('button', { class: 'btn', type: 'button' }, 'Clear');
    bar.append(h('div', { class: 'field', style: { 'min-width': '0' } }, h('label', { 'aria-hidden': 'true' }, '\u00a0'), clearBtn));
    bar.append(error);
    let debounce;
    const values = () => Object.fromEntries(Object.entries(controls).map(([k, c]) => [k, c.value.trim()]));
    const changed = () => {
      const v = values();
      const bad = ['kind', 'queue'].find((k) => v[k] && !NAME.test(v[k]));
      error.hidden = !bad;
      if (bad) {
        setText(error, 'A ' + bad + ' is 1–128 letters, digits, “.”, “_”, “:” or “-”.');
        return;
      }
      onChange(v);
    };
    for (const c of Object.values(controls)) {
      c.addEventListener(c.tagName === 'SELECT' ? 'change' : 'input', () => {
        clearTimeout(debounce);
        debounce = setTimeout(changed, c.tagName === 'SELECT' ? 0 : 350);
      });
    }
    clearBtn.addEventListener('click', () => {
      for (const c of Object.values(controls)) c.value = '';
      changed();
    });
    return { el: bar, values };
  }

  /** A table of jobs updated in place from summaries; returns {el, tbody, update(jobs)}. */
  function jobTable(columns, emptyText) {
    const head = h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.cls || null }, c.label)));
    const tbody = h('tbody');
    const older = h('tbody');
    const empty = h('div', { class: 'empty', hidden: true }, h('strong', null, emptyText[0]), emptyText[1]);
    const el = h('div', null, h('div', { class: 'table-wrap' }, h('table', null, h('thead', null, head), tbody, older)), empty);
    const rows = new Map();
    function update(jobs) {
      const seen = new Set();
      let prev = null;
      for (const j of jobs) {
        seen.add(j.id);
        let row = rows.get(j.id);
        if (!row) {
          row = { tr: h('tr', { 'data-id': j.id }), cells: columns.map((c) => c.make(j)) };
          row.cells.forEach((cell) => row.tr.append(cell.td));
          rows.set(j.id, row);
        }
        row.cells.forEach((cell) => cell.update(j));
        const want = prev ? prev.nextSibling : tbody.firstChild;
        if (want !== row.tr) tbody.insertBefore(row.tr, want);
        prev = row.tr;
      }
      for (const [id, row] of rows) {
        if (!seen.has(id)) { row.tr.remove(); rows.delete(id); }
      }
      empty.hidden = rows.size > 0 || older.children.length > 0;
    }
    function appendOlder(jobs) {
      for (const j of jobs) {
        if (rows.has(j.id)) continue;
        const tr = h('tr', { 'data-id': j.id });
        columns.forEach((c) => { const cell = c.make(j); cell.update(j); tr.append(cell.td); });
        older.append(tr);
      }
      empty.hidden = rows.size > 0 || older.children.length > 0;
    }
    return { el, update, appendOlder, clearOlder: () => clear(older) };
  }

  const col = {
    id: { label: 'Job', make: () => {
      const a = h('a', { class: 'id-link' });
      return { td: h('td', null, a), update: (j) => { a.setAttribute('href', jobHref(j.id)); setText(a, '#' + j.id); } };
    } },
    kind: { label: 'Kind', make: () => {
      const k = h('span', { class: 'mono' });
      const sub = h('span', { class: 'sub' });
      return { td: h('td', null, k, sub), update: (j) => {
        setText(k, j.kind);
        const msg = j.state === 'running' && j.progress && j.progress.message ? j.progress.message
          : j.lastError && (j.state === 'dead' || j.state === 'retrying') ? j.lastError.errorClass.split('.').pop() + ': ' + (j.lastError.message || '') : '';
        setText(sub, msg);
        sub.hidden = !msg;
      } };
    } },
    queue: { label: 'Queue', cls: 'hide-narrow', make: () => {
      const td = h('td', { class: 'mono hide-narrow' });
      return { td, update: (j) => setText(td, j.queue) };
    } },
    state: { label: 'State', make: () => {
      const b = badge('available');
      return { td: h('td', null, b), update: (j) => setBadge(b, j.state) };
    } },
    progress: { label: 'Progress', make: () => {
      const bar = progressBar('Progress');
      const pct = h('span', { class: 'pct' });
      return { td: h('td', null, h('div', { class: 'progress-cell' }, bar, pct)), update: (j) => {
        const p = percentOf(j);
        bar.setAttribute('aria-label', 'Progress of job ' + j.id);
        bar.update(p, j.state, j.progress && j.progress.stage);
        setText(pct, fmtPct(p));
      } };
    } },
    attempt: { label: 'Attempt', cls: 'num hide-narrow', make: () => {
      const td = h('td', { class: 'num hide-narrow' });
      return { td, update: (j) => setText(td, j.attempt + ' / ' + j.maxAttempts) };
    } },
    created: { label: 'Created', cls: 'hide-narrow', make: () => {
      const t = timeEl(null);
      return { td: h('td', { class: 'hide-narrow' }, t), update: (j) => updateTime(t, j.createdAt) };
    } },
    finished: { label: 'Finished', make: () => {
      const t = timeEl(null);
      return { td: h('td', null, t), update: (j) => updateTime(t, j.finishedAt || (j.state === 'scheduled' ? j.runAt : null)) };
    } },
  };

  function renderJobs(params) {
    const table = jobTable([col.id, col.kind, col.queue, col.state, col.progress, col.attempt, col.created, col.finished],
      ['No jobs match', 'Jobs appear here as soon as they are enqueued.']);
    const info = h('span');
    const more = h('button', { class: 'btn', type: 'button', hidden: true }, 'Load older jobs');
    let feed = null;
    let cursor = null;
    let olderCursor = null;
    const filters = filterBar(params, ['state', 'queue', 'kind'], (v) => {
      setQuery('/jobs', v);
      open(v);
    });
    clear(app()).append(
      pageHead('Jobs', 'The newest jobs first. The first page updates live.'),
      h('div', { class: 'panel' }, filters.el, table.el, h('div', { class: 'table-foot' }, info, more)));
    function open(v) {
      if (feed) closeStream(feed);
      streams = streams.filter((s) => s !== feed);
      table.clearOlder();
      olderCursor = null;
      feed = stream(feedPath({ ...v, limit: 50 }), {
        queues: onQueues,
        jobs: (doc) => {
          table.update(doc.jobs);
          cursor = doc.nextCursor;
          more.hidden = !(olderCursor || cursor);
          setText(info, doc.jobs.length ? 'Newest ' + doc.jobs.length + ' jobs, live' : '');
        },
        unavailable: (p) => toast(p.detail, true),
      });
    }
    onClickBusy(more, async () => {
      const v = filters.values();
      const q = new URLSearchParams();
      for (const [k, val] of Object.entries(v)) if (val) q.set(k, val);
      q.set('limit', '50');
      q.set('cursor', olderCursor || cursor);
      const page = await api('GET', '/api/jobs?' + q.toString());
      table.appendOlder(page.jobs.map(summaryOf));
      olderCursor = page.nextCursor;
      more.hidden = !olderCursor;
    });
    open(filters.values());
  }

  /** The summary the feed sends, made from a full job document. */
  function summaryOf(j) {
    const e = j.errors && j.errors.length ? j.errors[j.errors.length - 1] : null;
    return { ...j, lastError: e ? { errorClass: e.errorClass, message: e.message } : null };
  }

  // ------------------------------------------------------------------ dead letters

  function renderDead(params) {
    const retryCol = { label: 'Actions', make: () => {
      const retry = h('button', { class: 'btn small', type: 'button' }, 'Retry');
      let id = null;
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        try {
          await api('POST', '/api/jobs/' + id + '/retry');
          toast('Job #' + id + ' will run again');
          const row = retry.closest('tr');
          if (row) row.remove();
        } catch (e) {
          failed(e);
          retry.disabled = false;
        }
      });
      return { td: h('td', null, retry), update: (j) => { id = j.id; retry.setAttribute('aria-label', 'Retry job ' + j.id); } };
    } };
    const errorCol = { label: 'Last error', make: () => {
      const cls = h('span', { class: 'error-class' });
      const msg = h('span', { class: 'sub' });
      return { td: h('td', null, cls, msg), update: (j) => {
        setText(cls, j.lastError ? j.lastError.errorClass : '–');
        setText(msg, j.lastError ? j.lastError.message || '' : '');
      } };
    } };
    const diedCol = { label: 'Died', make: () => {
      const t = timeEl(null);
      return { td: h('td', null, t), update: (j) => updateTime(t, j.finishedAt) };
    } };
    const table = jobTable([col.id, { ...col.kind, make: () => {
      const k = h('span', { class: 'mono' });
      return { td: h('td', null, k), update: (j) => setText(k, j.kind) };
    } }, col.queue, errorCol, col.attempt, diedCol, retryCol],
    ['No dead jobs', 'Jobs that use up their attempts or fail permanently wait here to be replayed.']);
    const info = h('span');
    const replay = h('button', { class: 'btn primary', type: 'button' }, 'Replay all matching');
    let feed = null;
    const filters = filterBar(params, ['kind', 'queue', 'errorClass'], (v) => {
      setQuery('/dead', v);
      open(v);
    });
    clear(app()).append(
      pageHead('Dead letters', 'Jobs that used up their attempts or failed permanently. Retry one, or replay many at once.', replay),
      h('div', { class: 'panel' }, filters.el, table.el, h('div', { class: 'table-foot' }, info)));
    function open(v) {
      if (feed) closeStream(feed);
      streams = streams.filter((s) => s !== feed);
      feed = stream(feedPath({ ...v, state: 'dead', limit: 100 }), {
        queues: onQueues,
        jobs: (doc) => {
          table.update(doc.jobs);
          replay.disabled = !doc.jobs.length;
          setText(info, doc.jobs.length ? (doc.nextCursor ? 'Newest ' : '') + doc.jobs.length + ' dead jobs' : '');
        },
        unavailable: (p) => toast(p.detail, true),
      });
    }
    onClickBusy(replay, async () => {
      const v = filters.values();
      const what = Object.entries(v).filter(([, val]) => val).map(([k, val]) => k + ' ' + val).join(', ');
      if (!confirm('Replay every dead job' + (what ? ' with ' + what : '') + '?')) return;
      const body = {};
      for (const [k, val] of Object.entries(v)) if (val) body[k] = val;
      const r = await api('POST', '/api/dead/replay', body);
      toast('Replayed ' + r.replayed + (r.replayed === 1 ? ' job' : ' jobs'));
    });
    open(filters.values());
  }

  // ------------------------------------------------------------------ one job

  function renderJob(id) {
    document.title = 'Job #' + id + ' · Offload';
    clear(app()).append(h('div', { class: 'panel empty' }, 'Loading job #' + id + '…'));
    api('GET', '/api/jobs/' + id).then((job) => showJob(job), (e) => {
      if (e.status === 404) {
        noSuchJob(id);
      } else {
        failed(e);
      }
    });
  }

  /** The page for a hash that names no job: says so, and follows nothing (no stream to wait for). */
  function noSuchJob(id) {
    document.title = 'No such job · Offload';
    clear(app()).append(h('div', { class: 'panel empty' }, h('strong', null, 'No such job: #' + id),
      'No job has this id: it may have been deleted or pruned, or the address is mistyped. ',
      h('a', { href: '#/jobs' }, 'Back to the jobs')));
    setLive('idle');
  }

  function showJob(first) {
    const id = first.id;
    const titleBadge = badge(first.state);
    const kindEl = h('span', { class: 'muted mono' });
    const retryBtn = h('button', { class: 'btn', type: 'button' }, 'Retry');
    const cancelBtn = h('button', { class: 'btn', type: 'button' }, 'Cancel');
    const deleteBtn = h('button', { class: 'btn danger', type: 'button' }, 'Delete');

    // Progress
    const pct = h('div', { class: 'progress-pct', 'aria-hidden': 'true' });
    const stageEl = h('div', { class: 'progress-stage' });
    const bar = progressBar('Progress of job #' + id, true);
    const message = h('div', { class: 'progress-message' });
    const elapsed = h('b');
    const eta = h('b');
    const items = h('b');
    const itemsLabel = h('span');
    const failedCount = h('b');
    const etaWrap = h('span', null, 'ETA ', eta);
    const itemsWrap = h('span', null, itemsLabel, ' ', items);
    const failedWrap = h('span', null, 'Failed items ', failedCount);
    const stages = h('div', { class: 'stages' });
    const progressPanel = h('section', { class: 'panel progress-panel', 'aria-labelledby': 'progress-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'progress-title' }, 'Progress')),
      h('div', { class: 'panel-body' },
        h('div', { class: 'progress-top' }, pct, stageEl), bar, message,
        h('div', { class: 'progress-meta' }, h('span', null, 'Elapsed ', elapsed), etaWrap, itemsWrap, failedWrap),
        stages));

    // Attempts, args, result, checkpoint, failed items
    const attemptsList = h('ol', { class: 'attempts', reversed: true });
    const attemptsNote = h('span', { class: 'muted' });
    const attemptsPanel = h('section', { class: 'panel', 'aria-labelledby': 'attempts-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'attempts-title' }, 'Attempts and errors'), attemptsNote), attemptsList);
    const argsBody = h('div', { class: 'panel-body' });
    const resultBody = h('div', { class: 'panel-body' });
    const checkpointBody = h('div', { class: 'panel-body' });
    const resultPanel = h('section', { class: 'panel', 'aria-labelledby': 'result-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'result-title' }, 'Result')), resultBody);
    const checkpointPanel = h('section', { class: 'panel', 'aria-labelledby': 'checkpoint-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'checkpoint-title' }, 'Checkpoint')), checkpointBody);
    const failedBody = h('div');
    const failedNote = h('span', { class: 'muted' });
    const retryItemsBtn = h('button', { class: 'btn small', type: 'button' }, 'Retry failed items');
    const failedPanel = h('section', { class: 'panel', 'aria-labelledby': 'failed-title' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'failed-title' }, 'Failed items'), h('div', { class: 'actions' }, failedNote, retryItemsBtn)), failedBody);

    // Details
    const props = h('dl', { class: 'props' });
    const detail = (label) => {
      const dd = h('dd');
      props.append(h('dt', null, label), dd);
      return dd;
    };
    const d = {
      state: detail('State'), queue: detail('Queue'), priority: detail('Priority'), attempt: detail('Attempt'),
      node: detail('Node'), created: detail('Created'), runAt: detail('Run at'), started: detail('Started'),
      finished: detail('Finished'), parent: detail('Retries items of'), workflow: detail('Workflow'),
      schedule: detail('Schedule'),
      concurrencyKey: detail('Concurrency key'), uniqueKey: detail('Unique key'), waiting: detail('Waiting on'),
    };

    clear(app()).append(
      h('div', { class: 'crumbs' }, h('a', { href: '#/jobs' }, 'Jobs'), ' / ', 'Job #' + id),
      h('div', { class: 'job-head' },
        h('div', { class: 'job-title' }, h('h1', null, 'Job #' + id), kindEl, titleBadge),
        h('div', { class: 'actions' }, retryBtn, cancelBtn, deleteBtn)),
      h('div', { class: 'job-grid' },
        h('div', { class: 'stack' }, progressPanel, attemptsPanel,
          h('section', { class: 'panel', 'aria-labelledby': 'args-title' },
            h('div', { class: 'panel-head' }, h('h2', { id: 'args-title' }, 'Args')), argsBody),
          resultPanel, checkpointPanel, failedPanel),
        h('div', { class: 'stack' },
          h('section', { class: 'panel', 'aria-labelledby': 'details-title' },
            h('div', { class: 'panel-head' }, h('h2', { id: 'details-title' }, 'Details')), h('div', { class: 'panel-body' }, props)))));

    let job = first;
    const last = {};
    const changed = (key, value) => {
      const s = JSON.stringify(value === undefined ? null : value);
      if (last[key] === s) return false;
      last[key] = s;
      return true;
    };

    function tick() {
      const started = job.startedAt ? Date.parse(job.startedAt) : null;
      const end = FINAL.has(job.state) && job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
      setText(elapsed, started ? fmtDuration(end - started) : '–');
      const p = job.progress;
      if (job.state === 'running') {
        etaWrap.hidden = false;
        if (p && p.eta != null) {
          const left = p.eta * 1000 - (Date.now() - Date.parse(p.updatedAt));
          setText(eta, left > 0 ? 'about ' + fmtDuration(left) : 'any moment');
        } else {
          setText(eta, 'estimating…');
        }
      } else {
        etaWrap.hidden = true;
      }
    }

    function render(j) {
      job = j;
      setBadge(titleBadge, j.state);
      setText(kindEl, j.kind);
      retryBtn.disabled = !['dead', 'cancelled', 'retrying', 'scheduled'].includes(j.state);
      cancelBtn.disabled = !['waiting', 'scheduled', 'available', 'running', 'retrying'].includes(j.state);
      deleteBtn.disabled = j.state === 'running';

      const p = j.progress;
      const percent = percentOf(j);
      setText(pct, fmtPct(percent));
      const stageIndex = p && p.stage && p.stages ? p.stages.findIndex((s) => s.name === p.stage) : -1;
      setText(stageEl, p && p.stage ? 'Stage: ' + p.stage + (stageIndex >= 0 ? ' (' + (stageIndex + 1) + ' of ' + p.stages.length + ')' : '') : '');
      bar.update(percent, j.state, [p && p.stage, p && p.message].filter(Boolean).join(' – '));
      // A due job that a queue's limit, rate or pause holds back says which (from the server).
      const msg = p && p.message ? p.message
        : j.waiting ? 'Waiting: ' + j.waiting.replace(/^waiting: /, '') + '.'
        : j.state === 'succeeded' ? 'Finished.' : j.state === 'scheduled' ? 'Waiting for its run time.'
          : j.state === 'waiting' ? 'Waiting for the workflow steps before it.'
          : j.state === 'available' ? 'Waiting for a worker.' : j.state === 'retrying' ? 'Waiting to retry.' : '';
      setText(message, msg);
      itemsWrap.hidden = !(p && (p.total != null || p.done));
      failedWrap.hidden = !(p && p.failedItems);
      if (p) {
        // done and total count the current stage's items when there are stages.
        setText(itemsLabel, p.stage ? 'Done in ' + p.stage : 'Done');
        setText(items, fmtNum(p.done) + (p.total != null ? ' of ' + fmtNum(p.total) : ''));
        setText(failedCount, fmtNum(p.failedItems));
      }
      if (changed('stages', p && p.stages)) {
        clear(stages);
        for (const s of (p && p.stages) || []) {
          const sb = progressBar('Stage ' + s.name);
          sb.update(s.percent, s.percent >= 100 ? 'succeeded' : s.name === p.stage && j.state === 'running' ? 'running' : '', null);
          stages.append(h('div', { class: 'stage-row' + (s.name === p.stage ? ' current' : '') },
            h('span', { class: 'name', title: s.name }, s.name), sb,
            h('span', { class: 'pct' }, s.durationMs != null ? fmtDuration(s.durationMs) : fmtPct(s.percent))));
        }
      }
      tick();

      setText(attemptsNote, 'attempt ' + j.attempt + ' of ' + j.maxAttempts);
      if (changed('errors', [j.errors, j.state, j.attempt])) {
        clear(attemptsList);
        if (j.state === 'running') {
          attemptsList.append(h('li', null, h('div', { class: 'attempt-head' },
            h('span', { class: 'n' }, 'Attempt ' + j.attempt), badge('running'),
            h('span', { class: 'muted' }, 'on ', h('span', { class: 'mono' }, j.node || '–'), ', started ', timeEl(j.startedAt)))));
        }
        for (const e of [...j.errors].reverse()) {
          const trace = e.stackTrace ? h('details', null, h('summary', null, 'Stack trace'), h('pre', { class: 'trace', tabindex: 0 }, e.stackTrace)) : null;
          attemptsList.append(h('li', null,
            h('div', { class: 'attempt-head' }, h('span', { class: 'n' }, 'Attempt ' + e.attempt), h('span', { class: 'muted' }, 'failed ', timeEl(e.at), ' on ', h('span', { class: 'mono' }, e.node || '–'))),
            h('div', { class: 'error-line' }, h('span', { class: 'error-class' }, e.errorClass), e.message ? ': ' + e.message : ''),
            trace));
        }
        if (!attemptsList.children.length) {
          attemptsList.append(h('li', { class: 'muted' }, j.attempt ? 'No attempt failed.' : 'Not started yet.'));
        }
      }

      if (changed('args', j.args)) clear(argsBody).append(jsonView(j.args));
      resultPanel.hidden = j.result == null;
      if (changed('result', j.result) && j.result != null) clear(resultBody).append(jsonView(j.result));
      checkpointPanel.hidden = j.checkpoint == null;
      if (changed('checkpoint', j.checkpoint) && j.checkpoint != null) clear(checkpointBody).append(jsonView(j.checkpoint));
      const fi = j.failedItems;
      failedPanel.hidden = !fi || !fi.count;
      retryItemsBtn.disabled = !FINAL.has(j.state) || !fi || !fi.items.length;
      if (fi && changed('failed', fi)) {
        setText(failedNote, fmtNum(fi.count) + ' failed' + (fi.omitted ? ', first ' + fmtNum(fi.items.length) + ' listed' : ''));
        const shown = fi.items.slice(0, 200);
        clear(failedBody).append(h('div', { class: 'table-wrap' }, h('table', { class: 'item-list' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Error'))),
          h('tbody', null, shown.map((it) => h('tr', null, h('td', null, it.key), h('td', null, it.error)))))),
        fi.items.length > shown.length ? h('div', { class: 'table-foot' }, 'and ' + fmtNum(fi.items.length - shown.length) + ' more') : null);
      }

      setBadge(d.state.firstChild || d.state.appendChild(badge(j.state)), j.state);
      setText(d.queue, j.queue);
      d.queue.className = 'mono';
      setText(d.priority, String(j.priority));
      setText(d.attempt, j.attempt + ' of ' + j.maxAttempts);
      setText(d.node, j.node || '–');
      d.node.className = 'mono';
      const times = [[d.created, j.createdAt], [d.runAt, j.runAt], [d.started, j.startedAt], [d.finished, j.finishedAt]];
      for (const [dd, iso] of times) {
        const t = dd.firstChild || dd.appendChild(timeEl(iso));
        updateTime(t, iso);
      }
      clear(d.parent).append(j.parentId ? h('a', { href: jobHref(j.parentId) }, '#' + j.parentId) : '–');
      clear(d.workflow).append(j.workflowId
        ? h('span', null, h('a', { href: '#/workflows/' + j.workflowId }, '#' + j.workflowId), ', step ', h('span', { class: 'mono' }, j.step))
        : '–');
      setText(d.schedule, j.schedule || '–');
      setText(d.concurrencyKey, j.concurrencyKey || '–');
      d.concurrencyKey.className = 'mono';
      setText(d.uniqueKey, j.uniqueKey || '–');
      d.uniqueKey.className = 'mono';
      setText(d.waiting, j.waiting ? j.waiting.replace(/^waiting: /, '') : '–');
      d.waiting.setAttribute('data-waiting', j.waiting || '');
    }

    const act = (btn, method, path, done) => btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const r = await api(method, path);
        done(r);
      } catch (e) {
        failed(e);
      } finally {
        if (job) render(job);
      }
    });
    act(retryBtn, 'POST', '/api/jobs/' + id + '/retry', (j) => { toast('Job #' + id + ' will run again'); render(j); follow(); });
    act(cancelBtn, 'POST', '/api/jobs/' + id + '/cancel', (j) => { toast(j.state === 'cancelled' ? 'Job #' + id + ' cancelled' : 'Stopping job #' + id + '…'); render(j); });
    deleteBtn.addEventListener('click', async () => {
      if (!confirm('Delete job #' + id + '? This cannot be undone.')) return;
      try {
        await api('DELETE', '/api/jobs/' + id);
        toast('Job #' + id + ' deleted');
        location.hash = '#/jobs';
      } catch (e) {
        failed(e);
      }
    });
    act(retryItemsBtn, 'POST', '/api/jobs/' + id + '/retry-items', (j) => {
      toast('Enqueued job #' + j.id + ' for the failed items');
      location.hash = jobHref(j.id);
    });

    let live = null;
    function follow() {
      if (live && !live.closed) return;
      live = stream('/api/jobs/' + id + '/events', {
        state: onJob,
        progress: onJob,
        deleted: () => {
          closeStream(live);
          toast('Job #' + id + ' was deleted', true);
          location.hash = '#/jobs';
        },
      }, () => {
        live = null;
        api('GET', '/api/jobs/' + id).then((j) => { render(j); if (!FINAL.has(j.state)) follow(); }, failed);
      });
    }
    function onJob(j) {
      render(j);
      if (FINAL.has(j.state)) {
        // The server ends the stream after the final state; without this the browser would reconnect.
        closeStream(live);
        setLive(true);
      }
    }

    render(first);
    every(1000, tick);
    if (!FINAL.has(first.state)) follow();
    else setLive(true);
  }

  // ------------------------------------------------------------------ start

  window.addEventListener('hashchange', () => {
    route();
    document.getElementById('main').focus({ preventScroll: true });
  });
  setupTokenDialog();
  route();
})();
