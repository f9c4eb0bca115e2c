import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { emailRaw } from './email.schema.js';

/** A stored message's source, by its content hash (inbound and outbound alike); see `emailRaw`. */
export async function readRaw(ex: Executor, hash: string): Promise<Buffer> {
  const [row] = await ex.select({ data: emailRaw.data }).from(emailRaw).where(eq(emailRaw.sha256, hash));
  if (!row) throw new Error(`raw message ${hash} is missing`);
  return Buffer.from(row.data);
}
