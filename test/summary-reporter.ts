import type { Reporter } from 'vitest/reporters';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

/** Ends the run with one plain line, "vitest: N passed, N failed, N skipped", that CI can read. */
export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: Task) => {
      if (task.type === 'test') {
        if (task.mode === 'skip' || task.mode === 'todo') counts.skipped++;
        else if (task.result?.state === 'pass') counts.passed++;
        else if (task.result?.state === 'fail') counts.failed++;
        else counts.skipped++;
      }
      task.tasks?.forEach(visit);
    };
    files.forEach(visit);
    // Errors outside tests (a crashed file, an unhandled rejection) fail the run too.
    const failed = counts.failed + errors.length + files.filter((f) => f.result?.state === 'fail' && !f.tasks?.length).length;
    process.stdout.write(`\nvitest: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped\n`);
  }
}
