import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { withFileLock, type LockOptions } from './file-lock.js';
import { validateKey, type ObjectStore, type PutOptions, type RangeOptions, type StoredObject } from './object-store.js';

/**
 * Local-directory adapter with the S3 adapter's semantics: writes are atomic (temp file + rename),
 * ETags are content hashes, and conditional puts are serialized by a per-key lock file so that
 * exactly one of two racing writers wins.
 */
export class LocalObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly root: string;
  /** ETags of file versions this store has hashed, so a pinned range read need not hash again. */
  private readonly etags = new KnownEtags();

  constructor(
    directory: string,
    private readonly lock: LockOptions = {},
  ) {
    this.root = path.resolve(directory);
    this.uri = `file://${this.root}`;
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...validateKey(key).split('/'));
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    return guard(this.uri, key, async () => {
      options.signal?.throwIfAborted();
      try {
        const file = this.pathOf(key);
        const handle = await fs.open(file, 'r');
        try {
          const before = await identityOf(handle);
          const body = new Uint8Array(await handle.readFile());
          const etag = etagOf(body);
          this.etags.remember(file, before, await identityOf(handle), etag);
          return { body, etag };
        } finally {
          await handle.close();
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    });
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<{ bytes: number; etag: string } | undefined> {
    return guard(this.uri, key, async () => {
      options.signal?.throwIfAborted();
      try {
        const file = this.pathOf(key);
        const handle = await fs.open(file, 'r');
        try {
          const identity = await identityOf(handle);
          return { bytes: Number(identity.size), etag: await this.etagOfOpen(file, handle, identity, options.signal) };
        } finally {
          await handle.close();
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    });
  }

  /**
   * Bytes [start, end). With `ifMatch`, only from the version of the object that has that ETag, as S3's
   * If-Match: the file opened is identified (device, inode, size, mtime) and that identity's ETag comes
   * from what this store already hashed (get, head, an earlier range), or from hashing it once now. A
   * file replaced (a new inode) or rewritten in place (a new mtime or size) between two ranges, or while
   * one is read, is STORE_PRECONDITION_FAILED.
   */
  async getRange(key: string, start: number, end: number, options: RangeOptions = {}): Promise<Uint8Array> {
    return guard(this.uri, key, async () => {
      options.signal?.throwIfAborted();
      const file = this.pathOf(key);
      const handle = await fs.open(file, 'r');
      try {
        const identity = await identityOf(handle);
        if (options.ifMatch !== undefined && (await this.etagOfOpen(file, handle, identity, options.signal)) !== options.ifMatch) throw changedSinceRead(this.uri, key, options.ifMatch);
        const out = new Uint8Array(Math.max(0, end - start));
        const { bytesRead } = await handle.read(out, 0, out.byteLength, start);
        if (bytesRead !== out.byteLength) throw new Error(`range ${start}-${end} of ${key} is past the end of the object`);
        if (options.ifMatch !== undefined && !sameIdentity(identity, await identityOf(handle))) throw changedSinceRead(this.uri, key, options.ifMatch);
        return out;
      } finally {
        await handle.close();
      }
    });
  }

  /** The ETag (content MD5) of an open file: remembered for its identity, else hashed in chunks (flat memory). */
  private async etagOfOpen(file: string, handle: fs.FileHandle, identity: FileIdentity, signal?: AbortSignal): Promise<string> {
    const known = this.etags.lookup(file, identity);
    if (known !== undefined) return known;
    const hash = createHash('md5');
    const chunk = new Uint8Array(Math.min(HASH_CHUNK, Math.max(1, Number(identity.size))));
    for (let position = 0; ; ) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, position);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
    const etag = `"${hash.digest('hex')}"`;
    this.etags.remember(file, identity, await identityOf(handle), etag);
    return etag;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    return guard(this.uri, key, async () => {
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
          await withFileLock(`${target}.lock`, async () => {
            const current = await this.get(key);
            if (!current || current.etag !== options.ifMatch) throw preconditionFailed(this.uri, key);
            await fs.rename(temp, target);
          }, this.lock);
        } else {
          await fs.rename(temp, target);
        }
      } finally {
        await fs.rm(temp, { force: true });
      }
      return { etag: etagOf(bytes) };
    });
  }

  async list(prefix: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    return guard(this.uri, prefix, async () => {
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
          else if (!entry.name.endsWith('.tmp') && !entry.name.endsWith('.lock') && !entry.name.endsWith('.stale')) {
            const key = path.relative(this.root, full).split(path.sep).join('/');
            if (key.startsWith(prefix)) keys.push(key);
          }
        }
      };
      // From the prefix's deepest directory, not the root: a listing reads only its own part of the tree.
      await walk(path.join(this.root, ...prefix.split('/').slice(0, -1).filter(Boolean)));
      return keys.sort();
    });
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    return guard(this.uri, key, async () => {
      options.signal?.throwIfAborted();
      await fs.rm(this.pathOf(key), { force: true });
    });
  }

  async check(): Promise<void> {
    await makeDirectory(this.root).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new WarmstartError('CONFIG_INVALID', `store directory ${this.root} cannot be created (${code}: ${code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : 'check the path'}); point WARMSTART_STORE (or --store) at a directory`, this.root, { cause: error });
    });
    const stat = await fs.stat(this.root);
    if (!stat.isDirectory()) throw new WarmstartError('CONFIG_INVALID', `store ${this.root} is not a directory; point WARMSTART_STORE (or --store) at a directory`, this.root);
    await fs.access(this.root, fs.constants.W_OK).catch((error: unknown) => {
      throw new WarmstartError('STORE_ACCESS_DENIED', `store directory ${this.root} is not writable; fix WARMSTART_STORE or the directory's permissions`, this.root, { cause: error });
    });
  }

}

/** mkdir -p one level at a time: Node's recursive mkdir never returns for a path under /proc. */
async function makeDirectory(dir: string): Promise<void> {
  const attempt = () =>
    fs.mkdir(dir).then(
      () => 'made' as const,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return 'made' as const; // a file there is refused by the caller's stat
        if (error.code === 'ENOENT' && path.dirname(dir) !== dir) return 'no-parent' as const;
        throw error;
      },
    );
  if ((await attempt()) === 'made') return;
  await makeDirectory(path.dirname(dir));
  if ((await attempt()) !== 'made') throw Object.assign(new Error(`cannot create ${dir}`), { code: 'ENOENT' });
}

const EXPLAINED: Record<string, string> = {
  ENAMETOOLONG: 'a name is too long for the file system; use shorter names',
  EISDIR: 'a directory is where an object should be',
  ENOTDIR: 'a file is where a directory should be',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
};

/** Runs a store operation; file-system errors become one-line WarmstartErrors naming the key. */
async function guard<T>(uri: string, key: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof WarmstartError || !code || (error as Error).name === 'AbortError') throw error;
    if (code === 'EACCES' || code === 'EPERM') throw new WarmstartError('STORE_ACCESS_DENIED', `${uri}/${key}: permission denied (${code}); fix the directory's permissions or WARMSTART_STORE`, key, { cause: error });
    throw new WarmstartError('STORE_ERROR', `${uri}/${key}: ${code} (${EXPLAINED[code] ?? (error as Error).message.split('\n')[0]})`, key, { cause: error });
  }
}

const HASH_CHUNK = 1024 * 1024;

/**
 * One version of a file, without reading it: an atomic replace (rename) brings a new inode, a rewrite
 * in place a new mtime (nanoseconds) or size. ctime is left out because the rename itself changes it.
 */
interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

async function identityOf(handle: fs.FileHandle): Promise<FileIdentity> {
  const stat = await handle.stat({ bigint: true });
  return { dev: stat.dev, ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs };
}

const sameIdentity = (a: FileIdentity, b: FileIdentity) => a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;

/** File path -> the identity last hashed and its ETag; bounded, oldest entries dropped first. */
class KnownEtags {
  private readonly byPath = new Map<string, { identity: FileIdentity; etag: string }>();
  constructor(private readonly limit = 4096) {}

  lookup(file: string, identity: FileIdentity): string | undefined {
    const known = this.byPath.get(file);
    return known && sameIdentity(known.identity, identity) ? known.etag : undefined;
  }

  /** Remembers `etag` only when the file did not change while it was hashed. */
  remember(file: string, before: FileIdentity, after: FileIdentity, etag: string): void {
    if (!sameIdentity(before, after)) return;
    this.byPath.delete(file);
    if (this.byPath.size >= this.limit) this.byPath.delete(this.byPath.keys().next().value!);
    this.byPath.set(file, { identity: before, etag });
  }
}

function changedSinceRead(uri: string, key: string, etag: string): WarmstartError {
  return new WarmstartError('STORE_PRECONDITION_FAILED', `${uri}/${key} no longer has ETag ${etag}: it was replaced or rewritten since it was first read; read it again from the start`, key);
}

function etagOf(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function preconditionFailed(uri: string, key: string): WarmstartError {
  return new WarmstartError('STORE_PRECONDITION_FAILED', `conditional write to ${uri}/${key} lost: the object changed since it was read`, key);
}
