/**
 * JSON-line logger whose API accepts only a closed set of fields, each a fixed code, a number or
 * a sanitised error class name: there is no way to hand it a token, cookie, code, secret, URL or
 * free-form object, so logs are redacted by construction (design §4.7).
 */
import type { LogLevel } from './config';

/** What happened. */
export type LogEvent =
  | 'config_invalid' | 'login_start' | 'login_loop' | 'callback_ok' | 'callback_rejected'
  | 'refresh_ok' | 'refresh_failed' | 'signout' | 'revoke_failed' | 'allow' | 'deny' | 'unauthenticated'
  | 'jwks_unavailable' | 'upstream_failed' | 'bad_request' | 'internal_error'
  | 'path_redirect' | 'callback_stale' | 'not_found';

/** Which part of the site a request was routed to. */
export type Route = 'callback' | 'signout' | 'protected' | 'login' | 'refresh';

/** The only fields a log line can carry besides `level`, `msg` and `time`. */
export interface LogFields {
  readonly route?: Route;
  /** HTTP status answered (or received from upstream, with `upstream`). */
  readonly status?: number;
  /** Fixed reason code, e.g. a `TokenRejection` or `UpstreamFailure`. */
  readonly reason?: string;
  readonly upstream?: 'token' | 'revoke';
  readonly ms?: number;
  /** Class name of an unexpected error (letters only). */
  readonly error?: string;
  /** Field name in `config.json` (config_invalid only). */
  readonly detail?: string;
}

const LEVELS: Record<Exclude<LogLevel, 'none'>, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const CODE = /^[a-z0-9_]{1,40}$/;
const NAME = /^[A-Za-z]{1,40}$/;
const DETAIL = /^[A-Za-z0-9_ .,"'()[\]{}:/-]{1,200}$/;

/** Writes one JSON line per event, at or above the configured level. */
export class Logger {
  private readonly threshold: number;

  constructor(level: LogLevel, private readonly write: (line: string) => void = (line) => console.log(line)) {
    this.threshold = level === 'none' ? Infinity : LEVELS[level];
  }

  debug(msg: LogEvent, fields?: LogFields): void { this.emit('debug', msg, fields); }
  info(msg: LogEvent, fields?: LogFields): void { this.emit('info', msg, fields); }
  warn(msg: LogEvent, fields?: LogFields): void { this.emit('warn', msg, fields); }
  error(msg: LogEvent, fields?: LogFields): void { this.emit('error', msg, fields); }

  private emit(level: Exclude<LogLevel, 'none'>, msg: LogEvent, fields: LogFields = {}): void {
    if (LEVELS[level] < this.threshold) return;
    const line: Record<string, string | number> = { level, msg };
    if (fields.route !== undefined) line.route = fields.route;
    if (typeof fields.status === 'number' && Number.isFinite(fields.status)) line.status = fields.status;
    if (fields.reason !== undefined && CODE.test(fields.reason)) line.reason = fields.reason;
    if (fields.upstream !== undefined) line.upstream = fields.upstream;
    if (typeof fields.ms === 'number' && Number.isFinite(fields.ms)) line.ms = Math.round(fields.ms);
    if (fields.error !== undefined) line.error = NAME.test(fields.error) ? fields.error : 'Error';
    if (fields.detail !== undefined && DETAIL.test(fields.detail)) line.detail = fields.detail;
    try {
      this.write(JSON.stringify(line));
    } catch {
      // Logging must never break a request.
    }
  }
}
