import { CronExpressionParser } from 'cron-parser';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { scheduleRuns } from './platform.schema.js';

/**
 * Recurring work, declared by the module that owns it. A schedule has slots — the instants its cron expression
 * names in its time zone, or every `everySeconds` since the epoch for sub-minute sweeps — and each slot runs
 * exactly once across every process on the database: a process claims a slot by moving the schedule's row in
 * `schedule_runs` forward to it (one conditional upsert; a second process's claim of the same slot finds it taken).
 * Only the latest due slot is ever claimed, so a slot missed while every process was down runs once on start, not
 * once per missed slot. A run that throws is logged and not retried (the next slot comes); work that must be
 * retried enqueues a job from `run`.
 */
export type ScheduleDefinition = {
  name: string;
  run: () => Promise<unknown>;
} & ({ cron: string; timeZone: string; everySeconds?: never } | { everySeconds: number; cron?: never; timeZone?: never });

export function defineSchedule(s: ScheduleDefinition): ScheduleDefinition {
  return s;
}

/** A schedule refused at start-up: an invalid cron expression or time zone, named with its module. */
export class ScheduleError extends Error {
  constructor(moduleName: string, schedule: string, problem: string) {
    super(`module ${moduleName}, schedule ${schedule}: ${problem}`);
    this.name = 'ScheduleError';
  }
}

type Entry = { module: string; def: ScheduleDefinition; claimed: number; running: boolean };

/** The latest slot at or before `now` (ms since the epoch). */
function latestSlot(def: ScheduleDefinition, now: Date): number {
  if (def.everySeconds !== undefined) {
    const every = def.everySeconds * 1000;
    return Math.floor(now.getTime() / every) * every;
  }
  // prev() is strictly before currentDate: start a millisecond later so a slot exactly at now counts.
  const expr = CronExpressionParser.parse(def.cron, { currentDate: new Date(now.getTime() + 1), tz: def.timeZone });
  return expr.prev().getTime();
}

function validate(moduleName: string, def: ScheduleDefinition): void {
  if (!/^[a-z0-9_.:-]+$/i.test(def.name)) throw new ScheduleError(moduleName, def.name, 'a schedule name is letters, digits and . _ : -');
  if (def.everySeconds !== undefined) {
    if (!Number.isFinite(def.everySeconds) || def.everySeconds <= 0) throw new ScheduleError(moduleName, def.name, `everySeconds must be a positive number, not ${def.everySeconds}`);
    return;
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: def.timeZone });
  } catch {
    throw new ScheduleError(moduleName, def.name, `unknown time zone "${def.timeZone}"`);
  }
  const fields = def.cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new ScheduleError(moduleName, def.name, `invalid cron expression "${def.cron}": 5 fields (minute hour day month weekday), or 6 with seconds first`);
  try {
    CronExpressionParser.parse(def.cron, { tz: def.timeZone }).next();
  } catch (err) {
    throw new ScheduleError(moduleName, def.name, `invalid cron expression "${def.cron}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

export class ScheduleRunner {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly log?: Logger,
  ) {}

  /** Checks every schedule of a module; throws ScheduleError naming the module and schedule for a bad one. */
  add(moduleName: string, schedules: readonly ScheduleDefinition[]): void {
    for (const def of schedules) {
      validate(moduleName, def);
      if (this.entries.has(def.name)) throw new ScheduleError(moduleName, def.name, `a schedule named ${def.name} is already declared by module ${this.entries.get(def.name)?.module}`);
      this.entries.set(def.name, { module: moduleName, def, claimed: Number.NEGATIVE_INFINITY, running: false });
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Claims and runs every schedule whose latest slot this process has not seen yet; returns the names it ran.
   * Tests call this with a fake clock; `start` calls it every second.
   */
  async runDue(): Promise<string[]> {
    const now = this.clock.now();
    const ran: string[] = [];
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        if (e.running) return;
        const slot = latestSlot(e.def, now);
        if (slot <= e.claimed) return;
        e.running = true;
        try {
          e.claimed = slot;
          if (!(await this.claim(e.def.name, slot, now))) return;
          ran.push(e.def.name);
          await e.def.run();
        } catch (err) {
          this.log?.error({ module: e.module, schedule: e.def.name, slot: new Date(slot).toISOString(), err }, `schedule ${e.def.name} failed`);
        } finally {
          e.running = false;
        }
      }),
    );
    return ran;
  }

  /** Moves the schedule's row forward to `slot`; true when this process got it (nobody ran that slot or a later one). */
  private async claim(name: string, slot: number, now: Date): Promise<boolean> {
    const at = new Date(slot).toISOString();
    const rows = rowsOf<{ name: string }>(
      await this.database.db.execute(sql`
        insert into ${scheduleRuns} (name, slot, started_at) values (${name}, ${at}::timestamptz, ${now.toISOString()}::timestamptz)
        on conflict (name) do update set slot = excluded.slot, started_at = excluded.started_at
        where ${scheduleRuns}.slot < excluded.slot
        returning name`),
    );
    return rows.length > 0;
  }

  start(tickMs = 1000): void {
    const tick = () => {
      if (this.ticking !== undefined) return;
      this.ticking = this.runDue()
        .catch((err) => this.log?.error({ err }, 'schedules failed to tick'))
        .finally(() => {
          this.ticking = undefined;
        });
    };
    this.timer = setInterval(tick, tickMs);
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    // A run still going past the tick (a slow sweep) finishes before the database closes.
    while ([...this.entries.values()].some((e) => e.running)) await new Promise((r) => setTimeout(r, 20));
  }
}
