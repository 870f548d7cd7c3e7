import type { Severity } from '../contracts/anomaly.js';
import type { Fault, FaultEvidence } from '../contracts/fault.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { maxSeverity, priorityOf } from './classify.js';
import type { Incident } from './correlate.js';

/**
 * The Fault record of an incident: typed by the root's first anomaly (the cause), as severe as its
 * worst anomaly, more urgent when it spans many sources; targets = the root then its symptoms.
 */
export function faultOf(incident: Incident): Fault {
  const rootSignal = incident.signals.find((s) => s.event.source === incident.root) ?? incident.signals[0];
  if (!rootSignal) throw new RangeError(`incident ${incident.id} has no signal`);
  let severity: Severity = 'info';
  let risk = 0;
  const eventIds: string[] = [];
  const metrics: FaultEvidence[] = [];
  for (const s of incident.signals) {
    severity = maxSeverity(severity, s.severity);
    risk = Math.max(risk, s.event.score);
    if (!eventIds.includes(s.event.id)) eventIds.push(s.event.id);
    metrics.push({
      eventId: s.event.id,
      source: s.event.source,
      metric: s.event.metric,
      ts: s.event.ts,
      score: s.event.score,
      value: s.event.value,
      expected: s.event.expected,
    });
  }
  const affected = [incident.root, ...incident.symptoms];
  return {
    v: SCHEMA_VERSION,
    id: incident.id,
    type: rootSignal.type,
    severity,
    priority: priorityOf(severity, affected.length),
    targets: affected,
    root: incident.root,
    symptoms: [...incident.symptoms],
    risk,
    rule: rootSignal.rule,
    openedAt: incident.openedAt,
    ts: incident.lastAt,
    evidence: { eventIds, metrics },
    reasons: [
      `${rootSignal.event.source}/${rootSignal.event.metric} matched rule ${rootSignal.rule}: ${rootSignal.type}`,
      ...incident.reasons,
    ],
  };
}
