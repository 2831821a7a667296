import type { Context } from '@temporalio/activity';
import { cliContext } from '../../src/cli/context.js';
import { createWorkers } from '../../src/temporal/worker.js';
import type { TrainHeartbeat } from '../../activities/train.js';

// A training-only worker process that dies by SIGKILL (no goodbye to the server, like a machine that
// loses power) right after it has saved the checkpoint of step DIE_AFTER_CHECKPOINT_STEP. Dying at a
// chosen step, instead of when a test happens to notice progress, makes the test independent of how
// fast training runs on the machine.
const dieAfter = Number(process.env.DIE_AFTER_CHECKPOINT_STEP);
if (!Number.isInteger(dieAfter) || dieAfter <= 0) throw new Error('set DIE_AFTER_CHECKPOINT_STEP to a positive step');

/** Wraps the activity's heartbeat: the activity heartbeats with a checkpoint key right after saving it. */
function dieAfterCheckpoint(ctx: Context) {
  const heartbeat = ctx.heartbeat.bind(ctx);
  Object.defineProperty(ctx, 'heartbeat', {
    value: (details: TrainHeartbeat) => {
      heartbeat(details);
      if (details.checkpointKey && details.step >= dieAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
  return {};
}

const { config, store } = await cliContext();
const workers = await createWorkers({ config, store, role: 'training', interceptors: { activity: [dieAfterCheckpoint] } });
process.stdout.write(`ready: dies after the checkpoint of step ${dieAfter}\n`);
await workers.run();
