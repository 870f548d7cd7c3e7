import { z } from 'zod';
import { Severity } from './anomaly.js';
import { FaultType } from './fault.js';
import { Timestamp } from './metric.js';
import { SCHEMA_VERSION } from './version.js';

/** The fault types, in the canonical order (a predictor's output order follows it). */
export const FAULT_TYPES: readonly FaultType[] = FaultType.options;

/**
 * A historical fault of one source: a labelled sample for training (fault files, one JSON object
 * per line, and the `faultline.labels` topic). `start`/`end` as epoch ms or ISO 8601, end >= start.
 */
export const FaultSample = z
  .object({
    v: z.literal(SCHEMA_VERSION).default(SCHEMA_VERSION),
    source: z.string().min(1, 'must not be empty').max(256, 'at most 256 characters'),
    start: Timestamp,
    end: Timestamp,
    type: FaultType,
    severity: Severity.default('critical'),
  })
  .strict()
  .refine((e) => e.end >= e.start, { message: 'end must not be before start', path: ['end'] });
/** A validated fault sample: start/end are epoch ms. */
export type FaultSample = z.output<typeof FaultSample>;
export type FaultSampleInput = z.input<typeof FaultSample>;
