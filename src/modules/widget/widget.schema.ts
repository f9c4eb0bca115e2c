import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Widget report counts per site and per visitor in fixed windows (widget.service.ts `limit`), in the database so
 * every process shares the limit. A site itself is a channel connection of kind `widget` (channels.schema.ts).
 */
export const widgetRateLimits = pgTable('widget_rate_limits', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
