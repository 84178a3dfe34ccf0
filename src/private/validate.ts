/**
 * Synth-time checks of CognitoEdgeAuth props. Each error names the prop, the value and the fix.
 */
import { Token } from 'aws-cdk-lib';
import { ValidationError } from './errors';

/** Same rule as Cognito (and aws-cdk-lib's UserPoolIdentityProvider) for provider names. */
const PROVIDER_NAME = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;
/** Cognito GroupName: `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, 1–128 characters. */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** RFC 6265 cookie-name token characters. */
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function show(value: unknown): string {
  return JSON.stringify(value);
}

export function requireConcrete(value: unknown, prop: string): void {
  if (Token.isUnresolved(value)) {
    throw new ValidationError(`${prop} must be known at synth time (got a token); pass a literal value`);
  }
}

/** An absolute URL path the edge function matches exactly. */
export function validatePath(value: string, prop: string): string {
  requireConcrete(value, prop);
  if (!value.startsWith('/') || /[?#\s*]/.test(value) || value.length > 1024) {
    throw new ValidationError(`${prop} must be an absolute path without '?', '#', '*' or whitespace (e.g. '/_auth/callback'), got ${show(value)}`);
  }
  return value;
}

export function validateIdentityProvider(value: string): void {
  requireConcrete(value, 'identityProvider');
  if (value.length > 32 || !PROVIDER_NAME.test(value)) {
    throw new ValidationError('identityProvider must be the name of an identity provider of the user pool as Cognito accepts it ' +
      `(3–32 characters, no whitespace, not starting or ending with '_'), got ${show(value)}`);
  }
}

export function validateGroups(groups: string[], prop: string): void {
  requireConcrete(groups, prop);
  for (const g of groups) {
    requireConcrete(g, prop);
    if (!GROUP_NAME.test(g)) {
      throw new ValidationError(`${prop} must hold Cognito group names (1–128 characters, no whitespace), got ${show(g)}`);
    }
  }
}

/** A CloudFront-style path pattern (`*` any run of characters, `?` one character). */
export function validatePathPattern(value: string, prop: string): void {
  requireConcrete(value, prop);
  if (value.length === 0 || value.length > 255 || /[\s#]/.test(value)) {
    throw new ValidationError(`${prop} must be a CloudFront path pattern such as '/admin/*' (1–255 characters, no whitespace or '#'), got ${show(value)}`);
  }
}

export function validateCookieNamePrefix(value: string): void {
  requireConcrete(value, 'cookieSettings.namePrefix');
  if (!COOKIE_NAME.test(value) || value.length > 64) {
    throw new ValidationError(`cookieSettings.namePrefix must be 1–64 cookie-name characters (letters, digits, ${show("!#$%&'*+.^_`|~-")}), got ${show(value)}`);
  }
  if (/^__(host|secure)-/i.test(value)) {
    throw new ValidationError(`cookieSettings.namePrefix must not start with __Host- or __Secure- (the library adds __Host- itself when no domain is set), got ${show(value)}`);
  }
}

export function validateCookieDomain(value: string): void {
  requireConcrete(value, 'cookieSettings.domain');
  if (!HOST_NAME.test(value)) {
    throw new ValidationError(`cookieSettings.domain must be a DNS name such as 'example.com' (no scheme, port or leading dot), got ${show(value)}`);
  }
}

export function validateCookiePath(value: string, domain: string | undefined): void {
  requireConcrete(value, 'cookieSettings.path');
  if (!value.startsWith('/') || /[;\s]/.test(value)) {
    throw new ValidationError(`cookieSettings.path must be an absolute path without ';' or whitespace, got ${show(value)}`);
  }
  if (value !== '/' && domain === undefined) {
    throw new ValidationError(`cookieSettings.path must be '/' when cookieSettings.domain is not set (host-only cookies use the __Host- prefix, which requires Path=/), got ${show(value)}; ` +
      'remove cookieSettings.path or set cookieSettings.domain');
  }
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
