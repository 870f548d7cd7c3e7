/**
 * A simulated cluster for chaos runs: nodes with roles and a dependency graph emitting metrics in data
 * time, fault injection, actions through the heal engine's `sim` or `webhook` actuator, scenarios, the
 * in-process scenario runner and its scorecard. See README.md here. (`PredictorWarnings` lives in
 * ./predictor.js, not re-exported here: it loads tfjs.)
 */
export { clusterActuator } from './actuator.js';
export {
  type ActionVerdict,
  type AppliedAction,
  type Availability,
  Cluster,
  type ClusterOptions,
  type ClusterTimings,
  DEFAULT_TIMINGS,
  type NodeView,
} from './cluster.js';
export { canFix, EXHAUSTION_KINDS, FaultKind, FaultSpec, type FaultTruth, type RecoveredBy } from './faults.js';
export { generateHistory, type History, type HistoryOptions, writeHistory } from './history.js';
export { type ClusterServer, startClusterServer } from './http.js';
export { CLUSTER_METRICS, type ClusterMetric, dailyLoad, type KindProfile, PROFILES } from './profiles.js';
export { formatScorecard, SCORECARD_TARGETS, type TargetCheck, targetChecks } from './report.js';
export {
  CHAOS_PIPELINE,
  type ChaosProgress,
  type ChaosRunOptions,
  type ChaosRunResult,
  loadChaosPipeline,
  runChaos,
  type WarningSource,
} from './runner.js';
export { DEFAULT_SEED, SCENARIO_NAMES, type Scenario, scenario, UnknownScenarioError } from './scenarios.js';
export { computeScorecard, type Detection, type Scorecard, type ScorecardInput, type Warning } from './scorecard.js';
export {
  buildTopology,
  type GroupMode,
  type GroupSpec,
  healTopology,
  type NodeSpec,
  ServiceKind,
  type Topology,
  TopologyCounts,
} from './topology.js';
