/**
 * Typed API errors. Each one knows its HTTP status and whether retrying the same request can help,
 * and renders the one error shape every route returns: `{ error, message, issues?, retriable }`.
 */

/** One problem with the input, e.g. `{ path: 'points[3].value', message: 'expected number, received string' }`. */
export interface InputIssue {
  path: string;
  message: string;
  code: string;
}

export interface ErrorBody {
  /** machine-readable kind, e.g. `invalid_body`, `payload_too_large`, `not_found`, `unavailable` */
  error: string;
  /** human-readable explanation; for input errors it names the field and where */
  message: string;
  issues?: InputIssue[];
  /** true when sending the same request again later can succeed */
  retriable: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retriable: boolean,
    readonly issues?: InputIssue[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.code, message: this.message, retriable: this.retriable };
    if (this.issues) body.issues = this.issues;
    return body;
  }
}

/** 400: the request body, query or path failed validation. Retrying the same request cannot help. */
export class InputError extends ApiError {
  constructor(code: string, issues: InputIssue[], message?: string) {
    super(400, code, message ?? summarise(issues), false, issues);
    this.name = 'InputError';
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, 'not_found', message, false);
    this.name = 'NotFoundError';
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `request body exceeds the limit of ${limitBytes} bytes; split the batch`, false);
    this.name = 'PayloadTooLargeError';
  }
}

/** 503: a dependency (Kafka) failed; the same request may succeed later. */
export class UnavailableError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super(503, 'unavailable', message, true, undefined, { cause });
    this.name = 'UnavailableError';
  }
}

const SHOWN_IN_MESSAGE = 3;

function summarise(issues: InputIssue[]): string {
  const head = issues.slice(0, SHOWN_IN_MESSAGE).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > SHOWN_IN_MESSAGE ? ` (and ${issues.length - SHOWN_IN_MESSAGE} more)` : '';
  return head.join('; ') + more;
}
