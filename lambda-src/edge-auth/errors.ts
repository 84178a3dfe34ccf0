/**
 * Typed errors of the edge handler. Messages never contain a value from a request, a token, a
 * secret or an upstream body: only field names and fixed reason codes, so an error may be logged.
 */

/** Base class: `code` is a fixed, loggable reason. */
export abstract class EdgeAuthError extends Error {
  abstract readonly code: string;
}

/** `config.json` is missing, unreadable or invalid: the contract layer's error, shared with the custom resource. */
export { ConfigError } from '../shared/config-error';

/** Why an upstream call (token, revoke, JWKS) failed. */
export type UpstreamFailure = 'timeout' | 'network' | 'status' | 'invalid_response' | 'too_large';

/** An upstream call failed for a reason other than a well-formed OAuth error answer. */
export class UpstreamError extends EdgeAuthError {
  constructor(readonly code: UpstreamFailure, readonly status?: number) {
    super(`upstream call failed: ${code}${status !== undefined ? ` (${status})` : ''}`);
    this.name = 'UpstreamError';
  }
}

/**
 * The token endpoint answered 400/401 with an OAuth error body (RFC 6749 §5.2). `error` is the
 * parsed `error` code (`invalid_grant`, `invalid_client`…) when it is a plain lower-case token,
 * else `unknown`. A 429 or any other 4xx without such a body is an {@link UpstreamError}: only a
 * parsed `invalid_grant` may end a session (design §4.10).
 */
export class OAuthRejectedError extends EdgeAuthError {
  readonly code = 'oauth_rejected';
  constructor(readonly status: number, readonly error: string = 'unknown') {
    super(`token endpoint rejected the request (${status} ${error})`);
    this.name = 'OAuthRejectedError';
  }
}

/** The key set could not be had (fetch failed or is rate-limited after a failure): answer 503. */
export class JwksUnavailableError extends EdgeAuthError {
  readonly code = 'jwks_unavailable';
  constructor() {
    super('JWKS not available');
    this.name = 'JwksUnavailableError';
  }
}

/** Why a token was refused. */
export type TokenRejection =
  | 'malformed' | 'too_large' | 'alg' | 'issuer' | 'token_use' | 'audience' | 'no_exp' | 'expired'
  | 'unknown_kid' | 'signature' | 'claims' | 'iat' | 'lifetime';

/** The id token is not acceptable. */
export class TokenInvalidError extends EdgeAuthError {
  constructor(readonly code: TokenRejection) {
    super(`token rejected: ${code}`);
    this.name = 'TokenInvalidError';
  }
}

/** Why a `state` value was refused. */
export type StateRejection = 'malformed' | 'signature' | 'expired' | 'future' | 'unsafe_path';

/** The callback's `state` is not acceptable. */
export class StateInvalidError extends EdgeAuthError {
  constructor(readonly code: StateRejection) {
    super(`state rejected: ${code}`);
    this.name = 'StateInvalidError';
  }
}
