/**
 * Self-healing: fault classification and correlation, strategies with an escalation ladder,
 * supervision, composable safety gates, actuators, outcome verification and a strategy learner.
 * `createHealEngine(...)` ties them together; everything runs in data time.
 */

export * from './actuators/index.js';
export { ApprovalQueue, type PendingApproval } from './approvals.js';
export { type BackoffPolicy, backoffDelay, nextRestartAt } from './backoff.js';
export type { Case, CaseStatus, CaseView } from './cases.js';
export { type Choice, chooseStrategy, ladderOf } from './choose.js';
export { Classifier, maxSeverity, priorityOf, type Signal } from './classify.js';
export {
  DEFAULT_POLICIES,
  DEFAULT_RULES,
  FaultPolicy,
  FaultRule,
  GroupConfig,
  HealConfig,
  type HealConfigInput,
  parseHealConfig,
  policyFor,
  SilenceConfig,
} from './config.js';
export { type Correlation, Correlator, type Incident } from './correlate.js';
export { type Destination, DestinationPicker, type DestinationPolicy } from './destination.js';
export {
  createHealEngine,
  type HealEngine,
  type HealEngineOptions,
  type HealRecord,
  type HealStatus,
  type HealStep,
} from './engine.js';
export * from './errors.js';
export { executePlan, type StepResult } from './execute.js';
export { faultOf } from './fault.js';
export * from './gates/index.js';
export { compileGlob, matchesAny } from './glob.js';
export { DependencyGraph } from './graph.js';
export { actionId, faultId, stableId } from './ids.js';
export { type IntensityPolicy, intensityAllows, restartsInPeriod } from './intensity.js';
export { type RestartCheck, TargetLadder, type TargetState } from './ladder.js';
export { type ArmStats, type LearnerChoice, StrategyLearner } from './learner.js';
export { ActionLedger } from './ledger.js';
export { chooseRedundancy, type RedundancyMode } from './redundancy.js';
export { type Silence, SilenceStore } from './silences.js';
export { type PlanContext, type PlannedStep, planStrategy, type StrategyPlan } from './strategies.js';
export { type RecoveryPlan, recoveryPlan, supervisionSet } from './supervision.js';
export { RecoveryVerifier, type Verdict, type WatchRequest } from './verify.js';
