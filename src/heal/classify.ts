import type { AnomalyEvent, Severity } from '../contracts/anomaly.js';
import type { FaultType } from '../contracts/fault.js';
import type { FaultRule } from './config.js';
import { compileGlob } from './glob.js';

/** An anomaly with the fault type and severity the rules gave it. */
export interface Signal {
  event: AnomalyEvent;
  type: FaultType;
  severity: Severity;
  rule: string;
  /** false: the source's own fault, never a symptom of a dependency (undefined: may be) */
  symptom?: boolean;
}

interface CompiledRule {
  rule: FaultRule;
  metric: Array<(n: string) => boolean>;
  source: Array<(n: string) => boolean>;
}

/** Turns anomaly events into typed signals with the pipeline's rules: the first matching rule wins. */
export class Classifier {
  private readonly rules: CompiledRule[];

  constructor(rules: readonly FaultRule[]) {
    this.rules = rules.map((rule) => ({
      rule,
      metric: rule.metrics.map(compileGlob),
      source: rule.sources.map(compileGlob),
    }));
  }

  /** The signal of a firing anomaly, or undefined when no rule matches (the event is not a fault). */
  classify(event: AnomalyEvent): Signal | undefined {
    for (const c of this.rules) {
      if (!c.metric.some((m) => m(event.metric))) continue;
      if (c.source.length > 0 && !c.source.some((m) => m(event.source))) continue;
      if (event.score < c.rule.minScore) continue;
      if (!wayMatches(c.rule.direction, event)) continue;
      return {
        event,
        type: c.rule.type,
        severity: c.rule.severity[event.severity] ?? event.severity,
        rule: c.rule.name,
        symptom: c.rule.symptom,
      };
    }
    return undefined;
  }
}

/** Whether the event deviates the way the rule cares about (no expected value: it does). */
function wayMatches(direction: FaultRule['direction'], e: AnomalyEvent): boolean {
  if (direction === 'any' || e.value === null || e.expected === null) return true;
  return direction === 'above' ? e.value > e.expected : e.value < e.expected;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/**
 * Priority 1 (most urgent) .. 5: critical 1, warning 2, info 4; one step more urgent when the incident
 * touches five or more sources (a cascade).
 */
export function priorityOf(severity: Severity, affected: number): number {
  const base = severity === 'critical' ? 1 : severity === 'warning' ? 2 : 4;
  return Math.max(1, affected >= 5 ? base - 1 : base);
}
