import type { FaultType } from '../../contracts/fault.js';
import type { MetricPoint } from '../../contracts/metric.js';
import { initBackend } from '../../ml/backend.js';
import { type LoadedVersion, loadModel } from '../../ml/registry.js';
import { PredictionStream } from '../../ml/serve.js';
import type { WarningSource } from './runner.js';
import type { Warning } from './scorecard.js';

export interface PredictorWarningsOptions {
  /** warn at this calibrated probability or above (default: the model's own threshold) */
  threshold?: number;
  /** the fault type warned about (default resource_exhaustion) */
  type?: FaultType;
}

/**
 * Early warnings from a trained fault predictor (src/ml) over the cluster's metrics: the points of every
 * whole model step (60 s for a model trained on minute rows) feed a PredictionStream — the same feature
 * pipeline as training. `drain()` gives every prediction of `type`; at or above `threshold` it is a warning.
 */
export class PredictorWarnings implements WarningSource {
  readonly metric: string;
  readonly rule: string;
  readonly threshold: number;
  private readonly stream: PredictionStream;
  private readonly stepMs: number;
  private readonly type: FaultType;
  private pending: Warning[] = [];

  constructor(
    readonly loaded: LoadedVersion,
    opts: PredictorWarningsOptions = {},
  ) {
    if (loaded.meta.kind !== 'predictor') throw new TypeError(`${loaded.name}: not a predictor model`);
    this.stream = new PredictionStream(loaded.model, { name: loaded.name, version: loaded.version, kind: 'predictor' });
    this.stepMs = loaded.meta.features.stepMs;
    this.threshold = opts.threshold ?? loaded.meta.threshold;
    this.type = opts.type ?? 'resource_exhaustion';
    this.metric = `predicted_${this.type}`;
    this.rule = `${loaded.name}@${loaded.version}`;
  }

  /** Loads `name` (latest version) from a model registry folder, after choosing the tfjs backend. */
  static async load(root: string, name: string, opts: PredictorWarningsOptions = {}): Promise<PredictorWarnings> {
    await initBackend();
    return new PredictorWarnings(await loadModel(root, name, 'latest', { kind: 'predictor' }), opts);
  }

  push(points: readonly MetricPoint[]): void {
    let fed = false;
    for (const p of points) {
      if (p.ts % this.stepMs !== 0) continue;
      this.stream.push(p);
      fed = true;
    }
    if (!fed) return;
    this.stream.end();
    for (const pr of this.stream.drain()) {
      const f = pr.faults.find((x) => x.type === this.type);
      if (f) this.pending.push({ source: pr.source, ts: pr.ts, type: f.type, p: f.p });
    }
  }

  drain(): Warning[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  dispose(): void {
    this.loaded.model.dispose();
  }
}
