import { createHash } from 'node:crypto';

/** A short deterministic id from parts (sha256, hex): the same inputs give the same id on every engine. */
export function stableId(prefix: string, ...parts: Array<string | number>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${String(p).length}:${String(p)};`);
  return `${prefix}-${h.digest('hex').slice(0, 20)}`;
}

/** The id of an incident: its root and the data time of its first anomaly. */
export function faultId(root: string, openedAt: number): string {
  return stableId('flt', root, openedAt);
}

/** The id of an action: its fault, strategy, target and attempt (rung) number. */
export function actionId(faultId: string, strategy: string, target: string, attempt: number): string {
  return stableId('act', faultId, strategy, target, attempt);
}
