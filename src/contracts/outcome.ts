import { z } from 'zod';
import { Strategy } from './action.js';
import { FaultType } from './fault.js';
import { SCHEMA_VERSION } from './version.js';

/**
 * The verified result of an executed action, on `faultline.outcomes`: did the metrics return to
 * normal within the verification window? Outcomes feed the strategy learner and label training data.
 */
export const Outcome = z.object({
  v: z.literal(SCHEMA_VERSION),
  actionId: z.string(),
  faultId: z.string(),
  faultType: FaultType,
  strategy: Strategy,
  target: z.string(),
  success: z.boolean(),
  /** data time from the action to recovery (null when it did not recover) */
  timeToRecoverMs: z.number().nonnegative().nullable(),
  /** data time of the verdict */
  verifiedAt: z.number(),
  details: z.record(z.string(), z.unknown()),
});
export type Outcome = z.infer<typeof Outcome>;
