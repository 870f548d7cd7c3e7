/**
 * Worker-thread entry of a training job (started by train.ts): trains with runTraining, posts
 * progress messages, then the result or the error. Stops early on a {type: 'stop'} message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from './train.js';
import { runTraining } from './train-run.js';

const port = parentPort;
if (!port) throw new Error('train-worker.ts runs in a worker thread');
const post = (m: WorkerMessage) => port.postMessage(m);
let stop = false;
port.on('message', (m: { type?: string }) => {
  if (m?.type === 'stop') stop = true;
});

try {
  const { result, model } = await runTraining(
    workerData,
    (progress) => post({ type: 'progress', progress }),
    () => stop,
  );
  model.dispose();
  post({ type: 'done', result });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const retriable = (e as { retriable?: unknown }).retriable;
  post({
    type: 'error',
    error: {
      name: e.name,
      message: e.message,
      retriable: typeof retriable === 'boolean' ? retriable : false,
      stack: e.stack,
    },
  });
} finally {
  port.close();
}
