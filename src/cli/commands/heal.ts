import { startHealService } from '../../heal/service/service.js';
import { createKafka } from '../../transport/kafka.js';
import { createLog } from '../../transport/log.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka, UsageError } from '../errors.js';
import { loadPipelineOption } from '../pipeline-option.js';
import { waitForShutdown } from '../signals.js';

const STATS_EVERY_MS = 30_000;

export interface HealOptions {
  pipeline?: string;
  brokers?: string;
  id?: string;
  etcd?: string;
}

/**
 * `faultline heal`: one heal engine (src/heal/service) on the pipeline's topics: anomalies and
 * predictions in, actions and outcomes out. Run several with etcd (`--etcd` or the pipeline's
 * `coordinator:`): only the leader acts, a standby takes over when it dies. Runs until SIGINT/SIGTERM,
 * then finishes the batch in progress and resigns.
 */
export async function runHeal(opts: HealOptions): Promise<void> {
  const log = createLog({ name: 'heal' });
  const { file, pipeline } = loadPipelineOption(opts.pipeline);
  if (!pipeline.heal) log.warn(`${file} has no heal: section: the engine runs with the defaults (sim actuator)`);
  const etcd = opts.etcd
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (opts.etcd !== undefined && (!etcd || etcd.length === 0))
    throw new UsageError('--etcd: expected http://host:port[,http://host:port]');
  const brokers = existingBrokers(opts.brokers, pipeline.kafka.brokers);
  const shutdown = waitForShutdown((sig) => log.info(`${sig}: stopping`));
  try {
    const kafka = createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-heal`, log, security: pipeline.kafka });
    const service = await talkingToKafka(brokers, 'starting the heal engine', () =>
      startHealService({
        kafka,
        pipeline,
        log,
        ...(opts.id ? { id: opts.id } : {}),
        ...(etcd ? { etcdEndpoints: etcd } : {}),
      }),
    );
    const c = service.coordinator.status();
    log.info('heal engine running', { pipeline: file, id: service.id, coordinator: c.backend, leader: c.leader });
    const timer = setInterval(() => {
      const s = service.status();
      log.info('stats', { leader: s.coordinator.leader, ...s.consumed, ...s.published, dlq: s.deadLettered });
    }, STATS_EVERY_MS).unref();
    await shutdown.promise;
    clearInterval(timer);
    await service.stop();
  } finally {
    shutdown.dispose();
  }
}
