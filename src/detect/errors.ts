/** A detector/alarm configuration that cannot work (duplicate names, unknown kind). Not retriable. */
export class DetectConfigError extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'DetectConfigError';
  }
}
