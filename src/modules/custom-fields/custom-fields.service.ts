import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import type { Cached } from '../../platform/cache.js';
import type { Ctx } from '../../platform/context.js';
import { AppError, type FieldError, isUniqueViolation } from '../../platform/errors.js';
import { CUSTOM_FIELD_KINDS, type CustomFieldEntity, type CustomFieldKind, customFields } from './custom-fields.schema.js';

// The kinds are part of this module's public surface (ticket settings' routes list them).
export { CUSTOM_FIELD_KINDS, type CustomFieldKind };

export type CustomField = typeof customFields.$inferSelect;

export const DefineCustomField = z.object({
  entity: z.enum(['ticket', 'organization']),
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'use lower-case letters, digits and _ (starting with a letter)'),
  label: z.string().trim().min(1).max(200),
  kind: z.enum(['text', 'long_text', 'number', 'date', 'dropdown', 'multi_select', 'checkbox']),
  options: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
  requiredOnSolve: z.boolean().default(false),
  position: z.number().int().default(0),
});
export type DefineCustomField = z.infer<typeof DefineCustomField>;

export const UpdateCustomField = z.object({
  label: z.string().trim().min(1).max(200).optional(),
  options: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
  requiredOnSolve: z.boolean().optional(),
  position: z.number().int().optional(),
  active: z.boolean().optional(),
});

export class CustomFieldsService {
  private readonly defs: Cached<CustomField[]>;

  constructor(private readonly ctx: Ctx) {
    this.defs = ctx.cache.cached('custom_fields', (ex) => ex.select().from(customFields).orderBy(asc(customFields.position), asc(customFields.key)));
  }

  async define(input: DefineCustomField): Promise<CustomField> {
    if ((input.kind === 'dropdown' || input.kind === 'multi_select') && input.options.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'A dropdown or multi-select field needs options', {
        fields: [{ path: 'body.options', message: 'give at least one option' }],
      });
    }
    try {
      const [row] = await this.ctx.db.insert(customFields).values(input).returning();
      await this.defs.invalidate();
      return row as CustomField;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', `A ${input.entity} field with key ${input.key} exists`);
      throw err;
    }
  }

  async update(id: string, patch: z.infer<typeof UpdateCustomField>): Promise<CustomField> {
    const [row] = await this.ctx.db.update(customFields).set(patch).where(eq(customFields.id, id)).returning();
    if (!row) throw new AppError('NOT_FOUND', `No custom field with id ${id}`);
    await this.defs.invalidate();
    return row;
  }

  async list(entity?: CustomFieldEntity, ex?: Executor): Promise<CustomField[]> {
    const all = await this.defs.get(ex);
    return entity ? all.filter((d) => d.entity === entity) : all;
  }

  /**
   * Checks values against the field definitions and returns them normalised. `null` clears a value. Unknown or
   * inactive keys and wrongly typed values are rejected, each with its own message.
   */
  async validate(entity: CustomFieldEntity, values: Record<string, unknown>, ex?: Executor): Promise<Record<string, unknown>> {
    if (Object.keys(values).length === 0) return {};
    const defs = new Map((await this.list(entity, ex)).filter((d) => d.active).map((d) => [d.key, d]));
    const errors: FieldError[] = [];
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const def = defs.get(key);
      const path = `body.customFields.${key}`;
      if (!def) {
        errors.push({ path, message: `no ${entity} field with key ${key}` });
        continue;
      }
      if (value === null) {
        out[key] = null;
        continue;
      }
      const problem = checkValue(def.kind, def.options, value);
      if (problem) errors.push({ path, message: problem });
      else out[key] = def.kind === 'date' ? String(value).slice(0, 10) : value;
    }
    if (errors.length) throw new AppError('INVALID_FIELD_VALUE', 'Some custom field values are invalid', { fields: errors });
    return out;
  }

  /** Keys of fields required on solve that have no value. */
  async missingOnSolve(values: Record<string, unknown>, ex?: Executor): Promise<string[]> {
    const defs = (await this.list('ticket', ex)).filter((d) => d.requiredOnSolve && d.active);
    return defs.map((d) => d.key).filter((k) => isEmpty(values[k]));
  }
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function checkValue(kind: CustomFieldKind, options: string[], value: unknown): string | null {
  switch (kind) {
    case 'text':
      return typeof value === 'string' && value.length <= 1000 ? null : 'expected text of at most 1000 characters';
    case 'long_text':
      return typeof value === 'string' && value.length <= 65_535 ? null : 'expected text of at most 65535 characters';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : 'expected a date as YYYY-MM-DD';
    case 'checkbox':
      return typeof value === 'boolean' ? null : 'expected true or false';
    case 'dropdown':
      return typeof value === 'string' && options.includes(value) ? null : `expected one of: ${options.join(', ')}`;
    case 'multi_select':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && options.includes(v))
        ? null
        : `expected a list drawn from: ${options.join(', ')}`;
    default:
      return kind satisfies never;
  }
}
