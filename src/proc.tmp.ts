import { startTestApp } from './testing/harness.js';
const t = await startTestApp({ JOB_CONCURRENCY: '4' });
const N = 1000;
for (let i = 0; i < N; i++) {
  const raw = Buffer.from(`From: "Coordinator ${i}" <c${i}@d${i % 50}.example.org>\r\nTo: support@localhost\r\nSubject: Forms fail to sync (${i})\r\nMessage-ID: <p${i}@x.example.org>\r\n\r\nHello support,\n\nSince this morning several of our field workers get "sync failed".\n`);
  await t.services.email.inbound.accept(raw, { source: 'smtp', envelopeTo: ['support@localhost'], envelopeFrom: `c${i}@d.example.org` });
}
const t0 = performance.now();
await t.runJobs();
const ms = performance.now() - t0;
console.log('processed/s', Math.round(N / (ms / 1000)), 'cpu user ms/msg', process.cpuUsage().user / 1000 / N);
await t.close();
