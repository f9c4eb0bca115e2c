import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Secrets at rest (IMAP passwords, later Slack and GitHub tokens): AES-256-GCM under one key, from `SECRET_KEY`
 * (base64, 32 bytes) or, when unset, generated once into `DATA_DIR/secret.key` (mode 0600). Every sealed value names
 * the key that sealed it (`kid`, the first 8 bytes of the key's SHA-256, and a format version `v`), so a later key
 * rotation can hold old keys by id and re-seal; today one key is current and a value sealed under another is
 * refused with `SecretUnreadable` saying which key it needs.
 */
export type Sealed = { v: 1; kid: string; iv: string; tag: string; ct: string };

export const SECRET_KEY_FILE = 'secret.key';

export class SecretUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnreadable';
  }
}

export function isSealed(value: unknown): value is Sealed {
  const v = value as Partial<Sealed> | null;
  return typeof v === 'object' && v !== null && v.v === 1 && typeof v.kid === 'string' && typeof v.iv === 'string' && typeof v.tag === 'string' && typeof v.ct === 'string';
}

/** Parses a base64 key; anything but 32 bytes is a configuration error, said plainly. */
export function parseSecretKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) {
    throw new Error(`${where}: expected 32 bytes in base64 (e.g. the output of \`openssl rand -base64 32\`), got ${key.length} bytes`);
  }
  return key;
}

export class Secrets {
  readonly kid: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('A secret key is 32 bytes');
    this.kid = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /**
   * The process's key: `SECRET_KEY` when set; otherwise the data directory's key file, created on first use with
   * mode 0600 (exclusively, so two processes starting at once agree on one key). Several processes on a database
   * server must share one key: set `SECRET_KEY` for them rather than relying on each one's data directory.
   */
  static load(options: { secretKey?: string; dataDir: string }): Secrets {
    if (options.secretKey) return new Secrets(parseSecretKey(options.secretKey, 'SECRET_KEY'));
    const file = path.join(options.dataDir, SECRET_KEY_FILE);
    fs.mkdirSync(options.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return new Secrets(parseSecretKey(fs.readFileSync(file, 'utf8'), file));
  }

  /** An HMAC-SHA256 (base64url) of `data` under a key derived from this one for `purpose`, so no two uses share a key. */
  mac(purpose: string, data: string): string {
    const derived = createHmac('sha256', this.key).update(`lifeline mac: ${purpose}`).digest();
    return createHmac('sha256', derived).update(data).digest('base64url');
  }

  seal(value: unknown): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The key id and version are authenticated too: a value cannot be passed off as sealed under another key.
    cipher.setAAD(Buffer.from(`v1:${this.kid}`));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return { v: 1, kid: this.kid, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  }

  open<T = unknown>(sealed: unknown): T {
    if (!isSealed(sealed)) throw new SecretUnreadable('the stored secret is not in a format this version reads');
    if (sealed.kid !== this.kid) {
      throw new SecretUnreadable(`the secret was encrypted with key ${sealed.kid}, this process has key ${this.kid}: set SECRET_KEY to the key it was saved with, or enter the secret again`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(`v1:${sealed.kid}`));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      throw new SecretUnreadable('the stored secret does not decrypt with this key (altered or sealed under another key): enter the secret again');
    }
  }
}
