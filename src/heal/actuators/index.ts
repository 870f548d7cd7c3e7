export type { Actuator, ActuatorResult } from './actuator.js';
export { PLACEHOLDER_NAMES, renderArgv, SAFE_VALUE } from './argv-template.js';
export { CommandActuator, EXIT_TEMPFAIL, type RunFile, type RunResult, runFile } from './command.js';
export type { ActuatorConfig, CommandActuatorConfig, WebhookActuatorConfig } from './config.js';
export { ActuatorExecutor, executorFailureRetriable } from './executor.js';
export { createActuators } from './from-config.js';
export { SimActuator, type SimActuatorOptions } from './sim.js';
export { FENCING_HEADER, IDEMPOTENCY_HEADER, WebhookActuator, type WebhookActuatorOptions } from './webhook.js';
