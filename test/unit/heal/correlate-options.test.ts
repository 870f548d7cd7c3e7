import { describe, expect, it } from 'vitest';
import { Classifier, Correlator, DependencyGraph, parseHealConfig } from '../../../src/heal/index.js';
import { anomaly, S, T0 } from './helpers.js';

// Opt-in rule and correlation options (used by pipelines/chaos.yaml): rule `direction` and `symptom`,
// correlation `peerSymptoms` and `aftermath`.
const cfg = parseHealConfig({
  services: {
    db: { dependsOn: [] },
    'api-1': { dependsOn: ['db'] },
    'api-2': { dependsOn: ['db'] },
  },
  groups: [{ name: 'api', members: ['api-1', 'api-2'] }],
  rules: [
    { name: 'down', metrics: ['up'], direction: 'below', symptom: false, type: 'node_failure' },
    { name: 'errors', metrics: ['error_rate'], direction: 'above', type: 'service_unavailability' },
    { name: 'slow', metrics: ['cpu'], type: 'performance_degradation' },
  ],
  correlation: { peerSymptoms: true, aftermath: '2m' },
});
const graph = new DependencyGraph(cfg.services);
const classifier = new Classifier(cfg.rules);
const peers = (s: string) => (s === 'api-1' ? ['api-2'] : s === 'api-2' ? ['api-1'] : []);
const sig = (source: string, metric: string, ts: number, value = 99, expected = 40) =>
  classifier.classify(anomaly({ source, metric, ts, value, expected })) ?? (undefined as never);

describe('rule direction and symptom', () => {
  it('direction: only deviations the harmful way are faults (a node coming back is not)', () => {
    expect(classifier.classify(anomaly({ source: 'db', metric: 'up', ts: T0, value: 0, expected: 1 }))?.type).toBe(
      'node_failure',
    );
    expect(classifier.classify(anomaly({ source: 'db', metric: 'up', ts: T0, value: 1, expected: 0.2 }))).toBe(
      undefined,
    );
    expect(classifier.classify(anomaly({ source: 'db', metric: 'error_rate', ts: T0, value: 0.1, expected: 3 }))).toBe(
      undefined,
    );
    // no expected value: the rule matches
    expect(classifier.classify({ ...anomaly({ source: 'db', metric: 'cpu', ts: T0 }), expected: null })?.rule).toBe(
      'slow',
    );
  });

  it('symptom: false — a dependent that is itself down is its own incident, never folded into the dependency', () => {
    const c = new Correlator(graph, 2 * 60 * S);
    c.add(sig('db', 'up', T0, 0, 1));
    expect(c.add(sig('api-1', 'error_rate', T0 + S)).how).toBe('symptom');
    const own = c.add(sig('api-2', 'up', T0 + S, 0, 1));
    expect(own.how).toBe('opened');
    expect(c.incidents().map((i) => i.root)).toEqual(['db', 'api-2']);
    // and a dependency failing after it does not absorb it
    const c2 = new Correlator(graph, 2 * 60 * S);
    c2.add(sig('api-2', 'up', T0, 0, 1));
    expect(c2.add(sig('db', 'up', T0 + S, 0, 1)).merged).toEqual([]);
    expect(c2.incidents()).toHaveLength(2);
  });
});

describe('peer symptoms and aftermath', () => {
  it('peerSymptoms: a peer alarming while a member of its group fails is a symptom (its load moved there)', () => {
    const c = new Correlator(graph, 2 * 60 * S, peers);
    c.add(sig('api-1', 'up', T0, 0, 1));
    const r = c.add(sig('api-2', 'cpu', T0 + 3 * S));
    expect(r.how).toBe('symptom');
    expect(r.incident.reasons.join('\n')).toMatch(/shares a group with api-1/);
    // without peersOf it is an incident of its own
    const plain = new Correlator(graph, 2 * 60 * S);
    plain.add(sig('api-1', 'up', T0, 0, 1));
    expect(plain.add(sig('api-2', 'cpu', T0 + 3 * S)).how).toBe('opened');
  });

  it('aftermath: symptoms shortly after an incident closed are its aftermath; later ones and root signals are new', () => {
    const c = new Correlator(graph, 2 * 60 * S, peers, 2 * 60 * S);
    const first = c.add(sig('api-1', 'up', T0, 0, 1));
    c.close(first.incident.id, T0 + 20 * S);
    expect(c.add(sig('api-2', 'cpu', T0 + 60 * S)).how).toBe('aftermath');
    expect(c.add(sig('api-1', 'up', T0 + 70 * S, 0, 1)).how).toBe('opened');
    const late = new Correlator(graph, 2 * 60 * S, peers, 2 * 60 * S);
    const i = late.add(sig('api-1', 'up', T0, 0, 1));
    late.close(i.incident.id, T0);
    expect(late.add(sig('api-2', 'cpu', T0 + 3 * 60 * S)).how).toBe('opened');
  });
});
