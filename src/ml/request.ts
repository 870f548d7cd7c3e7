import { z } from 'zod';
import { BreachLimits } from './forecast-schema.js';
import { ModelName } from './meta.js';

/** Where the metric samples come from. */
export const SamplesSpec = z.union([
  z.object({ file: z.string().min(1), source: z.string().optional(), metric: z.string().optional() }).strict(),
  z
    .object({
      synthetic: z
        .object({
          seed: z.number().int(),
          sources: z.number().int().positive().optional(),
          steps: z.number().int().positive().optional(),
          meanGap: z.number().positive().optional(),
          precursorSteps: z.number().int().positive().optional(),
          missingRate: z.number().min(0).max(1).optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type SamplesSpec = z.infer<typeof SamplesSpec>;

/** A training job: validated at the thread boundary. */
export const TrainRequest = z
  .object({
    kind: z.enum(['autoencoder', 'predictor', 'forecaster']),
    /** registry name (default: the kind) */
    name: ModelName.optional(),
    samples: SamplesSpec,
    /** fault file (JSONL); required for a predictor unless the samples are synthetic */
    faults: z.string().min(1).optional(),
    /** label look-ahead, ms (default: 30 min, or the synthetic precursor length) */
    horizonMs: z.number().positive().optional(),
    window: z.number().int().min(2).max(1024).default(20),
    epochs: z.number().int().positive().max(10_000).default(60),
    patience: z.number().int().positive().default(6),
    /** default: autoBatchSize(training windows) — about 200 steps per epoch, 32..512 */
    batchSize: z.number().int().positive().optional(),
    learningRate: z.number().positive().default(0.003),
    seed: z.number().int().default(1),
    /** alarm threshold: predictor probability (default 0.5) / autoencoder score (default 0.3) */
    threshold: z.number().min(0).max(1).optional(),
    fractions: z
      .object({ train: z.number().gt(0).lt(1), val: z.number().gt(0).lt(1) })
      .strict()
      .optional(),
    /** forecaster: metric limits the breach evaluation uses (default: center + 6 × scale of each metric, above) */
    limits: BreachLimits.optional(),
    /** registry root; the model is saved there unless `save` is false */
    modelsDir: z.string().min(1).default('models'),
    save: z.boolean().default(true),
  })
  .strict()
  .refine((r) => !r.fractions || r.fractions.train + r.fractions.val < 1, {
    message: 'train + val fractions must leave a test tail (< 1)',
    path: ['fractions'],
  });
export type TrainRequest = z.output<typeof TrainRequest>;
export type TrainRequestInput = z.input<typeof TrainRequest>;
