/** NAB (Numenta Anomaly Benchmark) scoring, per shared/docs/nab-scoring.md. */
export { type Corpus, type CorpusFile, labelColumn, listDataFiles, loadCorpus, nabPaths } from './corpus.js';
export { type CsvTable, parseCsv, readCsv } from './csv.js';
export { NabDataError } from './errors.js';
export { type Counts, type FileScore, scoreFile, sweepScore } from './file-score.js';
export { buildLayout, type FileLayout, scorableWindows } from './layout.js';
export { type Baselines, baselines, normalizeScore } from './normalize.js';
export { PROBATIONARY_PERCENT, probationaryLength } from './probation.js';
export {
  loadProfiles,
  loadThresholds,
  NAB_PROFILES,
  PROFILE_NAMES,
  type Profile,
  type ProfileName,
} from './profiles.js';
export {
  formatScoresCsv,
  readAnomalyScores,
  readDetectorResults,
  readScoresCsv,
  resultsFilePath,
  type ScoresCsvRow,
  writeResultsCsv,
} from './results-io.js';
export {
  type CategoryResult,
  type FileResult,
  type ProfileResult,
  type ScoreCorpusOptions,
  scoreCorpus,
} from './score-corpus.js';
export { MAX_TP, scaledSigmoid, sigmoid } from './sigmoid.js';
export {
  type AnomalyPoint,
  bestRow,
  curveRow,
  optimizeThreshold,
  type PreparedSweep,
  prepareSweep,
  rowAtThreshold,
  type ScoredFile,
  START_THRESHOLD,
  sweepCurve,
  sweepWeighted,
  type ThresholdCurve,
  type ThresholdRow,
  type WeightedRows,
  weightedRowsFromPoints,
} from './sweep.js';
export { parseNabTimestamp } from './timestamp.js';
export { countWindows, type LabelWindow, loadWindows, parseWindows, type WindowsByFile } from './windows.js';
