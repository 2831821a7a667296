import { createHash } from 'node:crypto';

/** sha256 of bytes (or a string's UTF-8), hex: how stored objects are identified and compared. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
