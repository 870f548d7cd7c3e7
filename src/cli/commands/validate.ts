import { loadPipeline } from '../../config/load.js';

/** `faultline validate <pipeline.yaml>`: check a pipeline file and summarise it. */
export function runValidate(file: string, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  const p = loadPipeline(file);
  const detectors = p.detectors.map((d) => d.name ?? d.kind).join(', ');
  const alarms = p.alarms.map((a) => `${a.name} (score >= ${a.threshold}, ${a.minHits} hit(s))`).join(', ');
  write(
    `${file}: ok — pipeline "${p.name}": ${p.detectors.length} detectors (${detectors}), ` +
      `ensemble ${p.ensemble.combine}, alarm rules: ${alarms}; topics ${p.topics.metrics} → ${p.topics.anomalies} ` +
      `(${p.topics.partitions} partitions); API ${p.api.host}:${p.api.port}\n`,
  );
}
