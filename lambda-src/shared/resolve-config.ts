/**
 * The one check of `config.json` (design §4.14): validates an `unknown` value against the
 * {@link EdgeAuthConfig} contract and resolves every default. The custom resource runs it on the
 * configuration it built, before it writes it into the function (a refusal fails the deployment);
 * the edge function runs it once, at load. The rules themselves are shared with the construct's
 * synth-time checks (src/private/config-rules.ts), so what synth accepts, load accepts.
 *
 * Errors are {@link ConfigError}s that name the field and what it must be, never its value.
 */
import { assertIsJwks } from 'aws-jwt-verify/jwk';
import type { Jwks } from 'aws-jwt-verify/jwk';
import {
  assertBoolean, assertIntegerInRange, assertNonEmptyString, assertOneOf, assertRecord, assertString, assertStringArray,
  FailFactory, ownProperty,
} from './assert';
import { ConfigError } from './config-error';
import type { EdgeAuthConfig } from './edge-config';
import { SESSION_KEY, SESSION_KEY_ID, SessionRules } from './session-cookie';
import { signedOutPathFor } from './signed-out-path';
import {
  aliasProblem, authDomainProblem, authPathsProblem, clientIdProblem, cookieDomainProblem, cookieNamePrefixProblem, cookiePathProblem,
  groupNameProblem, groupsClaimProblem, identityProviderProblem, pathPatternProblem, publicPathProblem, regionOfUserPoolId, scopeProblem,
  SECONDS, secondsProblem, userPoolIdProblem,
} from '../../src/private/config-rules';

/** Defined by scripts/bundle.ts for the edge bundles (false: Lambda@Edge mode only); undefined elsewhere. */
declare const __CEA_SESSION_MODE__: boolean | undefined;

export type LogLevel = NonNullable<EdgeAuthConfig['logLevel']>;
export type SameSite = 'Lax' | 'Strict' | 'None';

/** One per-path rule, compiled. */
export interface ResolvedPathRule {
  readonly pattern: RegExp;
  readonly requiredGroups: readonly string[];
}

/** Cookie settings with defaults applied. */
export interface ResolvedCookieConfig {
  /** Full prefix of every cookie name, e.g. `__Host-CognitoEdgeAuth`. */
  readonly baseName: string;
  readonly sameSite: SameSite;
  readonly domain?: string;
  readonly path: string;
  readonly tokenMaxAgeSeconds?: number;
}

/** The configuration the handler runs with: every default resolved. */
export interface ResolvedConfig {
  readonly userPoolId: string;
  readonly region: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Hosted-UI base URL without trailing slash. */
  readonly authDomain: string;
  readonly identityProvider?: string;
  readonly jwks?: Jwks;
  readonly callbackPath: string;
  readonly signOutPath: string;
  /** The signed-out page the handler serves itself (unprotected), beside `signOutPath`. */
  readonly signedOutPath: string;
  /** Where the hosted-UI logout returns to; by default `signedOutPath`. */
  readonly signOutLandingPath: string;
  /** `undefined`: any signed-in user. */
  readonly requiredGroups?: readonly string[];
  readonly pathRules: readonly ResolvedPathRule[];
  /** Lower-cased. */
  readonly aliases: readonly string[];
  /** Space-separated, `openid` first, no duplicates. */
  readonly scope: string;
  readonly stateSecret?: string;
  readonly cookies: ResolvedCookieConfig;
  readonly forwardAuthCookies: boolean;
  readonly logLevel: LogLevel;
  readonly refreshTokenValiditySeconds: number;
  readonly upstreamTimeoutMs: number;
  /** Compiled `publicPaths` (empty: none). */
  readonly publicPaths: readonly RegExp[];
  /** The id-token claim that carries the groups. */
  readonly groupsClaim: string;
  /** Session mode (design §7): present when the function answers only the auth routes and mints the session cookie. */
  readonly session?: ResolvedSessionConfig;
}

/** `config.json`'s `session`, checked, with its default. */
export interface ResolvedSessionConfig {
  /** With leading and trailing slash; `callbackPath`, `signOutPath` and the signed-out page lie under it. */
  readonly authPathPrefix: string;
  readonly keyId: string;
  /** Secret: never logged, never in a message. */
  readonly key: string;
  /** Lower case. */
  readonly identityHeader: string;
  /** `requiredGroups` and `pathRules` as configured (patterns uncompiled): what the session cookie's rule-set hash covers. */
  readonly rules: SessionRules;
}

/** Defaults of the optional fields (documented in edge-config.ts). */
export const DEFAULTS = {
  callbackPath: '/_auth/callback',
  signOutPath: '/_auth/signout',
  scopes: ['openid', 'email', 'profile'],
  cookieNamePrefix: 'CognitoEdgeAuth',
  logLevel: 'warn' as LogLevel,
  refreshTokenValiditySeconds: 30 * 24 * 3600,
  upstreamTimeoutMs: 2500,
} as const;

/** Upper bound of `upstreamTimeoutMs`: two sequential calls must still fit in the 5 s viewer-request limit. */
const MAX_UPSTREAM_TIMEOUT_MS = 4000;

const PRINTABLE = /^[\x21-\x7e]+$/;
/** Auth route prefix: the viewer configuration's rule (lambda-src/shared/viewer-config.ts), so both sides accept the same prefixes. */
const AUTH_PATH_PREFIX = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,62}\/$/;
const HEADER_NAME = /^[a-z0-9-]{1,64}$/;
/** The identity header the viewer function sets when `session.identityHeader` is absent. */
export const DEFAULT_IDENTITY_HEADER = 'x-cognito-edge-auth-user';
const SAME_SITES: readonly SameSite[] = ['Lax', 'Strict', 'None'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'none'];

function failFor(field: string): FailFactory {
  return (expected) => new ConfigError(`config.json: "${field}" must be ${expected}`, field);
}

/** Throw when a shared rule finds a problem with the field. */
function check(field: string, problem: string | undefined): void {
  if (problem !== undefined) throw failFor(field)(problem);
}

/** `raw[name]` when present, a non-empty string (`field`: its name in messages). */
function optionalString(raw: Record<string, unknown>, name: string, field = name): string | undefined {
  const value = ownProperty(raw, name);
  if (value === undefined) return undefined;
  assertNonEmptyString(value, failFor(field));
  return value;
}

/** `raw[name]` when present: a non-empty string that `rule` accepts. */
function optionalChecked(raw: Record<string, unknown>, name: string, field: string, rule: (value: string) => string | undefined): string | undefined {
  const value = optionalString(raw, name, field);
  if (value !== undefined) check(field, rule(value));
  return value;
}

/** `raw[name]`: a non-empty string that `rule` accepts. */
function requiredChecked(raw: Record<string, unknown>, name: string, rule: (value: string) => string | undefined): string {
  const value = ownProperty(raw, name);
  assertNonEmptyString(value, failFor(name));
  check(name, rule(value));
  return value;
}

/** `raw[name]` when present: one of `allowed`. */
function optionalOneOf<T extends string>(raw: Record<string, unknown>, name: string, field: string, allowed: readonly T[]): T | undefined {
  const value = ownProperty(raw, name);
  if (value === undefined) return undefined;
  assertOneOf(value, allowed, failFor(field));
  return value;
}

function optionalStringArray(raw: Record<string, unknown>, field: string): string[] | undefined {
  const value = ownProperty(raw, field);
  if (value === undefined) return undefined;
  assertStringArray(value, failFor(field));
  return value;
}

/** `raw.requiredGroups`: Cognito group names (`field`: the list's name in messages). */
function groups(raw: Record<string, unknown>, field: string, required: true): string[];
function groups(raw: Record<string, unknown>, field: string, required: false): string[] | undefined;
function groups(raw: Record<string, unknown>, field: string, required: boolean): string[] | undefined {
  const value = ownProperty(raw, 'requiredGroups');
  if (value === undefined && !required) return undefined;
  assertStringArray(value, failFor(field));
  value.forEach((g, i) => check(`${field}[${i}]`, groupNameProblem(g)));
  return [...value];
}

function optionalSeconds(raw: Record<string, unknown>, field: string, name: string, bounds: readonly [number, number, string]): number | undefined {
  const value = ownProperty(raw, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw failFor(field)(`a number: ${bounds[2]}`);
  check(field, secondsProblem(value, bounds));
  return value;
}

/** Compile a CloudFront-style path pattern (`*` any run, `?` one character) into an anchored RegExp. */
export function compilePathPattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function authDomain(raw: Record<string, unknown>): string {
  const value = ownProperty(raw, 'authDomain');
  assertNonEmptyString(value, failFor('authDomain'));
  check('authDomain', authDomainProblem(value));
  return new URL(value).origin;
}

function cookieConfig(raw: Record<string, unknown>): ResolvedCookieConfig {
  const value = ownProperty(raw, 'cookies');
  if (value === undefined) {
    return { baseName: `__Host-${DEFAULTS.cookieNamePrefix}`, sameSite: 'Lax', path: '/' };
  }
  assertRecord(value, failFor('cookies'));
  const prefix = optionalChecked(value, 'namePrefix', 'cookies.namePrefix', cookieNamePrefixProblem) ?? DEFAULTS.cookieNamePrefix;
  const sameSite = optionalOneOf(value, 'sameSite', 'cookies.sameSite', SAME_SITES) ?? 'Lax';
  const domain = optionalChecked(value, 'domain', 'cookies.domain', cookieDomainProblem)?.toLowerCase();
  const cookiePath = optionalChecked(value, 'path', 'cookies.path', (p) => cookiePathProblem(p, domain)) ?? '/';
  const tokenMaxAgeSeconds = optionalSeconds(value, 'cookies.tokenMaxAgeSeconds', 'tokenMaxAgeSeconds', SECONDS.tokenMaxAge);
  // `__Host-` requires Secure, Path=/ and no Domain; otherwise use the weaker `__Secure-` prefix.
  const baseName = domain === undefined && cookiePath === '/' ? `__Host-${prefix}` : `__Secure-${prefix}`;
  return { baseName, sameSite, domain, path: cookiePath, tokenMaxAgeSeconds };
}

function pathRules(raw: Record<string, unknown>): ResolvedPathRule[] {
  const value = ownProperty(raw, 'pathRules');
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw failFor('pathRules')('an array');
  return value.map((rule: unknown, index) => {
    assertRecord(rule, failFor(`pathRules[${index}]`));
    const pattern = ownProperty(rule, 'pathPattern');
    assertNonEmptyString(pattern, failFor(`pathRules[${index}].pathPattern`));
    check(`pathRules[${index}].pathPattern`, pathPatternProblem(pattern));
    return { pattern: compilePathPattern(pattern), requiredGroups: groups(rule, `pathRules[${index}].requiredGroups`, true) };
  });
}

/**
 * `raw.session` (design §7), checked against the paths it must contain. The key's value never
 * reaches a message: only the field name and the expected form.
 */
function sessionConfig(
  raw: Record<string, unknown>, paths: { callbackPath: string; signOutPath: string; signedOutPath: string }, forwardAuthCookies: boolean,
  rules: SessionRules,
): ResolvedSessionConfig | undefined {
  const value = ownProperty(raw, 'session');
  if (value === undefined) return undefined;
  assertRecord(value, failFor('session'));
  const authPathPrefix = ownProperty(value, 'authPathPrefix');
  assertNonEmptyString(authPathPrefix, failFor('session.authPathPrefix'));
  if (!AUTH_PATH_PREFIX.test(authPathPrefix) || authPathPrefix.startsWith('//')) {
    throw failFor('session.authPathPrefix')('an absolute path ending in "/" (at most 64 characters), e.g. /_auth/');
  }
  for (const field of ['callbackPath', 'signOutPath', 'signedOutPath'] as const) {
    const path = paths[field];
    if (!path.startsWith(authPathPrefix) || path.length === authPathPrefix.length) {
      const name = field === 'signedOutPath' ? 'signOutPath' : field;
      throw failFor(name)(`a path under session.authPathPrefix in session mode${field === 'signedOutPath' ? ' (with the signed-out page beside it)' : ''}`);
    }
  }
  const keyId = ownProperty(value, 'keyId');
  if (typeof keyId !== 'string' || !SESSION_KEY_ID.test(keyId)) throw failFor('session.keyId')('1 to 16 characters of A-Z, a-z, 0-9, "_" or "-"');
  const key = ownProperty(value, 'key');
  if (typeof key !== 'string' || !SESSION_KEY.test(key)) throw failFor('session.key')('32 random bytes as 43 base64url characters');
  const identityHeader = ownProperty(value, 'identityHeader') ?? DEFAULT_IDENTITY_HEADER;
  if (typeof identityHeader !== 'string' || !HEADER_NAME.test(identityHeader)) {
    throw failFor('session.identityHeader')('a lower-case header name (a-z, 0-9, "-"; at most 64 characters)');
  }
  if (forwardAuthCookies) throw failFor('forwardAuthCookies')('false in session mode (no token is kept in a cookie to forward)');
  return { authPathPrefix, keyId, key, identityHeader, rules };
}

/**
 * In the build without session mode (assets/edge-auth/index.js, scripts/bundle.ts): a `session`
 * field is refused instead of ignored (the function would check every request while the
 * CloudFront Function expects it to answer only the auth routes). No `field`: the edge function
 * then logs the message, which names the bundle to use (and has no character its logger drops).
 */
function refuseSession(raw: Record<string, unknown>): undefined {
  if (ownProperty(raw, 'session') === undefined) return undefined;
  throw new ConfigError('config.json: session needs the session-mode bundle assets/edge-auth-session/index.js, this one is for Lambda-Edge mode only');
}

/**
 * Validate a parsed `config.json` and resolve its defaults.
 * @throws ConfigError naming the first invalid field.
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  assertRecord(raw, () => new ConfigError('config.json must contain a JSON object'));

  const userPoolId = requiredChecked(raw, 'userPoolId', userPoolIdProblem);
  const region = regionOfUserPoolId(userPoolId) as string;
  const clientId = requiredChecked(raw, 'clientId', clientIdProblem);

  const clientSecretRaw = ownProperty(raw, 'clientSecret');
  let clientSecret: string | undefined;
  if (clientSecretRaw !== undefined && clientSecretRaw !== null && clientSecretRaw !== '') {
    assertString(clientSecretRaw, failFor('clientSecret'));
    if (!PRINTABLE.test(clientSecretRaw)) throw failFor('clientSecret')('printable ASCII');
    clientSecret = clientSecretRaw;
  }

  const identityProvider = optionalChecked(raw, 'identityProvider', 'identityProvider', identityProviderProblem);

  const jwksRaw = ownProperty(raw, 'jwks');
  let jwks: Jwks | undefined;
  if (jwksRaw !== undefined && jwksRaw !== null) {
    try {
      assertIsJwks(jwksRaw as Parameters<typeof assertIsJwks>[0]);
    } catch {
      throw failFor('jwks')('a JSON Web Key Set ({ "keys": [...] })');
    }
    jwks = jwksRaw as Jwks;
  }

  const callbackPath = optionalString(raw, 'callbackPath') ?? DEFAULTS.callbackPath;
  const signOutPath = optionalString(raw, 'signOutPath') ?? DEFAULTS.signOutPath;
  const signedOutPath = signedOutPathFor(signOutPath, callbackPath);
  const signOutLandingPath = optionalString(raw, 'signOutLandingPath');
  const paths = {
    callbackPath,
    signOutPath,
    signedOutPath,
    signOutLandingPath: signOutLandingPath ?? signedOutPath,
  };
  const pathsProblem = authPathsProblem({ callbackPath, signOutPath, signOutLandingPath });
  if (pathsProblem) throw failFor(pathsProblem[0])(pathsProblem[1]);

  const requiredGroups = groups(raw, 'requiredGroups', false);
  const aliases = (optionalStringArray(raw, 'aliases') ?? []).map((a, i) => {
    check(`aliases[${i}]`, aliasProblem(a));
    return a.toLowerCase();
  });

  const scopes = optionalStringArray(raw, 'scopes') ?? [...DEFAULTS.scopes];
  scopes.forEach((s, i) => check(`scopes[${i}]`, scopeProblem(s)));
  const scope = [...new Set(['openid', ...scopes])].join(' ');

  const stateSecretRaw = ownProperty(raw, 'stateSecret');
  let stateSecret: string | undefined;
  if (stateSecretRaw !== undefined && stateSecretRaw !== null && stateSecretRaw !== '') {
    assertString(stateSecretRaw, failFor('stateSecret'));
    if (stateSecretRaw.length < 16) throw failFor('stateSecret')('at least 16 characters');
    stateSecret = stateSecretRaw;
  }

  const forwardRaw = ownProperty(raw, 'forwardAuthCookies');
  let forwardAuthCookies = false;
  if (forwardRaw !== undefined) {
    assertBoolean(forwardRaw, failFor('forwardAuthCookies'));
    forwardAuthCookies = forwardRaw;
  }

  const logLevel = optionalOneOf(raw, 'logLevel', 'logLevel', LOG_LEVELS) ?? DEFAULTS.logLevel;

  const upstreamTimeoutRaw = ownProperty(raw, 'upstreamTimeoutMs');
  let upstreamTimeoutMs: number = DEFAULTS.upstreamTimeoutMs;
  if (upstreamTimeoutRaw !== undefined) {
    assertIntegerInRange(upstreamTimeoutRaw, 100, MAX_UPSTREAM_TIMEOUT_MS, failFor('upstreamTimeoutMs'));
    upstreamTimeoutMs = upstreamTimeoutRaw;
  }

  return {
    userPoolId,
    region,
    clientId,
    clientSecret,
    authDomain: authDomain(raw),
    identityProvider,
    jwks,
    ...paths,
    requiredGroups,
    pathRules: pathRules(raw),
    aliases,
    scope,
    stateSecret,
    cookies: cookieConfig(raw),
    forwardAuthCookies,
    logLevel,
    refreshTokenValiditySeconds: optionalSeconds(raw, 'refreshTokenValiditySeconds', 'refreshTokenValiditySeconds', SECONDS.refreshTokenValidity)
      ?? DEFAULTS.refreshTokenValiditySeconds,
    upstreamTimeoutMs,
    publicPaths: (optionalStringArray(raw, 'publicPaths') ?? []).map((p, i) => {
      check(`publicPaths[${i}]`, publicPathProblem(p));
      return compilePathPattern(p);
    }),
    groupsClaim: optionalChecked(raw, 'groupsClaim', 'groupsClaim', groupsClaimProblem) ?? 'cognito:groups',
    session: (typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__)
      ? sessionConfig(raw, paths, forwardAuthCookies, { requiredGroups, pathRules: ownProperty(raw, 'pathRules') as SessionRules['pathRules'] })
      : refuseSession(raw),
  };
}
