import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES, requireActor, SESSION_COOKIE } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import type { IdentitiesService } from './identities.service.js';
import {
  CreateTokenBody,
  CreateUserBody,
  GroupBody,
  OrganizationBody,
  type PeopleService,
  publicUser,
  UpdateGroupBody,
  UpdateOrganizationBody,
  UpdateUserBody,
} from './people.service.js';
import { CustomerOrganizationView, GroupView, MeView, OrganizationView, SignInResult, UserView } from './people.responses.js';

/** The sign-in device token's cookie: sent only to the sign-in route. */
export const DEVICE_COOKIE = 'lifeline_device';

const IdParams = z.object({ id: z.uuid() });
const SignInBody = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(512) });

export function peopleRoutes(app: FastifyInstance, ctx: Ctx, people: PeopleService, identities: IdentitiesService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['people'];

  r.post('/api/v1/session', { config: { access: { level: 'public' } }, schema: { tags, body: SignInBody, response: { 200: SignInResult } } }, async (req, reply) => {
    const { token, csrfToken, user, deviceToken } = await people.signIn(req.body.email, req.body.password, req.ip, req.cookies[DEVICE_COOKIE]);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.config.cookieSecure,
      path: '/',
      maxAge: Math.floor(ctx.config.sessionTtlMs / 1000),
    });
    // Lets this browser in while its account is locked by failures from elsewhere (see PeopleService.signIn).
    reply.setCookie(DEVICE_COOKIE, deviceToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.config.cookieSecure,
      path: '/api/v1/session',
      maxAge: 180 * 24 * 3600,
    });
    return { user: publicUser(user), csrfToken };
  });

  r.delete('/api/v1/session', { config: { access: { level: 'signed_in', sessionOnly: true } }, schema: { tags } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await people.signOut(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  r.get('/api/v1/me', { config: { access: { level: 'signed_in', scope: 'users:read' } }, schema: { tags, response: { 200: MeView } } }, async (req) => {
    const actor = requireActor(req);
    const user = await people.getUser(actor.userId);
    return { ...publicUser(user), groupIds: await people.groupIdsOf(user.id), via: actor.via, scopes: actor.scopes, csrfToken: actor.csrfToken };
  });

  // ---- users
  const ListUsersQuery = z.object({
    role: z.enum(ROLES).optional(),
    organizationId: z.uuid().optional(),
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  });
  r.get('/api/v1/users', { config: { access: { level: 'staff', scope: 'users:read' } }, schema: { tags, querystring: ListUsersQuery, response: { 200: z.object({ items: z.array(UserView) }) } } }, async (req) => ({
    items: (await people.listUsers(req.query)).map(publicUser),
  }));
  r.get('/api/v1/users/:id', { config: { access: { level: 'staff', scope: 'users:read' } }, schema: { tags, params: IdParams, response: { 200: UserView } } }, async (req) =>
    publicUser(await people.getUser(req.params.id)),
  );
  r.post('/api/v1/users', { config: { access: { level: 'agent', scope: 'users:write' } }, schema: { tags, body: CreateUserBody, response: { 201: UserView } } }, async (req, reply) => {
    const actor = requireActor(req);
    // Agents add requesters (a phone caller, say); only admins create staff.
    if (actor.role !== 'admin' && req.body.role !== 'customer') throw new AppError('FORBIDDEN', 'Only admins can create staff users');
    return reply.status(201).send(publicUser(await people.createUser(req.body)));
  });
  r.patch('/api/v1/users/:id', { config: { access: { level: 'admin', scope: 'users:write' } }, schema: { tags, params: IdParams, body: UpdateUserBody, response: { 200: UserView } } }, async (req) =>
    publicUser(await people.updateUser(req.params.id, req.body)),
  );
  // An admin forgets one of a person's identities (an old address kept after an email change, say).
  r.delete(
    '/api/v1/users/:id/identities/:identityId',
    { config: { access: { level: 'admin', scope: 'admin' } }, schema: { tags, params: z.object({ id: z.uuid(), identityId: z.uuid() }) } },
    async (req, reply) => {
      await identities.remove(req.params.id, req.params.identityId);
      return reply.status(204).send();
    },
  );

  // ---- organisations
  r.get('/api/v1/organizations', { config: { access: { level: 'staff', scope: 'users:read' } }, schema: { tags, response: { 200: z.object({ items: z.array(OrganizationView) }) } } }, async () => ({
    items: await people.listOrganizations(),
  }));
  r.get(
    '/api/v1/organizations/:id',
    { config: { access: { level: 'signed_in', scope: 'users:read' } }, schema: { tags, params: IdParams, response: { 200: z.union([OrganizationView, CustomerOrganizationView]) } } },
    async (req) => {
      const actor = requireActor(req);
      if (actor.role !== 'customer') return people.getOrganization(req.params.id);
      // A customer may see their own organisation's card, never another's, and none of its internal fields
      // (notes, domains, custom fields are the staff's).
      if (actor.organizationId !== req.params.id) throw new AppError('ORGANIZATION_NOT_FOUND', `No organization with id ${req.params.id}`);
      const org = await people.getOrganization(req.params.id);
      return { id: org.id, name: org.name, sharedTickets: org.sharedTickets };
    },
  );
  r.post('/api/v1/organizations', { config: { access: { level: 'admin', scope: 'users:write' } }, schema: { tags, body: OrganizationBody, response: { 201: OrganizationView } } }, async (req, reply) =>
    reply.status(201).send(await people.createOrganization(req.body)),
  );
  r.patch(
    '/api/v1/organizations/:id',
    { config: { access: { level: 'admin', scope: 'users:write' } }, schema: { tags, params: IdParams, body: UpdateOrganizationBody, response: { 200: OrganizationView } } },
    async (req) => people.updateOrganization(req.params.id, req.body),
  );

  // ---- groups
  r.get('/api/v1/groups', { config: { access: { level: 'staff', scope: 'users:read' } }, schema: { tags, response: { 200: z.object({ items: z.array(GroupView) }) } } }, async () => ({ items: await people.listGroups() }));
  r.get('/api/v1/groups/:id', { config: { access: { level: 'staff', scope: 'users:read' } }, schema: { tags, params: IdParams, response: { 200: GroupView } } }, async (req) => ({
    ...(await people.getGroup(req.params.id)),
    memberIds: await people.memberIds(req.params.id),
  }));
  r.post('/api/v1/groups', { config: { access: { level: 'admin', scope: 'users:write' } }, schema: { tags, body: GroupBody, response: { 201: GroupView } } }, async (req, reply) =>
    reply.status(201).send(await people.createGroup(req.body)),
  );
  r.patch('/api/v1/groups/:id', { config: { access: { level: 'admin', scope: 'users:write' } }, schema: { tags, params: IdParams, body: UpdateGroupBody, response: { 200: GroupView } } }, async (req) =>
    people.updateGroup(req.params.id, req.body),
  );

  // ---- API tokens
  r.post('/api/v1/tokens', { config: { access: { level: 'agent', scope: 'admin' } }, schema: { tags, body: CreateTokenBody } }, async (req, reply) =>
    reply.status(201).send(await people.createToken(requireActor(req), req.body)),
  );
  r.get('/api/v1/tokens', { config: { access: { level: 'agent', scope: 'admin' } }, schema: { tags } }, async (req) => ({ items: await people.listTokens(requireActor(req)) }));
  r.delete('/api/v1/tokens/:id', { config: { access: { level: 'agent', scope: 'admin' } }, schema: { tags, params: IdParams } }, async (req, reply) => {
    await people.revokeToken(requireActor(req), req.params.id);
    return reply.status(204).send();
  });
}
