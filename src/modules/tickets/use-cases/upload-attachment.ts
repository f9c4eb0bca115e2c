import type { Actor } from '../../../platform/auth.js';
import { attachments } from '../tickets.schema.js';
import type { TicketDeps } from './command.js';

export type AttachmentRow = typeof attachments.$inferSelect;

/** Stores an upload (content-addressed) as the actor's, not yet attached file; a message claims it later. */
export async function uploadAttachment(d: TicketDeps, actor: Actor, file: { filename: string; contentType: string; data: Buffer }): Promise<AttachmentRow> {
  const hash = await d.ctx.files.put(file.data);
  const [row] = await d.ctx.db
    .insert(attachments)
    .values({
      sha256: hash,
      filename: safeFilename(file.filename),
      contentType: file.contentType.toLowerCase().split(';')[0]?.trim() || 'application/octet-stream',
      size: file.data.length,
      uploadedBy: actor.userId,
      createdAt: d.ctx.clock.now(),
    })
    .returning();
  return row as AttachmentRow;
}

/** A display name only: no path, no control characters, bounded length. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return clean || 'attachment';
}
