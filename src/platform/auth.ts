import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

export const ROLES = ['admin', 'agent', 'light_agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['tickets:read', 'tickets:write', 'users:read', 'users:write', 'inbound:email', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Who may call a route. Every route declares one (a test walks the route table):
 * - public: anyone; signed_in: any user incl. customers; staff: light agents and up; agent: agents and admins.
 * Every route that is not public also says what an API token needs: a `scope` (reads a `*:read`, writes a
 * `*:write` or `admin`; a token with `admin` has them all), or `sessionOnly` (no token may call it). A route with
 * neither is refused at start-up.
 */
export type AccessLevel = 'public' | 'signed_in' | 'staff' | 'agent' | 'admin';
/** `ownCredentials`: a public route that checks a credential of its own (GET /metrics's METRICS_TOKEN): the caller is not resolved. */
export type Access = { level: AccessLevel; scope?: Scope; sessionOnly?: true; ownCredentials?: true };

export type Actor = {
  userId: string;
  role: Role;
  organizationId: string | null;
  email: string;
  name: string;
  via: 'session' | 'token' | 'system';
  /** A token's scopes; null for a signed-in person, who has everything their role allows. */
  scopes: Scope[] | null;
  csrfToken: string | null;
  /**
   * Which tickets a light agent or agent sees: all (the default, also when absent), or only their groups'
   * (plus those assigned to them or followed by them). Admins and customers ignore it.
   */
  ticketAccess?: 'all' | 'groups';
  /** A customer their organisation marks as supervisor: sees every ticket of the organisation. */
  organizationSupervisor?: boolean;
  /** The groups they belong to, resolved with the actor when `ticketAccess` is 'groups'. */
  groupIds?: readonly string[];
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const SESSION_COOKIE = 'lifeline_session';

/** Lifeline itself, for lookups a channel makes on no one's behalf (threading an email onto its ticket). */
export const SYSTEM_ACTOR: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  role: 'admin',
  organizationId: null,
  email: 'system@lifeline.invalid',
  name: 'Lifeline',
  via: 'system',
  scopes: null,
  csrfToken: null,
};

export function isStaff(actor: Actor): boolean {
  return actor.role !== 'customer';
}
export function isAgent(actor: Actor): boolean {
  return actor.role === 'agent' || actor.role === 'admin';
}

const RANK: Record<Role, number> = { customer: 0, light_agent: 1, agent: 2, admin: 3 };
const NEEDED: Record<Exclude<AccessLevel, 'public'>, number> = { signed_in: 0, staff: 1, agent: 2, admin: 3 };

export type ResolveActor = (credentials: { sessionToken?: string; bearer?: string }) => Promise<Actor | null>;

export type RouteEntry = { method: string; url: string; access: Access | undefined };

/**
 * Resolves the caller on every request and enforces the route's declared access, CSRF and token scopes.
 * Returns the route table as routes register, so a test can walk it; an API route with no access is refused.
 */
export function installAccessControl(app: FastifyInstance, resolveActor: ResolveActor): RouteEntry[] {
  const table: RouteEntry[] = [];
  app.decorateRequest('actor', null);
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const access = route.config?.access;
    table.push({ method: String(route.method), url, access });
    if (url.startsWith('/api/') && !access && !url.startsWith('/api/docs')) {
      throw new Error(`route ${route.method} ${url} declares no access`);
    }
    if (access && access.level !== 'public' && !access.scope && !access.sessionOnly) {
      throw new Error(`route ${route.method} ${url} declares no token scope (give it a scope, or sessionOnly: true)`);
    }
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access || access.ownCredentials) return;
    req.actor = await resolveActor(credentialsOf(req));
    if (access.level === 'public') return;
    const actor = req.actor;
    if (!actor) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API token to use this endpoint');
    if (RANK[actor.role] < NEEDED[access.level]) throw new AppError('FORBIDDEN', `This needs the ${access.level} role`);
    if (actor.via === 'token') {
      if (access.sessionOnly) throw new AppError('INSUFFICIENT_SCOPE', 'Only a signed-in session can use this endpoint, not an API token');
      const scopes = actor.scopes ?? [];
      if (!scopes.includes('admin') && !(access.scope && scopes.includes(access.scope))) {
        throw new AppError('INSUFFICIENT_SCOPE', `This token lacks the ${access.scope ?? 'admin'} scope`);
      }
    }
    if (actor.via === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      if (req.headers['x-csrf-token'] !== actor.csrfToken) {
        throw new AppError('CSRF_TOKEN_INVALID', 'Send the X-CSRF-Token header you got when signing in');
      }
    }
  });
  return table;
}

export function credentialsOf(req: FastifyRequest): { sessionToken?: string; bearer?: string } {
  const header = req.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return { bearer: header.slice(7).trim() };
  const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  return cookie ? { sessionToken: cookie } : {};
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API token to use this endpoint');
  return req.actor;
}
