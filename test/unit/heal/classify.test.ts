import { describe, expect, it } from 'vitest';
import { Classifier, maxSeverity, parseHealConfig, priorityOf } from '../../../src/heal/index.js';
import { anomaly, T0 } from './helpers.js';

describe('Classifier', () => {
  const rules = parseHealConfig({}).rules;
  const c = new Classifier(rules);

  it('types anomalies by metric pattern with the default rules, first match wins', () => {
    const at = (metric: string) => c.classify(anomaly({ source: 'web-1', metric, ts: T0 }))?.type;
    expect(at('mem_used')).toBe('resource_exhaustion');
    expect(at('disk_free')).toBe('resource_exhaustion');
    expect(at('latency_ms')).toBe('performance_degradation');
    expect(at('error_rate')).toBe('service_unavailability');
    expect(at('up')).toBe('node_failure');
    expect(at('packet_loss')).toBe('network_partition');
    expect(at('checksum_errors')).toBe('data_corruption');
  });

  it('maps severity per rule and keeps the rule name', () => {
    const s = c.classify(anomaly({ source: 'db-1', metric: 'up', ts: T0, severity: 'warning' }));
    expect(s).toMatchObject({ type: 'node_failure', severity: 'critical', rule: 'down' });
    const k = c.classify(anomaly({ source: 'db-1', metric: 'cpu', ts: T0, severity: 'info' }));
    expect(k).toMatchObject({ severity: 'info', rule: 'slow' });
  });

  it('honours sources and minScore, and returns undefined when nothing matches', () => {
    const cfg = parseHealConfig({
      rules: [
        { name: 'db-mem', metrics: ['mem*'], sources: ['db-*'], type: 'resource_exhaustion', minScore: 0.5 },
        { name: 'web-lat', metrics: ['latency*'], type: 'performance_degradation' },
      ],
    });
    const k = new Classifier(cfg.rules);
    expect(k.classify(anomaly({ source: 'db-1', metric: 'mem', ts: T0, score: 0.7 }))?.rule).toBe('db-mem');
    expect(k.classify(anomaly({ source: 'db-1', metric: 'mem', ts: T0, score: 0.4 }))).toBeUndefined();
    expect(k.classify(anomaly({ source: 'web-1', metric: 'mem', ts: T0 }))).toBeUndefined();
    expect(k.classify(anomaly({ source: 'web-1', metric: 'cpu', ts: T0 }))).toBeUndefined();
  });

  it('priority: severity first, one step more urgent for a cascade of 5+ sources', () => {
    expect(priorityOf('critical', 1)).toBe(1);
    expect(priorityOf('warning', 1)).toBe(2);
    expect(priorityOf('warning', 6)).toBe(1);
    expect(priorityOf('info', 1)).toBe(4);
    expect(priorityOf('info', 5)).toBe(3);
    expect(maxSeverity('info', 'critical')).toBe('critical');
    expect(maxSeverity('warning', 'info')).toBe('warning');
  });
});
