import type { AlarmRule } from '../config/pipeline.js';
import type { AnomalyEvent } from '../contracts/anomaly.js';
import type { Prediction } from '../contracts/prediction.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { ALARM_FIRING, ALARM_RESOLVED, AlarmRuleRunner, type AlarmState } from '../detect/alarm.js';

/**
 * The autoencoder as a detector: its per-source anomaly score goes through the pipeline's alarm
 * rules (the same AlarmRuleRunner the statistical detectors use: min hits in a window, suppress,
 * recover — data time) and becomes AnomalyEvents of the same contract on the anomalies topic. The
 * event's metric is the one contributing most to the reconstruction error; the reason names the
 * top contributors with their shares. The detector is named `model:<name>` in `scores`.
 */
export class AutoencoderAlarms {
  private readonly runners: AlarmRuleRunner[];
  private readonly states = new Map<string, { alarm: AlarmState[]; metric: string; peak: number }>();

  constructor(rules: readonly AlarmRule[]) {
    this.runners = rules.map((r) => new AlarmRuleRunner(r));
  }

  /** Events decided by one autoencoder prediction (none for other kinds). */
  step(p: Prediction): AnomalyEvent[] {
    if (p.model.kind !== 'autoencoder' || p.score === null) return [];
    let s = this.states.get(p.source);
    if (!s) {
      s = { alarm: this.runners.map((r) => r.init()), metric: p.model.name, peak: 0 };
      this.states.set(p.source, s);
    }
    const detector = `model:${p.model.name}`;
    const top = p.contributors[0]?.metric;
    const out: AnomalyEvent[] = [];
    this.runners.forEach((runner, k) => {
      const st = s.alarm[k] as AlarmState;
      const d = runner.step(st, p.ts, p.score as number);
      if (st.f === 1) s.peak = Math.max(s.peak, p.score as number);
      if (d !== ALARM_FIRING && d !== ALARM_RESOLVED) return;
      const firing = d === ALARM_FIRING;
      if (firing) {
        s.metric = top ?? detector;
        s.peak = p.score as number;
      }
      const rule = runner.rule;
      const sid = `${p.source}|${detector}`;
      out.push({
        v: SCHEMA_VERSION,
        id: firing ? `${sid}:${rule.name}:${st.st}` : `${sid}:${rule.name}:${st.st}:resolved`,
        state: firing ? 'firing' : 'resolved',
        ts: p.ts,
        source: p.source,
        metric: s.metric,
        severity: rule.severity,
        score: p.score as number,
        scores: { [detector]: p.score as number },
        value: null,
        expected: null,
        lower: null,
        upper: null,
        startedAt: st.st,
        reason: firing
          ? `${p.source}: autoencoder ${p.model.name}@${p.model.version} ${p.reason} [rule ${rule.name}]`
          : `${p.source}: autoencoder ${p.model.name} score back below ${rule.threshold} for ${Math.round(rule.recover / 1000)} s (peak ${s.peak.toFixed(2)}) [rule ${rule.name}]`,
        rule: rule.name,
      });
    });
    return out;
  }
}
