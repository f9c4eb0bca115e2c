import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomToken, sha256 } from './crypto.js';

/**
 * Content-addressed file storage under the data dir: a file is named by its sha256, so the same upload twice is
 * stored once and a name can never be chosen by a client (no path tricks, nothing executable by name).
 */
export class FileStorage {
  private readonly madeDirs = new Set<string>();

  constructor(private readonly root: string) {}

  private pathOf(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('invalid content hash');
    return path.join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  async put(data: Buffer): Promise<string> {
    const hash = sha256(data);
    const target = this.pathOf(hash);
    // No existence check: the same hash is the same bytes, so writing it again is harmless, and every file
    // operation is a trip to the thread pool. Folders are made once per process.
    const dir = path.dirname(target);
    if (!this.madeDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    // Write, flush to disk, then rename: a crash never leaves a half file under a valid name, and a caller that
    // records the hash after put() returns (an accepted email) can rely on the bytes surviving a power cut.
    const tmp = `${target}.${randomToken(6)}.tmp`;
    const handle = await fs.open(tmp, 'w').catch(async (err: NodeJS.ErrnoException) => {
      // The folder was removed behind our back (an operator cleaning up): make it again, once.
      if (err.code !== 'ENOENT') throw err;
      await fs.mkdir(dir, { recursive: true });
      return fs.open(tmp, 'w');
    });
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
    return hash;
  }

  read(hash: string): NodeJS.ReadableStream {
    return createReadStream(this.pathOf(hash));
  }

  async readAll(hash: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(hash));
  }
}
