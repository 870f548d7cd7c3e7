import { resolve } from 'node:path';
import { loadPipeline } from '../../config/load.js';
import type { PipelineConfig } from '../../config/pipeline.js';
import type { AnomalyEvent } from '../../contracts/anomaly.js';
import type { MetricPoint } from '../../contracts/metric.js';
import type { Score, SeriesScores } from '../../contracts/score.js';
import { SCHEMA_VERSION } from '../../contracts/version.js';
import { EmbeddedCoordinator } from '../../coord/embedded.js';
import { createSeriesScorer, type SeriesState } from '../../detect/index.js';
import { createHealEngine, type HealRecord } from '../../heal/index.js';
import { projectRoot } from '../project-root.js';
import { clusterActuator } from './actuator.js';
import { Cluster, type ClusterTimings } from './cluster.js';
import { type ClusterServer, startClusterServer } from './http.js';
import { DEFAULT_SEED, type Scenario, scenario as scenarioByName } from './scenarios.js';
import { computeScorecard, type Detection, type Scorecard, type Warning } from './scorecard.js';
import { healTopology } from './topology.js';

export const CHAOS_PIPELINE = 'pipelines/chaos.yaml';

export interface ChaosProgress {
  phase: 'warmup' | 'chaos';
  /** data time covered so far and in all, within the phase (ms) */
  done: number;
  total: number;
  faultsInjected: number;
  actions: number;
}

/**
 * Something that turns metric points into early warnings (e.g. the fault predictor model): every
 * prediction it made since the last drain, with its probability; a warning is one at `threshold` or above.
 */
export interface WarningSource {
  /** the warned fault type's name as a pseudo-metric of the anomaly events it raises, e.g. predicted_resource_exhaustion */
  readonly metric: string;
  /** what raised it (the `rule` of those events), e.g. the model name and version */
  readonly rule: string;
  readonly threshold: number;
  push(points: readonly MetricPoint[]): void;
  drain(): Warning[];
}

export interface ChaosRunOptions {
  /** a scenario name (`standard`, `quick`, `burst`) or a built scenario */
  scenario: string | Scenario;
  seed?: number;
  /** parsed pipeline; default: pipelines/chaos.yaml of this project */
  pipeline?: PipelineConfig;
  /** how the engine reaches the cluster: in-process `sim` actuator, or the `webhook` actuator over loopback HTTP */
  actuator?: 'sim' | 'webhook';
  /** data-time step while something is going on, and while all is quiet */
  fineStepMs?: number;
  coarseStepMs?: number;
  timings?: Partial<ClusterTimings>;
  warnings?: WarningSource;
  /**
   * feed the warnings to the heal engine as anomaly events (firing at the threshold, resolved below half
   * of it) on the source's pseudo-metric `warnings.metric`, with the probabilities as its scores — so the
   * engine can act before the impact (the pipeline's rules must classify that metric)
   */
  actOnWarnings?: boolean;
  onProgress?: (p: ChaosProgress) => void;
  /** engine and runner messages */
  log?: (m: string) => void;
}

export interface ChaosRunResult {
  scorecard: Scorecard;
  scenario: Scenario;
  cluster: Cluster;
  /** every record the engine produced */
  records: HealRecord[];
  /** firing anomalies during the measured period */
  detections: Detection[];
  warnings: Warning[];
  /** scored points and wall-clock time */
  points: number;
  wallMs: number;
}

/** Loads pipelines/chaos.yaml of this project. */
export function loadChaosPipeline(file?: string): PipelineConfig {
  return loadPipeline(file ?? resolve(projectRoot(), CHAOS_PIPELINE), { env: {} });
}

/** Score batches for the engine: points of hot series at once, load metrics now and then, the rest dropped. */
class ScoreFeed {
  private readonly buf = new Map<string, { source: string; metric: string; points: Score[]; since: number }>();

  add(source: string, metric: string, p: Score): void {
    const k = `${source}|${metric}`;
    let b = this.buf.get(k);
    if (!b) {
      b = { source, metric, points: [], since: p.ts };
      this.buf.set(k, b);
    }
    if (b.points.length === 0) b.since = p.ts;
    b.points.push(p);
  }

  /** Batches due at `ts`: every series of a hot source; load metrics every `loadEveryMs`. */
  due(ts: number, hot: ReadonlySet<string>, loadMetrics: ReadonlySet<string>, loadEveryMs: number): SeriesScores[] {
    const out: SeriesScores[] = [];
    for (const b of this.buf.values()) {
      if (b.points.length === 0) continue;
      const send = hot.has(b.source) || (loadMetrics.has(b.metric) && ts - b.since >= loadEveryMs);
      if (send) {
        out.push({
          v: SCHEMA_VERSION,
          source: b.source,
          metric: b.metric,
          partition: 0,
          fromOffset: '0',
          toOffset: '0',
          points: b.points,
        });
        b.points = [];
      } else if (!loadMetrics.has(b.metric)) {
        b.points = [];
      }
    }
    return out;
  }
}

const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);

/**
 * Runs a chaos scenario in process, in data time: the simulated cluster's metrics go through the
 * pipeline's detectors (createSeriesScorer, the same code as the detect worker), anomalies and scores
 * into the heal engine (embedded coordinator), whose actions reach the cluster through the `sim`
 * actuator (or the `webhook` actuator and the cluster's HTTP endpoint). Deterministic for a seed.
 */
export async function runChaos(opts: ChaosRunOptions): Promise<ChaosRunResult> {
  const wall0 = performance.now();
  const seed = opts.seed ?? DEFAULT_SEED;
  const sc = typeof opts.scenario === 'string' ? scenarioByName(opts.scenario, seed) : opts.scenario;
  const pipeline = opts.pipeline ?? loadChaosPipeline();
  const log = opts.log ?? (() => {});
  const fine = opts.fineStepMs ?? 1_000;
  const coarse = opts.coarseStepMs ?? 5_000;

  const cluster = new Cluster({ topology: sc.topology, seed, ...(opts.timings ? { timings: opts.timings } : {}) });
  const scorer = createSeriesScorer({
    detectors: pipeline.detectors,
    ensemble: pipeline.ensemble,
    alarms: pipeline.alarms,
  });
  const states = new Map<string, SeriesState>();
  const stateOf = (k: string) => {
    let s = states.get(k);
    if (!s) {
      s = scorer.init();
      states.set(k, s);
    }
    return s;
  };

  const coordinator = new EmbeddedCoordinator({ id: 'chaos-engine', startToken: 1 });
  await coordinator.campaign();
  let server: ClusterServer | undefined;
  const topo = healTopology(sc.topology);
  const heal = { ...(pipeline.heal ?? {}), services: topo.services, groups: mergeGroups(pipeline, topo.groups) };
  const records: HealRecord[] = [];
  const sim = clusterActuator(cluster, 'sim');
  let config: Record<string, unknown>;
  if (opts.actuator === 'webhook') {
    server = await startClusterServer(cluster);
    config = { ...heal, actuators: [{ kind: 'webhook', name: 'cluster', url: server.url }], routes: [] };
  } else {
    config = { ...heal, actuators: [{ kind: 'sim', name: 'sim' }], routes: [] };
  }
  const engine = createHealEngine({
    config,
    coordinator,
    actuators: opts.actuator === 'webhook' ? {} : { sim },
    onRecord: (r) => records.push(r),
    log,
  });
  const loadMetrics = new Set([engine.config.reallocate.loadMetric, engine.config.reallocate.latencyMetric]);

  let points = 0;
  const detections: Detection[] = [];
  const warnings: Warning[] = [];
  const feed = new ScoreFeed();
  const t0 = sc.start + sc.warmupMs;
  const end = t0 + sc.durationMs;

  let hot = new Set<string>();
  const score = (pts: MetricPoint[], live: boolean): AnomalyEvent[] => {
    const events: AnomalyEvent[] = [];
    for (const p of pts) {
      const k = `${p.source}|${p.metric}`;
      const r = scorer.updateFast(stateOf(k), p.ts, p.value, { source: p.source, metric: p.metric });
      points++;
      if (!live) continue;
      for (const e of r.events) events.push(e);
      if (!hot.has(p.source) && !loadMetrics.has(p.metric)) continue;
      feed.add(p.source, p.metric, {
        ts: p.ts,
        value: p.value,
        score: r.score,
        scores: {},
        expected: nullIfNaN(r.expected),
        lower: nullIfNaN(r.lower),
        upper: nullIfNaN(r.upper),
        status: r.status,
      });
    }
    opts.warnings?.push(pts);
    return events;
  };

  /** per source: the warning alarm is open (firing) */
  const warned = new Set<string>();
  const warningsToEngine = async (ws: Warning[], src: WarningSource) => {
    for (const w of ws) {
      await engine.onScores({
        v: SCHEMA_VERSION,
        source: w.source,
        metric: src.metric,
        partition: 0,
        fromOffset: '0',
        toOffset: '0',
        points: [
          { ts: w.ts, value: w.p, score: w.p, scores: {}, expected: null, lower: null, upper: null, status: 'ready' },
        ],
      });
      const firing = w.p >= src.threshold;
      if (firing === warned.has(w.source) || (!firing && w.p >= src.threshold / 2)) continue;
      if (firing) warned.add(w.source);
      else warned.delete(w.source);
      await engine.onAnomaly(warningEvent(w, src, firing));
    }
  };

  try {
    // warm-up: no faults, nothing sent to the engine
    for (let ts = sc.start; ts < t0; ts += sc.warmupStepMs) {
      score(cluster.step(ts), false);
      if ((ts - sc.start) % (60 * sc.warmupStepMs) === 0) {
        opts.onProgress?.({ phase: 'warmup', done: ts - sc.start, total: sc.warmupMs, faultsInjected: 0, actions: 0 });
      }
    }
    opts.warnings?.drain();
    cluster.measureAvailabilityFrom(t0);

    const pending = [...sc.faults];
    let busyUntil = Number.NEGATIVE_INFINITY;
    let lastProgress = Number.NEGATIVE_INFINITY;
    let ts = t0;
    while (ts <= end) {
      while (pending.length > 0 && (pending[0]?.at as number) <= ts) {
        const f = pending.shift();
        if (f) {
          const t = cluster.inject({ ...f, at: ts });
          log(`chaos: ${t.kind} on ${t.node} at ${new Date(ts).toISOString()}`);
        }
      }
      const events = score(cluster.step(ts), true);
      for (const e of events) {
        if (e.state === 'firing') {
          detections.push({
            source: e.source,
            metric: e.metric,
            ts: e.ts,
            rule: e.rule,
            score: e.score,
            value: e.value,
            expected: e.expected,
            scores: e.scores,
          });
        }
        await engine.onAnomaly(e);
      }
      if (opts.warnings) {
        const ws = opts.warnings.drain();
        for (const w of ws) if (w.p >= opts.warnings.threshold) warnings.push(w);
        if (opts.actOnWarnings) await warningsToEngine(ws, opts.warnings);
      }
      const open = engine.cases({ open: true });
      hot = new Set<string>();
      for (const c of open) {
        hot.add(c.fault.root);
        for (const s of c.fault.symptoms) hot.add(s);
      }
      for (const batch of feed.due(ts, hot, loadMetrics, 10_000)) await engine.onScores(batch);
      await engine.tick(ts);

      // busy: something is wrong, being acted on or verified (escalated cases wait for a human: not busy)
      const active = open.some((c) => c.status !== 'escalated' && c.status !== 'recommended');
      const quiet = cluster.quiet(ts) && !active;
      if (!quiet) busyUntil = ts + 5 * 60_000;
      if (ts - lastProgress >= 5 * 60_000 || ts === end) {
        lastProgress = ts;
        opts.onProgress?.({
          phase: 'chaos',
          done: ts - t0,
          total: sc.durationMs,
          faultsInjected: cluster.faults().length,
          actions: cluster.actions().length,
        });
      }
      if (ts === end) break;
      const nextFault = pending[0]?.at ?? Number.POSITIVE_INFINITY;
      // coarse steps stay on multiples of the coarse step (so every whole minute is a tick)
      const next = ts < busyUntil || nextFault - ts <= 2 * 60_000 ? ts + fine : (Math.floor(ts / coarse) + 1) * coarse;
      ts = Math.min(end, next, nextFault);
    }
  } finally {
    await server?.close();
    await coordinator.close();
  }

  const byName = new Map(sc.topology.nodes.map((n) => [n.name, n]));
  const groups = new Map(sc.topology.groups.map((g) => [g.name, g]));
  const related = (node: string): string[] => {
    const out = new Set<string>([node]);
    const stack = [node];
    while (stack.length > 0) {
      const n = byName.get(stack.pop() as string);
      const g = n ? groups.get(n.group) : undefined;
      if (!g) continue;
      for (const m of g.members) out.add(m);
      for (const d of g.dependsOn) {
        for (const m of groups.get(d)?.members ?? []) {
          if (!out.has(m)) {
            out.add(m);
            stack.push(m);
          }
        }
      }
    }
    return [...out];
  };
  const scorecard = computeScorecard({
    scenario: sc.name,
    seed,
    nodes: sc.topology.nodes.length,
    from: t0,
    to: end,
    truths: cluster.faults(),
    applied: cluster.actions(),
    availability: cluster.availability(),
    detections,
    warnings,
    duplicateDeliveries: sim.duplicateDeliveries() + (server?.duplicateDeliveries() ?? 0),
    related,
  });
  return { scorecard, scenario: sc, cluster, records, detections, warnings, points, wallMs: performance.now() - wall0 };
}

/** A warning as the anomaly event the heal engine takes (the engine has no prediction input). */
function warningEvent(w: Warning, src: WarningSource, firing: boolean): AnomalyEvent {
  const pct = Math.round(w.p * 100);
  return {
    v: SCHEMA_VERSION,
    id: `${w.source}|${src.metric}:${src.rule}:${w.ts}${firing ? '' : ':resolved'}`,
    state: firing ? 'firing' : 'resolved',
    ts: w.ts,
    source: w.source,
    metric: src.metric,
    severity: 'warning',
    score: w.p,
    scores: { [src.rule]: w.p },
    value: w.p,
    expected: null,
    lower: null,
    upper: null,
    startedAt: w.ts,
    reason: `${src.rule}: ${w.type} expected within the model's horizon (p ${pct} %)`,
    rule: src.rule,
  };
}

/**
 * The heal groups for the simulated topology: the topology's members and replication, with the
 * supervision and blast-radius settings of a pipeline group of the same name when it has one.
 */
function mergeGroups(
  pipeline: PipelineConfig,
  groups: ReturnType<typeof healTopology>['groups'],
): Array<Record<string, unknown>> {
  const configured = new Map((pipeline.heal?.groups ?? []).map((g) => [g.name, g]));
  return groups.map((g) => {
    const c = configured.get(g.name);
    return c
      ? {
          ...g,
          supervision: c.supervision,
          maxUnavailablePercent: c.maxUnavailablePercent,
          restartDependents: c.restartDependents,
        }
      : g;
  });
}
