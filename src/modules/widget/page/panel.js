// The widget's panel, loaded by /widget.js on first open, drawn in the loader's shadow root (host styles do not reach
// it). A labelled dialog: focus moves into it, Escape or Close returns focus to the button, status and errors are
// announced (role=status / role=alert). Every string from the server is set as text. It also shows reports the server
// refused (edit and resend, or discard) and, for a visitor the host app vouches for, their open satisfaction surveys.
(() => {
  const MAX_FILES = 3;
  const MAX_FILE_BYTES = 2 * 1024 * 1024;
  const css =
    '.panel{position:fixed;right:20px;bottom:76px;z-index:2147483001;width:min(380px,calc(100vw - 40px));max-height:calc(100vh - 100px);overflow:auto;box-sizing:border-box;' +
    'background:#fff;color:#1d2330;border:1px solid #c5cbd6;border-radius:10px;box-shadow:0 6px 24px rgba(0,0,0,.25);padding:16px;font:14px/1.45 system-ui,sans-serif;text-align:left}' +
    '.panel[hidden]{display:none}.panel *{box-sizing:border-box;font:inherit;color:inherit}' +
    'h2{font-size:17px;font-weight:700;margin:0 0 10px}' +
    'label{display:block;font-weight:600;margin:10px 0 4px}' +
    'textarea,input[type=email],input[type=text]{width:100%;border:1px solid #8a93a3;border-radius:6px;padding:7px 9px;background:#fff}' +
    'textarea{min-height:96px;resize:vertical}' +
    'textarea:focus-visible,input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #f5b400;outline-offset:1px}' +
    '.hint{font-size:12.5px;color:#4a5263;margin:3px 0 0}' +
    '.row{display:flex;gap:8px;justify-content:flex-end;margin-top:14px}' +
    'button{border-radius:6px;padding:7px 14px;cursor:pointer;border:1px solid #8a93a3;background:#fff}' +
    'button.primary{background:#1c5fd4;border-color:#1c5fd4;color:#fff;font-weight:600}' +
    '.close{position:absolute;right:10px;top:8px;border:0;font-size:20px;line-height:1;padding:4px 8px;background:transparent}' +
    '.suggest{margin:8px 0 0;padding:8px 10px;background:#f1f5fb;border-radius:6px}.suggest[hidden]{display:none}' +
    '.suggest ul{margin:4px 0 0;padding-left:18px}.suggest a{color:#164bab}.fb button{font-size:12px;padding:2px 7px;margin:3px 4px 0 0}' +
    '.error{color:#a4161a;font-weight:600;margin:8px 0 0}.error:empty,.status:empty{display:none}' +
    '.status{margin:10px 0 0;padding:8px 10px;border-radius:6px;background:#e8f4ea;color:#174f22}' +
    '.failed,.survey{margin:0 0 10px;padding:8px 10px;border-radius:6px;background:#fdecec;color:#6e1014}.survey{background:#eef3fc;color:#1d2330}' +
    '.failed:empty,.survey[hidden]{display:none}.failed p,.survey p{margin:0 0 4px}.failed blockquote{margin:2px 0 4px 8px;font-style:italic}' +
    'h3{font-size:15px;font-weight:700;margin:0 0 6px}select{width:100%;padding:6px;border:1px solid #8a93a3;border-radius:6px;background:#fff}';

  window.LifelineWidget._definePanel((env) => {
    env.adopt(env.root, css);
    const h = (tag, attrs = {}, ...children) => {
      const el = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
        else if (k === 'text') el.textContent = v;
        else el.setAttribute(k, v === true ? '' : String(v));
      }
      el.append(...children);
      return el;
    };

    const description = h('textarea', { id: 'lw-description', name: 'description', required: true, maxlength: 20000, 'aria-describedby': 'lw-suggest' });
    const email = h('input', { id: 'lw-email', type: 'email', name: 'email', autocomplete: 'email', maxlength: 320 });
    const emailField = h('div', {}, h('label', { for: 'lw-email', text: 'Your email' }), email, h('p', { class: 'hint', text: 'So the team can answer you.' }));
    const who = h('p', { class: 'hint' });
    const files = h('input', { id: 'lw-files', type: 'file', multiple: true, accept: 'image/*,.pdf,.txt,.log,.json,.csv', 'aria-describedby': 'lw-files-hint' });
    const suggestList = h('ul');
    const suggest = h('div', { id: 'lw-suggest', class: 'suggest', hidden: true, 'aria-live': 'polite' }, h('span', { text: 'These articles may help:' }), suggestList);
    const error = h('p', { class: 'error', role: 'alert' });
    const status = h('p', { class: 'status', role: 'status' });
    const send = h('button', { type: 'submit', class: 'primary', text: 'Send report' });
    const form = h(
      'form',
      { novalidate: true },
      h('label', { for: 'lw-description', text: 'What happened?' }),
      description,
      suggest,
      emailField,
      who,
      h('label', { for: 'lw-files', text: 'Screenshots or files' }),
      files,
      h('p', { id: 'lw-files-hint', class: 'hint', text: `Up to ${MAX_FILES} files, 2 MB each. Programs and scripts are refused.` }),
      error,
      h('div', { class: 'row' }, send),
    );
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '×');
    const failedBox = h('div', { class: 'failed', role: 'alert' });
    const surveyBox = h('section', { class: 'survey', 'aria-labelledby': 'lw-survey-title', hidden: true });
    const dialog = h('div', { class: 'panel', role: 'dialog', 'aria-labelledby': 'lw-title', hidden: true }, close, h('h2', { id: 'lw-title', text: 'Report an issue' }), surveyBox, failedBox, form, status);
    env.root.append(dialog);

    /** Who the host says is signed in (the token's claims, read for display only; the server verifies it). */
    function showIdentity() {
      const token = env.identity();
      let claims = null;
      try {
        claims = token ? JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) : null;
      } catch {
        claims = null;
      }
      emailField.hidden = !!claims;
      email.required = !claims;
      who.textContent = claims ? `Reporting as ${[claims.name, claims.email].filter(Boolean).join(', ') || claims.sub}` : '';
    }
    showIdentity();

    // The form's impression id: sent with each suggestion look-up, "This solved it" and the report, so the knowledge
    // base counts what the form showed as deflected unless a report follows (as the portal's form does). A new one
    // after each report sent.
    const uuid = () => {
      const b = crypto.getRandomValues(new Uint8Array(16));
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const x = Array.from(b, (n) => n.toString(16).padStart(2, '0')).join('');
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
    };
    let impression = uuid();
    let timer = 0;
    let asked = '';
    description.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const q = description.value.trim().slice(0, 200);
        if (q.length < 3 || q === asked) return;
        asked = q;
        try {
          // In the visitor's language (a loader cached from before languages has no locale(): the own articles).
          const res = await fetch(`${env.api}/suggest?q=${encodeURIComponent(q)}&impression=${impression}&locale=${encodeURIComponent(env.locale ? env.locale() : '')}`, { mode: 'cors', credentials: 'omit' });
          if (!res.ok || q !== asked) return;
          const answer = await res.json();
          const items = answer.items;
          // An article topping up a language with few translations is in the help centre's own: its language is named.
          suggestList.replaceChildren(...items.map((a) => h('li', {}, h('a', { href: a.url, target: '_blank', rel: 'noopener', hreflang: a.locale, lang: a.locale, text: a.title }), answer.locale && a.locale && a.locale !== answer.locale ? h('span', { text: ` (${langName(a.locale)})` }) : '', feedback(a, q))));
          suggest.hidden = items.length === 0;
        } catch {
          // Suggestions are a help, never a blocker (offline, say).
        }
      }, 300);
    });

    /** A language's name in the panel's language (English): labels an article in another language than asked. */
    function langName(code) {
      try {
        return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) || code;
      } catch {
        return code;
      }
    }

    /** "This solved it" / "Not related" / "Did not answer" on a suggestion: the knowledge base counts deflections. */
    function feedback(article, query) {
      const box = h('div', { class: 'fb' });
      const say = (outcome, label) =>
        h('button', {
          type: 'button',
          'aria-label': `${label}: ${article.title}`,
          text: label,
          onclick: async () => {
            try {
              await fetch(`${env.api}/suggest/feedback`, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ articleId: article.id, outcome, query, impression }) });
            } catch {
              // Feedback is best effort (offline, say).
            }
            box.replaceChildren(h('span', { class: 'hint', text: 'Thanks for telling us.' }));
            if (outcome === 'solved') status.textContent = 'Glad it helped — no need to send a report. You can close this panel.';
          },
        });
      box.append(say('solved', 'This solved it'), say('not_related', 'Not related'), say('not_answered', 'Did not answer'));
      return box;
    }

    const readFile = (file) =>
      new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve({ filename: file.name, contentType: file.type || 'application/octet-stream', data: String(reader.result).replace(/^data:[^,]*,/, '') });
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(file);
      });

    let pending = null;
    // The refused report loaded into the form: sending replaces it (its files go again unless they were the problem).
    let editing = null;
    const fileProblem = (r) => /^ATTACHMENT_|^PAYLOAD_TOO_LARGE/.test(r.failed?.code || '');

    /** Reports the server refused (kept by the loader): each with why, "Edit and resend" and "Discard". */
    function renderFailed() {
      const items = env.failed().filter((r) => r.idempotencyKey !== editing?.idempotencyKey);
      failedBox.replaceChildren(
        ...(items.length ? [h('h3', { text: items.length === 1 ? 'A report was not sent' : `${items.length} reports were not sent` })] : []),
        ...items.map((r) => {
          const first = r.description.split('\n')[0].slice(0, 120);
          return h(
            'div',
            {},
            h('p', { text: `Not sent: ${r.failed.detail}` }),
            h('blockquote', { text: first }),
            h('button', { type: 'button', 'aria-label': `Edit and resend: ${first}`, text: 'Edit and resend', onclick: () => edit(r) }),
            ' ',
            h('button', {
              type: 'button',
              'aria-label': `Discard: ${first}`,
              text: 'Discard',
              onclick: () => {
                env.discard(r.idempotencyKey);
                renderFailed();
                description.focus();
              },
            }),
          );
        }),
      );
    }

    function edit(r) {
      editing = r;
      description.value = r.description;
      if (r.email) email.value = r.email;
      error.textContent = `Not sent: ${r.failed.detail}${fileProblem(r) ? ' — attach the files again' : ''}`;
      renderFailed();
      description.focus();
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      status.textContent = '';
      if (!description.value.trim()) return fail('Describe what happened.', description);
      if (email.required && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) return fail('Give your email address so the team can answer you.', email);
      const chosen = [...files.files];
      if (chosen.length > MAX_FILES) return fail(`Attach at most ${MAX_FILES} files.`, files);
      const big = chosen.find((f) => f.size > MAX_FILE_BYTES);
      if (big) return fail(`${big.name} is over 2 MB.`, files);
      // Not `disabled`: that would drop focus out of the dialog (and Escape with it). A second press is ignored.
      if (send.getAttribute('aria-disabled') === 'true') return;
      send.setAttribute('aria-disabled', 'true');
      try {
        const attachments = chosen.length || !editing || fileProblem(editing) ? await Promise.all(chosen.map(readFile)) : editing.attachments || [];
        const { key, kept } = env.submit({ description: description.value.trim(), email: email.required ? email.value.trim() : undefined, attachments, kbImpression: impression }, editing?.idempotencyKey);
        impression = uuid();
        asked = '';
        pending = key;
        editing = null;
        status.textContent = kept ? 'Sending…' : 'Sending… (this report is too large to keep if you leave the page before it is sent)';
      } catch {
        fail('Could not read the attached files.', files);
      } finally {
        send.removeAttribute('aria-disabled');
      }
    });

    function fail(text, field) {
      error.textContent = text;
      field?.focus();
    }

    env.on((event) => {
      if (event.type === 'identity') return showIdentity();
      if (event.type === 'refused' && event.key !== pending) return renderFailed();
      if (event.key !== pending) return;
      if (event.type === 'queued') {
        status.textContent = event.busy
          ? 'The help desk is busy. Your report is saved on this device and will be sent shortly.'
          : 'You are offline. Your report is saved on this device and will be sent when you are back online.';
      } else if (event.type === 'sent') {
        pending = null;
        form.reset();
        suggest.hidden = true;
        status.textContent = `Thank you — your report was received as ticket #${event.ticketNumber}.`;
      } else if (event.type === 'refused') {
        // Listed with why (Edit and resend, or Discard) — now if the panel is open, else on its next open.
        pending = null;
        status.textContent = '';
        form.reset();
        renderFailed();
      }
    });

    function hide() {
      dialog.hidden = true;
      env.closed();
    }
    close.addEventListener('click', hide);
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        hide();
      }
    });

    // ---- satisfaction surveys (a verified visitor only; the server checks the token and the csat rules)
    const post = async (path, body) => {
      const res = await fetch(`${env.api}${path}`, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(answer.detail || 'not recorded');
      return answer;
    };

    async function loadSurveys() {
      const identity = env.identity();
      if (!identity) return void (surveyBox.hidden = true);
      try {
        const { items } = await post('/surveys', { identity });
        const s = items[0];
        surveyBox.hidden = !s;
        if (s) askSurvey(identity, s);
      } catch {
        surveyBox.hidden = true;
      }
    }

    function askSurvey(identity, s) {
      const note = h('p', { role: 'status' });
      const rate = (rating, text) =>
        h('button', {
          type: 'button',
          text,
          onclick: async () => {
            try {
              await post('/surveys/answer', { identity, ticketNumber: s.ticketNumber, rating });
              commentForm(identity, s, rating);
            } catch (err) {
              note.textContent = `Not recorded: ${err.message}`;
            }
          },
        });
      surveyBox.replaceChildren(
        h('h3', { id: 'lw-survey-title', text: 'How did we do?' }),
        h('p', { text: `Your request #${s.ticketNumber} “${s.subject}” was solved.` }),
        h('div', { class: 'row', role: 'group', 'aria-label': `Rate request #${s.ticketNumber}` }, rate('good', '👍 Good'), rate('bad', '👎 Bad')),
        note,
      );
    }

    function commentForm(identity, s, rating) {
      const comment = h('textarea', { id: 'lw-survey-comment', maxlength: 5000 });
      const reason = rating === 'bad' ? h('select', { id: 'lw-survey-reason' }, h('option', { value: '', text: '—' }), ...s.reasons.map((r) => h('option', { value: r, text: r }))) : null;
      const note = h('p', { role: 'status', text: `Thank you — you rated it ${rating === 'good' ? 'good 👍' : 'bad 👎'}.` });
      const extra = h(
        'form',
        {
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              await post('/surveys/answer', { identity, ticketNumber: s.ticketNumber, rating, comment: comment.value.trim() || undefined, reason: reason?.value || undefined });
              surveyBox.replaceChildren(h('h3', { id: 'lw-survey-title', text: 'Thank you' }), h('p', { role: 'status', text: 'Your answer was recorded.' }));
            } catch (err) {
              note.textContent = `Not recorded: ${err.message}`;
            }
          },
        },
        ...(reason ? [h('label', { for: 'lw-survey-reason', text: 'What went wrong?' }), reason] : []),
        h('label', { for: 'lw-survey-comment', text: 'Anything to add? (optional)' }),
        comment,
        h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Send comment' })),
      );
      surveyBox.replaceChildren(h('h3', { id: 'lw-survey-title', text: 'How did we do?' }), note, extra);
      comment.focus();
    }

    return {
      open() {
        dialog.hidden = false;
        showIdentity();
        renderFailed();
        void loadSurveys();
        description.focus();
      },
    };
  });
})();
