import type { Ctx } from '../../platform/context.js';
import type { OutboundService } from '../email/outbound.service.js';
import { defineModule } from '../module.js';
import type { PeopleService } from '../people/people.service.js';
import { passwordResetRoutes } from './password-reset.routes.js';
import { PasswordResetService } from './password-reset.service.js';

/** Password reset by emailed link: "Forgot password?" on the sign-in page, and sent by an admin. */
export function passwordResetModule(ctx: Ctx, needs: { people: PeopleService; outbound: OutboundService }) {
  const passwordReset = new PasswordResetService(ctx, needs);
  return defineModule({ name: 'password-reset', services: { passwordReset }, routes: (app) => passwordResetRoutes(app, passwordReset) });
}
