import { ensureTopics } from '../../transport/admin.js';
import { createKafka } from '../../transport/kafka.js';
import { createLog } from '../../transport/log.js';
import { startDetectWorker } from '../../worker/detect-worker.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka } from '../errors.js';
import { loadPipelineOption } from '../pipeline-option.js';
import { waitForShutdown } from '../signals.js';
import { pipelineTopics } from '../topics.js';

const STATS_EVERY_MS = 30_000;

export interface WorkerOptions {
  pipeline?: string;
  brokers?: string;
}

/**
 * `faultline worker`: one more detect worker in the pipeline's consumer group (scale out by
 * running several). Runs until SIGINT/SIGTERM, then leaves the group cleanly.
 */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const log = createLog({ name: 'worker' });
  const { file, pipeline } = loadPipelineOption(opts.pipeline);
  const brokers = existingBrokers(opts.brokers, pipeline.kafka.brokers);
  const shutdown = waitForShutdown((sig) => log.info(`${sig}: stopping`));
  try {
    const kafka = createKafka({
      brokers,
      clientId: `${pipeline.kafka.clientId}-worker`,
      log,
      security: pipeline.kafka,
    });
    await talkingToKafka(brokers, 'creating topics', () => ensureTopics(kafka, pipelineTopics(pipeline), { log }));
    const worker = await talkingToKafka(brokers, 'starting the worker', () =>
      startDetectWorker({ kafka, pipeline, log }),
    );
    log.info('detect worker running', { pipeline: file, brokers: brokers.join(','), group: pipeline.worker.groupId });
    const timer = setInterval(() => log.info('stats', { ...worker.stats() }), STATS_EVERY_MS).unref();
    await shutdown.promise;
    clearInterval(timer);
    await worker.stop();
    log.info('stopped', { ...worker.stats() });
  } finally {
    shutdown.dispose();
  }
}
