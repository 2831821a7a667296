import { rollbackByOperator } from '../../temporal/operations.js';
import { productionMoveCommand } from './production-move.js';

export const rollbackCli = productionMoveCommand('rollback', 'point production back at an earlier promoted candidate; audited', rollbackByOperator);
