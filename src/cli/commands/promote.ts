import { promoteByOperator } from '../../temporal/operations.js';
import { productionMoveCommand } from './production-move.js';

export const promoteCli = productionMoveCommand('promote', 'point production at a stored candidate (one the gate rejected, or a dry-run replay); audited', promoteByOperator);
