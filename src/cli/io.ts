/** Where a CLI run writes and what it reads from outside: the bin passes the process's; tests pass buffers. */
export interface Writer {
  write(text: string): unknown;
  /** A terminal gets progress lines and redraws; a pipe or a test buffer gets plain lines. */
  isTTY?: boolean;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  /**
   * Aborted by the first SIGINT/SIGTERM, with the signal's name as reason: commands that write pass it
   * down, so they can clean up before the run ends.
   */
  signal?: AbortSignal;
}

/** The shell's convention: 128 + the signal number. */
export function signalExitCode(signal: unknown): number {
  return signal === 'SIGINT' ? 130 : 143;
}
