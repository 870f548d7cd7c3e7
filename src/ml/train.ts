import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TrainRequest, type TrainRequestInput } from './request.js';
import type { TrainProgress, TrainResult } from './train-run.js';

export type { TrainProgress, TrainResult } from './train-run.js';

/** Messages from the training worker. */
export type WorkerMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; error: { name: string; message: string; retriable: boolean; stack?: string } };

/** A training failure reported by the worker, keeping the original error's name and retriability. */
export class TrainError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface TrainJob {
  /** resolves with the result (the model is saved unless the request says not to) */
  result: Promise<TrainResult>;
  /** ask the worker to stop after the current epoch (best weights are kept, evaluated and saved) */
  stop(): void;
  /** kill the worker now; `result` rejects */
  cancel(): Promise<void>;
}

/** The worker entry: compiled `.js` next to this module, else the `.ts` source run through tsx (dev, tests). */
function startWorker(data: TrainRequest): Worker {
  const js = new URL('./train-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: data });
  const ts = new URL('./train-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * Train in a worker thread, so the calling thread (API, detect worker) stays responsive while tfjs
 * keeps the other core busy. Progress (stages, then per epoch: loss, validation loss, ETA) arrives
 * through `onProgress`. The request is validated here, before any thread starts.
 */
export function startTraining(input: TrainRequestInput, onProgress?: (p: TrainProgress) => void): TrainJob {
  const req = TrainRequest.parse(input);
  const worker = startWorker(req);
  let settled = false;
  let cancelled: (() => void) | undefined;
  const result = new Promise<TrainResult>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    cancelled = () => finish(() => reject(new TrainError('TrainCancelledError', 'training was cancelled', false)));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.result));
      else if (m.type === 'error')
        finish(() => reject(new TrainError(m.error.name, m.error.message, m.error.retriable)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() =>
        reject(new TrainError('TrainError', `the training worker exited (code ${code}) without a result`, true)),
      ),
    );
  });
  return {
    result,
    stop: () => {
      if (!settled) worker.postMessage({ type: 'stop' });
    },
    cancel: async () => {
      // the caller asked for the rejection: do not let it surface as an unhandled one
      result.catch(() => {});
      cancelled?.();
      await worker.terminate();
    },
  };
}

/** Convenience: start a job and wait for its result. */
export function trainInWorker(input: TrainRequestInput, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
  return startTraining(input, onProgress).result;
}
