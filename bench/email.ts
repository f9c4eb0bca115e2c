/**
 * Email ingest: N messages (default 2,000, BENCH_EMAIL_N) over SMTP with 10 concurrent sessions into a real
 * Lifeline process, on a fresh database. Measures messages accepted per second, the SMTP accept latency (DATA
 * to the 250 reply: the message is stored durably by then), and the end-to-end time until every message is a
 * ticket with its auto-reply queued (the inbound list has nothing left in `received`).
 */
import nodemailer from 'nodemailer';

export type EmailServer = { url: string; smtpPort: number };

type Stats = { n: number; p50: number; p95: number; p99: number; mean: number };
const round = (x: number) => Math.round(x * 100) / 100;

function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}

export async function measureEmailIngest(server: EmailServer, token: string, total = Number(process.env.BENCH_EMAIL_N ?? 2000), sessions = 10) {
  const headers = { authorization: `Bearer ${token}` };
  const inbound = async (status: string) =>
    ((await (await fetch(`${server.url}/api/v1/inbound/emails?status=${status}&limit=200`, { headers })).json()) as { items: unknown[] }).items.length;
  // One pooled transport keeps `sessions` SMTP connections open and sends over each in turn.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: sessions, maxMessages: Number.POSITIVE_INFINITY });
  const body =
    'Hello support,\n\nSince this morning several of our field workers get "sync failed" when they submit forms.\nThe phones are online and other apps work.\n\nThanks,\nA district coordinator\n';
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await transport.sendMail({
          from: `"Coordinator ${i}" <coordinator${i}@district${i % 50}.example.org>`,
          to: 'support@localhost',
          subject: `Forms fail to sync in district ${i % 50} (${i})`,
          text: body,
          messageId: `<bench-${i}-${start}@district.example.org>`,
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const acceptedSeconds = (performance.now() - start) / 1000;
  transport.close();
  // Every message is a ticket with its auto-reply queued once nothing is left to process.
  while ((await inbound('received')) > 0) await new Promise((r) => setTimeout(r, 50));
  const endToEndSeconds = (performance.now() - start) / 1000;
  return {
    messages: total,
    sessions,
    acceptedPerSecond: round(total / acceptedSeconds),
    acceptLatencyMs: stats(latencies),
    endToEndSeconds: round(endToEndSeconds),
    endToEndPerSecond: round(total / endToEndSeconds),
    failed: await inbound('failed'),
  };
}
