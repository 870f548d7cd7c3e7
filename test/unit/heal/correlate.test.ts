import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Classifier, Correlator, DependencyGraph, faultOf, parseHealConfig } from '../../../src/heal/index.js';
import { anomaly, S, T0 } from './helpers.js';

const services = {
  db: { dependsOn: [] },
  'api-1': { dependsOn: ['db'] },
  'api-2': { dependsOn: ['db'] },
  'api-3': { dependsOn: ['db'] },
  'web-1': { dependsOn: ['api-1'] },
  'web-2': { dependsOn: ['api-2'] },
  cache: { dependsOn: [] },
};
const cfg = parseHealConfig({ services });
const graph = new DependencyGraph(cfg.services);
const classifier = new Classifier(cfg.rules);
const sig = (source: string, ts: number, metric = 'latency_ms') =>
  classifier.classify(anomaly({ source, metric, ts })) ?? (undefined as never);

const SYMPTOMS = ['api-1', 'api-2', 'api-3', 'web-1', 'web-2'];

describe('Correlator', () => {
  it('a failing database behind five alarming services is one incident rooted at the database', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    c.add(sig('db', T0, 'conn_errors'));
    SYMPTOMS.forEach((s, i) => {
      const r = c.add(sig(s, T0 + (i + 1) * S));
      expect(r.how).toBe('symptom');
    });
    const open = c.incidents();
    expect(open).toHaveLength(1);
    const f = faultOf(open[0] as never);
    expect(f.root).toBe('db');
    expect(f.symptoms).toEqual(SYMPTOMS);
    expect(f.targets).toEqual(['db', ...SYMPTOMS]);
    expect(f.type).toBe('resource_exhaustion');
    expect(f.evidence.eventIds).toHaveLength(6);
    expect(f.priority).toBe(1);
  });

  it('the same single incident at the root whatever order the alarms arrive in (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['db', ...SYMPTOMS], { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 6, maxLength: 6 }),
        (order, gaps) => {
          const c = new Correlator(graph, 2 * 60 * S);
          let t = T0;
          order.forEach((s, i) => {
            t += (gaps[i] ?? 0) * S;
            c.add(sig(s, t));
          });
          const open = c.incidents();
          expect(open).toHaveLength(1);
          expect(open[0]?.root).toBe('db');
          expect([...(open[0]?.symptoms ?? [])].sort()).toEqual([...SYMPTOMS].sort());
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it('services first, then the database: the incidents merge into one rooted at the database', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    c.add(sig('web-1', T0));
    c.add(sig('api-2', T0 + S));
    expect(c.incidents()).toHaveLength(2);
    const r = c.add(sig('db', T0 + 2 * S));
    expect(r.how).toBe('rerooted');
    expect(r.merged).toHaveLength(2);
    const [only] = c.incidents();
    expect(c.incidents()).toHaveLength(1);
    expect(only?.root).toBe('db');
    expect(only?.openedAt).toBe(T0);
    expect(only?.mergedFrom).toHaveLength(2);
    expect(only?.reasons.join('\n')).toMatch(/probable root/);
  });

  it('a chain web → api → db: the deepest failing dependency is the root', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    c.add(sig('web-1', T0));
    c.add(sig('api-1', T0 + S));
    expect(c.incidents().map((i) => i.root)).toEqual(['api-1']);
    c.add(sig('db', T0 + 2 * S));
    expect(c.incidents().map((i) => i.root)).toEqual(['db']);
    expect(c.incidents()[0]?.symptoms).toEqual(['api-1', 'web-1']);
  });

  it('unrelated sources, or alarms outside the window, are separate incidents', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    c.add(sig('db', T0));
    c.add(sig('cache', T0 + S));
    expect(c.incidents()).toHaveLength(2);
    c.add(sig('api-1', T0 + 10 * 60 * S));
    expect(c.incidents()).toHaveLength(3);
  });

  it('more evidence on the root joins its incident; a closed incident takes no more', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    const a = c.add(sig('db', T0));
    expect(c.add(sig('db', T0 + S, 'cpu')).how).toBe('root');
    c.close(a.incident.id);
    const b = c.add(sig('db', T0 + 2 * S));
    expect(b.how).toBe('opened');
    expect(b.incident.id).not.toBe(a.incident.id);
  });

  it('incident ids are deterministic (root, onset)', () => {
    const run = () => {
      const c = new Correlator(graph, 2 * 60 * S);
      c.add(sig('api-1', T0));
      c.add(sig('db', T0 + S));
      return c.incidents()[0]?.id;
    };
    expect(run()).toBe(run());
  });
});

describe('DependencyGraph', () => {
  it('walks dependencies and dependents, and orders dependencies first', () => {
    expect(graph.dependsOn('web-1', 'db')).toBe(true);
    expect(graph.dependsOn('db', 'web-1')).toBe(false);
    expect(graph.allDependents('db')).toEqual(['api-1', 'api-2', 'api-3', 'web-1', 'web-2']);
    expect(graph.depth('web-1')).toBe(2);
    expect(graph.order(['web-1', 'api-1', 'db', 'cache'])).toEqual(['db', 'api-1', 'web-1', 'cache']);
    expect(graph.order(['web-1', 'db'])).toEqual(['db', 'web-1']);
  });
});
