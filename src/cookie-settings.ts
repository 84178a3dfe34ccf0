import { Duration } from 'aws-cdk-lib';

/**
 * The `SameSite` attribute of the session cookies the edge function sets.
 */
export enum SameSite {
  /** Sent on top-level navigations from other sites and on same-site requests (recommended). */
  LAX = 'Lax',
  /** Sent on same-site requests only: a link from another site arrives without a session. */
  STRICT = 'Strict',
  /** Sent on cross-site requests too (the cookies are always `Secure`, which `None` requires). */
  NONE = 'None',
}

/**
 * Settings of the cookies the edge function sets (id, access and refresh token cookies).
 *
 * The login-time cookies (nonce, PKCE verifier) are always HttpOnly, Secure, SameSite=Lax and
 * live at most 10 minutes, whatever is set here.
 */
export interface CookieSettings {
  /**
   * Prefix of every cookie name the library sets.
   *
   * 1–64 letters, digits, `_`, `.` or `-`. Do not add `__Host-` yourself: the library adds it
   * when no `domain` is set.
   *
   * @default 'CognitoEdgeAuth'
   */
  readonly namePrefix?: string;

  /**
   * `SameSite` attribute of the session cookies.
   *
   * @default SameSite.LAX
   */
  readonly sameSite?: SameSite;

  /**
   * `Domain` attribute, to share the session with sibling hosts (e.g. `example.com` for
   * `app.example.com` and `docs.example.com`).
   *
   * When set, the cookies lose the `__Host-` prefix, and the session only works on hosts inside
   * this domain: logins through the distribution's own `*.cloudfront.net` name will not stick.
   *
   * @default - no Domain attribute: host-only cookies with the `__Host-` prefix
   */
  readonly domain?: string;

  /**
   * `Path` attribute of the session cookies.
   *
   * Must be `/` unless `domain` is set (the `__Host-` prefix requires `Path=/`); the same
   * characters as `callbackPath`.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Upper bound of the id and access token cookies' lifetime.
   *
   * A cookie never outlives its token, so values beyond the token validity (at most 1 day in
   * Cognito) have no effect. Whole seconds, from 1 minute to 400 days.
   *
   * @default - the token's remaining lifetime
   */
  readonly tokenMaxAge?: Duration;
}
