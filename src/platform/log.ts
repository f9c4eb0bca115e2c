import { type FastifyInstance, LogController } from 'fastify';
import { pino } from 'pino';

/**
 * The process's logger: pino at LOG_LEVEL, for requests (Fastify's `loggerInstance`) and for work outside a
 * request (jobs, schedules, pollers). One line per event with its fields (`{ kind, jobId, attempt }`), never a
 * dumped stack on stderr through console.error. JSON lines when stdout is a file or a pipe (for log shippers),
 * short readable lines when it is a terminal (`prettyLine`; pino-pretty is not a dependency).
 */
export type Logger = Pick<pino.Logger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

type Destination = { write: (line: string) => void };

export function createLogger(level: string, options: { pretty?: boolean; destination?: Destination } = {}): pino.Logger {
  const out: Destination = options.destination ?? process.stdout;
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  const destination = pretty ? { write: (line: string) => out.write(prettyLine(line)) } : out;
  return pino({ level, base: { pid: process.pid } }, destination);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
// Fields every line carries, or that the line's text already says.
const SKIPPED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

/** One pino JSON line as a person reads it: `09:41:07 INFO  GET /api/v1/tickets 200 12ms  reqId=req-1`. */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const level = LEVELS[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !SKIPPED.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const stack = err?.stack ? `\n${err.stack.replace(/^/gm, '    ')}` : err?.message ? ` (${err.message})` : '';
  return `${time} ${level} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}${stack}\n`;
}

/**
 * Routes whose requests are logged at debug, not info: the presence heartbeat every open ticket sends every few
 * seconds and the health check load balancers poll would drown everything else.
 */
const QUIET_ROUTES = new Set(['/api/v1/tickets/:id/presence', '/api/v1/health']);

/**
 * One line per request, when it is answered — method, path, status, time — instead of Fastify's two ("incoming
 * request", "request completed"); heartbeats and health checks only at debug, static assets not at all. Needs
 * Fastify's own request logging off: `Fastify({ logController: quietLogController() })`.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    if (route.startsWith('/assets/') || req.url.startsWith('/assets/')) return;
    const quiet = QUIET_ROUTES.has(route);
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : quiet ? 'debug' : 'info';
    req.log[level]({ status, ms: Math.round(reply.elapsedTime) }, `${req.method} ${req.url.split('?')[0]}`);
  });
}

/** Fastify's request logging, off: installRequestLog writes the one line per request instead. */
export function quietLogController(): LogController {
  return new LogController({ disableRequestLogging: true });
}
