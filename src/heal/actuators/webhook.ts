import type { Action } from '../../contracts/action.js';
import { FencingGuard } from '../../coord/fencing-guard.js';
import { ActuatorRejectedError, ActuatorUnavailableError } from '../errors.js';
import type { Actuator, ActuatorResult } from './actuator.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const FENCING_HEADER = 'x-faultline-fencing-token';

export interface WebhookActuatorOptions {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** injectable for tests; default the global fetch */
  fetch?: typeof fetch;
}

/**
 * POSTs the action as JSON (`{ action }`) with an `Idempotency-Key` (the action id) and the fencing
 * token in `X-Faultline-Fencing-Token`. The receiver should de-duplicate by the key and refuse tokens
 * older than the newest it saw (answer 409). 2xx = accepted (a JSON body `{ success?, details? }` may
 * report the outcome at once); 408/425/429/5xx and network errors are retriable; other 4xx are not.
 */
export class WebhookActuator implements Actuator {
  readonly kind = 'webhook';
  readonly name: string;
  private readonly guard: FencingGuard;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: WebhookActuatorOptions) {
    this.name = opts.name;
    this.guard = new FencingGuard(`actuator ${opts.name}`);
    this.fetchFn = opts.fetch ?? fetch;
  }

  async execute(action: Action, ctx: { signal?: AbortSignal } = {}): Promise<ActuatorResult> {
    if (action.fencingToken === null) throw new ActuatorRejectedError(this.name, 'action has no fencing token');
    this.guard.check(action.fencingToken);
    let res: Response;
    try {
      res = await this.fetchFn(this.opts.url, {
        method: 'POST',
        headers: {
          ...this.opts.headers,
          'content-type': 'application/json',
          [IDEMPOTENCY_HEADER]: action.id,
          [FENCING_HEADER]: String(action.fencingToken),
        },
        body: JSON.stringify({ action }),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } catch (err) {
      throw new ActuatorUnavailableError(this.name, `POST ${this.opts.url} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text().catch(() => '');
    const body = parseBody(text);
    if (res.ok) {
      const out: ActuatorResult = { details: { status: res.status, ...(body.details ?? {}) } };
      if (typeof body.success === 'boolean') out.success = body.success;
      if (body.duplicate === true) out.duplicate = true;
      return out;
    }
    const what = `POST ${this.opts.url} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500) {
      throw new ActuatorUnavailableError(this.name, what);
    }
    if (res.status === 409) throw new ActuatorRejectedError(this.name, `refused (stale fencing token?): ${what}`);
    throw new ActuatorRejectedError(this.name, what);
  }
}

function parseBody(text: string): { success?: unknown; details?: Record<string, unknown>; duplicate?: unknown } {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
    const o = v as Record<string, unknown>;
    const details = typeof o['details'] === 'object' && o['details'] !== null ? o['details'] : undefined;
    return { success: o['success'], duplicate: o['duplicate'], details: details as Record<string, unknown> };
  } catch {
    return {};
  }
}
