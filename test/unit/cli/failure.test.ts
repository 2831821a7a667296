import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../../src/cli/failure.js';
import { UsageError } from '../../../src/cli/usage-error.js';
import { WarmstartError } from '../../../src/errors.js';

const plain = { env: {} };

function aborted(reason: string): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe('the one error path', () => {
  it('names the kind of failure by its exit code', () => {
    expect(describeFailure(new WarmstartError('STORE_UNREACHABLE', 'cannot reach http://x', 'x'), plain)).toEqual({ line: 'error [STORE_UNREACHABLE]: cannot reach http://x', code: 2 });
    expect(describeFailure(new UsageError('--model is required'), plain)).toEqual({ line: '--model is required', code: 64 });
    const fsError = Object.assign(new Error("EISDIR: illegal operation on a directory, open '/tmp'"), { code: 'EISDIR', path: '/tmp' });
    expect(describeFailure(fsError, plain)).toEqual({ line: 'error [FILE_ERROR]: cannot use /tmp (EISDIR: it is a directory); check the path', code: 2 });
    const lever = Object.assign(new Error('shrink must be in (0, 1]\nmore detail'), { name: 'LeverSettingsError' });
    expect(describeFailure(lever, plain)).toEqual({ line: 'error [CONFIG_INVALID]: shrink must be in (0, 1]', code: 2 });
  });

  it('a bug is one line with a hint; the stack trace only with WARMSTART_LOG_LEVEL=debug', () => {
    const bug = new TypeError('x is undefined\nsecond line');
    expect(describeFailure(bug, plain)).toEqual({ line: 'unexpected error: x is undefined (WARMSTART_LOG_LEVEL=debug shows the stack trace)', code: 1 });
    const debug = describeFailure(bug, { env: { WARMSTART_LOG_LEVEL: 'DEBUG' } });
    expect(debug.code).toBe(1);
    expect(debug.line).toMatch(/^unexpected error: TypeError: x is undefined\nsecond line\n\s+at /);
    expect(describeFailure('a string', plain).line).toBe('unexpected error: a string (WARMSTART_LOG_LEVEL=debug shows the stack trace)');
  });

  it('after a signal: cancelled, with the command\'s own account when it gave one, exit 130/143', () => {
    expect(describeFailure(new Error('aborted'), { env: {}, signal: aborted('SIGINT') })).toEqual({ line: 'cancelled by SIGINT; nothing was committed', code: 130 });
    const kept = new WarmstartError('STORE_ERROR', 'removed the 2 uploaded shards', 'x');
    expect(describeFailure(kept, { env: {}, signal: aborted('SIGTERM') })).toEqual({ line: 'cancelled by SIGTERM: removed the 2 uploaded shards', code: 143 });
  });
});
