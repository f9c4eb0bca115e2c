import { pino } from 'pino';

/**
 * The process's logger for work outside a request (jobs, schedules, pollers): pino, like Fastify's request
 * logger, at LOG_LEVEL. One line per event with its fields (`{ kind, jobId, attempt }`), never a dumped stack on
 * stderr through console.error.
 */
export type Logger = Pick<pino.Logger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}
