/**
 * Supervised processes: a one-for-one supervisor with an OTP restart intensity, and the detect
 * workers and heal engines as supervised children (`faultline start --workers N`).
 */

export { type HealChildrenOptions, healChildren } from './heal.js';
export {
  describeLimit,
  type IntensityDecision,
  type IntensityLimit,
  IntensityLimitError,
  RestartIntensity,
  validateLimit,
} from './intensity.js';
export {
  type ChildExit,
  type ChildSpec,
  type ChildState,
  type ChildStatus,
  type Supervisor,
  type SupervisorEnd,
  type SupervisorOptions,
  type SupervisorStatus,
  startSupervisor,
} from './supervisor.js';
export { entryCommand, type WorkerChildrenOptions, workerChildren, workerCommand } from './workers.js';
