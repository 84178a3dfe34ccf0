/**
 * The rules of the `config.json` contract (design §3, §4.14), in one place.
 *
 * Two codes compile this module: the construct, which checks its props with it at synth
 * (src/private/validate.ts), and the handlers' contract layer (lambda-src/shared/resolve-config.ts),
 * which checks `config.json` with it at deploy time (the custom resource) and at load (the edge
 * function). So a value the construct accepts is never refused later, and the other way round.
 * It lives under src/ because jsii compiles only src/; it must stay pure: no Node.js or CDK API,
 * nothing but functions of plain values, importing only ./signed-out-path and ./canonical-path (as pure).
 *
 * Path patterns must be written in the canonical form of request paths (design §4.9,
 * ./canonical-path.ts): rules run on the canonical path, so a pattern spelled otherwise never
 * matches. Both edge functions canonicalize request paths with that same code.
 *
 * Each check returns `undefined` when the value is acceptable, else what the value must be: a
 * phrase that completes "<field> must be ...", naming the fix, never repeating the value.
 */

import { canonicalPattern } from './canonical-path';
import { signedOutPathFor } from './signed-out-path';

/** A path the edge function matches exactly: `/`, then RFC 3986 path characters without `%`, `;`, `*`. */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()+,=:@/]*$/;
/** Longest path the contract accepts. */
const MAX_PATH_LENGTH = 256;
const PATH_EXPECTED = 'an absolute path in canonical form, e.g. \'/_auth/callback\': \'/\' then letters, digits and -._~!$&\'()+,=:@/ only, ' +
  `at most ${MAX_PATH_LENGTH} characters, no '//', no '.' or '..' segments`;

/** An absolute URL path in its canonical form (what the edge function compares request paths with). */
function pathProblem(value: string): string | undefined {
  if (value.length > MAX_PATH_LENGTH || !PATH.test(value) || value.includes('//') || /\/\.\.?(\/|$)/.test(value)) {
    return PATH_EXPECTED;
  }
  return undefined;
}

const SIGNED_OUT_PAGE_EXPECTED = "a path whose signed-out page ('signed-out' beside or below it, the default sign-out landing) is not callbackPath " +
  `and at most ${MAX_PATH_LENGTH} characters, or set the sign-out landing path`;

/**
 * The three paths of the sign-in flow, together. Without a landing path, sign-out lands on the
 * signed-out page the edge function serves beside `signOutPath`, which must have a place.
 * Returns the field at fault and the problem.
 */
export function authPathsProblem(paths: { callbackPath: string; signOutPath: string; signOutLandingPath?: string }): [string, string] | undefined {
  for (const field of ['callbackPath', 'signOutPath', 'signOutLandingPath'] as const) {
    const value = paths[field];
    const problem = value === undefined ? undefined : pathProblem(value);
    if (problem) return [field, problem];
  }
  if (paths.callbackPath === '/') return ['callbackPath', "a dedicated path such as '/_auth/callback', not '/' (the site itself)"];
  if (paths.signOutPath === '/') return ['signOutPath', "a dedicated path such as '/_auth/signout', not '/' (the site itself)"];
  if (paths.signOutPath === paths.callbackPath) return ['signOutPath', 'different from callbackPath'];
  let landing = paths.signOutLandingPath;
  if (landing === undefined) {
    landing = signedOutPathFor(paths.signOutPath, paths.callbackPath);
    if (landing === paths.callbackPath || pathProblem(landing)) return ['signOutPath', SIGNED_OUT_PAGE_EXPECTED];
  }
  if (landing === paths.callbackPath || landing === paths.signOutPath) {
    return ['signOutLandingPath', "a page of the site such as '/', not callbackPath or signOutPath (the browser would loop)"];
  }
  return undefined;
}

/** Cookie name prefix: the characters every cookie parser and framework reads the same way. */
export function cookieNamePrefixProblem(value: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) return "1–64 letters, digits, '_', '.' or '-'";
  if (/^__(host|secure)-/i.test(value)) return 'given without a __Host- or __Secure- prefix (the library adds __Host- itself when no domain is set)';
  return undefined;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A DNS name of two labels or more, e.g. `example.com` (compared case-insensitively). */
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`, 'i');

/** Cookie `Domain`. */
export function cookieDomainProblem(value: string): string | undefined {
  return HOST_NAME.test(value) ? undefined : "a DNS name such as 'example.com' (no scheme, port, leading dot or wildcard)";
}

/** Cookie `Path`, given the cookie `Domain` (a host-only cookie has the `__Host-` prefix, which requires `Path=/`). */
export function cookiePathProblem(value: string, domain: string | undefined): string | undefined {
  const problem = pathProblem(value);
  if (problem) return problem;
  if (value !== '/' && domain === undefined) {
    return "'/' when no cookie domain is set (host-only cookies use the __Host- prefix, which requires Path=/); leave the path out or set the domain";
  }
  return undefined;
}

/** An alternate domain name of the distribution (a request host the edge function accepts). */
export function aliasProblem(value: string): string | undefined {
  if (value.startsWith('*.')) {
    return 'an exact host name: wildcard domain names are not supported (each host needs its own callback URL); list every host name of the site';
  }
  return HOST_NAME.test(value) ? undefined : "a DNS name such as 'www.example.com'";
}

/**
 * A CloudFront-style path pattern (`*` any run of characters, `?` one character), written as the
 * canonical request paths it is matched against are: a pattern spelled otherwise never matches.
 */
export function pathPatternProblem(value: string): string | undefined {
  return patternCharactersProblem(value) ?? canonicalPatternProblem(value);
}

function patternCharactersProblem(value: string): string | undefined {
  return /^[\x21-\x22\x24-\x7e]{1,255}$/.test(value)
    ? undefined
    : "a CloudFront path pattern such as '/admin/*': 1–255 printable ASCII characters, no whitespace or '#'";
}

function canonicalPatternProblem(value: string): string | undefined {
  const canonical = canonicalPattern(value);
  if (canonical === value) return undefined;
  return canonical === undefined
    ? "a pattern canonical request paths can match (no ';', no escaped control character, '%' only before two hex digits)"
    : `the canonical form ${JSON.stringify(canonical)} (rules match canonical request paths)`;
}

/** Cognito `GroupName`: `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, 1–128 characters. */
export function groupNameProblem(value: string): string | undefined {
  return /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(value) ? undefined : 'a Cognito group name (1–128 characters, no whitespace)';
}

/** Cognito's rule for identity provider names (as aws-cdk-lib's UserPoolIdentityProvider applies it). */
export function identityProviderProblem(value: string): string | undefined {
  return value.length <= 32 && /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u.test(value)
    ? undefined
    : "the name of an identity provider of the user pool as Cognito accepts it (3–32 characters, no whitespace, not starting or ending with '_')";
}

/** An OAuth scope token (RFC 6749 §3.3). */
export function scopeProblem(value: string): string | undefined {
  return /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/.test(value) ? undefined : 'an OAuth scope: 1–256 printable ASCII characters, no space, \'"\' or \'\\\'';
}

/** An AWS region, of any partition (`eu-west-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`, `us-isob-east-1`). */
const REGION = '[a-z]{2,4}(?:-[a-z]+){1,3}-\\d{1,2}';
const USER_POOL_ID = new RegExp(`^(${REGION})_[0-9A-Za-z]+$`);

/** The region of a user pool id (`eu-west-1_AbC123` → `eu-west-1`), `undefined` when it is not one. */
export function regionOfUserPoolId(value: string): string | undefined {
  return USER_POOL_ID.exec(value)?.[1];
}

export function userPoolIdProblem(value: string): string | undefined {
  return regionOfUserPoolId(value) === undefined ? 'a user pool id such as eu-west-1_AbCdEf123 (<region>_<id>)' : undefined;
}

/** Cognito `ClientId`. */
export function clientIdProblem(value: string): string | undefined {
  return /^[\w+]{1,128}$/.test(value) ? undefined : 'an app client id (1–128 letters, digits, \'_\' or \'+\')';
}

const LOOPBACK = '(?:127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|localhost|\\[::1\\])';
const AUTH_DOMAIN = new RegExp(`^(?:https://${LABEL}(?:\\.${LABEL})*|http://${LOOPBACK})(?::\\d{1,5})?/?$`, 'i');

/** Base URL of the hosted UI: `https://<host>[:port]`, or `http://` for a loopback test server. */
export function authDomainProblem(value: string): string | undefined {
  return AUTH_DOMAIN.test(value)
    ? undefined
    : 'a bare https origin such as https://auth.example.com (no path, query or credentials; http only for a loopback test server)';
}

/** Bounds of whole-second settings: [min, max, what the bounds mean]. */
export const SECONDS = {
  /** Upper bound of the id/access token cookies' Max-Age; the top is the longest Max-Age browsers keep (400 days). */
  tokenMaxAge: [60, 400 * 86_400, 'from 1 minute to 400 days'],
  /** Cognito's range of the refresh-token validity. */
  refreshTokenValidity: [3_600, 3_650 * 86_400, 'from 1 hour to 3650 days (Cognito\'s range)'],
} as const;

/** A whole number of seconds within `bounds`. */
export function secondsProblem(value: number, bounds: readonly [number, number, string]): string | undefined {
  return Number.isInteger(value) && value >= bounds[0] && value <= bounds[1] ? undefined : `a whole number of seconds ${bounds[2]}`;
}

/** A path pattern anyone may request without signing in (`publicPaths`). */
export function publicPathProblem(value: string): string | undefined {
  const problem = patternCharactersProblem(value);
  if (problem !== undefined) return problem;
  if (!value.startsWith('/')) return "a pattern starting with '/' (it is matched against the request path, e.g. '/robots.txt')";
  if (/^\/\**$/.test(value)) return 'a pattern narrower than every path (to make every path public, leave the behavior out of protectedBehaviors)';
  return canonicalPatternProblem(value);
}

/** The id-token claim that carries the groups (`groupsClaim`). */
export function groupsClaimProblem(value: string): string | undefined {
  return /^[\x21-\x7e]{1,256}$/.test(value) && value !== '__proto__'
    ? undefined
    : "the name of an id-token claim such as 'cognito:groups' or 'custom:roles' (1–256 printable characters, no spaces)";
}
