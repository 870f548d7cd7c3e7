import type { Scorecard } from './scorecard.js';

/** The targets of issue 5's scorecard (benchmark figures, not test assertions). */
export const SCORECARD_TARGETS = {
  recovered_automatically: { min: 0.95 },
  mttr_median_s: { max: 10 },
  exhaustion_acted_before_impact: { min: 0.5 },
  duplicate_actions: { max: 0 },
  availability: { min: 0.999 },
} as const;

export interface TargetCheck {
  key: keyof typeof SCORECARD_TARGETS;
  value: number | null;
  target: string;
  met: boolean;
}

export function targetChecks(s: Scorecard): TargetCheck[] {
  return (Object.keys(SCORECARD_TARGETS) as Array<keyof typeof SCORECARD_TARGETS>).map((key) => {
    const t = SCORECARD_TARGETS[key] as { min?: number; max?: number };
    const value = s[key];
    const met = value !== null && (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max);
    return { key, value, target: t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`, met };
  });
}

const pct = (x: number | null, digits = 1) => (x === null ? 'n/a' : `${(x * 100).toFixed(digits)} %`);
const sec = (x: number | null) => (x === null ? 'n/a' : `${x} s`);

/** The scorecard as aligned lines for a terminal. */
export function formatScorecard(s: Scorecard): string {
  const mark = (key: keyof typeof SCORECARD_TARGETS) => {
    const c = targetChecks(s).find((x) => x.key === key);
    return c ? `   [${c.met ? 'met' : 'NOT met'}: target ${c.target}]` : '';
  };
  const byKind = Object.entries(s.mttr_median_by_kind_s)
    .map(([k, v]) => `${k} ${v} s`)
    .join(', ');
  const byStrategy = Object.entries(s.actions_by_strategy)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['faults injected', `${s.faults_injected} (${s.exhaustion_faults} resource exhaustion)`],
    ['detected', `${s.faults_detected} of ${s.faults_injected}`],
    [
      'predicted before impact',
      `${s.predicted_before_impact} of ${s.exhaustion_faults} exhaustion faults, median lead time ${sec(s.lead_time_median_s)}${s.predicted_by_model > 0 ? ` (${s.predicted_by_model} first by the model)` : ''}`,
    ],
    [
      'recovered automatically',
      `${pct(s.recovered_automatically)} (${s.recovered_automatically_count}; by an operator ${s.recovered_by_operator}, ended by itself ${s.recovered_by_itself}, not recovered ${s.not_recovered})${mark('recovered_automatically')}`,
    ],
    ['MTTR (from onset)', `median ${sec(s.mttr_median_s)}, p90 ${sec(s.mttr_p90_s)}${mark('mttr_median_s')}`],
    ['  by fault kind (median)', byKind || 'n/a'],
    [
      'exhaustion acted on before impact',
      `${pct(s.exhaustion_acted_before_impact, 0)}${mark('exhaustion_acted_before_impact')}`,
    ],
    [
      'availability',
      `${pct(s.availability, 3)} (${s.unavailable_node_s} of ${s.nodes * s.duration_s} node-seconds lost)${mark('availability')}`,
    ],
    ['actions', `${s.actions} (${byStrategy || 'none'}); ${s.fixing_actions} fixing`],
    ['wrong actions', String(s.wrong_actions)],
    [
      'duplicate actions',
      `${s.duplicate_actions} (repeated deliveries refused by idempotency: ${s.duplicate_deliveries})${mark('duplicate_actions')}`,
    ],
    ['pages', `${s.pages} (false pages ${s.false_pages})`],
    ['false alarms', String(s.false_alarms)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const head = `chaos scenario ${s.scenario} (seed ${s.seed}): ${s.nodes} nodes, ${s.duration_s / 3600} h of simulated time`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n');
}
