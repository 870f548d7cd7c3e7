/**
 * The heal engine as a Kafka process: `startHealService(...)`, its pipeline section, and the
 * pieces it is made of (input decoding, predictions as warnings, held outcomes, operator decisions).
 */

export { HealerConfig, type HealerConfigInput, type HealTopics, healerOf, healTopicsOf } from './config.js';
export { coordinatorFor } from './coordinator.js';
export { HeldOutcomes } from './held-outcomes.js';
export { decodeInput, type HealInput } from './inputs.js';
export { OPERATOR_PREFIX, OperatorDecisions, operatorDecision, operatorRecord } from './operator.js';
export { PredictionWarnings, predictedMetric } from './predictions.js';
export { actionMessage, outcomeMessage } from './publisher.js';
export { type RemoteHeal, startRemoteHeal } from './remote.js';
export {
  DLQ_STAGE,
  type HealService,
  type HealServiceOptions,
  type HealServiceStatus,
  HealServiceStoppingError,
  startHealService,
} from './service.js';
