/**
 * The contract between the construct (which writes it at deploy time, via the config-injector
 * custom resource), the edge handler (which reads it once at load, from `config.json` beside
 * `index.js`) and outside tools (tests, the playground, the benchmark).
 *
 * Design §3 fixes the names of the first group of fields: keep them exactly.
 * Only `userPoolId`, `clientId` and `authDomain` are required; every other field has a safe
 * default in the edge handler.
 */
export interface EdgeAuthConfig {
  // ---- fixed by design §3 ----

  /** Cognito user pool id, e.g. `eu-west-1_AbCdEf123`. The region is taken from its prefix. */
  readonly userPoolId: string;
  /** App client id of the user pool client. */
  readonly clientId: string;
  /** App client secret, only when the client has one (then the token endpoint is called with HTTP Basic auth). */
  readonly clientSecret?: string;
  /** Base URL of the hosted UI with scheme and no trailing slash, e.g. `https://auth.example.com` (tests: `http://127.0.0.1:PORT`). */
  readonly authDomain: string;
  /** Federated identity provider name, sent as `identity_provider` on `/oauth2/authorize`. */
  readonly identityProvider?: string;
  /** The user pool's JSON Web Key Set (`{ keys: [...] }`); when present no key set is fetched at cold start. */
  readonly jwks?: { readonly keys: ReadonlyArray<Record<string, unknown>> };
  /** Absolute path of the OAuth callback. @default '/_auth/callback' */
  readonly callbackPath?: string;
  /** Absolute path that signs the user out. @default '/_auth/signout' */
  readonly signOutPath?: string;
  /** The user must be in at least one of these `cognito:groups` (any-of). @default - any signed-in user */
  readonly requiredGroups?: string[];
  /** Alternate domain names (CNAMEs) of the distribution; accepted as request hosts besides the distribution's own domain. */
  readonly aliases?: string[];

  // ---- further settings (optional; defaults in the edge handler) ----

  /** Where the hosted-UI logout returns to (absolute path on the site). @default - the signed-out page the edge function serves beside `signOutPath` (`/_auth/signed-out` for the default paths) */
  readonly signOutLandingPath?: string;
  /** OAuth scopes besides `openid` (which is always sent). @default ['openid', 'email', 'profile'] */
  readonly scopes?: string[];
  /** HMAC-SHA256 key (base64 or any high-entropy string) that signs `state`. @default - a random key per cold start (logins in flight across instances then fail once and are retried) */
  readonly stateSecret?: string;
  /** Per-path group rules, first match wins; a path matching no rule falls back to `requiredGroups`. */
  readonly pathRules?: ReadonlyArray<EdgePathRule>;
  /** Cookie settings. */
  readonly cookies?: EdgeCookieConfig;
  /** Forward the library's own cookies to the origin. @default false (they are removed) */
  readonly forwardAuthCookies?: boolean;
  /** Log level of the JSON-line logs. @default 'warn' */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'none';
  /** Refresh-token validity in seconds, for the refresh cookie's Max-Age. @default 2592000 (30 days, Cognito's default) */
  readonly refreshTokenValiditySeconds?: number;
  /** Overall time budget for one upstream call (token, revoke, JWKS), in milliseconds. @default 2500 */
  readonly upstreamTimeoutMs?: number;
  /** Path patterns (as `pathRules`) anyone may request without a session; checked before the session. @default - none */
  readonly publicPaths?: string[];
  /** The id-token claim that carries the groups (JSON array, `[a, b]` string, JSON array string or one value). @default 'cognito:groups' */
  readonly groupsClaim?: string;
  /**
   * Session mode (design §7): present only when the construct's `viewerCheck` is
   * `CLOUDFRONT_FUNCTION`. The function then answers only the auth routes under
   * `authPathPrefix` (every other path is the CloudFront Function's) and mints the session cookie
   * (`lambda-src/shared/session-cookie.ts`) signed with `key`.
   * @default - absent: the function checks every request itself (Lambda@Edge mode)
   */
  readonly session?: EdgeSessionConfig;
}

/** Session-mode settings of `config.json` (written by the config injector, never by the construct: the key is never in a template). */
export interface EdgeSessionConfig {
  /** Auth route prefix with leading and trailing slash, e.g. `/_auth/`; `callbackPath` and `signOutPath` lie under it. */
  readonly authPathPrefix: string;
  /** Id of the signing key (`[A-Za-z0-9_-]{1,16}`); the CloudFront Function reads the key from the KeyValueStore entry `session-key.<keyId>`. */
  readonly keyId: string;
  /** The signing key: 32 random bytes as 43 base64url characters (`SESSION_KEY`). Secret: never logged. */
  readonly key: string;
  /** Identity header set on allowed requests (lower case). @default 'x-cognito-edge-auth-user' */
  readonly identityHeader?: string;
}

/** One per-path authorization rule. */
export interface EdgePathRule {
  /** CloudFront-style path pattern (`*` matches any run of characters, `?` one character), e.g. `/admin/*`. */
  readonly pathPattern: string;
  /** Any-of group list for matching paths; an empty list means any signed-in user. */
  readonly requiredGroups: string[];
}

/** Cookie settings; every field optional. */
export interface EdgeCookieConfig {
  /** Prefix of every cookie name the library sets. @default 'CognitoEdgeAuth' (with `__Host-` in front when no domain is set) */
  readonly namePrefix?: string;
  /** `SameSite` attribute. @default 'Lax' */
  readonly sameSite?: 'Lax' | 'Strict' | 'None';
  /** `Domain` attribute; when set the `__Host-` prefix is not used. @default - none (host-only cookie with `__Host-` prefix) */
  readonly domain?: string;
  /** `Path` attribute. @default '/' (must be '/' when no domain is set, because of the `__Host-` prefix) */
  readonly path?: string;
  /** Upper bound of the id/access token cookies' Max-Age in seconds (never more than the token's own exp). @default - the token's remaining lifetime */
  readonly tokenMaxAgeSeconds?: number;
}
