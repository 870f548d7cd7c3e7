/**
 * faultline ML: tfjs backend choice, the shared feature pipeline, models (autoencoder, fault
 * predictor), training in a worker thread, evaluation, and the model registry. See README.md here.
 */
export { AutoencoderModel, type AutoencoderOutput } from './autoencoder.js';
export { type BackendChoice, type BackendName, chooseBackend, describeBackend, initBackend } from './backend.js';
export { breachesAt, laplaceCdf } from './breach.js';
export { buildDataset, type Dataset } from './dataset.js';
export {
  MlBackendError,
  ModelIntegrityError,
  ModelNotFoundError,
  ModelSchemaError,
  TrainDataError,
} from './errors.js';
export { type EvalReport, evaluate } from './evaluate.js';
export { readFaults } from './faults.js';
export {
  encodeWindow,
  FEATURE_PIPELINE_VERSION,
  FeatureSchema,
  frameWindows,
  initStream,
  inputSize,
  pushRow,
  type StreamState,
  windowReady,
} from './features.js';
export { ForecasterModel, type ForecasterOutput } from './forecast.js';
export { BreachLimits, ForecastEval, ForecastSpec } from './forecast-schema.js';
export { forecastPrediction } from './forecast-serve.js';
export { buildFrames, type Frame, type Frames, readFrames } from './frames.js';
export { LiveModel } from './live.js';
export { ModelMeta } from './meta.js';
export { type ModelOutput, type TrainedModel, wrapModel } from './model.js';
export { PredictorModel, type PredictorOutput } from './predictor.js';
export {
  type LoadedVersion,
  listModels,
  loadModel,
  type ModelExpectation,
  type ModelSummary,
  saveModel,
} from './registry.js';
export { TrainRequest, type TrainRequestInput } from './request.js';
export { formatDuration, PredictionStream, toPrediction } from './serve.js';
export { generateSamples, type SyntheticData, type SyntheticOptions, writeSamples } from './synthetic.js';
export {
  startTraining,
  TrainError,
  type TrainJob,
  type TrainProgress,
  type TrainResult,
  trainInWorker,
} from './train.js';
export { runTraining } from './train-run.js';
