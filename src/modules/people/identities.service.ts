import { and, asc, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Ctx } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.js';
import { apiTokens, contactIdentities, IDENTITY_KINDS, type IdentityKind, sessions, userMerges, users } from './people.schema.js';

export type ContactIdentity = typeof contactIdentities.$inferSelect;
export type { IdentityKind };

export const IdentityBody = z.object({
  kind: z.enum(IDENTITY_KINDS),
  value: z.string().trim().min(1).max(320),
  // The Slack workspace or widget site the value belongs to; empty for global values (email, GitHub, phone).
  scope: z.string().trim().max(200).default(''),
  verified: z.boolean().default(false),
});

/** The one spelling an identity is stored and looked up in. */
export function normalizeIdentity(kind: IdentityKind, value: string): string {
  const v = value.trim();
  if (kind === 'email' || kind === 'github') return v.toLowerCase();
  if (kind === 'phone') return v.replace(/[\s().-]/g, '');
  return v;
}

function checkValue(kind: IdentityKind, value: string): void {
  const bad = (message: string) => new AppError('VALIDATION_FAILED', `Invalid ${kind} identity: ${message}`, { fields: [{ path: 'body.value', message }] });
  if (kind === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value)) throw bad('expected an email address');
  if (kind === 'phone' && !/^\+?[0-9]{3,20}$/.test(value)) throw bad('expected a phone number (digits, optionally starting with +)');
  if (kind === 'github' && !/^[a-z0-9](?:[a-z0-9-]{0,38})$/.test(value)) throw bad('expected a GitHub login');
}

/** Someone else created this person at the same instant (rolls the loser's transaction back). */
class IdentityTaken extends Error {}

/**
 * How people are known on each channel (people.schema.ts `contact_identities`): find a person by an identity, attach
 * one to a person, and the people-side half of merging two people (channels/merge-people.ts holds the whole).
 */
export class IdentitiesService {
  constructor(private readonly ctx: Ctx) {}

  list(userId: string, ex: Executor = this.ctx.db): Promise<ContactIdentity[]> {
    return ex.select().from(contactIdentities).where(eq(contactIdentities.userId, userId)).orderBy(asc(contactIdentities.createdAt), asc(contactIdentities.kind), asc(contactIdentities.value));
  }

  /** The person an identity belongs to, if any (active or not: a merged duplicate's identities are on the survivor). */
  async findPerson(kind: IdentityKind, value: string, scope = '', ex: Executor = this.ctx.db): Promise<typeof users.$inferSelect | undefined> {
    const [row] = await ex
      .select({ user: users })
      .from(contactIdentities)
      .innerJoin(users, eq(users.id, contactIdentities.userId))
      .where(and(eq(contactIdentities.kind, kind), eq(contactIdentities.scope, scope), eq(contactIdentities.value, normalizeIdentity(kind, value))));
    return row?.user;
  }

  /**
   * The person mail from `email` belongs to, in one query: by email identity first (after a merge it is on the
   * survivor), else the account whose own address it is (a user whose identity row is missing).
   */
  async findPersonByEmail(email: string, ex: Executor = this.ctx.db): Promise<typeof users.$inferSelect | undefined> {
    const value = normalizeIdentity('email', email);
    const byIdentity = ex
      .select({ ...getTableColumns(users), rank: sql<number>`0`.as('rank') })
      .from(contactIdentities)
      .innerJoin(users, eq(users.id, contactIdentities.userId))
      .where(and(eq(contactIdentities.kind, 'email'), eq(contactIdentities.scope, ''), eq(contactIdentities.value, value)));
    const byAccount = ex
      .select({ ...getTableColumns(users), rank: sql<number>`1`.as('rank') })
      .from(users)
      .where(sql`lower(${users.email}) = ${value}`);
    const [row] = await byIdentity.unionAll(byAccount).orderBy(sql`rank`).limit(1);
    if (!row) return undefined;
    const { rank: _rank, ...user } = row;
    return user;
  }

  /** Attaches an identity; attaching one the person already has is a no-op, one held by someone else is refused. */
  async attach(userId: string, input: z.input<typeof IdentityBody>, ex: Executor = this.ctx.db): Promise<ContactIdentity> {
    const data = IdentityBody.parse(input);
    const value = normalizeIdentity(data.kind, data.value);
    checkValue(data.kind, value);
    const [user] = await ex.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw notFound('user', userId);
    const where = and(eq(contactIdentities.kind, data.kind), eq(contactIdentities.scope, data.scope), eq(contactIdentities.value, value));
    try {
      const [row] = await ex
        .insert(contactIdentities)
        .values({ userId, kind: data.kind, scope: data.scope, value, verifiedAt: data.verified ? this.ctx.clock.now() : null, createdAt: this.ctx.clock.now() })
        .onConflictDoNothing()
        .returning();
      if (row) return row;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const [existing] = await ex.select().from(contactIdentities).where(where);
    if (existing && existing.userId === userId) return existing;
    throw new AppError('ALREADY_EXISTS', `That ${data.kind} identity belongs to another person: merge the two people instead`, {
      fields: [{ path: 'body.value', message: 'belongs to another person' }],
      extra: { userId: existing?.userId },
    });
  }

  /**
   * A new customer known only by a non-email identity (a Slack user, a GitHub login): the account needs an address,
   * so it gets one under the reserved `.invalid` domain (RFC 2606), which no mail is ever delivered to. One
   * transaction; of two concurrent creations, the second finds the first's person.
   */
  async createPerson(kind: Exclude<IdentityKind, 'email'>, value: string, scope = '', displayName?: string): Promise<typeof users.$inferSelect> {
    const normalized = normalizeIdentity(kind, value);
    checkValue(kind, normalized);
    if (!normalized || normalized.length > 320) throw new AppError('VALIDATION_FAILED', `Invalid ${kind} identity: expected 1 to 320 characters`);
    const now = this.ctx.clock.now();
    const email = `${kind}-${sha256(`${scope}\n${normalized}`).slice(0, 24)}@identities.invalid`;
    const name = displayName?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 200) || normalized.slice(0, 200);
    try {
      return await this.ctx.db.transaction(async (tx) => {
        const [made] = await tx.insert(users).values({ email, name, role: 'customer', createdAt: now }).onConflictDoNothing().returning();
        if (!made) throw new IdentityTaken();
        const [ident] = await tx.insert(contactIdentities).values({ userId: made.id, kind, scope, value: normalized, createdAt: now }).onConflictDoNothing().returning();
        if (!ident) throw new IdentityTaken();
        return made;
      });
    } catch (err) {
      if (!(err instanceof IdentityTaken) && !isUniqueViolation(err)) throw err;
      const existing = await this.findPerson(kind, normalized, scope);
      if (!existing) throw err;
      return existing;
    }
  }

  /**
   * Removes one of a person's identities (an admin forgetting an old address, say). The address that is their
   * current email stays: without it intake would not find them by it (change their email first). An identity
   * that is not theirs is not found, and nothing changes.
   */
  async remove(userId: string, identityId: string, ex: Executor = this.ctx.db): Promise<void> {
    const [row] = /^[0-9a-f-]{36}$/i.test(identityId)
      ? await ex
          .select({ kind: contactIdentities.kind, value: contactIdentities.value, email: users.email })
          .from(contactIdentities)
          .innerJoin(users, eq(users.id, contactIdentities.userId))
          .where(and(eq(contactIdentities.id, identityId), eq(contactIdentities.userId, userId)))
      : [];
    if (!row) throw new AppError('NOT_FOUND', `No identity with id ${identityId} on that person`);
    if (row.kind === 'email' && row.value === row.email.toLowerCase()) {
      throw new AppError('IN_USE', `${row.value} is their current email: change their email before removing this address`);
    }
    await ex.delete(contactIdentities).where(and(eq(contactIdentities.id, identityId), eq(contactIdentities.userId, userId)));
  }

  /** A new user's email identity (people.service.ts createUser). */
  async addEmail(userId: string, email: string, ex: Executor = this.ctx.db): Promise<void> {
    await ex
      .insert(contactIdentities)
      .values({ userId, kind: 'email', scope: '', value: normalizeIdentity('email', email), createdAt: this.ctx.clock.now() })
      .onConflictDoNothing();
  }

  /** Locks people's rows until the transaction ends, in id order (so two transactions never wait on each other). */
  async lockPeople(ids: string[], tx: Executor): Promise<void> {
    const valid = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id)).sort();
    if (valid.length) await tx.select({ id: users.id }).from(users).where(inArray(users.id, valid)).orderBy(asc(users.id)).for('update');
  }

  /**
   * The people side of a merge, inside the caller's transaction: the duplicate's identities go to the survivor, the
   * duplicate is deactivated and signed out, and the merge is recorded in `user_merges`.
   */
  async foldInto(survivorId: string, duplicate: typeof users.$inferSelect, moved: Record<string, number>, actorId: string | null, ex: Executor): Promise<{ identities: number }> {
    const identities = await ex.update(contactIdentities).set({ userId: survivorId }).where(eq(contactIdentities.userId, duplicate.id)).returning({ id: contactIdentities.id });
    await ex.update(users).set({ active: false }).where(eq(users.id, duplicate.id));
    await ex.delete(sessions).where(eq(sessions.userId, duplicate.id));
    await ex.update(apiTokens).set({ revokedAt: this.ctx.clock.now() }).where(and(eq(apiTokens.userId, duplicate.id), isNull(apiTokens.revokedAt)));
    await ex.insert(userMerges).values({
      survivorId,
      mergedId: duplicate.id,
      mergedEmail: duplicate.email,
      moved: { ...moved, identities: identities.length },
      actorId,
      at: this.ctx.clock.now(),
    });
    return { identities: identities.length };
  }

  merges(userId: string, ex: Executor = this.ctx.db) {
    return ex.select().from(userMerges).where(sql`${userMerges.survivorId} = ${userId} or ${userMerges.mergedId} = ${userId}`).orderBy(asc(userMerges.at));
  }
}
