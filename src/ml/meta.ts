import { z } from 'zod';
import { FaultType } from '../contracts/fault.js';
import { EvalReport } from './evaluate.js';
import { FeatureSchema } from './features.js';
import { BreachLimits, ForecastEval, ForecastSpec } from './forecast-schema.js';

export const META_FORMAT = 1;
export const META_FILE = 'meta.json';

/** A registry name: a folder name, no path tricks. */
export const ModelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-" (at most 64, not starting with . _ -)');

export const EpochLog = z.object({ epoch: z.number().int(), loss: z.number(), valLoss: z.number() });
export type EpochLog = z.infer<typeof EpochLog>;

export const TrainingInfo = z.object({
  /** where the samples came from (file path, topic, or `synthetic:seed=N`) */
  samples: z.string(),
  faults: z.string().nullable(),
  sources: z.array(z.string()),
  /** data time range of the samples (epoch ms) and the split boundaries */
  from: z.number(),
  to: z.number(),
  trainEnd: z.number(),
  valEnd: z.number(),
  windows: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  seed: z.number().int(),
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  stoppedEarly: z.boolean(),
  history: z.array(EpochLog),
  seconds: z.number(),
});
export type TrainingInfo = z.infer<typeof TrainingInfo>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');

const common = {
  format: z.literal(META_FORMAT),
  name: ModelName,
  version: z.number().int().positive(),
  createdAt: z.string(),
  /** tfjs backend that trained it, and the tfjs version */
  backend: z.string(),
  tfjs: z.string(),
  features: FeatureSchema,
  /** look-ahead of the labels (predictor) / warning period used in evaluation (autoencoder), ms */
  horizonMs: z.number().nonnegative(),
  training: TrainingInfo,
  /** evaluation on the held-out test tail */
  evaluation: EvalReport,
  /** sha256 of every other file of the version */
  files: z.record(z.string(), Sha256),
};

export const AutoencoderMeta = z.object({
  ...common,
  kind: z.literal('autoencoder'),
  /** reconstruction-error calibration (ln error ~ N(center, scale)) and the alarm threshold (score) */
  anomaly: z.object({ center: z.number(), scale: z.number().positive(), threshold: z.number().min(0).max(1) }),
});
export type AutoencoderMeta = z.infer<typeof AutoencoderMeta>;

export const PredictorMeta = z.object({
  ...common,
  kind: z.literal('predictor'),
  /** output order */
  classes: z.array(FaultType).min(1),
  /** Platt scaling per class, fitted on the validation split */
  calibration: z.array(z.object({ a: z.number(), b: z.number() })),
  /** alarm threshold on the calibrated probability */
  threshold: z.number().min(0).max(1),
});
export type PredictorMeta = z.infer<typeof PredictorMeta>;

export const ForecasterMeta = z.object({
  ...common,
  kind: z.literal('forecaster'),
  forecast: ForecastSpec,
  /** limits the breach evaluation used (given, or automatic), and the serving default */
  limits: BreachLimits,
  forecastEval: ForecastEval,
});
export type ForecasterMeta = z.infer<typeof ForecasterMeta>;

export const ModelMeta = z.discriminatedUnion('kind', [AutoencoderMeta, PredictorMeta, ForecasterMeta]);
export type ModelMeta = z.infer<typeof ModelMeta>;
