/**
 * Score calibration: every detector reports on one common scale (see contracts/score.ts),
 *
 *   score = min(1, -log10(p) / 10),   p = two-sided normal tail probability of z = erfc(|z|/√2)
 *
 * so 0.3 ≈ 3.29σ (p = 1e-3), 0.5 ≈ 4.42σ (p = 1e-5), 0.6 ≈ 4.89σ, 1 = p ≤ 1e-10 (≥ 6.47σ).
 *
 * The log tail is computed in log space — ln erfc(x) = ln t − x² + P(t), t = 1/(1 + x/2), with the
 * Chebyshev-fitted polynomial P of Numerical Recipes' `erfcc` (fractional error < 1.2e-7
 * everywhere) — so it never underflows: logTailP(40) ≈ −804.6 where erfc itself would be 0.
 */

const LN10 = Math.LN10;
const SQRT2 = Math.SQRT2;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Half-width of the "normal" band that detectors report, in σ (expected ± BAND_Z·σ). */
export const BAND_Z = 3;

/** Values whose magnitude exceeds this are treated as missing: squaring them would overflow. */
export const MAX_ABS_VALUE = 1e150;

/** Minimum σ, relative to the level (plus an absolute floor), so constant series never alarm. */
export const REL_SIGMA_FLOOR = 1e-6;
export const ABS_SIGMA_FLOOR = 1e-9;

/** A usable observation: finite and within ±MAX_ABS_VALUE (NaN fails both comparisons). */
export function usable(x: number): boolean {
  return x <= MAX_ABS_VALUE && x >= -MAX_ABS_VALUE;
}

/** The smallest σ a detector may use around `level`. */
export function sigmaFloor(level: number): number {
  return REL_SIGMA_FLOOR * Math.abs(level) + ABS_SIGMA_FLOOR;
}

/** ln erfc(x) for x >= 0, stable for any x (no underflow). */
function logErfcPos(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** Natural log of erfc(x), for any real x. */
export function logErfc(x: number): number {
  if (x >= 0) return logErfcPos(x);
  // erfc(x) = 2 − erfc(−x) ∈ (1, 2]: no precision problem on this side
  return Math.log(2 - Math.exp(logErfcPos(-x)));
}

/** Natural log of the two-sided normal tail probability P(|Z| >= |z|). 0 for z = 0. */
export function logTailP(z: number): number {
  if (Number.isNaN(z)) return 0;
  const x = Math.abs(z) / SQRT2;
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  const l = logErfcPos(x);
  return Math.min(l, 0);
}

/** Score on the common scale from a natural-log p-value (ln p <= 0). */
export function scoreFromLogP(lnp: number): number {
  if (!(lnp < 0)) return 0;
  const s = -lnp / (10 * LN10);
  return Math.min(s, 1);
}

/** Score on the common scale of a normal-equivalent deviation z (σ), computed exactly. NaN → 0. */
export function scoreFromZExact(z: number): number {
  const a = z < 0 ? -z : z;
  if (!(a > 0)) return 0;
  return scoreFromLogP(logErfcPos(a / SQRT2));
}

/** scoreFromZ table: step 1/256 σ up to saturation, linear interpolation (error < 1e-6) */
const TABLE_STEP = 256;
const TABLE_MAX = 6.5;
const TABLE = new Float64Array(Math.ceil(TABLE_MAX * TABLE_STEP) + 2).map((_, i) => scoreFromZExact(i / TABLE_STEP));

/**
 * Score on the common scale of a normal-equivalent deviation z (σ). NaN → 0. The hot path of
 * every detector: a table lookup with linear interpolation (within 1e-6 of scoreFromZExact).
 */
export function scoreFromZ(z: number): number {
  const a = z < 0 ? -z : z;
  if (!(a > 0)) return 0;
  if (a >= TABLE_MAX) return 1;
  const x = a * TABLE_STEP;
  const i = x | 0;
  const lo = TABLE[i] as number;
  return lo + (x - i) * ((TABLE[i + 1] as number) - lo);
}

/** Inverse of ln erfc on x >= 0: the x with ln erfc(x) = lnp (lnp <= 0). Newton, monotone (ln erfc is concave). */
function invLogErfc(lnp: number): number {
  if (!(lnp < 0)) return 0;
  if (lnp === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  let x = Math.sqrt(-lnp);
  for (let i = 0; i < 50; i++) {
    const l = logErfcPos(x);
    const d = -TWO_OVER_SQRT_PI * Math.exp(-x * x - l); // d/dx ln erfc(x)
    const nx = x - (l - lnp) / d;
    if (!(nx > 0)) {
      x = x / 2;
      continue;
    }
    if (Math.abs(nx - x) <= 1e-12 * (1 + x)) return nx;
    x = nx;
  }
  return x;
}

/** |z| whose two-sided tail probability has natural log `lnp`. */
export function zFromLogP(lnp: number): number {
  return SQRT2 * invLogErfc(lnp);
}

/** |z| whose score is `score` (0 → 0, 1 → Z_MAX_SCORE). */
export function zFromScore(score: number): number {
  if (!(score > 0)) return 0;
  return zFromLogP(-Math.min(score, 1) * 10 * LN10);
}

/** log10 of the two-sided tail probability of z. */
export function log10TailP(z: number): number {
  return logTailP(z) / LN10;
}

/** z at which the score saturates at 1 (p = 1e-10), ≈ 6.467. */
export const Z_MAX_SCORE = zFromLogP(-10 * LN10);
