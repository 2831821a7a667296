import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { validateKey, type ObjectStore, type PutOptions, type RangeOptions, type StoredObject } from './object-store.js';

/**
 * Local-directory adapter with the S3 adapter's semantics: writes are atomic (temp file + rename),
 * ETags are content hashes, and conditional puts are serialized by a per-key lock file so that
 * exactly one of two racing writers wins.
 */
export class LocalObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly root: string;

  constructor(directory: string) {
    this.root = path.resolve(directory);
    this.uri = `file://${this.root}`;
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...validateKey(key).split('/'));
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    options.signal?.throwIfAborted();
    try {
      const body = new Uint8Array(await fs.readFile(this.pathOf(key)));
      return { body, etag: etagOf(body) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<{ bytes: number; etag: string } | undefined> {
    options.signal?.throwIfAborted();
    try {
      // The ETag is the content's MD5, as get() reports it; hashed in a stream so memory stays flat.
      const hash = createHash('md5');
      let bytes = 0;
      for await (const chunk of createReadStream(this.pathOf(key), { signal: options.signal })) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).byteLength;
      }
      return { bytes, etag: `"${hash.digest('hex')}"` };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Bytes [start, end). `ifMatch` is not re-checked per range here (it would mean hashing the whole file);
   * objects are replaced only by atomic rename, and shards are written create-only under unique keys.
   */
  async getRange(key: string, start: number, end: number, options: RangeOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted();
    const handle = await fs.open(this.pathOf(key), 'r');
    try {
      const out = new Uint8Array(Math.max(0, end - start));
      const { bytesRead } = await handle.read(out, 0, out.byteLength, start);
      if (bytesRead !== out.byteLength) throw new Error(`range ${start}-${end} of ${key} is past the end of the object`);
      return out;
    } finally {
      await handle.close();
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    // Large bodies are written to the temp file in one go (the local analogue of multipart parts);
    // nothing is visible under the key until the rename or link, so an abort leaves nothing behind.
    try {
      await fs.writeFile(temp, bytes, { signal: options.signal });
      options.signal?.throwIfAborted();
      if (options.ifNoneMatch === '*') {
        // link() fails if the target exists: an atomic create-only.
        try {
          await fs.link(temp, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw preconditionFailed(this.uri, key);
          throw error;
        }
      } else if (options.ifMatch !== undefined) {
        await this.withLock(target, async () => {
          const current = await this.get(key);
          if (!current || current.etag !== options.ifMatch) throw preconditionFailed(this.uri, key);
          await fs.rename(temp, target);
        });
      } else {
        await fs.rename(temp, target);
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
    return { etag: etagOf(bytes) };
  }

  async list(prefix: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    options.signal?.throwIfAborted();
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.endsWith('.tmp') && !entry.name.endsWith('.lock')) {
          const key = path.relative(this.root, full).split(path.sep).join('/');
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(this.root);
    return keys.sort();
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    await fs.rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    await fs.access(this.root, fs.constants.W_OK).catch((error: unknown) => {
      throw new WarmstartError('STORE_ACCESS_DENIED', `store directory ${this.root} is not writable; fix WARMSTART_STORE or the directory's permissions`, this.root, { cause: error });
    });
  }

  private async withLock<T>(target: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${target}.lock`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const handle = await fs.open(lock, 'wx');
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

function etagOf(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function preconditionFailed(uri: string, key: string): WarmstartError {
  return new WarmstartError('STORE_PRECONDITION_FAILED', `conditional write to ${uri}/${key} lost: the object changed since it was read`, key);
}
