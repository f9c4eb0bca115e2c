import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client.js';
import { type Session, startTestApp, type TestApp } from '../../testing/harness.js';

/** The customer portal and satisfaction surveys, through HTTP on a real database (docs/portal.md, docs/csat.md). */
describe('customer portal and CSAT', () => {
  let t: TestApp;
  let admin: Session;
  let agent: Session;
  let org: { id: string };

  /** The newest outbox message of a kind to an address (the harness keeps mail in the outbox). */
  const lastMail = async (kind: string, to: string) =>
    rowsOf<{ subject: string; body_text: string; ticket_id: string | null }>(
      await t.database.db.execute(sql`select subject, body_text, ticket_id from outbound_emails where kind = ${kind} and to_address = ${to} order by created_at desc, id desc limit 1`),
    )[0];
  const mails = async (kind: string, to: string) =>
    rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from outbound_emails where kind = ${kind} and to_address = ${to}`))[0]?.n ?? 0;

  /** The same token with one character of its signature changed. */
  const tamper = (token: string) => {
    const i = token.length - 3;
    return `${token.slice(0, i)}${token[i] === 'Q' ? 'R' : 'Q'}${token.slice(i + 1)}`;
  };

  /** Asks for a link and redeems it: a portal session (cookie and CSRF token). */
  const signInByLink = async (email: string): Promise<Session & { token: string }> => {
    const asked = await t.request('POST', '/api/v1/portal/sign-in-link', { email }, { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(asked.status, 202, asked.raw);
    const mail = await lastMail('sign_in_link', email.toLowerCase());
    assert.ok(mail, 'the link was mailed');
    const token = /#token=([A-Za-z0-9_.-]+)/.exec(mail.body_text)?.[1] as string;
    // The page first asks whose link it is (nothing is used or started), then the button redeems it.
    const check = await t.request('POST', '/api/v1/portal/sign-in/check', { token });
    assert.equal(check.status, 200, check.raw);
    assert.equal(check.body.email, `${email[0]?.toLowerCase()}…${email.slice(email.indexOf('@')).toLowerCase()}`);
    assert.equal(check.headers['set-cookie'], undefined, 'checking a link starts no session');
    const res = await t.request('POST', '/api/v1/portal/sign-in', { token });
    assert.equal(res.status, 200, res.raw);
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    return { user: res.body.user, headers: { cookie, 'x-csrf-token': res.body.csrfToken }, token };
  };

  before(async () => {
    t = await startTestApp({ SESSION_TTL_HOURS: '100000' });
    admin = await t.signIn('admin');
    agent = await t.signIn('agent');
    org = await t.make.organization({ name: 'Riverside District' });
    assert.equal((await t.as(admin).post('/api/v1/email/addresses', { address: 'help@lifeline.example', name: 'Lifeline Help' })).status, 201);
  });
  after(() => t.close());

  test('magic link: mailed, single use, expiring, no enumeration, rate-limited', async () => {
    const kofi = await t.services.people.createUser({ email: 'kofi@riverside.example', name: 'Kofi Mensah', role: 'customer', organizationId: org.id });
    const s = await signInByLink('Kofi@Riverside.example');
    assert.equal(s.user.id, kofi.id);
    const home = await t.as(s).get('/api/v1/portal/home');
    assert.equal(home.status, 200, home.raw);
    assert.equal(home.body.user.name, 'Kofi Mensah');
    assert.equal(home.body.supervisor, false);

    // Reused: refused, and no session.
    const again = await t.request('POST', '/api/v1/portal/sign-in', { token: s.token });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'SIGN_IN_LINK_USED');
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in/check', { token: s.token })).body.code, 'SIGN_IN_LINK_USED');
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in/check', { token: tamper(s.token) })).body.code, 'SIGN_IN_LINK_INVALID');
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in/check', { token: 'x'.repeat(301) })).status, 400);
    // Tampered: refused before any lookup.
    const tampered = await t.request('POST', '/api/v1/portal/sign-in', { token: tamper(s.token) });
    assert.equal(tampered.status, 404);
    assert.equal(tampered.body.code, 'SIGN_IN_LINK_INVALID');
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in', { token: 'nonsense' })).body.code, 'SIGN_IN_LINK_INVALID');
    // Expired: 15 minutes.
    t.clock.advance(1000);
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in-link', { email: 'kofi@riverside.example' })).status, 202);
    const late = /#token=([A-Za-z0-9_.-]+)/.exec((await lastMail('sign_in_link', 'kofi@riverside.example'))?.body_text ?? '')?.[1];
    t.clock.advance(16 * 60_000);
    const expiredCheck = await t.request('POST', '/api/v1/portal/sign-in/check', { token: late });
    assert.equal(expiredCheck.status, 410);
    assert.equal(expiredCheck.body.code, 'SIGN_IN_LINK_EXPIRED');
    const expired = await t.request('POST', '/api/v1/portal/sign-in', { token: late });
    assert.equal(expired.status, 410);
    assert.equal(expired.body.code, 'SIGN_IN_LINK_EXPIRED');

    // An unknown address and a staff address get the same answer as a customer's, and no mail.
    const sessionsBefore = await t.count('sessions');
    for (const email of ['nobody@example.org', agent.user.email]) {
      const res = await t.request('POST', '/api/v1/portal/sign-in-link', { email });
      assert.equal(res.status, 202);
      assert.equal(res.body.message, 'If this address has an account, a sign-in link is on its way. It works once, for 15 minutes.');
      assert.equal(await mails('sign_in_link', email.toLowerCase()), 0);
    }
    assert.equal(await t.count('sessions'), sessionsBefore);
    // Three links per address in 15 minutes, whether the address exists or not.
    for (let i = 0; i < 2; i++) assert.equal((await t.request('POST', '/api/v1/portal/sign-in-link', { email: 'nobody@example.org' })).status, 202);
    const limited = await t.request('POST', '/api/v1/portal/sign-in-link', { email: 'nobody@example.org' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal((await t.request('POST', '/api/v1/portal/sign-in-link', { email: 'not an email' })).status, 400);
    // Staff are sent to the agent app.
    assert.equal((await t.as(agent).get('/api/v1/portal/home')).body.code, 'FORBIDDEN');
    assert.equal((await t.request('GET', '/api/v1/portal/home')).status, 401);
  });

  test('requests: own ones, supervisors see the organisation, the admin form, confirm the fix, CSAT after 24 h', async () => {
    const ama = await t.signIn('customer', { organizationId: org.id, email: 'ama@riverside.example', name: 'Ama Owusu' });
    const kwame = await t.signIn('customer', { organizationId: org.id, email: 'kwame@riverside.example', name: 'Kwame Boateng' });
    const outsider = await t.signIn('customer', { email: 'eve@elsewhere.example' });

    // The admin's form: one type, one field, attachments on; customer-facing words for a state.
    const field = await t.as(admin).post('/api/v1/custom-fields', { entity: 'ticket', key: 'device', label: 'Device', kind: 'text' });
    assert.equal(field.status, 201, field.raw);
    const types = (await t.as(admin).get('/api/v1/types')).body.items as { key: string }[];
    const type = types[0]?.key as string;
    const settings = await t.as(admin).put('/api/v1/portal/settings', { labels: { open: '🟡 On it' }, types: [type], customFields: ['device'], attachments: true });
    assert.equal(settings.status, 200, settings.raw);
    const badSettings = await t.as(admin).put('/api/v1/portal/settings', { labels: { nope: 'x' }, types: [], customFields: [], attachments: true });
    assert.equal(badSettings.body.code, 'INVALID_REFERENCE');
    assert.equal((await t.as(ama).put('/api/v1/portal/settings', { labels: {}, types: [], customFields: [], attachments: true })).status, 403);
    const home = (await t.as(ama).get('/api/v1/portal/home')).body;
    assert.deepEqual(home.form.customFields.map((f: { key: string }) => f.key), ['device']);

    // Create through the form: channel portal, the type and field set; anything off the form is refused.
    const created = await t.as(ama).post('/api/v1/portal/tickets', { subject: 'Forms do not sync', description: 'Since the update.', type, customFields: { device: 'Tecno P32' } });
    assert.equal(created.status, 201, created.raw);
    const id = created.body.id;
    const staffView = (await t.as(agent).get(`/api/v1/tickets/${id}`)).body;
    assert.equal(staffView.channel, 'portal');
    assert.equal(staffView.type, type);
    assert.equal(staffView.customFields.device, 'Tecno P32');
    const ticketsBefore = await t.count('tickets');
    const offForm = await t.as(ama).post('/api/v1/portal/tickets', { subject: 's', description: 'd', customFields: { secret_priority: 'P1' } });
    assert.equal(offForm.status, 422);
    assert.equal(offForm.body.code, 'FIELD_NOT_ON_FORM');
    assert.equal((await t.as(ama).post('/api/v1/portal/tickets', { subject: 's', description: 'd', type: 'not-a-type' })).body.code, 'FIELD_NOT_ON_FORM');
    assert.equal((await t.as(ama).post('/api/v1/portal/tickets', { subject: 's', description: 'd', requesterId: kwame.user.id })).status, 400);
    assert.equal(await t.count('tickets'), ticketsBefore);

    // Another customer's ticket does not exist for them; a non-supervisor may not list the organisation's.
    assert.equal((await t.as(outsider).get(`/api/v1/portal/tickets/${id}`)).status, 404);
    assert.equal((await t.as(kwame).get(`/api/v1/portal/tickets/${id}`)).status, 404);
    assert.equal((await t.as(outsider).post(`/api/v1/portal/tickets/${id}/replies`, { body: 'hi' })).status, 404);
    const notSupervisor = await t.as(kwame).get('/api/v1/portal/tickets?scope=organization');
    assert.equal(notSupervisor.status, 403);
    assert.equal(notSupervisor.body.code, 'NOT_A_SUPERVISOR');
    // The admin marks Kwame as supervisor: he sees the organisation's requests (and can open them).
    assert.equal((await t.as(admin).patch(`/api/v1/users/${kwame.user.id}`, { organizationSupervisor: true })).status, 200);
    const orgList = await t.as(kwame).get('/api/v1/portal/tickets?scope=organization');
    assert.equal(orgList.status, 200, orgList.raw);
    assert.deepEqual(orgList.body.items.map((x: { id: string }) => x.id), [id]);
    assert.equal((await t.as(kwame).get(`/api/v1/portal/tickets/${id}`)).body.canConfirm, false, 'only the requester confirms');
    assert.equal((await t.as(outsider).get('/api/v1/portal/tickets?scope=organization')).body.code, 'NOT_A_SUPERVISOR');
    const mine = (await t.as(ama).get('/api/v1/portal/tickets')).body.items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].status, '⭕ Received');

    // Agent replies and marks the fix provided; the customer sees it in plain words, confirms.
    t.clock.advance(60_000);
    assert.equal((await t.as(agent).post(`/api/v1/tickets/${id}/messages`, { body: 'Update the app to 2.54, then sync.', status: 'fix_provided' })).status, 201);
    const waiting = (await t.as(ama).get(`/api/v1/portal/tickets/${id}`)).body;
    assert.equal(waiting.status, '🟢 Fix provided — please confirm it works');
    assert.equal(waiting.canConfirm, true);
    assert.equal(waiting.messages.length, 2);
    assert.equal(waiting.messages[1].fromSupport, true);
    assert.equal((await t.as(kwame).post(`/api/v1/portal/tickets/${id}/confirm`)).body.code, 'NOT_AWAITING_CONFIRMATION');
    const confirmed = await t.as(ama).post(`/api/v1/portal/tickets/${id}/confirm`);
    assert.equal(confirmed.status, 200, confirmed.raw);
    assert.equal(confirmed.body.status, '🟢 Solved');
    assert.equal((await t.as(ama).post(`/api/v1/portal/tickets/${id}/confirm`)).body.code, 'NOT_AWAITING_CONFIRMATION');
    const recorded = rowsOf<{ outcome: string }>(await t.database.db.execute(sql`select outcome from portal_confirmations where ticket_id = ${id}`));
    assert.deepEqual(recorded.map((r) => r.outcome), ['confirmed']);

    // The survey: scheduled at the solve, sent 24 h later (not before), one per solve.
    await t.runJobs();
    assert.equal(await mails('survey', 'ama@riverside.example'), 0);
    t.clock.advance(23 * 3600_000);
    await t.runJobs();
    assert.equal(await mails('survey', 'ama@riverside.example'), 0);
    t.clock.advance(3600_000 + 1000);
    await t.runJobs();
    const survey = await lastMail('survey', 'ama@riverside.example');
    assert.ok(survey, 'the survey was sent after 24 h');
    const good = /(http\S+rating=good)/.exec(survey.body_text)?.[1] as string;
    const token = new URL(good).searchParams.get('t') as string;
    // A tampered link changes nothing.
    const tamperedSurvey = await t.request('POST', '/api/v1/csat/survey', { token: tamper(token), rating: 'bad' });
    assert.equal(tamperedSurvey.status, 404);
    assert.equal(tamperedSurvey.body.code, 'SURVEY_LINK_INVALID');
    const answered = await t.request('POST', '/api/v1/csat/survey', { token, rating: 'good' });
    assert.equal(answered.status, 200, answered.raw);
    assert.equal(answered.body.rating, 'good');
    const withComment = await t.request('POST', '/api/v1/csat/survey', { token, rating: 'good', comment: 'Quick and clear, thanks!' });
    assert.equal(withComment.body.comment, 'Quick and clear, thanks!');
    assert.equal((await t.request('POST', '/api/v1/csat/survey', { token, rating: 'good', reason: 'It took too long' })).body.code, 'VALIDATION_FAILED');
    // The agent sees it on the ticket and in the report.
    const onTicket = await t.as(agent).get(`/api/v1/tickets/${id}/satisfaction`);
    assert.equal(onTicket.body.items[0].rating, 'good');
    assert.equal(onTicket.body.items[0].comment, 'Quick and clear, thanks!');
    assert.equal((await t.as(ama).get(`/api/v1/tickets/${id}/satisfaction`)).status, 403);
    const report = (await t.as(agent).get('/api/v1/csat/report?days=30')).body;
    assert.equal(report.sent, 1);
    assert.equal(report.satisfaction, 100);
    assert.equal(report.responseRate, 100);
    assert.equal(report.responses[0].ticketNumber, staffView.number);
    // A group-restricted agent (in no group that holds this ticket) reads the counts, not the comment on it.
    const restricted = await t.signIn('agent');
    assert.equal((await t.as(admin).patch(`/api/v1/users/${restricted.user.id}`, { ticketAccess: 'groups' })).status, 200);
    const theirs = (await t.as(restricted).get('/api/v1/csat/report?days=30')).body;
    assert.equal(theirs.sent, 1);
    assert.deepEqual(theirs.responses, []);
    // After 28 days the link is closed.
    t.clock.advance(28 * 86_400_000);
    const tooLate = await t.request('POST', '/api/v1/csat/survey', { token, rating: 'bad' });
    assert.equal(tooLate.status, 410);
    assert.equal(tooLate.body.code, 'SURVEY_EXPIRED');
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${id}/satisfaction`)).body.items[0].rating, 'good');
  });

  test('survey rules: a reopen cancels an unanswered survey, none for auto-solves, opt-out, not fixed reopens', async () => {
    const yaw = await t.signIn('customer', { email: 'yaw@example.org', name: 'Yaw' });
    const a = await t.make.ticket(yaw, { subject: 'Reopened later' });
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${a.id}`, { status: 'solved' })).status, 200);
    // Not fixed: the customer's comment reopens it, and the unanswered survey is withdrawn.
    const reopened = await t.as(yaw).post(`/api/v1/portal/tickets/${a.id}/not-fixed`, { comment: 'Still crashes on start.' });
    assert.equal(reopened.status, 200, reopened.raw);
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${a.id}`)).body.statusCategory, 'open');
    const surveys = (await t.as(agent).get(`/api/v1/tickets/${a.id}/satisfaction`)).body.items;
    assert.deepEqual(surveys.map((s: { status: string; cancelledReason: string }) => [s.status, s.cancelledReason]), [['cancelled', 'reopened']]);
    assert.equal((await t.as(yaw).post(`/api/v1/portal/tickets/${a.id}/not-fixed`, { comment: '' })).status, 400);
    // A second solve is a second survey; answered in the portal once sent.
    assert.equal((await t.as(agent).patch(`/api/v1/tickets/${a.id}`, { status: 'solved' })).status, 200);
    assert.equal((await t.as(yaw).post(`/api/v1/portal/tickets/${a.id}/satisfaction`, { rating: 'bad' })).body.code, 'SURVEY_NOT_SENT');
    t.clock.advance(25 * 3600_000);
    await t.runJobs();
    // A bad rating is an event a trigger acts on (here: an internal note for the team lead).
    const trigger = await t.as(admin).post('/api/v1/triggers', { name: 'Unhappy customer', events: ['satisfaction_bad'], actions: [{ type: 'note', body: 'Bad rating: team lead to call back' }] });
    assert.equal(trigger.status, 201, trigger.raw);
    const inPortal = await t.as(yaw).post(`/api/v1/portal/tickets/${a.id}/satisfaction`, { rating: 'bad', reason: 'It took too long', comment: 'Two days' });
    assert.equal(inPortal.status, 200, inPortal.raw);
    await t.runJobs();
    const notes = (await t.as(agent).get(`/api/v1/tickets/${a.id}/messages`)).body.items.filter((m: { public: boolean }) => !m.public);
    assert.ok(notes.some((m: { bodyText: string }) => m.bodyText.includes('team lead to call back')), 'the trigger ran on the bad rating');
    const rated = (await t.as(agent).get(`/api/v1/tickets/${a.id}/events`)).body.items.filter((e: { kind: string }) => e.kind === 'satisfaction_rated');
    assert.equal(rated.length, 1);
    assert.equal(rated[0].actorId, yaw.user.id);
    assert.equal(inPortal.body.survey.rating, 'bad');
    assert.equal(inPortal.body.survey.reason, 'It took too long');
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${a.id}/satisfaction`)).body.items.length, 2);

    // Auto-solved (Lifeline itself, an automation): no survey.
    const b = await t.make.ticket(yaw, { subject: 'Auto-solved' });
    await t.services.tickets.update(null, b.id, { status: 'solved' });
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${b.id}/satisfaction`)).body.items.length, 0);

    // Opted out: the link in the survey mail stops them all.
    const c = await t.make.ticket(yaw, { subject: 'Before opting out' });
    await t.as(agent).patch(`/api/v1/tickets/${c.id}`, { status: 'solved' });
    t.clock.advance(25 * 3600_000);
    await t.runJobs();
    const optOut = /(http\S+rating=opt-out)/.exec((await lastMail('survey', 'yaw@example.org'))?.body_text ?? '')?.[1] as string;
    assert.equal((await t.request('POST', '/api/v1/csat/opt-out', { token: new URL(optOut).searchParams.get('t') })).status, 204);
    const d = await t.make.ticket(yaw, { subject: 'After opting out' });
    await t.as(agent).patch(`/api/v1/tickets/${d.id}`, { status: 'solved' });
    assert.equal((await t.as(agent).get(`/api/v1/tickets/${d.id}/satisfaction`)).body.items.length, 0);
  });

  test('a customer with many requests pages through them by cursor, 50 at a time, newest activity first, none twice', async () => {
    const many = await t.signIn('customer', { email: 'many@riverside.example' });
    for (let i = 0; i < 53; i++) {
      await t.make.ticket(many, { subject: `Request ${i}` });
      t.clock.advance(1000);
    }
    const first = await t.as(many).get('/api/v1/portal/tickets');
    assert.equal(first.status, 200, first.raw);
    assert.equal(first.body.items.length, 50);
    assert.equal(first.body.items[0].subject, 'Request 52');
    assert.ok(first.body.nextCursor);
    const second = await t.as(many).get(`/api/v1/portal/tickets?cursor=${encodeURIComponent(first.body.nextCursor)}`);
    assert.deepEqual(
      second.body.items.map((x: { subject: string }) => x.subject),
      ['Request 2', 'Request 1', 'Request 0'],
    );
    assert.equal(second.body.nextCursor, null);
    const bad = await t.as(many).get('/api/v1/portal/tickets?cursor=not-a-cursor');
    assert.equal(bad.status, 400, bad.raw);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
    // The page follows the cursor with its "Show older requests" button.
    assert.match((await t.request('GET', '/portal-assets/portal.js')).raw, /Show older requests[\s\S]*cursor=\$\{encodeURIComponent\(cursor\)\}/);
  });

  test('the page: /portal serves its own small page, not the agent app', async () => {
    const page = await t.request('GET', '/portal/requests/123');
    assert.equal(page.status, 200);
    assert.match(page.raw, /portal-assets\/portal\.js/);
    assert.doesNotMatch(page.raw, /\/assets\/index/);
    const js = await t.request('GET', '/portal-assets/portal.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  });
});
