/**
 * Validates the raw `config.json` (an `unknown` value) against the `EdgeAuthConfig` contract and
 * resolves every default, once, at load. Errors name the field, never its value.
 */
import { assertIsJwks } from 'aws-jwt-verify/jwk';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { ConfigError } from './errors';
import {
  assertBoolean, assertIntegerInRange, assertMatches, assertNonEmptyString, assertOneOf, assertRecord,
  assertString, assertStringArray, FailFactory, ownProperty,
} from '../shared/assert';
import type { EdgeAuthConfig } from '../shared/edge-config';

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
}

/** Defaults of the optional fields (documented in edge-config.ts). */
export const DEFAULTS = {
  callbackPath: '/_auth/callback',
  signOutPath: '/_auth/signout',
  signOutLandingPath: '/',
  scopes: ['openid', 'email', 'profile'],
  cookieNamePrefix: 'CognitoEdgeAuth',
  logLevel: 'warn' as LogLevel,
  refreshTokenValiditySeconds: 30 * 24 * 3600,
  upstreamTimeoutMs: 2500,
} as const;

/** Upper bound of `upstreamTimeoutMs`: two sequential calls must still fit in the 5 s viewer-request limit. */
export const MAX_UPSTREAM_TIMEOUT_MS = 4000;

const USER_POOL_ID = /^((?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d)_[A-Za-z0-9]+$/;
const CLIENT_ID = /^[\w+]{1,128}$/;
const PRINTABLE = /^[\x21-\x7e]+$/;
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;
const COOKIE_NAME_PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;
const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/;

function failFor(field: string): FailFactory {
  return (expected) => new ConfigError(`config.json: "${field}" must be ${expected}`);
}

function path(raw: Record<string, unknown>, field: string, fallback: string): string {
  const value = ownProperty(raw, field);
  if (value === undefined) return fallback;
  const fail = failFor(field);
  assertNonEmptyString(value, fail);
  assertMatches(value, PATH, fail, 'an absolute path (starting with "/", no query, no spaces)');
  if (value.startsWith('//') || value.length > 256) throw fail('an absolute path of at most 256 characters not starting with "//"');
  return value;
}

function optionalStringArray(raw: Record<string, unknown>, field: string): string[] | undefined {
  const value = ownProperty(raw, field);
  if (value === undefined) return undefined;
  assertStringArray(value, failFor(field));
  return value;
}

function optionalInt(raw: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = ownProperty(raw, field);
  if (value === undefined) return undefined;
  assertIntegerInRange(value, min, max, failFor(field));
  return value;
}

/** Compile a CloudFront-style path pattern (`*` any run, `?` one character) into an anchored RegExp. */
export function compilePathPattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function authDomain(raw: Record<string, unknown>): string {
  const value = ownProperty(raw, 'authDomain');
  const fail = failFor('authDomain');
  assertNonEmptyString(value, fail);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail('an absolute URL such as https://auth.example.com');
  }
  const loopback = LOOPBACK_HOST.test(url.host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw fail('an https URL (http only for a loopback test server)');
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw fail('a bare origin (scheme and host, optional port), without path, query or credentials');
  }
  return url.origin;
}

function cookieConfig(raw: Record<string, unknown>): ResolvedCookieConfig {
  const value = ownProperty(raw, 'cookies');
  if (value === undefined) {
    return { baseName: `__Host-${DEFAULTS.cookieNamePrefix}`, sameSite: 'Lax', path: '/' };
  }
  assertRecord(value, failFor('cookies'));
  const prefixRaw = ownProperty(value, 'namePrefix');
  let prefix: string = DEFAULTS.cookieNamePrefix;
  if (prefixRaw !== undefined) {
    const fail = failFor('cookies.namePrefix');
    assertNonEmptyString(prefixRaw, fail);
    assertMatches(prefixRaw, COOKIE_NAME_PREFIX, fail, 'letters, digits, "_", "." or "-" (at most 64)');
    if (/^__(host|secure)-/i.test(prefixRaw)) throw fail('given without a __Host-/__Secure- prefix (added automatically)');
    prefix = prefixRaw;
  }
  const sameSiteRaw = ownProperty(value, 'sameSite');
  let sameSite: SameSite = 'Lax';
  if (sameSiteRaw !== undefined) {
    assertOneOf(sameSiteRaw, ['Lax', 'Strict', 'None'] as const, failFor('cookies.sameSite'));
    sameSite = sameSiteRaw;
  }
  const domainRaw = ownProperty(value, 'domain');
  let domain: string | undefined;
  if (domainRaw !== undefined) {
    const fail = failFor('cookies.domain');
    assertNonEmptyString(domainRaw, fail);
    const lower = domainRaw.toLowerCase().replace(/^\./, '');
    assertMatches(lower, HOSTNAME, fail, 'a domain name');
    domain = lower;
  }
  const cookiePath = path(value, 'path', '/');
  const tokenMaxAgeSeconds = optionalInt(value, 'tokenMaxAgeSeconds', 1, 400 * 24 * 3600);
  // `__Host-` requires Secure, Path=/ and no Domain; otherwise use the weaker `__Secure-` prefix.
  const baseName = domain === undefined && cookiePath === '/' ? `__Host-${prefix}` : `__Secure-${prefix}`;
  return { baseName, sameSite, domain, path: cookiePath, tokenMaxAgeSeconds };
}

function pathRules(raw: Record<string, unknown>): ResolvedPathRule[] {
  const value = ownProperty(raw, 'pathRules');
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw failFor('pathRules')('an array');
  return value.map((rule: unknown, index) => {
    const fail = failFor(`pathRules[${index}]`);
    assertRecord(rule, fail);
    const pattern = ownProperty(rule, 'pathPattern');
    assertNonEmptyString(pattern, failFor(`pathRules[${index}].pathPattern`));
    if (pattern.length > 256 || !PRINTABLE.test(pattern)) throw failFor(`pathRules[${index}].pathPattern`)('a printable path pattern of at most 256 characters');
    const groups = ownProperty(rule, 'requiredGroups');
    assertStringArray(groups, failFor(`pathRules[${index}].requiredGroups`));
    return { pattern: compilePathPattern(pattern), requiredGroups: [...groups] };
  });
}

function groupsClaim(raw: Record<string, unknown>): string {
  const value = ownProperty(raw, 'groupsClaim');
  if (value === undefined) return 'cognito:groups';
  assertNonEmptyString(value, failFor('groupsClaim'));
  assertMatches(value, PRINTABLE, failFor('groupsClaim'), 'a claim name (printable, no spaces)');
  if (value.length > 256 || value === '__proto__') throw failFor('groupsClaim')('a claim name of at most 256 characters');
  return value;
}

/**
 * Validate a parsed `config.json` and resolve its defaults.
 * @throws ConfigError naming the first invalid field.
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  assertRecord(raw, () => new ConfigError('config.json must contain a JSON object'));

  const userPoolId = ownProperty(raw, 'userPoolId');
  assertNonEmptyString(userPoolId, failFor('userPoolId'));
  const poolMatch = USER_POOL_ID.exec(userPoolId);
  if (!poolMatch) throw failFor('userPoolId')('a user pool id such as eu-west-1_AbCdEf123');
  const region = poolMatch[1];

  const clientId = ownProperty(raw, 'clientId');
  assertNonEmptyString(clientId, failFor('clientId'));
  assertMatches(clientId, CLIENT_ID, failFor('clientId'), 'an app client id');

  const clientSecretRaw = ownProperty(raw, 'clientSecret');
  let clientSecret: string | undefined;
  if (clientSecretRaw !== undefined && clientSecretRaw !== null && clientSecretRaw !== '') {
    assertString(clientSecretRaw, failFor('clientSecret'));
    assertMatches(clientSecretRaw, PRINTABLE, failFor('clientSecret'), 'printable ASCII');
    clientSecret = clientSecretRaw;
  }

  const identityProviderRaw = ownProperty(raw, 'identityProvider');
  let identityProvider: string | undefined;
  if (identityProviderRaw !== undefined && identityProviderRaw !== '') {
    assertString(identityProviderRaw, failFor('identityProvider'));
    if (identityProviderRaw.length > 128 || /[\x00-\x1f\x7f]/.test(identityProviderRaw)) throw failFor('identityProvider')('at most 128 printable characters');
    identityProvider = identityProviderRaw;
  }

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

  const callbackPath = path(raw, 'callbackPath', DEFAULTS.callbackPath);
  const signOutPath = path(raw, 'signOutPath', DEFAULTS.signOutPath);
  if (callbackPath === signOutPath) throw failFor('signOutPath')('different from callbackPath');
  const signOutLandingPath = path(raw, 'signOutLandingPath', DEFAULTS.signOutLandingPath);

  const requiredGroups = optionalStringArray(raw, 'requiredGroups');
  const aliases = (optionalStringArray(raw, 'aliases') ?? []).map((a, i) => {
    const lower = a.toLowerCase();
    assertMatches(lower, HOSTNAME, failFor(`aliases[${i}]`), 'a domain name');
    return lower;
  });

  const scopes = optionalStringArray(raw, 'scopes') ?? [...DEFAULTS.scopes];
  scopes.forEach((s, i) => assertMatches(s, SCOPE_TOKEN, failFor(`scopes[${i}]`), 'an OAuth scope token'));
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

  const logLevelRaw = ownProperty(raw, 'logLevel');
  let logLevel: LogLevel = DEFAULTS.logLevel;
  if (logLevelRaw !== undefined) {
    assertOneOf(logLevelRaw, ['debug', 'info', 'warn', 'error', 'none'] as const, failFor('logLevel'));
    logLevel = logLevelRaw;
  }

  return {
    userPoolId,
    region,
    clientId,
    clientSecret,
    authDomain: authDomain(raw),
    identityProvider,
    jwks,
    callbackPath,
    signOutPath,
    signOutLandingPath,
    requiredGroups,
    pathRules: pathRules(raw),
    aliases,
    scope,
    stateSecret,
    cookies: cookieConfig(raw),
    forwardAuthCookies,
    logLevel,
    refreshTokenValiditySeconds: optionalInt(raw, 'refreshTokenValiditySeconds', 60, 10 * 365 * 24 * 3600) ?? DEFAULTS.refreshTokenValiditySeconds,
    upstreamTimeoutMs: optionalInt(raw, 'upstreamTimeoutMs', 100, MAX_UPSTREAM_TIMEOUT_MS) ?? DEFAULTS.upstreamTimeoutMs,
    publicPaths: (optionalStringArray(raw, 'publicPaths') ?? []).map((p, i) => {
      if (!p.startsWith('/') || p.length > 256 || !PRINTABLE.test(p)) throw failFor(`publicPaths[${i}]`)('a printable path pattern starting with "/" (at most 256 characters)');
      return compilePathPattern(p);
    }),
    groupsClaim: groupsClaim(raw),
  };
}
