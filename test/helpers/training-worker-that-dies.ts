import type { Context } from '@temporalio/activity';
import { cliContext } from '../../src/cli/context.js';
import { createWorkers } from '../../src/temporal/worker.js';
import type { TrainHeartbeat } from '../../activities/train.js';

// A training-only worker process that dies by SIGKILL (no goodbye to the server, like a machine that
// loses power) right after it has saved the checkpoint of step DIE_AFTER_CHECKPOINT_STEP. Dying at a
// chosen step, instead of when a test happens to notice progress, makes the test independent of how
// fast training runs on the machine.
// DIE_AT_STEP instead dies at the first heartbeat of that step or later, checkpoint or not: the steps since
// the last checkpoint are lost. It blocks a few seconds first, so the SDK's throttled heartbeat reaches the server.
const dieAt = Number(process.env.DIE_AT_STEP);
const dieAfter = Number(process.env.DIE_AFTER_CHECKPOINT_STEP ?? (Number.isInteger(dieAt) ? 0 : NaN));
if (!Number.isInteger(dieAfter) || (dieAfter <= 0 && !(dieAt > 0))) throw new Error('set DIE_AFTER_CHECKPOINT_STEP or DIE_AT_STEP to a positive step');

/** Wraps the activity's heartbeat: the activity heartbeats with a checkpoint key right after saving it. */
function dieAfterCheckpoint(ctx: Context) {
  const heartbeat = ctx.heartbeat.bind(ctx);
  Object.defineProperty(ctx, 'heartbeat', {
    value: (details: TrainHeartbeat) => {
      heartbeat(details);
      if (dieAt > 0 && details.step >= dieAt) {
        // Queued before the training loop's own yield: the heartbeat's encoding (microtasks) reaches the
        // native worker first; blocked here, the loop takes no further step while the core sends it on.
        setImmediate(() => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6000);
          process.kill(process.pid, 'SIGKILL');
        });
      }
      if (dieAfter > 0 && details.checkpointKey && details.step >= dieAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
  return {};
}

const { config, store } = await cliContext();
const workers = await createWorkers({ config, store, role: 'training', interceptors: { activity: [dieAfterCheckpoint] } });
process.stdout.write(dieAt > 0 ? `ready: dies at step ${dieAt}\n` : `ready: dies after the checkpoint of step ${dieAfter}\n`);
await workers.run();
