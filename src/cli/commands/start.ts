import { ensureKafka } from '../../../infra/kafka/broker.js';
import { startViewFeed } from '../../api/feed.js';
import { createHealRecords, type HealDeps } from '../../api/heal.js';
import { createKafkaHealth } from '../../api/health.js';
import { producerLabelSink } from '../../api/routes/labels.js';
import { checkAccess, resolveApiKeys } from '../../api/security.js';
import { buildApi } from '../../api/server.js';
import { producerSink } from '../../api/sink.js';
import { createViews } from '../../api/views.js';
import { TOPICS } from '../../contracts/topics.js';
import { createSeriesScorer } from '../../detect/index.js';
import { healerOf } from '../../heal/service/config.js';
import { startRemoteHeal } from '../../heal/service/remote.js';
import { type HealService, startHealService } from '../../heal/service/service.js';
import {
  createMetrics,
  instrumentCoordinator,
  instrumentHeal,
  instrumentKafka,
  instrumentModels,
  instrumentViews,
  instrumentWorkers,
  timedScorer,
} from '../../metrics/index.js';
import { instrumentSupervisor } from '../../metrics/supervisor.js';
import { startPredictWorker } from '../../predict/predict-worker.js';
import { startScraper } from '../../scrape/scraper.js';
import { startDemo } from '../../sim/demo.js';
import { startWorkerSupervisor, untilShutdownOrGaveUp } from '../../supervise/start-workers.js';
import { ensureTopics } from '../../transport/admin.js';
import { resolveBrokers } from '../../transport/brokers.js';
import { createKafka } from '../../transport/kafka.js';
import { createLog } from '../../transport/log.js';
import { createProducer } from '../../transport/producer.js';
import { startDetectWorker } from '../../worker/detect-worker.js';
import { demoSource } from '../demo-source.js';
import { talkingToKafka, UsageError } from '../errors.js';
import { muteableLog } from '../mute-log.js';
import { loadPipelineOption } from '../pipeline-option.js';
import { waitForShutdown } from '../signals.js';
import { clearStartState, writeStartState } from '../state.js';
import { pipelineTopics } from '../topics.js';

export interface StartOptions {
  pipeline?: string;
  /** false with --no-demo; 'nab' | 'sim'; undefined = NAB when its data is present, else sim */
  demo?: string | boolean;
  port?: string;
  host?: string;
  /** serve an open API (no keys) on a non-loopback address */
  insecure?: boolean;
  /** run this many detect workers as supervised child processes instead of one in this process */
  workers?: string;
}

/** Something started, stopped in a fixed order on shutdown. */
interface Part {
  name: string;
  stop(): Promise<void>;
}

const say = (msg: string) => process.stdout.write(`${msg}\n`);

function parsePort(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535)
    throw new UsageError(`--port: expected an integer 0-65535 (0 = a free port), got ${JSON.stringify(raw)}`);
  return n;
}

/** A URL a browser can open: a wildcard bind address is reached through loopback. */
function publicUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * `faultline start`: everything on one machine — a Kafka broker when none is configured, the
 * topics, a detect worker, the API with its views, and a demo producer. Stops cleanly on
 * SIGINT/SIGTERM: demo producer, worker, view feed, API, producer, then the broker it started.
 */
export async function runStart(opts: StartOptions): Promise<void> {
  const { file, pipeline } = loadPipelineOption(opts.pipeline);
  if (opts.port !== undefined) pipeline.api.port = parsePort(opts.port);
  if (opts.host !== undefined) pipeline.api.host = opts.host;
  let access: string;
  try {
    pipeline.api.keys = resolveApiKeys(pipeline.api.keys, process.env.FAULTLINE_API_KEYS);
    access = checkAccess({ host: pipeline.api.host, keys: pipeline.api.keys, insecure: opts.insecure === true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const demo = opts.demo === false ? undefined : demoSource(typeof opts.demo === 'string' ? opts.demo : undefined);
  const { log, mute } = muteableLog(createLog({ name: 'faultline', level: 'warn' }));

  const parts: Part[] = [];
  let stopping = false;
  const shutdown = waitForShutdown((sig) => {
    stopping = true;
    say(`${sig} received: shutting down`);
  });
  const stopAll = async () => {
    for (const part of parts.reverse()) {
      // the broker goes last: clients still retrying against it only make noise by then
      if (part.name === 'Kafka broker') mute();
      try {
        await part.stop();
        say(`stopped ${part.name}`);
      } catch (err) {
        say(`warning: stopping ${part.name} failed: ${(err as Error).message}`);
      }
    }
    clearStartState();
    shutdown.dispose();
  };
  /** start one piece, unless a signal arrived meanwhile */
  const step = async <T>(fn: () => Promise<T>): Promise<T | undefined> => (stopping ? undefined : fn());

  try {
    say(`faultline: pipeline "${pipeline.name}" from ${file}`);
    let brokers = resolveBrokers(pipeline.kafka.brokers);
    if (brokers) {
      say(`Kafka: using ${brokers.join(',')}`);
    } else {
      say('Kafka: no brokers configured and KAFKA_BROKERS is unset: starting a local Apache Kafka 3.9.1 broker');
      say('       (the first run fetches the broker jars with Maven, about 50 MB; later runs start in seconds)');
      const broker = await ensureKafka({ log: (m) => say(`  kafka: ${m}`) });
      parts.push({ name: 'Kafka broker', stop: () => broker.stop() });
      brokers = broker.brokers;
      say(`Kafka: local broker ready at ${brokers.join(',')}${broker.logFile ? ` (log: ${broker.logFile})` : ''}`);
    }

    const kafka = createKafka({ brokers, clientId: pipeline.kafka.clientId, log, security: pipeline.kafka });
    const kafkaStep = <T>(what: string, fn: () => Promise<T>) => step(() => talkingToKafka(brokers, what, fn));
    await kafkaStep('creating topics', () => ensureTopics(kafka, pipelineTopics(pipeline), { log }));
    const producer = createProducer(kafka, { log });
    await kafkaStep('connecting the producer', () => producer.connect());
    parts.push({ name: 'producer', stop: () => producer.disconnect() });

    const views = createViews({
      anomaliesKept: pipeline.api.anomaliesKept,
      seriesKept: pipeline.api.seriesKept,
      pointsPerSeries: pipeline.api.pointsPerSeries,
    });
    const feed = await kafkaStep('starting the API views', () =>
      startViewFeed({
        kafka,
        topics: {
          anomalies: pipeline.topics.anomalies,
          scores: pipeline.topics.scores,
          predictions: pipeline.topics.predictions ?? TOPICS.predictions,
        },
        views,
        log: log.child('views'),
      }),
    );
    const health = createKafkaHealth({ kafka, consumers: feed ? [feed] : [] });
    const metrics = createMetrics();
    instrumentViews(metrics, views, () => feed);
    // the registry module pulls in tfjs: loaded at the first scrape, not at start-up
    instrumentModels(metrics, async () => (await import('../../ml/registry.js')).listModels('models'));

    // --workers N: detect workers and heal engines as supervised processes
    const etcd = pipeline.coordinator?.backend === 'etcd';
    let healEngines = 0;
    if (pipeline.heal && opts.workers !== undefined) {
      healEngines = healerOf(pipeline).engines ?? (etcd ? 2 : 1);
      if (!etcd && healEngines > 1) {
        say(`heal: ${healEngines} engines need the etcd coordinator (only the leader may act); running 1`);
        healEngines = 1;
      }
    }
    const supervised =
      opts.workers === undefined
        ? undefined
        : await step(async () =>
            startWorkerSupervisor({
              workers: opts.workers as string,
              pipelineFile: file,
              brokers,
              say,
              ...(healEngines > 0 ? { heal: { count: healEngines } } : {}),
            }),
          );
    if (supervised) parts.push({ name: 'supervised processes', stop: () => supervised.stop() });
    instrumentSupervisor(metrics, () => supervised);

    // the heal engine: in this process (the API drives its approvals), or read back from the actions
    // topic when the engines are supervised processes (approvals go to them through that topic)
    let healDeps: HealDeps | undefined;
    let healService: HealService | undefined;
    if (pipeline.heal && !supervised) {
      const records = createHealRecords();
      const healMetrics = instrumentHeal(metrics, () => healService?.engine);
      healService = await kafkaStep('starting the heal engine', () =>
        startHealService({
          kafka,
          pipeline,
          log: log.child('heal'),
          onRecord: (r) => {
            records.publish(r);
            healMetrics.onRecord(r);
          },
        }),
      );
      const hs = healService;
      if (hs) {
        parts.push({ name: 'heal engine', stop: () => hs.stop() });
        instrumentCoordinator(metrics, () => hs.coordinator);
        healDeps = { engine: hs.api, records, coordinator: hs.coordinator };
        say(`heal: engine ${hs.id} (${hs.coordinator.backend} coordinator) on ${healerOf(pipeline).groupId}.${hs.id}`);
      }
    } else if (pipeline.heal && supervised) {
      const remote = await kafkaStep('reading the heal engines’ actions', () =>
        startRemoteHeal({ kafka, pipeline, producer, log: log.child('heal') }),
      );
      if (remote) {
        parts.push({ name: 'actions feed', stop: () => remote.stop() });
        healDeps = { engine: remote.engine, records: remote.records };
      }
    }

    // trained models (pipeline `models:`; the shipped default predictor out of the box): one predict
    // worker in this process, hot-swapping new or promoted versions from the registry
    const predict = await kafkaStep('starting the predict worker', () =>
      startPredictWorker({ kafka, pipeline, log: log.child('predict') }),
    );
    if (predict) parts.push({ name: 'predict worker', stop: () => predict.stop() });

    const app = await step(() =>
      buildApi({
        config: pipeline.api,
        sink: producerSink(producer, pipeline.topics.metrics),
        views,
        health: health.check,
        metrics,
        ...(healDeps ? { heal: healDeps } : {}),
        ...(supervised ? { supervisor: supervised } : {}),
        models: { modelsDir: pipeline.models.dir, kafka, backend: () => predict?.stats().backend ?? null },
        labels: producerLabelSink(producer, TOPICS.labels),
        remoteWrite: pipeline.remoteWrite,
      }),
    );
    if (app) {
      parts.push({
        name: 'API',
        stop: async () => {
          await app.close();
          await health.close();
        },
      });
    }
    if (feed) parts.push({ name: 'view feed', stop: () => feed.stop() });

    const scorer = timedScorer(createSeriesScorer(pipeline), metrics);
    const worker = supervised
      ? undefined
      : await kafkaStep('starting the detect worker', () =>
          startDetectWorker({ kafka, pipeline, log: log.child('worker'), scorer }),
        );
    if (worker) parts.push({ name: 'detect worker', stop: () => worker.stop() });
    instrumentWorkers(metrics, () => (worker ? [{ id: '0', worker }] : []));
    const kafkaMetrics = instrumentKafka(metrics, {
      kafka,
      dlqTopic: pipeline.topics.dlq,
      groups: () => [
        { groupId: pipeline.worker.groupId, topics: [pipeline.topics.metrics] },
        ...(feed ? [{ groupId: feed.groupId, topics: [pipeline.topics.anomalies, pipeline.topics.scores] }] : []),
      ],
    });
    parts.push({ name: 'metrics', stop: () => kafkaMetrics.close() });

    if (pipeline.scrape && !stopping) {
      const scraper = startScraper({
        config: pipeline.scrape,
        sink: producerSink(producer, pipeline.topics.metrics),
        log: log.child('scrape'),
      });
      parts.push({ name: 'scraper', stop: () => scraper.stop() });
      say(`scrape: ${pipeline.scrape.targets.length} Prometheus exporter(s) every ${pipeline.scrape.interval} ms`);
    }

    if (app && !stopping) {
      await app.listen({ host: pipeline.api.host, port: pipeline.api.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : pipeline.api.port;
      const base = publicUrl(pipeline.api.host, port);
      writeStartState({ pid: process.pid, brokers, api: base, pipeline: file });
      say(`faultline API listening on ${base}`);
      say(`  ${access}`);
      say(`  dashboard: ${base}/dashboard/`);
      say(`  metrics:   ${base}/metrics`);
      say(`  anomalies: ${base}/v1/anomalies`);
      say(`  series:    ${base}/v1/series`);
      if (healDeps) say(`  actions:   ${base}/v1/actions   (approvals: POST ${base}/v1/actions/<id>/approve)`);
      if (supervised) say(`  processes: ${base}/v1/supervisor`);
      say(`  API docs:  ${base}/docs`);
      say(`  ingest:    POST ${base}/v1/metrics   (Prometheus remote_write: ${base}/api/v1/write)`);
      if (predict)
        say(`  models:    ${base}/v1/models   predictions: ${base}/v1/predictions   labels: POST ${base}/v1/labels`);
      say(
        `  brokers:   ${brokers.join(',')}   (other terminals: KAFKA_BROKERS=${brokers.join(',')} npm run faultline -- replay <file>)`,
      );
    }

    if (demo && !stopping) {
      say(`demo: ${demo.description}`);
      const d = startDemo({
        sink: producer,
        topic: pipeline.topics.metrics,
        ticks: demo.ticks,
        ticksPerSecond: demo.ticksPerSecond,
        log: say,
      });
      parts.push({ name: 'demo producer', stop: () => d.stop() });
      say('demo: anomalies appear at /v1/anomalies within a minute; Ctrl-C stops everything');
    } else if (!stopping) {
      say('no demo producer: send metrics with POST /v1/metrics or `faultline replay <file>`; Ctrl-C stops everything');
    }
    if (!stopping) await untilShutdownOrGaveUp(shutdown.promise, supervised);
  } catch (err) {
    await stopAll();
    throw err;
  }
  await stopAll();
  say('faultline stopped');
}
