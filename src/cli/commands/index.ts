import type { Command } from '../command.js';
import { auditCli } from './audit.js';
import { auditCorrectCli } from './audit-correct.js';
import { auditVerifyCli } from './audit-verify.js';
import { benchContinualCli } from './bench-continual.js';
import { benchMergeCli } from './bench-merge.js';
import { checkCli } from './check.js';
import { checkHistoryCli } from './check-history.js';
import { demoCli } from './demo.js';
import { importMnistCli } from './import-mnist.js';
import { pauseCli } from './pause.js';
import { promoteCli } from './promote.js';
import { publishCli } from './publish.js';
import { refreshCli } from './refresh.js';
import { replayCli } from './replay.js';
import { reportCli } from './report.js';
import { resumeCli } from './resume.js';
import { rollbackCli } from './rollback.js';
import { statusCli } from './status.js';
import { unwatchCli } from './unwatch.js';
import { validateCli } from './validate.js';
import { watchCli } from './watch.js';
import { workerCli } from './worker.js';

/** Every command, in the order `warmstart --help` lists them within each group. */
export const COMMANDS: readonly Command[] = [
  publishCli,
  importMnistCli,
  validateCli,
  refreshCli,
  watchCli,
  unwatchCli,
  workerCli,
  demoCli,
  statusCli,
  auditCli,
  auditVerifyCli,
  auditCorrectCli,
  reportCli,
  replayCli,
  checkHistoryCli,
  promoteCli,
  rollbackCli,
  pauseCli,
  resumeCli,
  checkCli,
  benchContinualCli,
  benchMergeCli,
];
