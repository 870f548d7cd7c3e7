/**
 * `npm run bench [-- --json] [-- --points N] [-- --points-per-message N] [-- --skip-e2e] [-- --scale]`
 *
 * Runs the in-process detector benchmark (bench/detector.ts) and the end-to-end benchmark through
 * a real broker (bench/e2e.ts; Kafka started with infra/kafka ensureKafka unless KAFKA_BROKERS is
 * set, and stopped afterwards). Progress goes to stderr; a table to stdout; with --json the last
 * line of stdout is one JSON object with every figure.
 *
 * --scale (opt-in: about 3 more minutes) adds the scale-out benchmark (bench/scale.ts): 1, 2 and 4
 * worker processes on 8 partitions, and the handover time after a SIGKILL
 * (workers_{1,2,4}_points_per_sec, handover_seconds; null without --scale).
 */
import { ensureKafka, type KafkaHandle } from '../infra/kafka/broker.js';
import { runDetectorBench } from './detector.js';
import { type E2eBenchResult, runE2eBench } from './e2e.js';
import { runPredictBench } from './predict.js';
import { runScaleBench, type ScaleBenchResult } from './scale.js';

const TARGETS = {
  detector_points_per_sec: { min: 1_000_000 },
  e2e_points_per_sec: { min: 100_000 },
  e2e_latency_p99_ms: { max: 100 },
  bytes_per_series: { max: 4096 },
} as const;

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const num = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function verdict(key: string, v: number): string {
  const t = (TARGETS as Record<string, { min?: number; max?: number }>)[key];
  if (!t || !Number.isFinite(v)) return '';
  if (t.min !== undefined) return v >= t.min ? `met (≥ ${num(t.min)})` : `NOT met (target ≥ ${num(t.min)})`;
  if (t.max !== undefined) return v <= t.max ? `met (≤ ${num(t.max)})` : `NOT met (target ≤ ${num(t.max)})`;
  return '';
}

async function main(): Promise<void> {
  const json = flag('json');
  const points = option('points') ? Number(option('points')) : undefined;
  const skipE2e = flag('skip-e2e');
  const scale = flag('scale');

  say('detector ensemble, in process, one core');
  const det = await runDetectorBench({ progress: (m) => say(`  ${m}`) });
  say('model serving path (predict worker), in process, one core');
  const ml = await runPredictBench({ progress: (m) => say(`  ${m}`) });

  let e2e: E2eBenchResult | null = null;
  let sc: ScaleBenchResult | null = null;
  if (!skipE2e || scale) {
    let kafka: KafkaHandle | null = null;
    const stop = async () => {
      const k = kafka;
      kafka = null;
      if (k) await k.stop();
    };
    const onSignal = () => {
      say('interrupted: stopping the broker');
      void stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      kafka = await ensureKafka({ log: (m) => say(`kafka: ${m}`) });
      say(
        `Kafka at ${kafka.brokers.join(',')}${kafka.external ? ' (KAFKA_BROKERS)' : ' (local, started for this run)'}`,
      );
      const ppm = option('points-per-message');
      if (!skipE2e) {
        e2e = await runE2eBench({
          brokers: kafka.brokers,
          points,
          pointsPerMessage: ppm === undefined ? undefined : Number(ppm),
          progress: (m) => say(m),
        });
      }
      if (scale) {
        say('scale-out: worker processes in one consumer group, 8 partitions');
        sc = await runScaleBench({ brokers: kafka.brokers, progress: (m) => say(`  ${m}`) });
      }
    } finally {
      await stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  const rows: Array<[string, string, string]> = [
    [
      'detector ensemble (updateFast, 1 core)',
      `${num(det.detector_points_per_sec)} points/s`,
      verdict('detector_points_per_sec', det.detector_points_per_sec),
    ],
    ['detector ensemble (update, with Score objects)', `${num(det.update_points_per_sec)} points/s`, ''],
    [`model serving: default predictor (${ml.backend})`, `${num(ml.ml_inference_windows_per_sec)} windows/s`, ''],
    [
      `memory per series (${num(det.series_for_memory)} series)`,
      `${num(det.bytes_per_series)} bytes`,
      verdict('bytes_per_series', det.bytes_per_series),
    ],
  ];
  if (e2e) {
    rows.push(
      [
        'e2e through Kafka (sustained)',
        `${num(e2e.e2e_points_per_sec)} points/s`,
        verdict('e2e_points_per_sec', e2e.e2e_points_per_sec),
      ],
      [
        'raw kafkajs produce → consume',
        `${num(e2e.raw_kafkajs_points_per_sec)} points/s`,
        `e2e/raw = ${e2e.e2e_to_raw_ratio}`,
      ],
      [
        `latency p50 @ ${num(e2e.latency_rate_achieved)} points/s`,
        `${num(e2e.e2e_latency_p50_ms)} ms`,
        `${e2e.latency_samples} events`,
      ],
      [
        `latency p99 @ ${num(e2e.latency_rate_achieved)} points/s`,
        `${num(e2e.e2e_latency_p99_ms)} ms`,
        verdict('e2e_latency_p99_ms', e2e.e2e_latency_p99_ms),
      ],
      [
        'latency p50 / p99, emitScores off',
        `${num(e2e.e2e_latency_p50_ms_no_scores ?? Number.NaN)} / ${num(e2e.e2e_latency_p99_ms_no_scores ?? Number.NaN)} ms`,
        '',
      ],
    );
  }
  if (sc) {
    const w = (n: number | null) => (n === null ? 'n/a' : `${num(n)} points/s`);
    rows.push(
      [`scale: 1 worker process (${sc.scale_partitions} partitions)`, w(sc.workers_1_points_per_sec), ''],
      ['scale: 2 worker processes', w(sc.workers_2_points_per_sec), ''],
      ['scale: 4 worker processes', w(sc.workers_4_points_per_sec), ''],
      [
        'handover after SIGKILL (state changelog)',
        `${sc.handover_seconds.toFixed(2)} s`,
        `detect ${sc.handover_detect_seconds.toFixed(2)} s + resume ${sc.handover_resume_seconds.toFixed(2)} s, ${sc.handover_lost_points} points lost`,
      ],
      [
        'handover after SIGKILL (changelog off: full replay)',
        sc.handover_seconds_full_replay === null ? 'n/a' : `${sc.handover_seconds_full_replay.toFixed(2)} s`,
        sc.handover_resume_seconds_full_replay === null
          ? ''
          : `resume ${sc.handover_resume_seconds_full_replay.toFixed(2)} s`,
      ],
    );
  }
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log('');
  console.log(`${'benchmark'.padEnd(w0)}  ${'result'.padStart(w1)}  target`);
  console.log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ------`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  if (skipE2e) console.log('(e2e skipped: --skip-e2e)');
  if (!sc) console.log('(scale-out and handover not measured: add --scale)');

  if (json) {
    const out = {
      detector_points_per_sec: det.detector_points_per_sec,
      detector_update_points_per_sec: det.update_points_per_sec,
      bytes_per_series: det.bytes_per_series,
      json_bytes_per_series: det.json_bytes_per_series,
      ml_inference_windows_per_sec: ml.ml_inference_windows_per_sec,
      ml_forecaster_windows_per_sec: ml.forecaster_windows_per_sec,
      e2e_points_per_sec: e2e?.e2e_points_per_sec ?? null,
      raw_kafkajs_points_per_sec: e2e?.raw_kafkajs_points_per_sec ?? null,
      e2e_latency_p50_ms: e2e?.e2e_latency_p50_ms ?? null,
      e2e_latency_p99_ms: e2e?.e2e_latency_p99_ms ?? null,
      ...(e2e
        ? {
            points_per_message: e2e.points_per_message,
            e2e_to_raw_ratio: e2e.e2e_to_raw_ratio,
            e2e_overall_points_per_sec: e2e.e2e_overall_points_per_sec,
            latency_rate_achieved: e2e.latency_rate_achieved,
            latency_samples: e2e.latency_samples,
            latency_p90_ms: e2e.latency_p90_ms,
            latency_max_ms: e2e.latency_max_ms,
            latency_produce_ack_p99_ms: e2e.latency_produce_ack_p99_ms,
            e2e_latency_p50_ms_no_scores: e2e.e2e_latency_p50_ms_no_scores,
            e2e_latency_p99_ms_no_scores: e2e.e2e_latency_p99_ms_no_scores,
          }
        : {}),
      // scale-out (--scale)
      workers_1_points_per_sec: sc?.workers_1_points_per_sec ?? null,
      workers_2_points_per_sec: sc?.workers_2_points_per_sec ?? null,
      workers_4_points_per_sec: sc?.workers_4_points_per_sec ?? null,
      handover_seconds: sc?.handover_seconds ?? null,
      ...(sc
        ? {
            handover_detect_seconds: sc.handover_detect_seconds,
            handover_resume_seconds: sc.handover_resume_seconds,
            handover_lost_points: sc.handover_lost_points,
            handover_seconds_full_replay: sc.handover_seconds_full_replay,
            handover_resume_seconds_full_replay: sc.handover_resume_seconds_full_replay,
            scale_partitions: sc.scale_partitions,
            scale_points: sc.scale_points,
          }
        : {}),
    };
    console.log(JSON.stringify(out));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
