/** The predict worker: serves trained models on the metrics stream (see README.md here). */
export { AutoencoderAlarms } from './ae-events.js';
export { ModelsConfig } from './config.js';
export {
  PREDICT_DLQ_STAGE,
  type PredictWorker,
  type PredictWorkerOptions,
  type PredictWorkerStats,
  startPredictWorker,
} from './predict-worker.js';
export { type Row, RowAssembler } from './rows.js';
export { KEEP_ROWS, type PollResult, ServedModel, type ServedModelStats } from './served.js';
