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
import { ConfigError, configFail } from './config-error';
import type { EdgeAuthConfig } from './edge-config';
import {
  aliasProblem, authDomainProblem, authPathsProblem, clientIdProblem, cookieDomainProblem, cookieNamePrefixProblem, cookiePathProblem,
  groupNameProblem, identityProviderProblem, pathPatternProblem, regionOfUserPoolId, scopeProblem, SECONDS, secondsProblem,
} from '../../src/private/config-rules';

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
const MAX_UPSTREAM_TIMEOUT_MS = 4000;

const PRINTABLE = /^[\x21-\x7e]+$/;

function failFor(field: string): FailFactory {
  return configFail(`config.json: "${field}"`);
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
  const prefix = optionalString(value, 'namePrefix', 'cookies.namePrefix') ?? DEFAULTS.cookieNamePrefix;
  check('cookies.namePrefix', cookieNamePrefixProblem(prefix));
  const sameSiteRaw = ownProperty(value, 'sameSite');
  let sameSite: SameSite = 'Lax';
  if (sameSiteRaw !== undefined) {
    assertOneOf(sameSiteRaw, ['Lax', 'Strict', 'None'] as const, failFor('cookies.sameSite'));
    sameSite = sameSiteRaw;
  }
  const domainRaw = ownProperty(value, 'domain');
  let domain: string | undefined;
  if (domainRaw !== undefined) {
    assertNonEmptyString(domainRaw, failFor('cookies.domain'));
    check('cookies.domain', cookieDomainProblem(domainRaw));
    domain = domainRaw.toLowerCase();
  }
  const pathRaw = ownProperty(value, 'path');
  let cookiePath = '/';
  if (pathRaw !== undefined) {
    assertNonEmptyString(pathRaw, failFor('cookies.path'));
    check('cookies.path', cookiePathProblem(pathRaw, domain));
    cookiePath = pathRaw;
  }
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
 * Validate a parsed `config.json` and resolve its defaults.
 * @throws ConfigError naming the first invalid field.
 */
export function resolveConfig(raw: unknown): ResolvedConfig {
  assertRecord(raw, () => new ConfigError('config.json must contain a JSON object'));

  const userPoolId = ownProperty(raw, 'userPoolId');
  assertNonEmptyString(userPoolId, failFor('userPoolId'));
  const region = regionOfUserPoolId(userPoolId);
  if (region === undefined) throw failFor('userPoolId')('a user pool id such as eu-west-1_AbCdEf123');

  const clientId = ownProperty(raw, 'clientId');
  assertNonEmptyString(clientId, failFor('clientId'));
  check('clientId', clientIdProblem(clientId));

  const clientSecretRaw = ownProperty(raw, 'clientSecret');
  let clientSecret: string | undefined;
  if (clientSecretRaw !== undefined && clientSecretRaw !== null && clientSecretRaw !== '') {
    assertString(clientSecretRaw, failFor('clientSecret'));
    if (!PRINTABLE.test(clientSecretRaw)) throw failFor('clientSecret')('printable ASCII');
    clientSecret = clientSecretRaw;
  }

  const identityProviderRaw = ownProperty(raw, 'identityProvider');
  let identityProvider: string | undefined;
  if (identityProviderRaw !== undefined) {
    assertString(identityProviderRaw, failFor('identityProvider'));
    check('identityProvider', identityProviderProblem(identityProviderRaw));
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

  const paths = {
    callbackPath: optionalString(raw, 'callbackPath') ?? DEFAULTS.callbackPath,
    signOutPath: optionalString(raw, 'signOutPath') ?? DEFAULTS.signOutPath,
    signOutLandingPath: optionalString(raw, 'signOutLandingPath') ?? DEFAULTS.signOutLandingPath,
  };
  const pathsProblem = authPathsProblem(paths);
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

  const logLevelRaw = ownProperty(raw, 'logLevel');
  let logLevel: LogLevel = DEFAULTS.logLevel;
  if (logLevelRaw !== undefined) {
    assertOneOf(logLevelRaw, ['debug', 'info', 'warn', 'error', 'none'] as const, failFor('logLevel'));
    logLevel = logLevelRaw;
  }

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
  };
}
