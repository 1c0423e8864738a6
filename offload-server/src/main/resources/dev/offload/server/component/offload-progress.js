/*
 * <offload-progress src="/api/jobs/42?token=…">: one job's progress for the person who started it.
 *
 * Plain JavaScript, no build step, no framework: load it with
 *   <script src="https://offload.example/offload-progress.js" defer></script>
 * and put the element where the bar belongs. `src` is the signed URL from Offload#progressUrl
 * (relative URLs resolve against the page, so prefix the server's address when it serves another
 * origin). The element shows the stage (or state), the percent, the handler's message and an ETA,
 * live over Server-Sent Events (`src` + "/events"); when the stream cannot be opened it polls
 * `src` instead. At the end it shows the result (succeeded) or the last error (dead), and fires
 * `offload-finished` (bubbles; `event.detail` is the job as the token shows it).
 *
 * Accessible: the bar is role="progressbar" with aria-valuemin/max/now and aria-valuetext; the
 * message is a polite live region. Job data is inserted as text only (textContent), never as
 * markup. Styles go through a constructed style sheet, which a page's Content-Security-Policy
 * without 'unsafe-inline' allows. Style it from the page with ::part(bar|fill|label|percent|
 * message|eta|result|error) and --offload-progress-color; the host gets a `state` attribute.
 */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('offload-progress')) {
    return;
  }

  const FINAL = new Set(['succeeded', 'dead', 'cancelled']);
  const STATE_TEXT = {
    scheduled: 'Scheduled', available: 'Waiting to start', running: 'Running', retrying: 'Retrying',
    succeeded: 'Done', dead: 'Failed', cancelled: 'Cancelled',
  };
  const POLL_MS = 1500;
  const MAX_POLL_MS = 15000;

  const CSS = `
    :host { display: block; font: inherit; color: inherit; }
    :host([hidden]) { display: none; }
    .head { display: flex; justify-content: space-between; gap: 1em; margin-bottom: .3em; }
    .label { font-weight: 600; }
    .track { height: .75em; border-radius: .375em; background: rgba(127, 127, 127, .25); overflow: hidden; }
    .fill { height: 100%; width: 0; background: var(--offload-progress-color, #2f6fde); transition: width .3s ease; }
    :host([state="succeeded"]) .fill { background: var(--offload-progress-done-color, #1f883d); }
    :host([state="dead"]) .fill, :host([state="cancelled"]) .fill { background: var(--offload-progress-error-color, #cf222e); }
    .foot { display: flex; justify-content: space-between; gap: 1em; margin-top: .3em; font-size: .9em; opacity: .85; }
    .result { margin: .5em 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .9em; }
    .error { margin: .5em 0 0; color: var(--offload-progress-error-color, #cf222e); }
    [hidden] { display: none; }
    @media (prefers-reduced-motion: reduce) { .fill { transition: none; } }
  `;
  let sheet = null;

  function styleSheets() {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      return [sheet];
    } catch (e) {
      return []; // an old browser: unstyled, still working
    }
  }

  function el(tag, part) {
    const e = document.createElement(tag);
    e.className = part;
    e.setAttribute('part', part);
    return e;
  }

  function etaText(seconds) {
    if (seconds == null || !isFinite(seconds) || seconds < 0) {
      return '';
    }
    const s = Math.round(seconds);
    if (s < 5) return 'almost done';
    if (s < 60) return 'about ' + s + ' s left';
    if (s < 3600) return 'about ' + Math.round(s / 60) + ' min left';
    const h = Math.floor(s / 3600);
    return 'about ' + h + ' h ' + Math.round((s - h * 3600) / 60) + ' min left';
  }

  function resultText(result) {
    if (result == null) return '';
    if (typeof result === 'string') return result;
    return JSON.stringify(result, null, 2);
  }

  class OffloadProgress extends HTMLElement {
    static get observedAttributes() {
      return ['src'];
    }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = styleSheets();
      const head = el('div', 'head');
      this._label = el('span', 'label');
      this._percent = el('span', 'percent');
      head.append(this._label, this._percent);
      this._bar = el('div', 'track');
      this._bar.setAttribute('part', 'bar');
      this._bar.setAttribute('role', 'progressbar');
      this._bar.setAttribute('aria-valuemin', '0');
      this._bar.setAttribute('aria-valuemax', '100');
      this._bar.setAttribute('aria-valuenow', '0');
      this._bar.setAttribute('aria-label', this.getAttribute('label') || 'Progress');
      this._fill = el('div', 'fill');
      this._bar.append(this._fill);
      const foot = el('div', 'foot');
      this._message = el('span', 'message');
      this._message.setAttribute('aria-live', 'polite');
      this._eta = el('span', 'eta');
      foot.append(this._message, this._eta);
      this._result = el('pre', 'result');
      this._result.hidden = true;
      this._error = el('p', 'error');
      this._error.setAttribute('role', 'alert');
      this._error.hidden = true;
      root.append(head, this._bar, foot, this._result, this._error);
      this._generation = 0;
      this._label.textContent = 'Loading…';
    }

    connectedCallback() {
      this._start();
    }

    disconnectedCallback() {
      this._stop();
    }

    attributeChangedCallback() {
      if (this.isConnected) {
        this._stop();
        this._start();
      }
    }

    /** The job as last shown, or null. */
    get job() {
      return this._job || null;
    }

    _start() {
      const generation = ++this._generation;
      this._done = false;
      const src = this.getAttribute('src');
      if (!src) {
        this._fail('No progress link was given (the src attribute is empty).');
        return;
      }
      try {
        this._url = new URL(src, document.baseURI);
      } catch (e) {
        this._fail('The progress link is not a URL.');
        return;
      }
      // One read at once, so the bar shows something (or why not) before the first event.
      this._fetchOnce(generation).then((ok) => {
        if (!ok || this._done || generation !== this._generation) return;
        if (typeof window.EventSource === 'function') {
          this._listen(generation);
        } else {
          this._poll(generation, POLL_MS);
        }
      });
    }

    _stop() {
      this._generation++;
      if (this._source) {
        this._source.close();
        this._source = null;
      }
      clearTimeout(this._timer);
    }

    _eventsUrl() {
      const u = new URL(this._url.href);
      u.pathname = u.pathname.replace(/\/+$/, '') + '/events';
      return u.href;
    }

    _listen(generation) {
      let received = false;
      let source;
      try {
        source = new EventSource(this._eventsUrl());
      } catch (e) {
        this._poll(generation, POLL_MS);
        return;
      }
      this._source = source;
      const onJob = (event) => {
        if (generation !== this._generation) return;
        received = true;
        try {
          this._render(JSON.parse(event.data));
        } catch (e) {
          // one unreadable event: the next one carries the whole job again
        }
      };
      source.addEventListener('state', onJob);
      source.addEventListener('progress', onJob);
      source.addEventListener('deleted', () => {
        this._stop();
        this._fail('This job no longer exists.');
      });
      source.onerror = () => {
        if (generation !== this._generation || this._done) {
          source.close();
          return;
        }
        // The stream never worked here (blocked by a proxy, a policy or an old server), or the
        // browser gave up on it: read the job by polling instead. A stream that worked and broke
        // is reopened by the browser itself.
        if (!received || source.readyState === EventSource.CLOSED) {
          source.close();
          this._source = null;
          this._poll(generation, POLL_MS);
        }
      };
    }

    /** Reads the job once; resolves to whether to go on. */
    async _fetchOnce(generation) {
      let res;
      try {
        res = await fetch(this._url.href, { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } });
      } catch (e) {
        if (generation === this._generation) this._notice('Cannot reach the server; trying again…');
        return true;
      }
      if (generation !== this._generation) return false;
      if (res.status === 403) {
        this._fail('This progress link has expired or is not valid.');
        return false;
      }
      if (res.status === 404) {
        this._fail('This job no longer exists.');
        return false;
      }
      if (!res.ok) {
        this._notice('The server answered ' + res.status + '; trying again…');
        return true;
      }
      try {
        this._render(await res.json());
      } catch (e) {
        this._notice('The server sent something unreadable; trying again…');
      }
      return true;
    }

    _poll(generation, delay) {
      if (generation !== this._generation || this._done) return;
      this._polling = true;
      this.setAttribute('transport', 'polling');
      this._timer = setTimeout(async () => {
        const before = this._job;
        const goOn = await this._fetchOnce(generation);
        if (!goOn || this._done) return;
        // Back off while the server does not answer, up to MAX_POLL_MS.
        const next = this._job && this._job !== before ? POLL_MS : Math.min(delay * 2, MAX_POLL_MS);
        this._poll(generation, next);
      }, delay);
    }

    _notice(text) {
      this._message.textContent = text;
    }

    _fail(text) {
      this._done = true;
      this._label.textContent = 'Unavailable';
      this._error.textContent = text;
      this._error.hidden = false;
      this._bar.setAttribute('aria-valuetext', text);
    }

    _render(job) {
      if (!job || typeof job !== 'object') return;
      this._job = job;
      const p = job.progress || {};
      const state = String(job.state || '');
      const percent = state === 'succeeded' ? 100 : Math.max(0, Math.min(100, Number(p.percent) || 0));
      const rounded = Math.floor(percent);
      this.setAttribute('state', state);
      this._fill.style.width = percent + '%'; // CSSOM, which a CSP without 'unsafe-inline' allows
      this._bar.setAttribute('aria-valuenow', String(rounded));
      const label = FINAL.has(state) || !p.stage ? (STATE_TEXT[state] || state) : p.stage;
      this._label.textContent = label;
      this._percent.textContent = rounded + ' %';
      this._bar.setAttribute('aria-valuetext', rounded + ' %, ' + label);
      this._message.textContent = p.message || (state === 'retrying' ? 'Trying again…' : '');
      this._eta.textContent = FINAL.has(state) ? '' : etaText(p.eta);
      if (state === 'succeeded') {
        const text = resultText(job.result);
        this._result.textContent = text;
        this._result.hidden = text === '';
      } else if ((state === 'dead' || state === 'retrying') && job.error) {
        this._error.textContent = (state === 'dead' ? 'Failed: ' : 'Attempt failed: ') + (job.error.message || job.error.errorClass);
        this._error.hidden = false;
      } else if (state === 'cancelled') {
        this._error.textContent = 'This job was cancelled.';
        this._error.hidden = false;
      } else {
        this._error.hidden = true;
      }
      if (FINAL.has(state) && !this._done) {
        this._done = true;
        this._stop();
        this.dispatchEvent(new CustomEvent('offload-finished', { detail: job, bubbles: true, composed: true }));
      }
    }
  }

  customElements.define('offload-progress', OffloadProgress);
})();
