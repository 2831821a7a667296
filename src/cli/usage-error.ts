/** A command line the CLI cannot run (unknown command or option, a missing or malformed value): exit 64. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
