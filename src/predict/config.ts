import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { BreachLimits } from '../ml/forecast-schema.js';

/**
 * The `models:` section of a pipeline: what the predict worker serves. Every key has a default, so a
 * pipeline without the section serves the shipped default predictor.
 */
export const ModelsConfig = z
  .object({
    /** registry names of the models to serve (each: its promoted version, else its newest) */
    serve: z.array(z.string().min(1)).default(['default-predictor']),
    /** the model registry folder */
    dir: z.string().min(1).default('models'),
    /** consumer group of the predict workers on the metrics topic */
    groupId: z.string().min(1).default('faultline-predict'),
    /** how often the registry is checked for a new (or newly promoted) version — wall clock */
    pollInterval: Duration.prefault('5s'),
    /** forecaster breach limits per metric, e.g. `mem: { above: 90 }` (override the model's own) */
    limits: BreachLimits.default({}),
    /**
     * a source's row is predicted once every metric of the model has arrived for its timestamp, or
     * once the source is this far ahead in data time (the missing metrics are then forward-filled;
     * they are dropped if they arrive later)
     */
    rowGrace: Duration.prefault('2m'),
    /** served autoencoders also write anomaly events (pipeline alarm rules on their score) */
    anomalyEvents: z.boolean().default(true),
    /** messages per partition re-read (state only) when a partition is assigned, to re-warm the windows */
    warmupMessages: z.number().int().nonnegative().default(2000),
  })
  .strict();
export type ModelsConfig = z.output<typeof ModelsConfig>;
