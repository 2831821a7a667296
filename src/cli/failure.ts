import { isWarmstartError } from '../errors.js';
import { signalExitCode, type CliIo } from './io.js';
import { UsageError } from './usage-error.js';

const oneLine = (text: string) => text.split('\n')[0]!.trim();

const FILE_PROBLEMS: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a file is where a directory should be',
  EACCES: 'permission denied',
  ENAMETOOLONG: 'the name is too long',
};

/** The one line a failure prints, and the exit code it ends with. */
export function describeFailure(error: unknown, io: Pick<CliIo, 'env' | 'signal'>): { line: string; code: number } {
  if (io.signal?.aborted) {
    // The command stopped because of the signal; its own cleanup already ran (or says what it kept).
    const detail = isWarmstartError(error) ? `: ${error.message}` : '; nothing was committed';
    return { line: `cancelled by ${String(io.signal.reason)}${detail}`, code: signalExitCode(io.signal.reason) };
  }
  if (isWarmstartError(error)) return { line: `error [${error.code}]: ${error.message}`, code: 2 };
  if (error instanceof UsageError) return { line: error.message, code: 64 };
  // A file the user named cannot be used (audit --parquet <a directory>, a report path in a missing folder).
  const { code: fsCode, path: fsPath } = (error ?? {}) as NodeJS.ErrnoException;
  if (fsCode && fsPath && /^E[A-Z]+$/.test(fsCode)) {
    return { line: `error [FILE_ERROR]: cannot use ${fsPath} (${fsCode}: ${FILE_PROBLEMS[fsCode] ?? 'see the system error'}); check the path`, code: 2 };
  }
  // Settings refused by the training library are the user's to fix, like any WarmstartError.
  if (error instanceof Error && (error.name === 'LeverSettingsError' || error.name === 'InitializationError')) {
    return { line: `error [CONFIG_INVALID]: ${oneLine(error.message)}`, code: 2 };
  }
  // A true bug: one line; the stack trace only when asked for.
  const debug = io.env.WARMSTART_LOG_LEVEL?.toLowerCase() === 'debug';
  const message = error instanceof Error ? (debug ? (error.stack ?? error.message) : oneLine(error.message)) : String(error);
  return { line: `unexpected error: ${message}${debug ? '' : ' (WARMSTART_LOG_LEVEL=debug shows the stack trace)'}`, code: 1 };
}

/** The CLI's one error path: writes the line to stderr and returns the exit code. */
export function reportFailure(error: unknown, io: CliIo): number {
  const { line, code } = describeFailure(error, io);
  // Messages quote what the user gave (a column name, a path), which may hold line breaks: keep one line.
  const shown = code === 1 && io.env.WARMSTART_LOG_LEVEL?.toLowerCase() === 'debug' ? line : line.replace(/\r?\n|\r/g, '\\n');
  io.stderr.write(`warmstart: ${shown}\n`);
  return code;
}
