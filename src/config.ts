import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { type Cidr, parseCidr } from './platform/ip.js';

// Every default makes `npm start` work on a fresh machine with no configuration.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  // Encrypts channel secrets at rest (base64, 32 bytes); unset: a key generated once into DATA_DIR/secret.key.
  SECRET_KEY: z.string().optional(),
  // Unset: http://localhost:<PORT>, so links in mail point where the app really is.
  PUBLIC_URL: z.string().url().optional(),
  MAX_ATTACHMENT_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 14),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(50),
  // Requests per minute one client (an IPv4 address, an IPv6 /64) may make to the public status page and its feeds.
  STATUS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  // Which proxies may name the client in X-Forwarded-For: off, `true` (any: only behind a proxy that strips it),
  // a hop count, or a comma list of addresses/CIDRs (and proxy-addr's `loopback`, `linklocal`, `uniquelocal`).
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .refine((v) => /^(true|false|\d{1,2})$/.test(v) || v.split(',').every((a) => isProxyAddress(a.trim())), 'expected true, false, a hop count, or a comma list of IP addresses/CIDRs'),
  RUN_JOBS: z.enum(['true', 'false']).default('true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // Inbound mail: the built-in SMTP listener.
  SMTP_LISTEN: z.enum(['true', 'false']).default('true'),
  SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  SMTP_HOST: z.string().optional(),
  SMTP_MAX_BYTES: z.coerce.number().int().positive().default(30 * 1024 * 1024),
  SMTP_TLS_KEY_FILE: z.string().optional(),
  SMTP_TLS_CERT_FILE: z.string().optional(),
  IMAP_POLL_SECONDS: z.coerce.number().positive().default(60),
  AUTO_REPLY_MAX_PER_HOUR: z.coerce.number().int().min(0).default(5),
  // Mail identity: the authserv-id of the receiving MTA whose Authentication-Results header is believed (unset:
  // none is), and what happens to mail whose sender is not verified (an internal note, or refused).
  MAIL_TRUSTED_AUTHSERV_ID: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => v || undefined),
  MAIL_UNVERIFIED_SENDER: z.enum(['note', 'refuse']).default('note'),
  AUTOMATION_SWEEP_SECONDS: z.coerce.number().positive().default(60),
  // Live stream (GET /api/v1/stream): open streams per user (the oldest is closed past it) and per process (503
  // past it), and how often each stream's session or token is checked again besides on every sign-out/change.
  STREAM_MAX_PER_USER: z.coerce.number().int().min(1).default(10),
  STREAM_MAX_PER_PROCESS: z.coerce.number().int().min(1).default(2000),
  STREAM_RECHECK_SECONDS: z.coerce.number().positive().default(30),
  // Outbound mail: unset keeps every message in the outbox (GET /api/v1/outbox).
  SMTP_URL: z.string().url().optional(),
  DKIM_DOMAIN: z.string().optional(),
  DKIM_SELECTOR: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  // Webhooks: ranges (CIDRs, comma-separated) of private/loopback/link-local addresses webhooks may still reach.
  WEBHOOK_ALLOW_PRIVATE: z.string().default(''),
  // Who a customer may add as a follower (Cc) of their ticket: people of their own organisation, or nobody.
  CUSTOMER_FOLLOWERS: z.enum(['own_organization', 'none']).default('own_organization'),
  MAX_CUSTOMER_FOLLOWERS: z.coerce.number().int().min(0).default(20),
  MAX_REPLY_MAIL_BYTES: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  // What a group-restricted agent may do with a ticket their group escalated up a tier: read it, or also change it.
  ESCALATED_TICKETS: z.enum(['read', 'write']).default('read'),
  // Knowledge base: public requests (suggestions, votes, feedback) per client address and minute.
  KB_PUBLIC_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  // Reports: a read replica to run them on (default: the main database), and the time one report query may take.
  REPORTS_DATABASE_URL: z.string().optional(),
  REPORTS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  // GET /metrics answers only with this bearer token; unset, /metrics is off (404).
  METRICS_TOKEN: z.string().min(32, 'METRICS_TOKEN must be at least 32 characters (openssl rand -hex 16)').optional(),
});

export type Config = {
  kbPublicRequestsPerMinute: number;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  reportsDatabaseUrl: string | undefined;
  reportsTimeoutMs: number;
  metricsToken: string | undefined;
  dataDir: string;
  secretKey: string | undefined;
  publicUrl: string;
  maxAttachmentBytes: number;
  maxJsonBytes: number;
  sessionTtlMs: number;
  cookieSecure: boolean;
  loginMaxFailures: number;
  loginWindowMs: number;
  loginMaxFailuresPerAddress: number;
  /** Requests per minute per client to /status and its JSON and feeds (then 429). */
  statusRateLimitPerMinute: number;
  /** Fastify's trustProxy: false, true, a hop count, or a comma list of addresses/CIDRs. */
  trustProxy: boolean | number | string;
  runJobs: boolean;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  jobConcurrency: number;
  smtp: { listen: boolean; port: number; host: string; maxBytes: number; tlsKeyFile?: string; tlsCertFile?: string };
  imapPollMs: number;
  autoReplyMaxPerHour: number;
  mail: { trustedAuthservId?: string; unverifiedSender: 'note' | 'refuse' };
  automationSweepMs: number;
  streams: { maxPerUser: number; maxPerProcess: number; recheckMs: number };
  outbound: { smtpUrl?: string; dkim?: { domain: string; selector: string; privateKeyFile: string } };
  /** Non-public address ranges webhooks may reach anyway (none by default). */
  webhookAllowPrivate: Cidr[];
  customerFollowers: 'own_organization' | 'none';
  /** Customer followers a ticket may have, however they are added: each gets a stored copy of every public reply. */
  maxCustomerFollowers: number;
  /** A public reply's attachment bytes times its recipients, at most: every recipient's copy is stored whole. */
  maxReplyMailBytes: number;
  escalatedTicketsWritable: boolean;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL ?? `http://localhost:${e.PORT || 3000}`;
  if (!!e.SMTP_TLS_KEY_FILE !== !!e.SMTP_TLS_CERT_FILE) throw new Error('Invalid configuration:\n  SMTP_TLS_KEY_FILE and SMTP_TLS_CERT_FILE go together');
  const webhookAllowPrivate = e.WEBHOOK_ALLOW_PRIVATE.split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const range = parseCidr(x);
      if (!range) throw new Error(`Invalid configuration:\n  WEBHOOK_ALLOW_PRIVATE: ${x} is not an address or a CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
      return range;
    });
  return {
    kbPublicRequestsPerMinute: e.KB_PUBLIC_REQUESTS_PER_MINUTE,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    reportsDatabaseUrl: e.REPORTS_DATABASE_URL?.trim() || undefined,
    reportsTimeoutMs: e.REPORTS_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN?.trim() || undefined,
    dataDir: path.resolve(e.DATA_DIR),
    secretKey: e.SECRET_KEY?.trim() || undefined,
    publicUrl,
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    maxJsonBytes: e.MAX_JSON_BYTES,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    cookieSecure: e.COOKIE_SECURE === 'auto' ? publicUrl.startsWith('https:') : e.COOKIE_SECURE === 'true',
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginWindowMs: e.LOGIN_WINDOW_MINUTES * 60_000,
    loginMaxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
    statusRateLimitPerMinute: e.STATUS_RATE_LIMIT_PER_MINUTE,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    runJobs: e.RUN_JOBS === 'true',
    logLevel: e.LOG_LEVEL,
    jobConcurrency: e.JOB_CONCURRENCY,
    smtp: {
      listen: e.SMTP_LISTEN === 'true',
      port: e.SMTP_PORT,
      host: e.SMTP_HOST ?? e.HOST,
      maxBytes: e.SMTP_MAX_BYTES,
      tlsKeyFile: e.SMTP_TLS_KEY_FILE,
      tlsCertFile: e.SMTP_TLS_CERT_FILE,
    },
    imapPollMs: e.IMAP_POLL_SECONDS * 1000,
    autoReplyMaxPerHour: e.AUTO_REPLY_MAX_PER_HOUR,
    mail: { trustedAuthservId: e.MAIL_TRUSTED_AUTHSERV_ID, unverifiedSender: e.MAIL_UNVERIFIED_SENDER },
    automationSweepMs: e.AUTOMATION_SWEEP_SECONDS * 1000,
    streams: { maxPerUser: e.STREAM_MAX_PER_USER, maxPerProcess: e.STREAM_MAX_PER_PROCESS, recheckMs: e.STREAM_RECHECK_SECONDS * 1000 },
    outbound: {
      smtpUrl: e.SMTP_URL,
      dkim:
        e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY_FILE
          ? { domain: e.DKIM_DOMAIN, selector: e.DKIM_SELECTOR, privateKeyFile: e.DKIM_PRIVATE_KEY_FILE }
          : undefined,
    },
    webhookAllowPrivate,
    customerFollowers: e.CUSTOMER_FOLLOWERS,
    maxCustomerFollowers: e.MAX_CUSTOMER_FOLLOWERS,
    maxReplyMailBytes: e.MAX_REPLY_MAIL_BYTES,
    escalatedTicketsWritable: e.ESCALATED_TICKETS === 'write',
  };
}

function isProxyAddress(a: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(a)) return true;
  const [ip, bits, ...rest] = a.split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

function trustProxyOf(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v
    .split(',')
    .map((a) => a.trim())
    .join(',');
}

/**
 * The value for Fastify's `trustProxy`. A hop count becomes "trust the nearest n hops" (Express's meaning; Fastify 5
 * ignores a bare number): right only when every request reaches Lifeline through exactly that many proxies.
 */
export function trustProxyOption(v: Config['trustProxy']): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof v === 'number' ? (_address, hop) => hop < v : v;
}
