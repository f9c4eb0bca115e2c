import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createLogger, installRequestLog, prettyLine, quietLogController } from './log.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

test('a terminal gets short readable lines: time, level, message, fields, the error stack indented', () => {
  const out = capture();
  const log = createLogger('info', { pretty: true, destination: out.destination });
  log.info({ jobId: 'j1', attempt: 2 }, 'job failed, will retry');
  log.error({ err: new Error('boom') }, 'job dead');
  log.debug('not at info');
  assert.equal(out.lines.length, 2);
  assert.match(out.lines[0] as string, /^\d\d:\d\d:\d\d INFO {2}job failed, will retry {2}jobId=j1 attempt=2\n$/);
  assert.match(out.lines[1] as string, /^\d\d:\d\d:\d\d ERROR job dead\n {4}Error: boom\n {8}at /);
  assert.equal(prettyLine('not json'), 'not json\n');
});

test('a pipe gets one JSON object a line', () => {
  const out = capture();
  createLogger('info', { pretty: false, destination: out.destination }).info({ kind: 'mail.send' }, 'sent');
  const entry = JSON.parse(out.lines[0] as string);
  assert.equal(entry.msg, 'sent');
  assert.equal(entry.kind, 'mail.send');
});

test('one line per request at info; presence heartbeats and health checks only at debug; assets never', async () => {
  const out = capture();
  const app = Fastify({ loggerInstance: createLogger('info', { pretty: false, destination: out.destination }) as FastifyBaseLogger, logController: quietLogController() });
  installRequestLog(app);
  app.get('/api/v1/tickets', async () => ({ items: [] }));
  app.post('/api/v1/tickets/:id/presence', async () => ({ items: [] }));
  app.get('/api/v1/health', async () => ({ ok: true }));
  app.get('/assets/app.js', async () => '');
  app.get('/boom', async () => {
    throw new Error('kaput');
  });
  for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/api/v1/tickets/1042/presence' });
  await app.inject({ method: 'GET', url: '/api/v1/health' });
  await app.inject({ method: 'GET', url: '/assets/app.js' });
  await app.inject({ method: 'GET', url: '/api/v1/tickets?q=secret' });
  await app.inject({ method: 'GET', url: '/boom' });
  await app.close();
  const requests = out.lines.map((l) => JSON.parse(l)).filter((e) => typeof e.status === 'number');
  assert.deepEqual(
    requests.map((e) => [e.level, e.msg, e.status]),
    [
      [30, 'GET /api/v1/tickets', 200],
      [50, 'GET /boom', 500],
    ],
  );
  assert.ok(requests.every((e) => typeof e.ms === 'number' && e.reqId), 'each line has its time and request id');
});
