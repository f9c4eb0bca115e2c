import { timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { type Executor, rowsOf } from '../../db/client.js';
import { type Actor, type Role, ROLES, SCOPES, type Scope } from '../../platform/auth.js';
import type { KeyedCache } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { hashPassword, randomToken, sha256, verifyPassword } from '../../platform/crypto.js';
import { Secrets } from '../../platform/secrets.js';
import { AppError, isUniqueViolation, notFound } from '../../platform/errors.js';
import { patchOf } from '../../platform/validation.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { clientKey } from '../../platform/client-key.js';
import { apiTokens, contactIdentities, groupMembers, groups, loginAttempts, organizations, sessions, users } from './people.schema.js';

export type User = typeof users.$inferSelect;
export type Organization = typeof organizations.$inferSelect;
export type Group = typeof groups.$inferSelect;

// RFC 5322 addr-spec: a dot-atom local part of any atext (/ = + ' ! # $ % & * ? ^ _ ` { | } ~) or a quoted one
// ("john smith"), at a domain name with a top-level domain. Mail from such senders is real mail.
const ADDR_SPEC = /^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])+")@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/;
const Email = z.string().trim().toLowerCase().pipe(z.email({ pattern: ADDR_SPEC })).pipe(z.string().max(254));
/** The one password rule (first-run setup, user edits, password reset). */
export const Password = z.string().min(10, 'use at least 10 characters').max(512);

export const CreateUserBody = z.object({
  email: Email,
  name: z.string().trim().min(1).max(200),
  role: z.enum(ROLES),
  password: Password.optional(),
  organizationId: z.uuid().nullable().optional(),
  ticketAccess: z.enum(['all', 'groups']).optional(),
});
export const UpdateUserBody = z.object({
  // A new address becomes their email identity; the old one stays theirs (their old mail still threads).
  email: Email.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES).optional(),
  password: Password.optional(),
  organizationId: z.uuid().nullable().optional(),
  // A customer who sees every ticket of their organisation (the portal's supervisor view).
  organizationSupervisor: z.boolean().optional(),
  active: z.boolean().optional(),
  // Light agents and agents: every ticket, or only their groups' (docs/security.md "Who sees which tickets").
  ticketAccess: z.enum(['all', 'groups']).optional(),
});
export const OrganizationBody = z.object({
  name: z.string().trim().min(1).max(200),
  domains: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'expected a domain like example.org')).max(100).default([]),
  notes: z.string().max(65_535).default(''),
  sharedTickets: z.boolean().default(false),
  customFields: z.record(z.string(), z.unknown()).default({}),
});
export const UpdateOrganizationBody = patchOf(OrganizationBody);
export const GroupBody = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  escalatesToId: z.uuid().nullable().default(null),
  memberIds: z.array(z.uuid()).max(1000).optional(),
});
export const UpdateGroupBody = patchOf(GroupBody);
export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
});

/** Users, organisations, groups, sign-in sessions and API tokens. */
export class PeopleService {
  private lastAttemptSweep = Number.NEGATIVE_INFINITY;
  // Who a session cookie or token stands for, kept a minute: every request needs it. Signing out, revoking a
  // token and changing a user clear it in every process at once (CacheHub).
  private readonly actors: KeyedCache<{ actor: Actor; expiresAt: number }>;
  private secretsLoaded: Secrets | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly fields: CustomFieldsService,
  ) {
    this.actors = ctx.cache.keyed('actors', 60_000, () => ctx.clock.now().getTime());
  }

  // ---- users

  async createUser(input: z.input<typeof CreateUserBody>, ex: Executor = this.ctx.db): Promise<User> {
    const data = CreateUserBody.parse(input);
    const organizationId =
      data.organizationId === undefined ? (data.role === 'customer' ? await this.organizationForEmail(data.email, ex) : null) : data.organizationId;
    if (organizationId) await this.getOrganization(organizationId, ex, 'INVALID_REFERENCE');
    const passwordHash = data.password ? await hashPassword(data.password) : null;
    await this.refuseTakenAddress(data.email, null, ex);
    try {
      return await ex.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({ email: data.email, name: data.name, role: data.role, passwordHash, organizationId, ticketAccess: data.ticketAccess, createdAt: this.ctx.clock.now() })
          .returning();
        // Their email is their first contact identity (identities.service.ts).
        await this.claimAddress((row as User).id, data.email, tx);
        return row as User;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A user with email ${data.email} exists`);
      throw err;
    }
  }

  /**
   * No two people share an address: one that is someone else's email (`users.email`) or email identity (a
   * secondary address, kept after an email change) is refused, naming whose it is. `selfId` may hold it already.
   */
  private async refuseTakenAddress(email: string, selfId: string | null, ex: Executor): Promise<void> {
    const value = email.trim().toLowerCase();
    const owners = rowsOf<{ id: string }>(
      await ex.execute(sql`
        select user_id as id from ${contactIdentities} where kind = 'email' and scope = '' and value = ${value}
        union select id from ${users} where lower(email) = ${value}`),
    );
    const other = owners.find((o) => o.id !== selfId);
    if (other) {
      throw new AppError('ALREADY_EXISTS', `The address ${value} already exists: it belongs to another person (their email or one of their addresses); merge the two people instead`, {
        fields: [{ path: 'body.email', message: 'belongs to another person' }],
        extra: { userId: other.id },
      });
    }
  }

  /** Makes `email` the person's email identity (theirs already, or new); held by someone else, it is refused. */
  private async claimAddress(userId: string, email: string, ex: Executor): Promise<void> {
    const value = email.trim().toLowerCase();
    const [made] = await ex
      .insert(contactIdentities)
      .values({ userId, kind: 'email', scope: '', value, createdAt: this.ctx.clock.now() })
      .onConflictDoNothing()
      .returning({ userId: contactIdentities.userId });
    if (made) return;
    // Taken between the check and the insert, by someone else: the caller's transaction rolls back.
    await this.refuseTakenAddress(value, userId, ex);
  }

  async updateUser(id: string, patch: z.infer<typeof UpdateUserBody>): Promise<User> {
    const current = await this.getUser(id);
    if (patch.organizationId) await this.getOrganization(patch.organizationId, this.ctx.db, 'INVALID_REFERENCE');
    const { password, email, ...rest } = patch;
    const set: PgUpdateSetSource<typeof users> = { ...rest };
    const organizationAfter = patch.organizationId !== undefined ? patch.organizationId : current.organizationId;
    if (patch.organizationSupervisor === true && !organizationAfter) {
      throw new AppError('SUPERVISOR_WITHOUT_ORGANIZATION', `${current.name} is in no organisation, so cannot supervise one; choose their organisation first`, {
        fields: [{ path: 'body.organizationSupervisor', message: 'needs an organisation' }],
      });
    }
    // Supervising is of one organisation: a move ends it, unless the same change makes them supervisor of the new
    // one. Decided in the statement, against the row as it is then, so a concurrent move cannot slip past.
    if (patch.organizationId !== undefined && patch.organizationSupervisor === undefined) {
      set.organizationSupervisor = sql`case when ${users.organizationId} is distinct from ${patch.organizationId}::uuid then false else ${users.organizationSupervisor} end`;
    }
    if (password) set.passwordHash = await hashPassword(password);
    const newEmail = email !== undefined && email !== current.email.toLowerCase() ? email : undefined;
    if (newEmail) {
      await this.refuseTakenAddress(newEmail, id, this.ctx.db);
      set.email = newEmail;
    }
    let row: User | undefined;
    try {
      row = await this.ctx.db.transaction(async (tx) => {
        // The new address becomes their email identity; the old one stays attached to them, so replies to old
        // mail still find them, until an admin removes it.
        if (newEmail) await this.claimAddress(id, newEmail, tx);
        // Made supervisor without a move: of the organisation the check above saw. Moved meanwhile by someone
        // else, the row no longer matches and nothing changes (409) rather than supervising an organisation nobody chose.
        const sameOrganization =
          patch.organizationSupervisor === true && patch.organizationId === undefined ? sql`${users.organizationId} is not distinct from ${current.organizationId}::uuid` : undefined;
        const [updated] = Object.keys(set).length ? await tx.update(users).set(set).where(and(eq(users.id, id), sameOrganization)).returning() : [current];
        if (!updated) {
          throw new AppError('VERSION_CONFLICT', `${current.name} was moved to another organisation meanwhile; reload and choose again whether they supervise it`, {
            fields: [{ path: 'body.organizationSupervisor', message: 'their organisation changed meanwhile' }],
          });
        }
        return updated;
      });
    } catch (err) {
      if (isUniqueViolation(err) && newEmail) throw new AppError('ALREADY_EXISTS', `The address ${newEmail} belongs to another person`, { fields: [{ path: 'body.email', message: 'belongs to another person' }] });
      throw err;
    }
    // Deactivating or re-roling someone ends their sessions: old rights must not linger in a cookie.
    if (patch.active === false || patch.role || password) await this.ctx.db.delete(sessions).where(eq(sessions.userId, id));
    await this.actors.invalidate();
    return row as User;
  }

  /**
   * Sets a person's password inside the caller's transaction and ends every session they have (a reset is for
   * someone who lost control of their account: a stolen session must not outlive it). The caller runs
   * `invalidateActors` after commit.
   */
  async setPassword(userId: string, password: string, ex: Executor): Promise<void> {
    const passwordHash = await hashPassword(Password.parse(password));
    await ex.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await ex.delete(sessions).where(eq(sessions.userId, userId));
  }

  /** Forgets every cached session and token (after a merge deactivated someone outside updateUser). */
  async invalidateActors(): Promise<void> {
    await this.actors.invalidate();
  }

  async getUser(id: string, ex: Executor = this.ctx.db): Promise<User> {
    const [row] = await ex.select().from(users).where(eq(users.id, id));
    if (!row) throw notFound('user', id);
    return row;
  }

  /** The users among `ids` that exist (any order). */
  async getUsers(ids: string[], ex: Executor = this.ctx.db): Promise<User[]> {
    if (!ids.length) return [];
    return ex.select().from(users).where(inArray(users.id, ids));
  }

  async findUserByEmail(email: string, ex: Executor = this.ctx.db): Promise<User | undefined> {
    const [row] = await ex.select().from(users).where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`);
    return row;
  }

  /**
   * The requester for a ticket reported by someone Lifeline may not know yet (email, phone, on behalf). One
   * statement finds them or creates them, in the organisation that claims their domain; email intake calls
   * this for every message.
   */
  async findOrCreateCustomer(input: { email: string; name?: string }, ex: Executor = this.ctx.db): Promise<User> {
    const email = Email.parse(input.email);
    const domain = email.split('@')[1] ?? '';
    const name = input.name?.trim() || email.split('@')[0] || email;
    const [row] = rowsOf<Record<string, unknown>>(
      await ex.execute(sql`
        -- Known by their email, or by an older address of theirs (an email identity kept after a change).
        with found as (
          select * from ${users}
          where lower(${users.email}) = ${email}
             or id = (select user_id from ${contactIdentities} where kind = 'email' and scope = '' and value = ${email})
          order by lower(${users.email}) = ${email} desc limit 1),
        made as (
          insert into ${users} (email, name, role, organization_id, created_at)
          select ${email}, ${name}, 'customer',
                 (select o.id from ${organizations} o where ${domain} = any(o.domains) order by o.created_at limit 1), ${this.ctx.clock.now().toISOString()}::timestamptz
          where not exists (select 1 from found)
          on conflict do nothing
          returning *),
        -- Their email is their first contact identity (identities.service.ts).
        ident as (
          insert into ${contactIdentities} (user_id, kind, scope, value, created_at)
          select id, 'email', '', lower(email), created_at from made
          on conflict do nothing)
        select * from found union all select * from made`),
    );
    // Empty only when someone else created them at this instant: read theirs.
    return row ? userFromRow(row) : ((await this.findUserByEmail(email, ex)) as User);
  }

  listUsers(filter: { role?: Role; organizationId?: string; q?: string; limit: number; offset: number }): Promise<User[]> {
    // `q` finds people by the start of their email or of any word of their name (the requester picker).
    const like = filter.q ? `${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    return this.ctx.db
      .select()
      .from(users)
      .where(
        and(
          filter.role ? eq(users.role, filter.role) : undefined,
          filter.organizationId ? eq(users.organizationId, filter.organizationId) : undefined,
          like ? sql`(lower(${users.email}) like ${like} or lower(${users.name}) like ${like} or lower(${users.name}) like ${`% ${like}`})` : undefined,
        ),
      )
      .orderBy(asc(users.name), asc(users.id))
      .limit(filter.limit)
      .offset(filter.offset);
  }

  async countUsers(role?: Role): Promise<number> {
    const [row] = await this.ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(role ? eq(users.role, role) : undefined);
    return row?.n ?? 0;
  }

  // ---- organisations

  private async organizationForEmail(email: string, ex: Executor): Promise<string | null> {
    const domain = email.split('@')[1];
    if (!domain) return null;
    const [row] = await ex
      .select({ id: organizations.id })
      .from(organizations)
      .where(sql`${domain} = any(${organizations.domains})`)
      .orderBy(asc(organizations.createdAt))
      .limit(1);
    return row?.id ?? null;
  }

  async createOrganization(input: z.infer<typeof OrganizationBody>): Promise<Organization> {
    const customFields = await this.fields.validate('organization', input.customFields);
    try {
      const [row] = await this.ctx.db
        .insert(organizations)
        .values({ ...input, customFields, createdAt: this.ctx.clock.now() })
        .returning();
      return row as Organization;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `An organization named ${input.name} exists`);
      throw err;
    }
  }

  async updateOrganization(id: string, patch: z.infer<typeof UpdateOrganizationBody>): Promise<Organization> {
    const current = await this.getOrganization(id);
    const set: Partial<typeof organizations.$inferInsert> = { ...patch };
    if (patch.customFields) {
      const merged = { ...current.customFields, ...(await this.fields.validate('organization', patch.customFields)) };
      set.customFields = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null));
    }
    if (Object.keys(set).length === 0) return current;
    try {
      const [row] = await this.ctx.db.update(organizations).set(set).where(eq(organizations.id, id)).returning();
      return row as Organization;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `An organization named ${patch.name} exists`);
      throw err;
    }
  }

  async getOrganization(id: string, ex: Executor = this.ctx.db, code: 'ORGANIZATION_NOT_FOUND' | 'INVALID_REFERENCE' = 'ORGANIZATION_NOT_FOUND'): Promise<Organization> {
    const [row] = await ex.select().from(organizations).where(eq(organizations.id, id));
    if (!row) throw new AppError(code, `No organization with id ${id}`);
    return row;
  }

  /** Several organisations at once (one query; unknown ids are left out). */
  async getOrganizations(ids: string[], ex: Executor = this.ctx.db): Promise<Organization[]> {
    const valid = [...new Set(ids)];
    return valid.length ? ex.select().from(organizations).where(inArray(organizations.id, valid)) : [];
  }

  async findOrganizationByName(name: string, ex: Executor = this.ctx.db): Promise<Organization | undefined> {
    const [row] = await ex.select().from(organizations).where(sql`lower(${organizations.name}) = ${name.toLowerCase()}`);
    return row;
  }

  /**
   * The organisations a search's `org:` names: the one with exactly that name (any case); else every one whose name
   * or a word of it starts with the term, or with a domain that does (`org:acme` finds "Acme Health").
   */
  async findOrganizationIdsMatching(term: string): Promise<string[]> {
    const exact = await this.findOrganizationByName(term);
    if (exact) return [exact.id];
    const like = `${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.ctx.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(
        sql`(lower(${organizations.name}) like ${like} or lower(${organizations.name}) like ${`% ${like}`} or exists (select 1 from unnest(${organizations.domains}) d where d like ${like}))`,
      )
      .limit(100);
    return rows.map((r) => r.id);
  }

  listOrganizations(): Promise<Organization[]> {
    return this.ctx.db.select().from(organizations).orderBy(asc(organizations.name));
  }

  // ---- groups

  async createGroup(input: z.infer<typeof GroupBody>): Promise<Group & { memberIds: string[] }> {
    const created = await this.ctx.db.transaction(async (tx) => {
      if (input.escalatesToId) await this.getGroup(input.escalatesToId, tx, 'INVALID_REFERENCE');
      let group: Group;
      try {
        [group] = (await tx
          .insert(groups)
          .values({ name: input.name, description: input.description, escalatesToId: input.escalatesToId, createdAt: this.ctx.clock.now() })
          .returning()) as [Group];
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A group named ${input.name} exists`);
        throw err;
      }
      const memberIds = await this.setMembers(tx, group.id, input.memberIds ?? []);
      return { ...group, memberIds };
    });
    // Members' cached actors carry their groups (ticket visibility): cleared once the change has committed.
    if (created.memberIds.length) await this.actors.invalidate();
    return created;
  }

  async updateGroup(id: string, patch: z.infer<typeof UpdateGroupBody>): Promise<Group & { memberIds: string[] }> {
    const updated = await this.ctx.db.transaction(async (tx) => {
      if (patch.escalatesToId) {
        if (patch.escalatesToId === id) throw new AppError('INVALID_REFERENCE', 'A group cannot escalate to itself');
        await this.getGroup(patch.escalatesToId, tx, 'INVALID_REFERENCE');
      }
      const { memberIds, ...fields } = patch;
      let group: Group = await this.getGroup(id, tx);
      try {
        if (Object.keys(fields).length) [group] = (await tx.update(groups).set(fields).where(eq(groups.id, id)).returning()) as [Group];
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A group named ${patch.name} exists`);
        throw err;
      }
      const members = memberIds ? await this.setMembers(tx, id, memberIds) : await this.memberIds(id, tx);
      return { ...group, memberIds: members };
    });
    if (patch.memberIds) await this.actors.invalidate();
    return updated;
  }

  private async setMembers(tx: Executor, groupId: string, memberIds: string[]): Promise<string[]> {
    const unique = [...new Set(memberIds)];
    if (unique.length) {
      const staff = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(inArray(users.id, unique), sql`${users.role} <> 'customer'`));
      const found = new Set(staff.map((s) => s.id));
      const missing = unique.filter((id) => !found.has(id));
      if (missing.length) throw new AppError('INVALID_REFERENCE', `Not staff users: ${missing.join(', ')}`);
    }
    await tx.delete(groupMembers).where(eq(groupMembers.groupId, groupId));
    if (unique.length) await tx.insert(groupMembers).values(unique.map((userId) => ({ groupId, userId })));
    return unique;
  }

  async memberIds(groupId: string, ex: Executor = this.ctx.db): Promise<string[]> {
    const rows = await ex.select({ userId: groupMembers.userId }).from(groupMembers).where(eq(groupMembers.groupId, groupId));
    return rows.map((r) => r.userId);
  }

  async groupIdsOf(userId: string, ex: Executor = this.ctx.db): Promise<string[]> {
    const rows = await ex.select({ groupId: groupMembers.groupId }).from(groupMembers).where(eq(groupMembers.userId, userId));
    return rows.map((r) => r.groupId);
  }

  async getGroup(id: string, ex: Executor = this.ctx.db, code: 'GROUP_NOT_FOUND' | 'INVALID_REFERENCE' = 'GROUP_NOT_FOUND'): Promise<Group> {
    const [row] = await ex.select().from(groups).where(eq(groups.id, id));
    if (!row) throw new AppError(code, `No group with id ${id}`);
    return row;
  }

  async findGroupByName(name: string, ex: Executor = this.ctx.db): Promise<Group | undefined> {
    const [row] = await ex.select().from(groups).where(sql`lower(${groups.name}) = ${name.toLowerCase()}`);
    return row;
  }

  async listGroups(): Promise<(Group & { memberIds: string[] })[]> {
    const all = await this.ctx.db.select().from(groups).orderBy(asc(groups.name));
    const members = await this.ctx.db.select().from(groupMembers);
    return all.map((g) => ({ ...g, memberIds: members.filter((m) => m.groupId === g.id).map((m) => m.userId) }));
  }

  // ---- sign-in

  /**
   * Every attempt is counted before the password is checked, in the database (one atomic statement per key, so
   * parallel guesses and several processes agree), per client (an IPv4 address, an IPv6 /64: `clientKey`) and per
   * account; an attempt over a limit is refused without a check. An account over its limit is locked to everyone
   * except the browsers it signed in from before: one that presents this account's *device token* (a cookie signed
   * by the server, given at each successful sign-in) is counted on its own (per account and device) instead, so
   * failures from anywhere else cannot lock the real user out, while each device and each client still gets only
   * its own few guesses (OWASP's "device cookies"). A success gives its attempts back. Unknown and inactive
   * accounts cost one argon2 verification like the others, so the answer's timing does not tell which exist.
   */
  async signIn(
    email: string,
    password: string,
    from: string,
    deviceToken?: string,
  ): Promise<{ token: string; csrfToken: string; user: User; deviceToken: string }> {
    const now = this.ctx.clock.now().getTime();
    const account = email.trim().toLowerCase();
    const accountKey = accountAttemptsKey(account);
    const addressKey = sha256(`address:${clientKey(from)}`);
    const device = deviceToken && this.isDeviceOf(account, deviceToken) ? deviceToken : undefined;
    // Under the account's key, so a password reset can clear every counter of the account (`clearSignInFailures`).
    const deviceKey = device ? `${accountKey}/${sha256(`device:${account}:${device}`)}` : undefined;
    const [onAccount, onAddress, onDevice] = await Promise.all([
      this.countAttempt(accountKey, now),
      this.countAttempt(addressKey, now),
      deviceKey ? this.countAttempt(deviceKey, now) : 0,
    ]);
    await this.sweepAttempts(now);
    const limit = this.ctx.config.loginMaxFailures;
    const accountLocked = deviceKey ? onDevice > limit : onAccount > limit;
    if (accountLocked || onAddress > this.ctx.config.loginMaxFailuresPerAddress) {
      throw new AppError('TOO_MANY_ATTEMPTS', 'Too many failed sign-ins; wait a few minutes and try again');
    }
    const user = await this.findUserByEmail(email);
    const usable = user?.active && user.passwordHash ? user.passwordHash : null;
    const ok = await verifyPassword(usable ?? (await dummyHash()), password);
    if (!user || !usable || !ok) throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong');
    await this.ctx.db.delete(loginAttempts).where(inArray(loginAttempts.keyHash, deviceKey ? [accountKey, deviceKey] : [accountKey]));
    await this.ctx.db
      .update(loginAttempts)
      .set({ attempts: sql`greatest(${loginAttempts.attempts} - 1, 0)` })
      .where(eq(loginAttempts.keyHash, addressKey));
    const { token, csrfToken } = await this.startSession(user.id);
    return { token, csrfToken, user, deviceToken: device ?? this.newDeviceToken(account) };
  }

  /**
   * A new sign-in session for someone whose identity was proven another way (the portal's emailed link): the same
   * kind of session a password sign-in makes.
   */
  async startSession(userId: string, ex: Executor = this.ctx.db): Promise<{ token: string; csrfToken: string }> {
    const now = this.ctx.clock.now().getTime();
    const token = randomToken();
    const csrfToken = randomToken(24);
    await ex.insert(sessions).values({ tokenHash: sha256(token), userId, csrfToken, createdAt: new Date(now), expiresAt: new Date(now + this.ctx.config.sessionTtlMs) });
    return { token, csrfToken };
  }

  /** The server's key (`SECRET_KEY` or `DATA_DIR/secret.key`), read at the first sign-in. */
  private get secrets(): Secrets {
    this.secretsLoaded ??= Secrets.load(this.ctx.config);
    return this.secretsLoaded;
  }

  /** A device token: a random id and the server's MAC of it with the account (lower-cased email) it signed in to. */
  private newDeviceToken(account: string): string {
    const id = randomToken(16);
    return `${id}.${this.secrets.mac('sign-in device', `${account}\n${id}`)}`;
  }

  private isDeviceOf(account: string, token: string): boolean {
    const [id, mac, extra] = token.split('.');
    if (!id || !mac || extra !== undefined || token.length > 200) return false;
    const expected = Buffer.from(this.secrets.mac('sign-in device', `${account}\n${id}`));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Forgets an account's failed sign-ins, its own counter and every device's (not the clients' counters, which
   * limit an address whatever account it tries): a valid password reset link proves the owner, who must be able to
   * sign in with the new password at once rather than wait out a lockout an attacker's guesses caused.
   */
  async clearSignInFailures(email: string, ex: Executor): Promise<void> {
    const accountKey = accountAttemptsKey(email.trim().toLowerCase());
    await ex.delete(loginAttempts).where(or(eq(loginAttempts.keyHash, accountKey), sql`starts_with(${loginAttempts.keyHash}, ${`${accountKey}/`})`));
  }

  /** Adds an attempt to a key's window (a new window when the last one ended) and returns the attempts in it. */
  private async countAttempt(keyHash: string, now: number): Promise<number> {
    const expiresAt = new Date(now + this.ctx.config.loginWindowMs);
    const current = new Date(now);
    const [row] = await this.ctx.db
      .insert(loginAttempts)
      .values({ keyHash, attempts: 1, expiresAt })
      .onConflictDoUpdate({
        target: loginAttempts.keyHash,
        set: {
          attempts: sql`case when ${loginAttempts.expiresAt} <= ${current} then 1 else ${loginAttempts.attempts} + 1 end`,
          expiresAt: sql`case when ${loginAttempts.expiresAt} <= ${current} then excluded.expires_at else ${loginAttempts.expiresAt} end`,
        },
      })
      .returning({ attempts: loginAttempts.attempts });
    return (row as { attempts: number }).attempts;
  }

  /** Deletes ended windows, at most once a minute per process. */
  private async sweepAttempts(now: number): Promise<void> {
    if (now - this.lastAttemptSweep < 60_000 && now >= this.lastAttemptSweep) return;
    this.lastAttemptSweep = now;
    await this.ctx.db.delete(loginAttempts).where(lte(loginAttempts.expiresAt, new Date(now)));
  }

  async signOut(token: string): Promise<void> {
    await this.ctx.db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
    await this.actors.invalidate();
  }

  async resolveActor(credentials: { sessionToken?: string; bearer?: string }): Promise<Actor | null> {
    const secret = credentials.bearer ?? credentials.sessionToken;
    if (!secret) return null;
    const key = `${credentials.bearer ? 'b' : 's'}:${sha256(secret)}`;
    const now = this.ctx.clock.now();
    const hit = this.actors.get(key);
    if (hit && hit.expiresAt > now.getTime()) return hit.actor;
    const actor = await this.lookUpActor(credentials, now);
    if (actor) this.actors.set(key, actor);
    return actor?.actor ?? null;
  }

  private async lookUpActor(credentials: { sessionToken?: string; bearer?: string }, now: Date): Promise<{ actor: Actor; expiresAt: number } | null> {
    if (credentials.bearer) {
      const [row] = await this.ctx.db
        .select({ user: users, scopes: apiTokens.scopes, id: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(and(eq(apiTokens.tokenHash, sha256(credentials.bearer)), isNull(apiTokens.revokedAt), eq(users.active, true)));
      if (!row) throw new AppError('UNAUTHENTICATED', 'This API token is unknown or revoked');
      // "Last used" to the minute is enough, and saves a write on every request.
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
        await this.ctx.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
      }
      return { actor: await this.scoped(actorOf(row.user, 'token', row.scopes as Scope[], null)), expiresAt: Number.POSITIVE_INFINITY };
    }
    if (credentials.sessionToken) {
      const [row] = await this.ctx.db
        .select({ user: users, csrfToken: sessions.csrfToken, expiresAt: sessions.expiresAt })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.tokenHash, sha256(credentials.sessionToken)), gt(sessions.expiresAt, now), eq(users.active, true)));
      return row ? { actor: await this.scoped(actorOf(row.user, 'session', null, row.csrfToken)), expiresAt: row.expiresAt.getTime() } : null;
    }
    return null;
  }

  /**
   * The actor of a user acting through a channel (mail): the same access as their session would carry (their
   * `ticketAccess` and, when group-restricted, their groups), so a channel applies the API's ticket rules.
   */
  actorFor(user: User): Promise<Actor> {
    return this.scoped(actorOf(user, 'system', null, null));
  }

  /** A group-restricted agent's groups ride on the actor (cached with it), so ticket visibility needs no join. */
  private async scoped(actor: Actor): Promise<Actor> {
    if (actor.ticketAccess !== 'groups' || actor.role === 'admin' || actor.role === 'customer') return actor;
    return { ...actor, groupIds: await this.groupIdsOf(actor.userId) };
  }

  // ---- API tokens

  async createToken(actor: Actor, input: z.infer<typeof CreateTokenBody>): Promise<{ token: string; id: string; name: string; scopes: Scope[] }> {
    if (input.scopes.includes('admin') && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can create admin tokens');
    if (actor.scopes && !actor.scopes.includes('admin')) throw new AppError('INSUFFICIENT_SCOPE', 'A token cannot mint tokens');
    const token = `ll_${randomToken()}`;
    const [row] = await this.ctx.db
      .insert(apiTokens)
      .values({ userId: actor.userId, name: input.name, scopes: input.scopes, tokenHash: sha256(token), createdAt: this.ctx.clock.now() })
      .returning({ id: apiTokens.id });
    return { token, id: (row as { id: string }).id, name: input.name, scopes: input.scopes };
  }

  listTokens(actor: Actor) {
    return this.ctx.db
      .select({ id: apiTokens.id, name: apiTokens.name, scopes: apiTokens.scopes, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(actor.role === 'admin' ? undefined : eq(apiTokens.userId, actor.userId))
      .orderBy(asc(apiTokens.createdAt));
  }

  async revokeToken(actor: Actor, id: string): Promise<void> {
    const rows = await this.ctx.db
      .update(apiTokens)
      .set({ revokedAt: this.ctx.clock.now() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt), actor.role === 'admin' ? undefined : eq(apiTokens.userId, actor.userId)))
      .returning({ id: apiTokens.id });
    if (!rows.length) throw notFound('token', id);
    await this.actors.invalidate();
  }
}

// What an unknown or inactive account's password is checked against: the same argon2 work as a real one.
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomToken());
  return dummy;
}

function actorOf(user: User, via: Actor['via'], scopes: Scope[] | null, csrfToken: string | null): Actor {
  return { userId: user.id, role: user.role, organizationId: user.organizationId, email: user.email, name: user.name, via, scopes, csrfToken, ticketAccess: user.ticketAccess, organizationSupervisor: user.organizationSupervisor };
}

/** What the API shows of a user: never the password hash. */
/**
 * The person `id` as a one-row relation (id, name, email, organization_id) for another module's statement:
 * ticket creation reads its requester inside its one insert statement instead of a round trip before it.
 */
export function personRowSql(id: string): SQL {
  return sql`select id, name, email, organization_id from ${users} where id = ${id}::uuid`;
}

export function publicUser(u: User) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, organizationId: u.organizationId, organizationSupervisor: u.organizationSupervisor, ticketAccess: u.ticketAccess, active: u.active, createdAt: u.createdAt };
}

/** A users row as raw SQL returns it. */
function userFromRow(r: Record<string, unknown>): User {
  return {
    id: r.id as string,
    email: r.email as string,
    name: r.name as string,
    role: r.role as User['role'],
    passwordHash: (r.password_hash as string | null) ?? null,
    organizationId: (r.organization_id as string | null) ?? null,
    organizationSupervisor: r.organization_supervisor === true,
    ticketAccess: r.ticket_access === 'groups' ? 'groups' : 'all',
    active: r.active as boolean,
    createdAt: new Date(r.created_at as string | Date),
  };
}

/** The sign-in counter of an account (its lower-cased email); a device's counter is this key, '/', the device's hash. */
function accountAttemptsKey(account: string): string {
  return sha256(`account:${account}`);
}
