import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import type { CustomFieldsService } from '../custom-fields/custom-fields.service.js';
import { IdentitiesService } from './identities.service.js';
import { peopleRoutes } from './people.routes.js';
import { PeopleService } from './people.service.js';
import { SetupService } from './setup.service.js';

/** Users, organisations, groups, sessions and API tokens; the identities (email, Slack user, …) people are known by. */
export function peopleModule(ctx: Ctx, needs: { fields: CustomFieldsService }) {
  const people = new PeopleService(ctx, needs.fields);
  const identities = new IdentitiesService(ctx);
  const setup = new SetupService(ctx, people);
  return defineModule({ name: 'people', services: { people, identities, setup }, routes: (app) => peopleRoutes(app, ctx, people, identities) });
}
