import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const CUSTOM_FIELD_KINDS = ['text', 'long_text', 'number', 'date', 'dropdown', 'multi_select', 'checkbox'] as const;
export type CustomFieldKind = (typeof CUSTOM_FIELD_KINDS)[number];
export const CUSTOM_FIELD_ENTITIES = ['ticket', 'organization'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];

/** Admin-defined fields on tickets and organisations; values live in each row's `custom_fields` jsonb. */
export const customFields = pgTable(
  'custom_fields',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    entity: text('entity').$type<CustomFieldEntity>().notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    kind: text('kind').$type<CustomFieldKind>().notNull(),
    options: text('options').array().notNull().default(sql`'{}'::text[]`),
    requiredOnSolve: boolean('required_on_solve').notNull().default(false),
    position: integer('position').notNull().default(0),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('custom_fields_entity_key_uq').on(t.entity, t.key)],
);

