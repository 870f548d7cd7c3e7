import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FencingGuard, InvalidTokenError, StaleTokenError } from '../../../src/coord/index.js';

describe('FencingGuard', () => {
  it('accepts equal and newer tokens, rejects older ones with a non-retriable StaleTokenError', () => {
    const g = new FencingGuard('webhook');
    expect(g.newest()).toBeUndefined();
    expect(g.check(5)).toBe(5);
    expect(g.check(5)).toBe(5);
    expect(g.check(9)).toBe(9);
    const err = (() => {
      try {
        g.check(7);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StaleTokenError);
    expect(err).toMatchObject({ token: 7, newest: 9, retriable: false });
    expect((err as Error).message).toMatch(/webhook/);
    expect(g.newest()).toBe(9);
  });

  it('a rejected token does not change what the guard remembers', () => {
    const g = new FencingGuard();
    g.check(10);
    expect(g.accepts(3)).toBe(false);
    expect(g.newest()).toBe(10);
    expect(g.accepts(10)).toBe(true);
  });

  it('rejects values that are not tokens', () => {
    const g = new FencingGuard();
    for (const bad of [0, -3, 2.5, '7', null, undefined, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => g.check(bad)).toThrow(InvalidTokenError);
    }
    expect(g.newest()).toBeUndefined();
  });

  it('property: a token passes iff it is >= every token that passed before it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 60 }), (tokens) => {
        const g = new FencingGuard();
        let max = 0;
        for (const t of tokens) {
          expect(g.accepts(t)).toBe(t >= max);
          max = Math.max(max, t);
          expect(g.newest()).toBe(max);
        }
      }),
    );
  });
});
