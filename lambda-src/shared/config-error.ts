/**
 * The one error of the `config.json` contract, thrown by both handlers: by the custom resource
 * (the deployment fails with its message) and by the edge function at load (every request then
 * gets the fixed "not configured" page). The message names the field and what it must be, never
 * its value, so it may be logged and shown in CloudFormation events.
 */
import type { FailFactory } from './assert';

export class ConfigError extends Error {
  /** Fixed, loggable reason. */
  readonly code = 'config_invalid';

  /** @param field the `config.json` field at fault (loggable: a name, never a value), when there is one */
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** For the `assert*` helpers: a failed check of `what` throws `ConfigError("<what> must be <expected>")`. */
export function configFail(what: string): FailFactory {
  return (expected) => new ConfigError(`${what} must be ${expected}`);
}
