/**
 * The edge function's configuration: `config.json`, checked and with its defaults resolved once,
 * at load, by the contract layer shared with the custom resource (lambda-src/shared/resolve-config.ts).
 */
export {
  compilePathPattern, DEFAULTS, resolveConfig,
} from '../shared/resolve-config';
export type {
  LogLevel, ResolvedConfig, ResolvedCookieConfig, ResolvedPathRule, ResolvedSessionConfig, SameSite,
} from '../shared/resolve-config';
