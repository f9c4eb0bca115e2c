import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { WindowLimiter } from '../../platform/rate-limit.js';
import { AppError } from '../../platform/errors.js';
import { users } from './people.schema.js';
import type { PeopleService, User } from './people.service.js';

export const SetupBody = z.object({
  token: z.string().trim().min(1, 'Paste the setup token that `npm start` printed').max(200),
  email: z.email('Enter an email address').max(254),
  name: z.string().trim().min(1, 'Enter a name').max(200),
  password: z.string().min(10, 'Use at least 10 characters').max(512),
  demo: z.boolean().default(false),
});

/** The file `start` writes the setup token to, beside the embedded database (mode 0600: only the owner reads it). */
export const SETUP_TOKEN_FILE = 'setup-token';

// Attempts per client address and window. The token is 256 random bits, so this is not what keeps it safe; it
// keeps a scanner from hammering argon2 and the database. Kept in memory: a restart prints the same token.
const MAX_ATTEMPTS = 10;
const WINDOW_MS = 15 * 60_000;
// The most clients counted at once; setup is one person's job, so a flood of addresses is refused, not remembered.
export const MAX_CLIENTS = 1000;
// Any number held by the advisory lock that makes two setups at once queue (the second then finds the admin).
const SETUP_LOCK = 0x5e7_0b;

/**
 * The first run without a terminal: while no admin exists, whoever holds the setup token `start` printed (and
 * wrote to DATA_DIR) may create the first admin from the browser. Once an admin exists — made here or with
 * `lifeline admin create` — setup is refused for good and the token file is removed.
 */
export class SetupService {
  private done = false;
  // Per client (IPv6 by its /64), capped: a flood of addresses fills it and further new clients wait (fails closed).
  private readonly attempts = new WindowLimiter({ limit: MAX_ATTEMPTS, windowMs: WINDOW_MS, maxClients: MAX_CLIENTS, now: () => Date.now() });

  constructor(
    private readonly ctx: Ctx,
    private readonly people: PeopleService,
  ) {}

  get tokenPath(): string {
    return path.join(this.ctx.config.dataDir, SETUP_TOKEN_FILE);
  }

  /** Whether the desk still needs its first admin. Once false, false for good (admins are never all deleted here). */
  async needed(): Promise<boolean> {
    if (this.done) return false;
    if ((await this.people.countUsers('admin')) > 0) this.done = true;
    return !this.done;
  }

  /**
   * Called by `start`: the token to print while setup is needed (the one already in DATA_DIR, so a restart does
   * not invalidate what someone copied), else removes a left-over token file and returns undefined.
   */
  async prepare(): Promise<string | undefined> {
    if (!(await this.needed())) {
      fs.rmSync(this.tokenPath, { force: true });
      return undefined;
    }
    const existing = this.readToken();
    if (existing) return existing;
    const token = randomToken(32);
    fs.mkdirSync(this.ctx.config.dataDir, { recursive: true });
    fs.writeFileSync(this.tokenPath, `${token}\n`, { mode: 0o600 });
    fs.chmodSync(this.tokenPath, 0o600);
    return token;
  }

  /**
   * Creates the first admin. Checks, in order: that setup is still needed (a done setup counts no attempts), the
   * client's attempts, the token (in
   * constant time); then, under a database lock, that still no admin exists — two setups at once make one admin.
   * The token file is removed after; the token never works again.
   */
  async complete(input: z.input<typeof SetupBody>, from: string): Promise<User> {
    const data = SetupBody.parse(input);
    if (!(await this.needed())) throw setupDone();
    this.countAttempt(from);
    const expected = this.readToken();
    if (!expected) throw new AppError('FORBIDDEN', `No setup token is waiting: restart Lifeline (\`npm start\`) to print one, or create an admin with \`npm run lifeline -- admin create\``);
    if (!sameSecret(data.token, expected)) throw new AppError('FORBIDDEN', 'The setup token is wrong: copy it from the terminal where `npm start` runs, or from the setup-token file in DATA_DIR', { fields: [{ path: 'token', message: 'This is not the setup token' }] });
    const user = await this.ctx.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK})`);
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.role, 'admin'));
      if ((row?.n ?? 0) > 0) throw setupDone();
      return this.people.createUser({ email: data.email, name: data.name, password: data.password, role: 'admin' }, tx);
    });
    this.done = true;
    fs.rmSync(this.tokenPath, { force: true });
    return user;
  }

  private readToken(): string | undefined {
    try {
      const text = fs.readFileSync(this.tokenPath, 'utf8').trim();
      return text.length >= 20 ? text : undefined;
    } catch {
      return undefined;
    }
  }

  private countAttempt(from: string): void {
    const { result } = this.attempts.hit(from);
    if (result === 'limited') throw new AppError('TOO_MANY_ATTEMPTS', 'Too many setup attempts from this address; wait 15 minutes and try again');
    if (result === 'full') throw new AppError('TOO_MANY_ATTEMPTS', 'Too many setup attempts from too many addresses; wait 15 minutes and try again');
  }
}

function setupDone(): AppError {
  return new AppError('ALREADY_EXISTS', 'Setup is done: an admin exists. Sign in instead.', { extra: { setupDone: true } });
}

/** Compares two secrets in constant time (their hashes have one length, whatever was typed). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}
