// The customer portal: plain DOM, no framework, none of the agent app's code. Every string from the server is
// set as text; message bodies arrive sanitised by the server (the same HTML the agent app shows).
const main = document.getElementById('main');
const account = document.getElementById('account');
const bannersEl = document.getElementById('banners');
let csrf = null;
let home = null;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = 'show';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.className = ''), 4000);
}

async function api(method, url, body, headers = {}) {
  const opts = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    if (body instanceof Blob) opts.body = body;
    else {
      opts.headers['content-type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
  }
  if (method !== 'GET' && csrf) opts.headers['x-csrf-token'] = csrf;
  const res = await fetch(url, opts);
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error(data?.detail ?? data?.title ?? `Request failed (${res.status})`);
    err.status = res.status;
    err.code = data?.code;
    throw err;
  }
  return data;
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function go(path) {
  history.pushState(null, '', path);
  void route();
}

function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs, onclick: (e) => { if (e.metaKey || e.ctrlKey) return; e.preventDefault(); go(href); } }, text);
}

function show(title, ...content) {
  main.replaceChildren(h('h1', { text: title }), ...content);
  document.title = `${title} · Support`;
  main.focus();
}

// crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function errorLine() {
  return h('p', { class: 'error', role: 'alert' });
}

// ---- signed out

function signInPage(message) {
  const email = h('input', { type: 'email', id: 'email', name: 'email', required: true, autocomplete: 'email' });
  const out = errorLine();
  const sent = h('p', { role: 'status' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        out.textContent = '';
        try {
          const r = await api('POST', '/api/v1/portal/sign-in-link', { email: email.value });
          sent.textContent = r.message;
        } catch (err) {
          out.textContent = err.message;
        }
      },
    },
    h('label', { for: 'email', text: 'Your email address' }),
    email,
    h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Email me a sign-in link' })),
    sent,
    out,
  );
  const pwEmail = h('input', { type: 'email', id: 'pw-email', required: true, autocomplete: 'username' });
  const pw = h('input', { type: 'password', id: 'pw', required: true, autocomplete: 'current-password' });
  const pwOut = errorLine();
  const pwForm = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        pwOut.textContent = '';
        try {
          const r = await api('POST', '/api/v1/session', { email: pwEmail.value, password: pw.value });
          csrf = r.csrfToken;
          await start();
        } catch (err) {
          pwOut.textContent = err.message;
        }
      },
    },
    h('label', { for: 'pw-email', text: 'Email' }),
    pwEmail,
    h('label', { for: 'pw', text: 'Password' }),
    pw,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary', text: 'Sign in with password' })),
    pwOut,
  );
  account.replaceChildren();
  show('Sign in to your requests', message ? h('p', { class: 'error', role: 'alert', text: message }) : '', form, h('details', {}, h('summary', { text: 'I have a password' }), pwForm));
}

// The emailed link does not sign in by itself: someone could send you a link to *their* account (login CSRF), and
// you would then type your requests into it. The page says whose account it is, and only the button redeems it.
async function redeemLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', '/portal');
  if (!token) return signInPage('This sign-in link is incomplete; ask for a new one.');
  let who;
  try {
    who = await api('POST', '/api/v1/portal/sign-in/check', { token });
  } catch (err) {
    return signInPage(err.message);
  }
  const out = errorLine();
  const button = h('button', { type: 'submit', text: 'Sign in' });
  show(
    'Sign in?',
    h(
      'form',
      {
        class: 'card',
        onsubmit: async (e) => {
          e.preventDefault();
          out.textContent = '';
          button.disabled = true;
          try {
            const r = await api('POST', '/api/v1/portal/sign-in', { token });
            csrf = r.csrfToken;
            await start();
          } catch (err) {
            button.disabled = false;
            out.textContent = err.message;
          }
        },
      },
      h('p', { id: 'sign-in-as', text: `Sign in as ${who.email}?` }),
      h('p', { class: 'muted', text: 'Continue only if you asked for this link and this is your address.' }),
      h('div', { class: 'row' }, button, h('a', { href: '/portal', text: 'Cancel' })),
      out,
    ),
  );
  button.focus();
}

// ---- signed in

function renderAccount() {
  account.replaceChildren(
    h('span', { class: 'muted', text: home.organization ? `${home.user.name} · ${home.organization.name}` : home.user.name }),
    link('/portal/new', 'New request', { class: 'button' }),
    h('button', {
      type: 'button',
      class: 'secondary',
      text: 'Sign out',
      onclick: async () => {
        await api('DELETE', '/api/v1/session').catch(() => {});
        csrf = null;
        home = null;
        bannersEl.replaceChildren();
        history.pushState(null, '', '/portal');
        signInPage();
      },
    }),
  );
  bannersEl.replaceChildren(
    ...home.banners.map((b) =>
      h('div', { class: `banner ${b.impact}` }, h('strong', { text: `Known issue: ${b.title}` }), ` (${b.state}) `, b.update ? h('span', { text: `— ${b.update} ` }) : '', h('a', { href: b.link, text: 'Status page' })),
    ),
  );
}

async function listPage(scope) {
  const data = await api('GET', `/api/v1/portal/tickets?scope=${scope}`);
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Which requests' },
    link('/portal', 'My requests', { 'aria-current': scope === 'mine' ? 'page' : undefined }),
    home.supervisor ? link('/portal/organization', `${home.organization.name}'s requests`, { 'aria-current': scope === 'organization' ? 'page' : undefined }) : '',
    home.organization ? link('/portal/board', 'Board') : '',
  );
  const row = (t) =>
    h(
      'li',
      {},
      link(`/portal/requests/${t.id}`, [
        h('span', {}, h('strong', { text: `#${t.number} ` }), t.subject, scope === 'organization' ? h('span', { class: 'muted', text: ` — ${t.requester.name}` }) : ''),
        h('span', { class: 'status', text: t.status }),
      ]),
    );
  // Fifty at a time, newest activity first; "Show older requests" follows the cursor and appends the next page.
  let cursor = data.nextCursor;
  const ul = h('ul', { class: 'requests' }, data.items.map(row));
  const more = h('button', { type: 'button', class: 'secondary', text: 'Show older requests' });
  more.onclick = async () => {
    more.disabled = true;
    const next = await api('GET', `/api/v1/portal/tickets?scope=${scope}&cursor=${encodeURIComponent(cursor)}`);
    const rows = next.items.map(row);
    ul.append(...rows);
    cursor = next.nextCursor;
    if (cursor) more.disabled = false;
    else more.remove();
    rows[0]?.querySelector('a')?.focus();
  };
  const list = data.items.length ? [ul, cursor ? h('div', { class: 'row' }, more) : ''] : h('p', { class: 'muted' }, 'No requests yet. ', link('/portal/new', 'Ask us something'), '.');
  show(scope === 'mine' ? 'Your requests' : `${home.organization.name}'s requests`, tabs, h('div', { class: 'card' }, ...[list].flat()));
}

function fieldInput(f) {
  const id = `cf-${f.key}`;
  if (f.kind === 'dropdown') return h('select', { id, name: f.key }, h('option', { value: '', text: '—' }), f.options.map((o) => h('option', { value: o, text: o })));
  if (f.kind === 'long_text') return h('textarea', { id, name: f.key });
  if (f.kind === 'checkbox') return h('input', { type: 'checkbox', id, name: f.key });
  if (f.kind === 'number') return h('input', { type: 'number', id, name: f.key });
  if (f.kind === 'date') return h('input', { type: 'date', id, name: f.key });
  return h('input', { type: 'text', id, name: f.key });
}

async function upload(fileInput) {
  const ids = [];
  for (const file of fileInput?.files ?? []) {
    const r = await api('POST', `/api/v1/attachments?filename=${encodeURIComponent(file.name)}`, file, { 'content-type': file.type || 'application/octet-stream' });
    ids.push(r.id);
  }
  return ids;
}

/**
 * The language the customer reads: the browser's first. This page's own `<html lang>` says what language its
 * labels are in (English), not the customer's, so it is only the fallback.
 */
function customerLocale() {
  const tags = [...(navigator.languages || []), navigator.language, document.documentElement.lang];
  return tags.find((l) => /^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,8})*$/.test(l || '')) || '';
}

function newPage() {
  const subject = h('input', { type: 'text', id: 'subject', required: true, maxlength: 300 });
  const description = h('textarea', { id: 'description', required: true });
  const type = home.form.types.length ? h('select', { id: 'type' }, h('option', { value: '', text: '—' }), home.form.types.map((t) => h('option', { value: t.key, text: t.label }))) : null;
  const fields = home.form.customFields.map((f) => ({ f, input: fieldInput(f) }));
  const files = home.form.attachments ? h('input', { type: 'file', id: 'files', multiple: true }) : null;
  const out = errorLine();
  // Help-centre articles for what is being written. The form's impression id goes with each look-up and with the
  // request: an article shown here with no request sent counts as a deflection (so does "This solved it").
  const impression = uuid();
  const suggestions = h('section', { class: 'suggestions', 'aria-label': 'Articles that may help', 'aria-live': 'polite' });
  let lookup = 0;
  const suggest = () => {
    clearTimeout(suggest.timer);
    suggest.timer = setTimeout(async () => {
      // The subject when there is one: every word of a suggestion query must match, and a description has many.
      const q = (subject.value.trim() || description.value.trim()).slice(0, 200);
      const mine = ++lookup;
      if (q.length < 3) return suggestions.replaceChildren();
      // In the customer's language when the help centre is translated into it (the server falls back to its own).
      const r = await api('GET', `/api/v1/kb/suggest?q=${encodeURIComponent(q)}&impression=${impression}&locale=${encodeURIComponent(customerLocale())}`).catch(() => null);
      if (mine !== lookup || !r) return;
      suggestions.replaceChildren(
        ...(r.items.length ? [h('h2', { text: 'These articles may answer it' })] : []),
        ...r.items.map((a) => {
          const solved = h('button', { type: 'button', class: 'secondary', text: 'This solved it' });
          solved.onclick = async () => {
            await api('POST', '/api/v1/kb/suggest/feedback', { articleId: a.id, outcome: 'solved', query: q, impression }).catch(() => null);
            solved.replaceWith(h('span', { class: 'muted', role: 'status', text: 'Glad it helped — no need to send the request.' }));
          };
          // An article topping up a language with few translations is in the help centre's own: say which.
          const other = r.locale && a.locale && a.locale !== r.locale;
          return h('div', { class: 'suggestion' }, h('a', { href: a.url, target: '_blank', rel: 'noopener', hreflang: a.locale, lang: a.locale, text: a.title }), other ? h('span', { class: 'muted', text: ` (${languageName(a.locale)})` }) : '', ' ', solved);
        }),
      );
    }, 300);
  };
  subject.addEventListener('input', suggest);
  description.addEventListener('input', suggest);
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        out.textContent = '';
        const customFields = {};
        for (const { f, input } of fields) {
          if (f.kind === 'checkbox') customFields[f.key] = input.checked;
          else if (input.value !== '') customFields[f.key] = f.kind === 'number' ? Number(input.value) : input.value;
        }
        try {
          const attachmentIds = await upload(files);
          const t = await api('POST', '/api/v1/portal/tickets', { subject: subject.value, description: description.value, type: type?.value || undefined, customFields, attachmentIds, kbImpression: impression });
          toast(`Request #${t.number} sent`);
          go(`/portal/requests/${t.id}`);
        } catch (err) {
          out.textContent = err.message;
        }
      },
    },
    h('label', { for: 'subject', text: 'Subject' }),
    subject,
    type ? [h('label', { for: 'type', text: 'Type' }), type] : '',
    h('label', { for: 'description', text: 'What happened? What did you expect?' }),
    description,
    suggestions,
    fields.map(({ f, input }) => [h('label', { for: input.id, text: f.label }), input]),
    files ? [h('label', { for: 'files', text: 'Attachments (screenshots, files)' }), files] : '',
    h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Send request' }), link('/portal', 'Cancel', { class: 'button secondary' })),
    out,
  );
  show('New request', form);
}

function surveyBlock(t) {
  const s = t.survey;
  if (!s) return '';
  const out = errorLine();
  const rate = async (rating, extra = {}) => {
    try {
      render(await api('POST', `/api/v1/portal/tickets/${t.id}/satisfaction`, { rating, ...extra }));
      toast('Thank you for your answer');
    } catch (err) {
      out.textContent = err.message;
    }
  };
  const comment = h('textarea', { id: 'survey-comment' });
  const reason = s.rating === 'bad' ? h('select', { id: 'survey-reason' }, h('option', { value: '', text: '—' }), s.reasons.map((r) => h('option', { value: r, text: r, selected: r === s.reason }))) : null;
  if (s.comment) comment.value = s.comment;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'survey-h' },
    h('h2', { id: 'survey-h', text: 'How did we do?' }),
    s.rating ? h('p', { text: `You rated this ${s.rating === 'good' ? 'good 👍' : 'bad 👎'}.` }) : '',
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'good', text: '👍 Good', onclick: () => rate('good') }), h('button', { type: 'button', class: 'bad', text: '👎 Bad', onclick: () => rate('bad') })),
    s.rating
      ? h(
          'form',
          { onsubmit: (e) => { e.preventDefault(); void rate(s.rating, { comment: comment.value, ...(reason?.value ? { reason: reason.value } : {}) }); } },
          reason ? [h('label', { for: 'survey-reason', text: 'What went wrong?' }), reason] : '',
          h('label', { for: 'survey-comment', text: 'Anything to add? (optional)' }),
          comment,
          h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary', text: 'Send comment' })),
        )
      : '',
    out,
  );
}

let render = () => {};

async function requestPage(id) {
  render = (t) => {
    const out = errorLine();
    const act = (fn) => async (e) => {
      e?.preventDefault?.();
      out.textContent = '';
      try {
        render(await fn());
      } catch (err) {
        out.textContent = err.status === 409 ? 'This request changed meanwhile; reload to see it.' : err.message;
      }
    };
    const notFixed = h('textarea', { id: 'not-fixed', required: true });
    const confirmBox = t.canConfirm
      ? h(
          'section',
          { class: 'card confirm', 'aria-labelledby': 'confirm-h' },
          h('h2', { id: 'confirm-h', text: 'We think this is fixed. Does it work for you?' }),
          h('div', { class: 'row' }, h('button', { type: 'button', class: 'good', text: 'Yes, it works', onclick: act(() => api('POST', `/api/v1/portal/tickets/${t.id}/confirm`)) })),
          h(
            'form',
            { onsubmit: act(() => api('POST', `/api/v1/portal/tickets/${t.id}/not-fixed`, { comment: notFixed.value })) },
            h('label', { for: 'not-fixed', text: 'No, it is not fixed — what still happens?' }),
            notFixed,
            h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary', text: 'Not fixed' })),
          ),
        )
      : t.canReopen
        ? h(
            'form',
            { class: 'card', onsubmit: act(() => api('POST', `/api/v1/portal/tickets/${t.id}/not-fixed`, { comment: notFixed.value })) },
            h('label', { for: 'not-fixed', text: 'Still a problem? Tell us and we reopen it' }),
            notFixed,
            h('div', { class: 'row' }, h('button', { type: 'submit', class: 'secondary', text: 'Not fixed' })),
          )
        : '';
    const reply = h('textarea', { id: 'reply', required: true });
    const files = home.form.attachments ? h('input', { type: 'file', id: 'reply-files', multiple: true }) : null;
    const replyForm = t.canReply
      ? h(
          'form',
          {
            class: 'card',
            onsubmit: act(async () => {
              const attachmentIds = await upload(files);
              return api('POST', `/api/v1/portal/tickets/${t.id}/replies`, { body: reply.value, attachmentIds });
            }),
          },
          h('label', { for: 'reply', text: 'Reply' }),
          reply,
          files ? [h('label', { for: 'reply-files', text: 'Attachments' }), files] : '',
          h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Send reply' })),
        )
      : '';
    const messages = t.messages.map((m) => {
      const body = h('div');
      body.innerHTML = m.html; // sanitised by the server
      return h(
        'article',
        { class: `message${m.fromSupport ? ' support' : ''}` },
        h('header', { text: `${m.author} · ${when(m.createdAt)}` }),
        body,
        m.attachments.length ? h('ul', {}, m.attachments.map((a) => h('li', {}, h('a', { href: `/api/v1/attachments/${a.id}`, text: a.filename })))) : '',
      );
    });
    show(
      `#${t.number} ${t.subject}`,
      h('p', {}, h('strong', { text: 'Status: ' }), h('span', { id: 'status', text: t.status }), h('span', { class: 'muted', text: ` · opened by ${t.requester.name} ${when(t.createdAt)}` })),
      out,
      confirmBox,
      surveyBlock(t),
      h('section', { 'aria-label': 'Conversation' }, messages),
      replyForm,
      h('p', {}, link('/portal', '← All requests')),
    );
  };
  render(await api('GET', `/api/v1/portal/tickets/${encodeURIComponent(id)}`));
}

// ---- the organisation's board: read-only, or "New issues" in the order the customer chooses when allowed

async function boardPage() {
  const org = home.organization;
  const url = `/api/v1/organizations/${org.id}/board`;
  const draw = (b, focusId) => {
    const out = errorLine();
    const canReorder = b.board.customersReorder;
    const reorder = async (card, index) => {
      out.textContent = '';
      try {
        draw(await api('POST', `${url}/reorder`, { cardId: card.id, index, version: card.version }), card.id);
        toast(`“${card.title}” moved to place ${index + 1}`);
      } catch (err) {
        if (err.status === 409) toast('Someone moved this card first; the board shows where it is now');
        else out.textContent = err.message;
        draw(await api('GET', url), card.id);
      }
    };
    const columns = b.columns.map((col) => {
      const cards = b.cards.filter((c) => c.columnId === col.id);
      const movable = canReorder && col.role === 'new';
      return h(
        'section',
        { class: 'card column', 'aria-label': col.name },
        h('h2', { text: `${col.name} (${cards.length})` }),
        cards.length
          ? h(
              'ol',
              { class: 'board-cards' },
              cards.map((c, i) =>
                h(
                  'li',
                  { 'data-card': c.id },
                  h('span', {}, c.ticketNumber ? h('strong', { text: `#${c.ticketNumber} ` }) : '', c.title, c.dueOn ? h('span', { class: 'muted', text: ` · due ${c.dueOn}` }) : ''),
                  movable
                    ? h(
                        'span',
                        { class: 'row' },
                        h('button', { type: 'button', class: 'secondary', 'aria-label': `Move up: ${c.title}`, disabled: i === 0, onclick: () => reorder(c, i - 1), text: '↑' }),
                        h('button', { type: 'button', class: 'secondary', 'aria-label': `Move down: ${c.title}`, disabled: i === cards.length - 1, onclick: () => reorder(c, i + 1), text: '↓' }),
                      )
                    : '',
                ),
              ),
            )
          : h('p', { class: 'muted', text: 'Nothing here.' }),
      );
    });
    show(
      `${b.board.name}'s board`,
      h('p', { class: 'muted', text: canReorder ? 'Put New issues in the order you want them done: the first is the most important.' : 'What our team is working on for you. Your support team orders it with you.' }),
      out,
      h('div', { class: 'board' }, columns),
      h('p', {}, link('/portal', '← All requests')),
    );
    if (focusId) main.querySelector(`[data-card="${focusId}"] button:not([disabled])`)?.focus();
  };
  draw(await api('GET', url));
}

// ---- the survey links from the email (no sign-in)

async function surveyPage() {
  const q = new URLSearchParams(location.search);
  const token = q.get('t') ?? '';
  const rating = q.get('rating');
  const out = errorLine();
  if (rating === 'opt-out') {
    show(
      'No more surveys?',
      h(
        'div',
        { class: 'card' },
        h('p', { text: 'We will not ask you how we did again.' }),
        h('button', {
          type: 'button',
          text: 'Stop sending me surveys',
          onclick: async () => {
            try {
              await api('POST', '/api/v1/csat/opt-out', { token });
              show('Done', h('p', { text: 'You will get no more satisfaction surveys.' }));
            } catch (err) {
              out.textContent = err.message;
            }
          },
        }),
        out,
      ),
    );
    return;
  }
  let s;
  try {
    s = await api('GET', `/api/v1/csat/survey?t=${encodeURIComponent(token)}`);
  } catch (err) {
    show('Survey', h('p', { class: 'error', role: 'alert', text: err.message }));
    return;
  }
  const send = async (r, extra = {}) => {
    try {
      drawSurvey(await api('POST', '/api/v1/csat/survey', { token, rating: r, ...extra }));
      toast('Thank you');
    } catch (err) {
      out.textContent = err.message;
    }
  };
  // Not answered yet: the choice made in the email is preselected, and nothing is sent before the button is
  // pressed (mail scanners open links and run scripts; they must not answer for the customer).
  const drawChoice = (s, preselected) => {
    const option = (value, text) =>
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'rating', value, required: true, checked: value === preselected }), ` ${text}`);
    const submit = h('button', { type: 'submit', text: 'Send my answer' });
    show(
      'How did we do?',
      h(
        'form',
        {
          class: 'card',
          onsubmit: (e) => {
            e.preventDefault();
            const chosen = e.currentTarget.querySelector('input[name=rating]:checked');
            if (chosen) void send(chosen.value);
          },
        },
        h('p', { text: `Request #${s.ticketNumber}: ${s.subject}` }),
        h('fieldset', { class: 'choices' }, h('legend', { text: 'Your answer' }), option('good', '👍 Good'), option('bad', '👎 Bad')),
        h('div', { class: 'row' }, submit),
        out,
      ),
    );
    if (preselected) submit.focus();
  };
  const drawSurvey = (s) => {
    const comment = h('textarea', { id: 'comment' });
    if (s.comment) comment.value = s.comment;
    const reason = s.rating === 'bad' ? h('select', { id: 'reason' }, h('option', { value: '', text: '—' }), s.reasons.map((r) => h('option', { value: r, text: r, selected: r === s.reason }))) : null;
    show(
      'Thank you for your answer',
      h(
        'div',
        { class: 'card' },
        h('p', { text: `Request #${s.ticketNumber}: ${s.subject}` }),
        h('p', { id: 'rated', text: `You rated it ${s.rating === 'good' ? 'good 👍' : 'bad 👎'}.` }),
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'good', text: '👍 Good', onclick: () => send('good') }), h('button', { type: 'button', class: 'bad', text: '👎 Bad', onclick: () => send('bad') })),
        h(
          'form',
          { onsubmit: (e) => { e.preventDefault(); void send(s.rating, { comment: comment.value, ...(reason?.value ? { reason: reason.value } : {}) }); } },
          reason ? [h('label', { for: 'reason', text: 'What went wrong?' }), reason] : '',
          h('label', { for: 'comment', text: 'Anything to add? (optional)' }),
          comment,
          h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Send comment' })),
        ),
        out,
      ),
    );
  };
  if (s.rating) drawSurvey(s);
  else drawChoice(s, rating === 'good' || rating === 'bad' ? rating : null);
}

// ---- routing

async function start() {
  try {
    home = await api('GET', '/api/v1/portal/home');
  } catch (err) {
    if (err.status === 401) return signInPage();
    if (err.status === 403) return show('This is the customer portal', h('p', {}, 'Staff work in the agent app: ', h('a', { href: '/', text: 'open it' }), '.'));
    return show('Something went wrong', h('p', { class: 'error', text: err.message }));
  }
  csrf = home.csrfToken ?? csrf;
  renderAccount();
  if (location.pathname === '/portal/sign-in') history.replaceState(null, '', '/portal');
  await route();
}

async function route() {
  const p = location.pathname;
  if (p === '/portal/survey') return surveyPage();
  if (p === '/portal/sign-in' && location.hash.includes('token=')) return redeemLink();
  if (!home) return start();
  try {
    if (p === '/portal/new') return newPage();
    if (p === '/portal/organization') return await listPage('organization');
    if (p === '/portal/board' && home.organization) return await boardPage();
    const m = p.match(/^\/portal\/requests\/([^/]+)$/);
    if (m) return await requestPage(m[1]);
    return await listPage('mine');
  } catch (err) {
    if (err.status === 401) {
      home = null;
      return signInPage('Your session ended; sign in again.');
    }
    show(err.status === 404 ? 'Not found' : 'Something went wrong', h('p', { class: 'error', role: 'alert', text: err.status === 404 ? 'There is no such request, or it is not yours.' : err.message }), h('p', {}, link('/portal', '← All requests')));
  }
}

window.addEventListener('popstate', () => void route());
void route();

/** A language's name in the portal's language (English): labels an article in another language than asked. */
function languageName(code) {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}
