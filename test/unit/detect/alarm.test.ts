import { describe, expect, it } from 'vitest';
import { ALARM_FIRING, ALARM_NONE, ALARM_RESOLVED, AlarmRuleRunner } from '../../../src/detect/alarm.js';
import { fmtDuration, fmtNum } from '../../../src/detect/reason.js';
import { rule } from './helpers.js';

const MIN = 60_000;

describe('alarm rules', () => {
  it('fires on minHits hits within the window, not on hits spread wider', () => {
    const r = new AlarmRuleRunner(rule({ minHits: 3, window: '5m' }));
    const s = r.init();
    // three hits 3 minutes apart: never three within 5 minutes
    expect(r.step(s, 0, 0.9)).toBe(ALARM_NONE);
    expect(r.step(s, 3 * MIN, 0.9)).toBe(ALARM_NONE);
    expect(r.step(s, 6 * MIN, 0.9)).toBe(ALARM_NONE);
    expect(r.step(s, 7 * MIN, 0.1)).toBe(ALARM_NONE);
    expect(r.step(s, 9 * MIN, 0.9)).toBe(ALARM_NONE);
    // 6, 9, 10: three hits within 5 minutes
    expect(r.step(s, 10 * MIN, 0.9)).toBe(ALARM_FIRING);
    expect(s.st).toBe(10 * MIN);
  });

  it('resolves after `recover` without hits, then stays quiet until `suppress` has passed', () => {
    const r = new AlarmRuleRunner(rule({ minHits: 1, recover: '10m', suppress: '30m' }));
    const s = r.init();
    expect(r.step(s, 0, 0.7)).toBe(ALARM_FIRING);
    expect(r.step(s, 5 * MIN, 0.8)).toBe(ALARM_NONE); // still firing: extends
    expect(r.step(s, 14 * MIN, 0.1)).toBe(ALARM_NONE);
    expect(r.step(s, 15 * MIN, 0.1)).toBe(ALARM_RESOLVED);
    expect(r.step(s, 20 * MIN, 0.9)).toBe(ALARM_NONE); // suppressed (< 30m after firing)
    expect(r.step(s, 31 * MIN, 0.9)).toBe(ALARM_FIRING);
  });

  it('uses a monotone data clock: late points never rewind time, non-finite ts are ignored', () => {
    const r = new AlarmRuleRunner(rule({ minHits: 1, recover: '10m' }));
    const s = r.init();
    expect(r.step(s, 100 * MIN, 0.9)).toBe(ALARM_FIRING);
    expect(r.step(s, 0, 0.1)).toBe(ALARM_NONE);
    expect(s.clk).toBe(100 * MIN);
    expect(r.step(s, Number.NaN, 0.1)).toBe(ALARM_NONE);
    expect(r.step(s, 111 * MIN, 0.1)).toBe(ALARM_RESOLVED);
  });

  it('never fires on a zero score, even with threshold 0', () => {
    const r = new AlarmRuleRunner(rule({ threshold: 0 }));
    const s = r.init();
    for (let i = 0; i < 10; i++) expect(r.step(s, i * MIN, 0)).toBe(ALARM_NONE);
  });

  it('formats numbers and durations for people', () => {
    expect(fmtNum(97.23)).toBe('97.2');
    expect(fmtNum(41)).toBe('41.0');
    expect(fmtNum(0.4567)).toBe('0.457');
    expect(fmtNum(0.000123)).toBe('0.000123');
    expect(fmtNum(12345678)).toBe('12300000');
    expect(fmtNum(null)).toBe('n/a');
    expect(fmtDuration(600_000)).toBe('10m');
    expect(fmtDuration(5_400_000)).toBe('1.5h');
  });
});
