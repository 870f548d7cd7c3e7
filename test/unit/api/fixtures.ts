import { buildApi } from '../../../src/api/server.js';
import { createViews, type Views } from '../../../src/api/views.js';
import type { AnomalyEvent, MetricPoint, Score, SeriesScores } from '../../../src/contracts/index.js';

export const LIMITS = { anomaliesKept: 100, seriesKept: 50, pointsPerSeries: 20 };
export const API_CONFIG = { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096, ...LIMITS };

export function point(over: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return { ts: 1_700_000_000_000, source: 'host-1', metric: 'cpu', value: 0.5, ...over };
}

export function anomaly(over: Partial<AnomalyEvent> = {}): AnomalyEvent {
  const ts = over.ts ?? 1_700_000_000_000;
  return {
    v: 1,
    id: 'host-1|cpu|spike|1700000000000',
    state: 'firing',
    ts,
    source: 'host-1',
    metric: 'cpu',
    severity: 'warning',
    score: 0.8,
    scores: { zscore: 0.8, mad: 0.7 },
    value: 99,
    expected: 50,
    lower: 40,
    upper: 60,
    startedAt: ts,
    reason: 'cpu of host-1 is 99, expected 50 (40..60)',
    rule: 'spike',
    ...over,
  };
}

export function score(ts: number, over: Partial<Score> = {}): Score {
  return {
    ts,
    value: 1,
    score: 0.1,
    scores: { zscore: 0.1 },
    expected: 1,
    lower: 0,
    upper: 2,
    status: 'ready',
    ...over,
  };
}

export function scores(source: string, metric: string, points: Score[]): SeriesScores {
  return { v: 1, source, metric, partition: 0, fromOffset: '0', toOffset: String(points.length), points };
}

export interface TestApi {
  app: Awaited<ReturnType<typeof buildApi>>;
  views: Views;
  sent: MetricPoint[][];
  ready: { broker: boolean; consumersAssigned: boolean };
  failSink(err: Error | null): void;
}

export async function testApi(): Promise<TestApi> {
  const views = createViews(LIMITS);
  const sent: MetricPoint[][] = [];
  let sinkError: Error | null = null;
  const ready = { broker: true, consumersAssigned: true };
  const app = await buildApi({
    config: API_CONFIG,
    views,
    sink: {
      async sendPoints(points) {
        if (sinkError) throw sinkError;
        sent.push(points);
      },
    },
    health: async () => ({ ...ready }),
  });
  return {
    app,
    views,
    sent,
    ready,
    failSink: (err) => {
      sinkError = err;
    },
  };
}
