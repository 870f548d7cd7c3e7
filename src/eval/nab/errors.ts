/**
 * A problem with NAB input data (corpus, labels, profiles, results files).
 * Never retriable: the same files give the same error until they are fixed.
 */
export class NabDataError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    /** the file (or file:row) the problem is in */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'NabDataError';
  }
}
