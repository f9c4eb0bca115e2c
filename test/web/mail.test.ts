import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyText, headerInWords, splitMessage } from '../../web/src/admin/mail.js';

describe('reading a raw email in the app', () => {
  const raw = [
    'From: =?utf-8?B?w4lsaXNl?= <elise@example.org>',
    'To: help@example.org',
    'Subject: =?utf-8?Q?Caf=C3=A9_is_down?=',
    'References: <a@x>',
    '  <b@x>',
    'Content-Type: multipart/alternative; boundary="XX"',
    '',
    '--XX',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<script>alert(1)</script><b>bold</b>',
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=C3=A9 is down since 9=',
    ':00.',
    '--XX--',
    '',
  ].join('\r\n');

  test('headers are unfolded, decoded and named in words; the text part is chosen and decoded', () => {
    const { headers } = splitMessage(raw);
    assert.deepEqual(headers.slice(0, 4), [
      { name: 'From', value: 'Élise <elise@example.org>' },
      { name: 'To', value: 'help@example.org' },
      { name: 'Subject', value: 'Café is down' },
      { name: 'References', value: '<a@x> <b@x>' },
    ]);
    assert.equal(headerInWords('Reply-To'), 'Replies go to');
    assert.equal(headerInWords('In-Reply-To'), 'In reply to');
    assert.equal(headerInWords('X-Custom'), 'X-Custom');
    assert.equal(bodyText(raw).trim(), 'Café is down since 9:00.');
  });

  test('an HTML-only message gives its source as text; a base64 part is decoded; garbage does not throw', () => {
    const html = 'Content-Type: text/html\r\n\r\n<img src=x onerror=alert(1)>';
    assert.equal(bodyText(html), '<img src=x onerror=alert(1)>');
    const b64 = `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('héllo').toString('base64')}`;
    assert.equal(bodyText(b64), 'héllo');
    assert.equal(bodyText('Content-Type: multipart/mixed\r\n\r\nno boundary'), 'no boundary');
    assert.equal(bodyText('Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!'), '!!!');
    assert.deepEqual(splitMessage('').headers, []);
  });
});
