/** What was wrong with a remote-write body; `status` is the HTTP answer (400 or 413). Retrying cannot help. */
export class RemoteWriteError extends Error {
  readonly retriable = false;
  override readonly name = 'RemoteWriteError';
  constructor(
    readonly code: 'invalid_snappy' | 'invalid_protobuf' | 'invalid_series' | 'payload_too_large',
    message: string,
    readonly status: 400 | 413 = 400,
    readonly issues: Array<{ path: string; message: string; code: string }> = [],
  ) {
    super(message);
  }
}

/** A scrape of one target failed (network, HTTP status, timeout, body); the next scrape may succeed. */
export class ScrapeError extends Error {
  readonly retriable = true;
  override readonly name = 'ScrapeError';
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
  }
}
