import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NabDataError } from './errors.js';

/** The cost matrix of one scoring profile (NAB reads only these three weights). */
export interface Profile {
  name: string;
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

export const PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** NAB's config/profiles.json, built in. */
export const NAB_PROFILES: readonly Profile[] = [
  { name: 'standard', tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 },
  { name: 'reward_low_FP_rate', tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 },
  { name: 'reward_low_FN_rate', tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 },
];

const Weight = z.number().nonnegative();
const ProfilesFile = z.record(
  z.string(),
  z.object({
    CostMatrix: z.object({ tpWeight: Weight, fpWeight: Weight, fnWeight: Weight, tnWeight: Weight.optional() }),
  }),
);

/** Loads a profiles.json (`{name: {CostMatrix: {tpWeight, fpWeight, fnWeight, tnWeight}}}`). */
export function loadProfiles(file: string): Profile[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NabDataError(`cannot read profiles: ${(err as Error).message}`, file);
  }
  const parsed = ProfilesFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NabDataError(`invalid profiles at ${issue?.path.join('.') ?? '?'}: ${issue?.message}`, file);
  }
  return Object.entries(parsed.data).map(([name, p]) => ({ name, ...pick(p.CostMatrix) }));
}

function pick(m: { tpWeight: number; fpWeight: number; fnWeight: number }) {
  return { tpWeight: m.tpWeight, fpWeight: m.fpWeight, fnWeight: m.fnWeight };
}

const ThresholdsFile = z.record(
  z.string(),
  z.record(z.string(), z.object({ threshold: z.number(), score: z.number().optional() })),
);

/** Loads config/thresholds.json → detector → profile → threshold. */
export function loadThresholds(file: string): Record<string, Record<string, number>> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NabDataError(`cannot read thresholds: ${(err as Error).message}`, file);
  }
  const parsed = ThresholdsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NabDataError(`invalid thresholds at ${issue?.path.join('.') ?? '?'}: ${issue?.message}`, file);
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [det, byProfile] of Object.entries(parsed.data)) {
    out[det] = Object.fromEntries(Object.entries(byProfile).map(([p, v]) => [p, v.threshold]));
  }
  return out;
}
