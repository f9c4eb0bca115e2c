import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import { createServerDatabase } from '../../testing/harness.js';
import { cli, freePort, type Running, signInOverHttp, startLifeline } from '../../testing/process.js';

/**
 * Nothing lost: a process that answered 250 and was then killed (SIGKILL, no shutdown) before processing the
 * message; the next process makes the ticket, exactly once, and a redelivery of the same message adds nothing.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-crash-'));
const env: Record<string, string> = { ...(process.env as Record<string, string>), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
let dropDatabase = async () => {};
let server: Running | undefined;

before(async () => {
  delete env.DATABASE_URL;
  if (process.env.TEST_DATABASE_URL) {
    const created = await createServerDatabase(process.env.TEST_DATABASE_URL, 'lifeline_crash');
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
  const admin = cli(env, 'admin', 'create', '--email', 'boss@example.org', '--password', 'long enough password');
  assert.equal(admin.status, 0, admin.stderr);
});

after(async () => {
  await server?.stop('SIGKILL');
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a message accepted over SMTP survives a kill before processing, and becomes one ticket', async () => {
  const smtpPort = await freePort();
  const mail = {
    envelope: { from: 'field@example.org', to: ['support@localhost'] },
    raw: ['From: Field Worker <field@example.org>', 'To: support@localhost', 'Subject: Accepted then killed', 'Message-ID: <crash-1@example.org>', '', 'Do not lose me.', ''].join('\r\n'),
  };
  const send = async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    try {
      return await transport.sendMail(mail);
    } finally {
      transport.close();
    }
  };

  // No jobs in this process: the message can only be stored, never processed.
  server = await startLifeline({ ...env, SMTP_PORT: String(smtpPort), RUN_JOBS: 'false' }, await freePort());
  const accepted = await send();
  assert.match(String(accepted.response), /^250 /);
  await server.stop('SIGKILL');

  server = await startLifeline({ ...env, SMTP_PORT: String(smtpPort) }, await freePort());
  const headers = await signInOverHttp(server.base, 'boss@example.org', 'long enough password');
  const tickets = async () => ((await (await fetch(`${server?.base}/api/v1/tickets`, { headers })).json()) as { items: { subject: string }[] }).items;
  const until = Date.now() + 20_000;
  while ((await tickets()).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    (await tickets()).map((t) => t.subject),
    ['Accepted then killed'],
  );

  // The sender never heard our 250 (say the connection dropped) and sends again: nothing new.
  const again = await send();
  assert.match(String(again.response), /duplicate/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await tickets()).length, 1);
  const inbound = (await (await fetch(`${server.base}/api/v1/inbound/emails`, { headers })).json()) as { items: { status: string }[] };
  assert.deepEqual(
    inbound.items.map((m) => m.status),
    ['processed'],
  );
  await server.stop();
});
