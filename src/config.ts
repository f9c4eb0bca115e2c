import path from 'node:path';
import { z } from 'zod';

// Every default makes `npm start` work on a fresh machine with no configuration.
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  MAX_ATTACHMENT_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),
  MAX_JSON_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 14),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  RUN_JOBS: z.enum(['true', 'false']).default('true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  maxAttachmentBytes: number;
  maxJsonBytes: number;
  sessionTtlMs: number;
  cookieSecure: boolean;
  loginMaxFailures: number;
  loginWindowMs: number;
  runJobs: boolean;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl: e.PUBLIC_URL,
    maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
    maxJsonBytes: e.MAX_JSON_BYTES,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    cookieSecure: e.COOKIE_SECURE === 'auto' ? e.PUBLIC_URL.startsWith('https:') : e.COOKIE_SECURE === 'true',
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginWindowMs: e.LOGIN_WINDOW_MINUTES * 60_000,
    runJobs: e.RUN_JOBS === 'true',
    logLevel: e.LOG_LEVEL,
  };
}
