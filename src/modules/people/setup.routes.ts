import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../platform/auth.js';
import type { Ctx } from '../../platform/context.js';
import { SignInResult } from './people.responses.js';
import { type PeopleService, publicUser } from './people.service.js';
import { SetupBody, type SetupService } from './setup.service.js';

const SetupStatus = z.object({ needed: z.boolean() });

/**
 * The one-time setup the app offers at `/` while no admin exists. `loadDemo` is the same code as
 * `lifeline seed --demo`, handed in by app.ts (a module never imports the CLI).
 */
export function setupRoutes(app: FastifyInstance, ctx: Ctx, people: PeopleService, setup: SetupService, loadDemo: (staffPassword: string) => Promise<unknown>): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['setup'];

  r.get('/api/v1/setup', { config: { access: { level: 'public' } }, schema: { tags, response: { 200: SetupStatus } } }, async () => ({ needed: await setup.needed() }));

  r.post('/api/v1/setup', { config: { access: { level: 'public' } }, schema: { tags, body: SetupBody, response: { 200: SignInResult } } }, async (req, reply) => {
    await setup.complete(req.body, req.ip);
    // The demo's staff get the password the new admin just chose: the documented demo password would be a
    // known admin login on a desk set up from the internet.
    if (req.body.demo) await loadDemo(req.body.password);
    // The new admin is signed in at once, like after POST /api/v1/session.
    const { token, csrfToken, user } = await people.signIn(req.body.email, req.body.password, req.ip);
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, path: '/', maxAge: Math.floor(ctx.config.sessionTtlMs / 1000) });
    return { user: publicUser(user), csrfToken };
  });
}
