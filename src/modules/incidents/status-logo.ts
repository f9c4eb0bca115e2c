import { eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/context.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { statusPageLogo } from './incidents.schema.js';

/** Largest logo accepted: it is held in every process's memory with the status page's rendering. */
export const LOGO_MAX_BYTES = 256 * 1024;

/** The raster formats a logo may be, told by their first bytes (the declared type must agree). SVG never: it can carry script. */
const FORMATS: { type: string; magic: (b: Buffer) => boolean }[] = [
  { type: 'image/png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', magic: (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a' },
  { type: 'image/webp', magic: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

export type Logo = { contentType: string; data: Buffer; sha256: string };

/** The status page's logo: set (checked: a raster image, its bytes what it says, small), removed, read. */
export class StatusLogo {
  private readonly changed: (() => Promise<void>)[] = [];
  constructor(private readonly ctx: Ctx) {}

  onChange(fn: () => Promise<void>): void {
    this.changed.push(fn);
  }

  async get(): Promise<Logo | null> {
    const [row] = await this.ctx.db.select().from(statusPageLogo).where(eq(statusPageLogo.id, 1));
    return row ? { contentType: row.contentType, data: row.data, sha256: row.sha256 } : null;
  }

  async set(contentType: string | undefined, data: Buffer | undefined): Promise<{ contentType: string; size: number; sha256: string }> {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const format = FORMATS.find((f) => f.type === type);
    if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `A logo is a PNG, JPEG, GIF or WebP image (${type || 'no type'} was sent)`);
    if (!data?.length) throw new AppError('VALIDATION_FAILED', 'The logo is empty; send the image bytes as the request body');
    if (data.length > LOGO_MAX_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `A logo is at most ${LOGO_MAX_BYTES / 1024} KB (this one is ${Math.ceil(data.length / 1024)} KB)`);
    if (!format.magic(data)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The file is not a ${type.slice(6).toUpperCase()} image`);
    const row = { id: 1, contentType: type, data, sha256: sha256(data), updatedAt: this.ctx.clock.now() };
    await this.ctx.db.insert(statusPageLogo).values(row).onConflictDoUpdate({ target: statusPageLogo.id, set: row });
    for (const fn of this.changed) await fn();
    return { contentType: type, size: data.length, sha256: row.sha256 };
  }

  async remove(): Promise<void> {
    await this.ctx.db.delete(statusPageLogo).where(eq(statusPageLogo.id, 1));
    for (const fn of this.changed) await fn();
  }
}
