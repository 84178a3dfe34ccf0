/**
 * Synth-time checks of CognitoEdgeAuth props. Each error names the prop, the value and the fix.
 *
 * Every value that reaches `config.json` is checked with the contract's own rules
 * (./config-rules.ts, which the handlers check `config.json` with at deploy time and at load), so
 * the construct accepts exactly what the edge function accepts.
 */
import { Token } from 'aws-cdk-lib';
import {
  aliasProblem, authDomainProblem, authPathsProblem, clientIdProblem, cookieDomainProblem, cookieNamePrefixProblem, cookiePathProblem,
  groupNameProblem, identityProviderProblem, pathPatternProblem, scopeProblem, SECONDS, secondsProblem, userPoolIdProblem,
} from './config-rules';
import { ValidationError } from './errors';

function show(value: unknown): string {
  return JSON.stringify(value);
}

/** Throw `<prop> must be <problem>, got <value>` when a contract rule finds a problem. */
function check(prop: string, value: unknown, problem: string | undefined): void {
  if (problem !== undefined) throw new ValidationError(`${prop} must be ${problem}, got ${show(value)}`);
}

export function requireConcrete(value: unknown, prop: string): void {
  if (Token.isUnresolved(value)) {
    throw new ValidationError(`${prop} must be known at synth time (got a token); pass a literal value`);
  }
}

/** Prop names of the contract's path fields. */
const PATH_PROPS = { callbackPath: 'callbackPath', signOutPath: 'signOutPath', signOutLandingPath: 'signOutRedirectPath' } as const;

/**
 * The callback, sign-out and sign-out landing paths: each an exact path, together free of loops;
 * without a landing path, the signed-out page beside `signOutPath` must have a place.
 */
export function validateAuthPaths(paths: { callbackPath: string; signOutPath: string; signOutLandingPath?: string }): void {
  for (const field of ['callbackPath', 'signOutPath', 'signOutLandingPath'] as const) requireConcrete(paths[field], PATH_PROPS[field]);
  const problem = authPathsProblem(paths);
  if (problem) check(PATH_PROPS[problem[0] as keyof typeof PATH_PROPS], paths[problem[0] as keyof typeof PATH_PROPS], problem[1]);
}

export function validateIdentityProvider(value: string): void {
  requireConcrete(value, 'identityProvider');
  check('identityProvider', value, identityProviderProblem(value));
}

export function validateGroups(groups: string[], prop: string): void {
  requireConcrete(groups, prop);
  for (const g of groups) {
    requireConcrete(g, prop);
    check(prop, g, groupNameProblem(g));
  }
}

/** A CloudFront-style path pattern (`*` any run of characters, `?` one character). */
export function validatePathPattern(value: string, prop: string): void {
  requireConcrete(value, prop);
  check(prop, value, pathPatternProblem(value));
}

/** An OAuth scope (a token scope is checked at deploy time). */
export function validateScope(value: string): void {
  if (!Token.isUnresolved(value)) check('oauthScopes', value, scopeProblem(value));
}

export function validateCookieNamePrefix(value: string): void {
  requireConcrete(value, 'cookieSettings.namePrefix');
  check('cookieSettings.namePrefix', value, cookieNamePrefixProblem(value));
}

export function validateCookieDomain(value: string): void {
  requireConcrete(value, 'cookieSettings.domain');
  check('cookieSettings.domain', value, cookieDomainProblem(value));
}

export function validateCookiePath(value: string, domain: string | undefined): void {
  requireConcrete(value, 'cookieSettings.path');
  check('cookieSettings.path', value, cookiePathProblem(value, domain));
}

/** Whole seconds within the contract's bounds (`human`: the value as the user wrote it). */
export function validateSeconds(seconds: number, human: string, prop: string, bounds: keyof typeof SECONDS): void {
  check(prop, human, secondsProblem(seconds, SECONDS[bounds]));
}

/** The distribution's alternate domain names that are known at synth (the others are checked at deploy time). */
export function validateAliases(aliases: string[]): void {
  for (const alias of aliases) {
    if (!Token.isUnresolved(alias)) check(`distribution: its domain name ${show(alias)}`, alias, aliasProblem(alias));
  }
}

/** The Cognito ids, when known at synth (an imported pool or client). */
export function validateCognitoIds(userPoolId: string, clientId: string): void {
  if (!Token.isUnresolved(userPoolId)) check('userPool: its id', userPoolId, userPoolIdProblem(userPoolId));
  if (!Token.isUnresolved(clientId)) check('userPoolClient: its id', clientId, clientIdProblem(clientId));
}

/** The hosted-UI base URL, when known at synth (an imported domain). */
export function validateAuthDomain(authDomain: string): string {
  if (!Token.isUnresolved(authDomain)) check('userPoolDomain: its hosted-UI URL', authDomain, authDomainProblem(authDomain));
  return authDomain;
}

/** Does `host` domain-match `domain` (RFC 6265 §5.1.3)? */
export function domainMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  const d = domain.toLowerCase();
  return h === d || h.endsWith(`.${d}`);
}

/** CloudFront path-pattern match: `*` any run of characters, `?` exactly one; a missing leading '/' is implied. */
export function cloudFrontPatternMatches(pattern: string, path: string): boolean {
  const p = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const re = new RegExp('^' + p.split('').map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')).join('') + '$');
  return re.test(path);
}

/** Normalise a behavior path pattern for comparison (CloudFront treats 'a/*' as '/a/*'). */
export function normalizePattern(pattern: string): string {
  return pattern === '*' || pattern.startsWith('/') ? pattern : `/${pattern}`;
}
