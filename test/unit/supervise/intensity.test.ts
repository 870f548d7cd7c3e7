import { describe, expect, it } from 'vitest';
import { describeLimit, IntensityLimitError, RestartIntensity } from '../../../src/supervise/intensity.js';

describe('RestartIntensity (OTP: at most maxRestarts within periodMs)', () => {
  it('allows maxRestarts restarts within the period and refuses the next one', () => {
    const r = new RestartIntensity({ maxRestarts: 3, periodMs: 10_000 });
    expect(r.request(0)).toEqual({ ok: true, inPeriod: 1 });
    expect(r.request(1_000)).toEqual({ ok: true, inPeriod: 2 });
    expect(r.request(2_000)).toEqual({ ok: true, inPeriod: 3 });
    expect(r.request(3_000)).toEqual({ ok: false, inPeriod: 4 });
    // a refused restart is not recorded
    expect(r.recent(3_000)).toBe(3);
  });

  it('forgets restarts older than the period (a sliding window, not fixed buckets)', () => {
    const r = new RestartIntensity({ maxRestarts: 2, periodMs: 10_000 });
    expect(r.request(0).ok).toBe(true);
    expect(r.request(9_000).ok).toBe(true);
    expect(r.request(9_999).ok).toBe(false); // 0 and 9,000 are both within (−1, 9,999]
    expect(r.request(10_000)).toEqual({ ok: true, inPeriod: 2 }); // 0 left the window
    expect(r.request(18_999).ok).toBe(false);
    expect(r.request(19_001)).toEqual({ ok: true, inPeriod: 2 });
  });

  it('a child crashing slower than the limit is restarted forever', () => {
    const r = new RestartIntensity({ maxRestarts: 1, periodMs: 5_000 });
    for (let t = 0; t < 100_000; t += 5_001) expect(r.request(t).ok).toBe(true);
  });

  it('maxRestarts 0: never restart', () => {
    expect(new RestartIntensity({ maxRestarts: 0, periodMs: 1_000 }).request(0)).toEqual({ ok: false, inPeriod: 1 });
  });

  it('rejects a nonsensical limit with a typed, non-retriable error', () => {
    expect(() => new RestartIntensity({ maxRestarts: -1, periodMs: 1_000 })).toThrow(IntensityLimitError);
    expect(() => new RestartIntensity({ maxRestarts: 1.5, periodMs: 1_000 })).toThrow(/maxRestarts/);
    expect(() => new RestartIntensity({ maxRestarts: 1, periodMs: 0 })).toThrow(/periodMs/);
    try {
      new RestartIntensity({ maxRestarts: 1, periodMs: Number.NaN });
    } catch (e) {
      expect((e as IntensityLimitError).retriable).toBe(false);
    }
  });

  it('describes itself for messages', () => {
    expect(describeLimit({ maxRestarts: 3, periodMs: 10_000 })).toBe('3 restarts in 10 s');
    expect(describeLimit({ maxRestarts: 1, periodMs: 2_500 })).toBe('1 restart in 2.5 s');
  });
});
