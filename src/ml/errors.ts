/**
 * Typed ML errors. Each says whether a retry can help (`retriable`); none of these can — the
 * model files, the data or the configuration must change first.
 */
abstract class MlError extends Error {
  readonly retriable: boolean = false;
}

/** No tfjs backend could be set up (or the one forced by FAULTLINE_TF_BACKEND failed). */
export class MlBackendError extends MlError {
  override readonly name = 'MlBackendError';
}

/** The registry has no such model or version. */
export class ModelNotFoundError extends MlError {
  override readonly name = 'ModelNotFoundError';
}

/** A model's files are missing, unreadable, malformed or do not match their recorded sha256. */
export class ModelIntegrityError extends MlError {
  override readonly name = 'ModelIntegrityError';
  constructor(
    readonly dir: string,
    readonly file: string,
    readonly problem: string,
  ) {
    super(`model ${dir}: ${file}: ${problem}`);
  }
}

/** A model's feature schema does not fit the code or the caller's expectation; `differences` name each. */
export class ModelSchemaError extends MlError {
  override readonly name = 'ModelSchemaError';
  constructor(
    readonly dir: string,
    readonly differences: string[],
  ) {
    super(`model ${dir}: feature schema mismatch: ${differences.join('; ')}`);
  }
}

/** The training data cannot make a model (too short, no faults for a predictor, unknown metric...). */
export class TrainDataError extends MlError {
  override readonly name = 'TrainDataError';
}
