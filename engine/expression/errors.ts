import { defineErrors } from '../errors.ts';

/** Errors of evaluating a flow's JSONata on a record (syntax is reported at load, as a diagnostic). */
export const ExpressionErrors = defineErrors({
  ENGINE_ERR_EXPRESSION: { kind: 'permanent', message: 'the flow\'s {expression} expression failed: {detail}' },
});
