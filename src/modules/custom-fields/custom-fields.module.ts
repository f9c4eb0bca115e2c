import type { Ctx } from '../../platform/context.js';
import { defineModule } from '../module.js';
import { CustomFieldsService } from './custom-fields.service.js';

/** Custom ticket and user fields (their routes are part of the ticket settings). */
export function customFieldsModule(ctx: Ctx) {
  return defineModule({ name: 'custom-fields', services: { fields: new CustomFieldsService(ctx) } });
}
