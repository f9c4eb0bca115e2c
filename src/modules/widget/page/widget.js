// Lifeline's "Report an issue" loader (docs/widget.md). Embedded by one tag on the host page:
//   <script src="https://desk.example.com/widget.js" data-site-key="wk_…" defer></script>
// Plain DOM, no framework, no eval, no inline script or style attribute the host's CSP would have to allow. It adds a
// button in a shadow root (host styles do not reach it), loads the panel on first open, and owns the offline queue:
// a report is kept in localStorage with its idempotency key until the server has answered for it, and sent again
// when the network returns (also on a later page of the same site); the server dedupes on (site, key). A report the
// server refuses stays in the queue marked failed with its reason, for the panel to show (edit and resend, or discard).
(() => {
  const script = document.currentScript;
  if (!script || window.LifelineWidget) return;
  const base = new URL(script.src).origin;
  const siteKey = script.dataset.siteKey || '';
  const api = `${base}/api/v1/widget/${encodeURIComponent(siteKey)}`;
  const QUEUE = `lifeline-widget:${siteKey}:queue`;
  const state = { identity: script.dataset.identity || null, refresh: null, appVersion: script.dataset.appVersion || '', locale: script.dataset.locale || '', custom: {}, listeners: [] };

  const host = document.createElement('div');
  host.setAttribute('data-lifeline-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  const css =
    ':host{all:initial}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;font:600 15px/1.2 system-ui,sans-serif;color:#fff;background:#1c5fd4;border:0;border-radius:24px;padding:12px 18px;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}' +
    '.launcher:hover{background:#164bab}.launcher:focus-visible{outline:3px solid #f5b400;outline-offset:2px}';
  adopt(root, css);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  const label = script.dataset.label || 'Report an issue';
  button.textContent = label;
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  root.append(button);

  let panel = null;
  let loading = null;

  /** Styles for the shadow root: a constructed sheet (not an inline <style>, which a strict style-src refuses). */
  function adopt(shadow, text) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
    } catch {
      const style = document.createElement('style');
      style.textContent = text;
      shadow.append(style);
    }
  }

  function loadPanel() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = `${base}/widget/panel.js?v=__PANEL_VERSION__`;
        s.async = true;
        s.onload = () => (panel ? resolve(panel) : reject(new Error('panel did not start')));
        s.onerror = () => {
          loading = null;
          s.remove();
          reject(new Error('panel failed to load'));
        };
        document.head.append(s);
      });
    }
    return loading;
  }

  async function open() {
    button.setAttribute('aria-busy', 'true');
    try {
      (await loadPanel()).open();
      button.setAttribute('aria-expanded', 'true');
    } catch {
      button.textContent = `${label} (offline — try again)`;
    } finally {
      button.removeAttribute('aria-busy');
    }
  }
  button.addEventListener('click', () => void open());

  // ---- the queue
  function readQueue() {
    try {
      return JSON.parse(localStorage.getItem(QUEUE) || '[]');
    } catch {
      return [];
    }
  }
  let memoryQueue = null; // when storage is full or refused, the report waits in this page only
  function writeQueue(items) {
    try {
      if (items.length) localStorage.setItem(QUEUE, JSON.stringify(items));
      else localStorage.removeItem(QUEUE);
      memoryQueue = null;
      return true;
    } catch {
      memoryQueue = items;
      return false;
    }
  }
  const queue = () => memoryQueue || readQueue();
  const failed = () => queue().filter((q) => q.failed);

  /** The button says when a report was refused, so it is seen even if the panel was closed when it happened. */
  function badge() {
    const n = failed().length;
    button.textContent = n ? `${label} (${n} not sent)` : label;
  }

  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function emit(event) {
    for (const l of state.listeners) l(event);
  }

  /** Notes on the report when it was kept for later (the agent sees it was written offline). */
  function stampOffline(item) {
    if (item.context.queuedAt) return;
    item.context.queuedAt = new Date().toISOString();
    writeQueue(queue().map((q) => (q.idempotencyKey === item.idempotencyKey ? item : q)));
  }

  let flushing = false;
  let retryTimer = 0;
  let backoff = 5000;
  function retryLater(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void flush(), ms);
  }

  /** A token's `sub`, read for comparison only (the server verifies tokens). */
  function subOf(token) {
    try {
      return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub ?? null;
    } catch {
      return null;
    }
  }

  /**
   * A queued report whose identity token expired before it could be sent (offline for longer than the token
   * lives): asks the host's callback for a fresh token, once per report. 'retry' with the report updated; 'later'
   * when the callback failed (the host's server unreachable too: the report waits, as for the network); else the
   * reason the report is refused — it is kept, never sent anonymously or as someone else.
   */
  async function refreshIdentity(item) {
    if (item.identityRefreshed) return 'the identity token expired again after a fresh one';
    if (!state.refresh) return 'the identity token expired while the report waited, and the page cannot ask for a fresh one';
    let token;
    try {
      token = await Promise.race([Promise.resolve(state.refresh()), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 15000))]);
    } catch {
      return 'later';
    }
    if (typeof token !== 'string' || !token) return 'the identity token expired and the app gave no fresh one (signed out?)';
    if (subOf(token) !== subOf(item.identity)) return 'the identity token expired and the app is now signed in as someone else';
    state.identity = token;
    emit({ type: 'identity' });
    writeQueue(queue().map((q) => (q.idempotencyKey === item.idempotencyKey ? { ...q, identity: token, identityRefreshed: true } : q)));
    return 'retry';
  }

  /** Sends queued reports one by one; a report leaves the queue only once the server has answered for it. */
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const item = queue().find((q) => !q.failed);
        if (!item) break;
        if (navigator.onLine === false) {
          stampOffline(item);
          emit({ type: 'queued', key: item.idempotencyKey });
          break;
        }
        let res;
        try {
          res = await fetch(`${api}/reports`, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(item) });
        } catch {
          // No network (or the desk is unreachable): wait for `online` or the timer.
          stampOffline(item);
          emit({ type: 'queued', key: item.idempotencyKey });
          retryLater(backoff);
          backoff = Math.min(backoff * 2, 300000);
          break;
        }
        if (res.status === 429 || res.status >= 500) {
          emit({ type: 'queued', key: item.idempotencyKey, busy: true });
          retryLater(Math.max(1, Number(res.headers.get('retry-after')) || 30) * 1000);
          break;
        }
        backoff = 5000;
        const answer = await res.json().catch(() => ({}));
        if (res.status === 401 && answer.code === 'WIDGET_IDENTITY_EXPIRED' && item.identity) {
          const next = await refreshIdentity(item);
          if (next === 'retry') continue;
          if (next === 'later') {
            emit({ type: 'queued', key: item.idempotencyKey, busy: true });
            retryLater(30000);
            break;
          }
          answer.detail = `${next[0].toUpperCase()}${next.slice(1)}; edit and resend once signed in again`;
        }
        if (res.ok) {
          writeQueue(queue().filter((q) => q.idempotencyKey !== item.idempotencyKey));
          emit({ type: 'sent', key: item.idempotencyKey, ticketNumber: answer.ticketNumber });
        } else {
          // Refused (a bad token, a file, the site switched off…): kept, marked, until the visitor edits or discards it.
          const reason = { status: res.status, code: String(answer.code || ''), detail: String(answer.detail || answer.title || 'the desk refused the report').slice(0, 500) };
          writeQueue(queue().map((q) => (q.idempotencyKey === item.idempotencyKey ? { ...q, failed: reason } : q)));
          badge();
          emit({ type: 'refused', key: item.idempotencyKey, problem: reason });
        }
      }
    } finally {
      flushing = false;
    }
  }
  window.addEventListener('online', () => void flush());

  /** What the page can tell about itself; the host adds its app version and custom data. */
  function context() {
    return {
      url: location.href.slice(0, 2000),
      referrer: document.referrer.slice(0, 2000) || undefined,
      userAgent: navigator.userAgent.slice(0, 500),
      language: navigator.language,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      viewport: { width: window.innerWidth, height: window.innerHeight },
      screen: { width: screen.width, height: screen.height },
      appVersion: state.appVersion || undefined,
      custom: state.custom,
    };
  }

  window.LifelineWidget = {
    version: 1,
    open: () => void open(),
    /** A token the host app signed for its signed-in user (HS256 with the site's secret; aud = the site key). */
    identify(token) {
      state.identity = token || null;
      emit({ type: 'identity' });
    },
    /**
     * The host's token callback: called when a queued report's token has expired by the time it is sent; returns
     * (or resolves to) a fresh token for the same user, or null. The report is sent again with it, once.
     */
    onIdentityExpired(callback) {
      state.refresh = typeof callback === 'function' ? callback : null;
    },
    setContext(values) {
      if (values && typeof values === 'object') {
        if (typeof values.appVersion === 'string') state.appVersion = values.appVersion;
        if (typeof values.locale === 'string') state.locale = values.locale;
        if (values.custom && typeof values.custom === 'object') state.custom = { ...state.custom, ...values.custom };
      }
    },
    /** For the panel script only. */
    _definePanel(make) {
      panel = make({
        root,
        adopt,
        api,
        launcher: button,
        identity: () => state.identity,
        // The visitor's language for suggestions: the host's setting, else the host page's, else the browser's (the
        // first that looks like a language tag; the desk matches it to the help centre's languages).
        locale: () => [state.locale, document.documentElement.lang, navigator.language].find((l) => /^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,8})*$/.test(l || '')) || '',
        on: (l) => state.listeners.push(l),
        closed: () => {
          button.setAttribute('aria-expanded', 'false');
          button.focus();
        },
        /** Reports the server refused, each with `failed: { status, code, detail }`. */
        failed,
        /** Drops a refused report. */
        discard(key) {
          writeQueue(queue().filter((q) => q.idempotencyKey !== key));
          badge();
        },
        /** Queues a report (its key made here; `replaces`: the refused one it was edited from) and tries to send it now. */
        submit(report, replaces) {
          const item = { ...report, idempotencyKey: newKey(), identity: state.identity || undefined, context: context() };
          const kept = writeQueue([...queue().filter((q) => q.idempotencyKey !== replaces), item]);
          badge();
          // After the caller has the key (it matches the events that follow to its report).
          setTimeout(() => void flush(), 0);
          return { key: item.idempotencyKey, kept };
        },
      });
    },
  };

  const mount = () => {
    document.body.append(host);
    badge();
    // Reports left from an earlier page (offline then, online now) go out without anyone opening the panel.
    if (queue().length) void flush();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
