import { describe, expect, it } from 'vitest';
import { createSeriesScorer, defaultDetectorConfig } from '../../../src/detect/index.js';
import { gauss, STEP, T0 } from './helpers.js';

const meta = { source: 'h', metric: 'm' };

/** a noisy series with bursts of spikes of growing and shrinking size */
function series(n: number): number[] {
  const noise = gauss(7);
  return Array.from({ length: n }, (_, i) => {
    const burst = i > 800 && i % 150 < 6 ? (i % 150) * 4 + ((i / 150) % 3) * 3 : 0;
    return 50 + 2 * noise() + burst;
  });
}

function scores(hold: { points: number; level?: number }, values: number[]): number[] {
  const cfg = defaultDetectorConfig();
  const scorer = createSeriesScorer({ ...cfg, ensemble: { combine: 'max', hold }, alarms: [] });
  const st = scorer.init();
  return values.map((v, i) => scorer.updateFast(st, T0 + i * STEP, v, meta).score);
}

describe('ensemble hold', () => {
  it('reports a score only when it is not an echo of a held one (the rule, checked against a reference)', () => {
    const values = series(3000);
    const raw = scores({ points: 0 }, values);
    const K = 10;
    const L = 0.5;
    const held = scores({ points: K, level: L }, values);
    // reference: within K points of a raw score >= L, a score not above the peak held since is 0
    let since = K + 1;
    let peak = 0;
    let zeroed = 0;
    for (let i = 0; i < raw.length; i++) {
      const s = raw[i] as number;
      since = Math.min(since + 1, K + 1);
      const inHold = since <= K;
      const want = inHold && s <= peak ? 0 : s;
      expect(held[i]).toBe(want);
      if (want !== s) zeroed++;
      if (s >= L) {
        if (!inHold || s > peak) peak = s;
        since = 0;
      }
    }
    // the series has echoes to hold, and the first detection of each burst survives
    expect(zeroed).toBeGreaterThan(0);
    expect(held.filter((s) => s >= L).length).toBeGreaterThan(0);
  });

  it('is off with points 0 (the scores are the plain combination)', () => {
    const values = series(1500);
    const cfg = defaultDetectorConfig();
    const plain = createSeriesScorer({ ...cfg, ensemble: { combine: 'max' }, alarms: [] });
    const st = plain.init();
    const off = scores({ points: 0 }, values);
    values.forEach((v, i) => {
      expect(plain.updateFast(st, T0 + i * STEP, v, meta).score).toBe(off[i]);
    });
    expect(st.h).toBeUndefined();
  });

  it('keeps its state in plain JSON and resumes a state saved without it', () => {
    const values = series(2000);
    const scorer = createSeriesScorer(defaultDetectorConfig());
    const a = scorer.init();
    const b = scorer.init();
    for (let i = 0; i < values.length; i++) {
      const ra = scorer.updateFast(a, T0 + i * STEP, values[i] as number, meta).score;
      // b goes through a JSON round trip every 97 points (a checkpoint), once without `h` (older state)
      const revived = i % 97 === 0 ? scorer.revive(JSON.parse(JSON.stringify(b))) : b;
      if (i === 970) delete revived.h;
      const rb = scorer.updateFast(revived, T0 + i * STEP, values[i] as number, meta).score;
      if (i !== 970) expect(rb).toBe(ra);
      Object.assign(b, revived);
    }
    expect(scorer.revive({ ...a, h: [1, Number.NaN] })).not.toBe(a);
  });
});
