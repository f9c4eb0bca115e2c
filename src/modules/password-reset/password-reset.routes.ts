import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../platform/auth.js';
import { ForgotBody, type PasswordResetService, RESET_TTL_MS, ResetBody, ResetTokenBody } from './password-reset.service.js';

const Message = z.object({ message: z.string() });

export function passwordResetRoutes(app: FastifyInstance, resets: PasswordResetService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['people'];
  const minutes = RESET_TTL_MS / 60_000;

  r.post(
    '/api/v1/password-reset/request',
    {
      config: { access: { level: 'public' } },
      schema: { tags, body: ForgotBody, response: { 202: Message }, description: 'Forgot password: the same answer whether the address has an account or not.' },
    },
    async (req, reply) => {
      await resets.request(req.body.email, req.ip);
      return reply.status(202).send({ message: `If this address has an account, a link to set a new password is on its way. It works once, for ${minutes} minutes.` });
    },
  );
  r.post(
    '/api/v1/password-reset/check',
    { config: { access: { level: 'public' } }, schema: { tags, body: ResetTokenBody, response: { 200: z.object({ email: z.string() }) }, description: "Whose password a link sets (masked), without using it." } },
    async (req) => resets.check(req.body.token),
  );
  r.post('/api/v1/password-reset', { config: { access: { level: 'public' } }, schema: { tags, body: ResetBody } }, async (req, reply) => {
    await resets.reset(req.body.token, req.body.password);
    return reply.status(204).send();
  });
  r.post(
    '/api/v1/users/:id/password-reset',
    { config: { access: { level: 'admin', scope: 'admin' } }, schema: { tags, params: z.object({ id: z.uuid() }), response: { 202: Message } } },
    async (req, reply) => {
      const { email } = await resets.send(requireActor(req), req.params.id);
      return reply.status(202).send({ message: `A password reset link is on its way to ${email}. It works once, for ${minutes} minutes.` });
    },
  );
}
