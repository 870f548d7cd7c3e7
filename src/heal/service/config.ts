import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import type { PipelineConfig } from '../../config/pipeline.js';
import { TOPICS } from '../../contracts/topics.js';

/**
 * The `healer:` section of a pipeline: the heal engine as a Kafka process (src/heal/service).
 * Every key is optional.
 */
export const HealerConfig = z
  .object({
    /**
     * consumer group prefix: every engine reads every input (it needs the whole picture), so each
     * engine has a group of its own, `<groupId>.<engine id>`
     */
    groupId: z.string().min(1).default('faultline-heal'),
    /** wall-clock interval of the engine's tick (deferred decisions, approval timeouts, verification windows) */
    tickEvery: Duration.prefault('1s'),
    /** a new engine (no committed offsets) starts reading this long before now (by message time) */
    lookback: Duration.prefault('10m'),
    /** a prediction whose most likely fault has p >= this becomes a firing warning for its source */
    predictionThreshold: z.number().min(0).max(1).default(0.8),
    /** ... and resolves below threshold × this (hysteresis) */
    predictionHysteresis: z.number().min(0).max(1).default(0.5),
    /** read the scores topic (verification and load figures need it; off: verification by resolved alarms only) */
    readScores: z.boolean().default(true),
    /** `faultline start --workers N`: heal engine processes (default 1 with the embedded coordinator, 2 with etcd) */
    engines: z.number().int().min(1).max(5).optional(),
  })
  .strict();
export type HealerConfigInput = z.input<typeof HealerConfig>;
export type HealerConfig = z.output<typeof HealerConfig>;

/** The healer settings of a pipeline, defaults filled in. */
export function healerOf(pipeline: Pick<PipelineConfig, 'healer'>): HealerConfig {
  return HealerConfig.parse(pipeline.healer ?? {});
}

export interface HealTopics {
  anomalies: string;
  scores: string;
  predictions: string;
  actions: string;
  outcomes: string;
  dlq: string;
}

/** The topics the heal service reads and writes (pipeline names, else the TOPICS defaults). */
export function healTopicsOf(pipeline: Pick<PipelineConfig, 'topics'>): HealTopics {
  const t = pipeline.topics;
  return {
    anomalies: t.anomalies,
    scores: t.scores,
    predictions: t.predictions ?? TOPICS.predictions,
    actions: t.actions ?? TOPICS.actions,
    outcomes: t.outcomes ?? TOPICS.outcomes,
    dlq: t.dlq,
  };
}
