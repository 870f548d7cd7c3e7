import type { AnomalyEvent, SeriesScores } from '../../../src/contracts/index.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import { EmbeddedCoordinator } from '../../../src/coord/index.js';
import type { CoordinatorStatus } from '../../../src/coord/types.js';

export const T0 = Date.UTC(2024, 0, 1);
export const S = 1000;
export const M = 60_000;

/** A firing (or resolved) anomaly event with sensible defaults. */
export function anomaly(p: Partial<AnomalyEvent> & { source: string; metric: string; ts: number }): AnomalyEvent {
  return {
    v: SCHEMA_VERSION,
    id: p.id ?? `${p.source}|${p.metric}|${p.ts}|${p.state ?? 'firing'}`,
    state: p.state ?? 'firing',
    ts: p.ts,
    source: p.source,
    metric: p.metric,
    severity: p.severity ?? 'warning',
    score: p.score ?? 0.8,
    scores: p.scores ?? { zscore: p.score ?? 0.8 },
    value: p.value ?? 99,
    expected: p.expected ?? 40,
    lower: 20,
    upper: 60,
    startedAt: p.startedAt ?? p.ts,
    reason: p.reason ?? 'test',
    rule: p.rule ?? 'anomaly',
  };
}

/** A score batch of one series: points at the given times with one score. */
export function scores(source: string, metric: string, ts: number[], score: number): SeriesScores {
  return {
    v: SCHEMA_VERSION,
    source,
    metric,
    partition: 0,
    fromOffset: '0',
    toOffset: '0',
    points: ts.map((t) => ({
      ts: t,
      value: 40,
      score,
      scores: { zscore: score },
      expected: 40,
      lower: 20,
      upper: 60,
      status: 'ready' as const,
    })),
  };
}

/** An embedded coordinator whose safe mode can be switched on (etcd quorum lost) for tests. */
export class TestCoordinator extends EmbeddedCoordinator {
  safe = false;

  constructor(id = 'engine-a', startToken = 100) {
    super({ id, startToken });
  }

  override isLeader(): boolean {
    return !this.safe && super.isLeader();
  }

  override token(): number | undefined {
    return this.safe ? undefined : super.token();
  }

  override status(): CoordinatorStatus {
    const s = super.status();
    return this.safe ? { ...s, leader: false, token: undefined, safeMode: true, reason: 'etcd quorum lost' } : s;
  }
}

/** A leading test coordinator. */
export async function leader(id = 'engine-a', startToken = 100): Promise<TestCoordinator> {
  const c = new TestCoordinator(id, startToken);
  await c.campaign();
  return c;
}
