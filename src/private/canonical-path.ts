/**
 * One path, one decision (design §4.9): the canonical form of a request path, as the common origins
 * read it, so that routing and path rules decide on the object the origin will serve, not on the
 * spelling the viewer sent.
 *
 * CloudFront hands the function the path as sent; origins then read it their own ways: S3
 * percent-decodes every escape (`%2F` included), nginx and Apache merge `//` and resolve `.` and
 * `..` segments (after decoding), IIS turns `\` into `/`, servlet containers drop `;` path
 * parameters. The canonical form is the one spelling every one of those reads the same way:
 * - escapes of unreserved characters and of the path's sub-delimiters, `:` and `@` are decoded;
 *   `%2F` and `%5C` become `/`; other escapes (space, `%`, `?`, `#`, non-ASCII UTF-8, ...) stay,
 *   with upper-case hex; characters that must not appear raw in a path are encoded;
 * - `\` is `/`, runs of `/` are one, `.` segments are dropped and `..` removes the segment before
 *   it (never above the root); a trailing `/` stays.
 * A path has no canonical form (`undefined`) when origins may read it in incompatible ways or it
 * is malformed: a `%` not followed by two hex digits, an encoded or raw control character, a raw
 * space or non-ASCII character, escapes that are not valid UTF-8 (overlong `/` included), a `;` (path
 * parameters), or an escaped `%` before two hex digits (`%252F`: a double-decoding origin reads
 * `/`). Upper/lower case of the path itself is kept: rules are case-sensitive, like CloudFront's
 * own path patterns.
 */
//
// This module is pure (no imports, plain functions, documented methods only), because three codes
// compile it: the construct and the configuration contract (config-rules.ts: path patterns must be
// written in canonical form), the Lambda@Edge handler and the session-mode CloudFront Function
// (both through lambda-src/shared/canonical-path.ts). It lives under src/ because jsii compiles only src/.

/**
 * Anything a canonical path cannot contain as is: a character outside the raw path characters
 * (letters, digits, `-._~!$&'()*+,=:@/`), a `/` followed by `.` or `/`, or a first character other
 * than `/`. A path that does not match is its own canonical form: one regex test on the hot path.
 */
const NEEDS_WORK = /[^A-Za-z0-9\-._~!$&'()*+,=:@/]|\/[./]|^(?!\/)/;
/** Raw characters of a canonical path besides `/` (RFC 3986 pchar without `;`). */
const RAW_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,=:@]$/;
/** No canonical form: `;` or an escaped one, raw control/space/non-ASCII, escaped control characters. */
const AMBIGUOUS = /;|%3b|[^\x21-\x7e]|%[01][0-9a-f]|%7f/i;
/** An escape, or a raw character that is not written raw in a canonical path. */
const TO_REWRITE = /%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,=:@/]/g;
/** The same for a path pattern, whose `?` is a wildcard (`*` is a raw path character anyway). */
const TO_REWRITE_IN_PATTERN = /%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,=:@/?]/g;
/** An escaped `%` before two hex digits in the output: a double-decoding origin reads another path. */
const DOUBLE_ENCODED = /%25[0-9A-F]{2}/i;

/** Longest path canonicalized (longer ones have no canonical form). */
export const MAX_CANONICAL_PATH_LENGTH = 8192;

/** Is `path` already canonical? (The fast test: true for almost every real request.) */
export function isCanonicalFast(path: string): boolean {
  return !NEEDS_WORK.test(path);
}

function rewrite(match: string, hex: string | undefined): string {
  const code = hex === undefined ? match.charCodeAt(0) : parseInt(hex, 16);
  if (code === 0x2f || code === 0x5c) return '/';
  const char = String.fromCharCode(code);
  return RAW_CHAR.test(char) ? char : `%${(hex ?? code.toString(16).padStart(2, '0')).toUpperCase()}`;
}

/** The canonical form of `path`, rewriting what `toRewrite` matches; `undefined` when it has none. */
function canonicalForm(path: string, toRewrite: RegExp): string | undefined {
  if (path.length > MAX_CANONICAL_PATH_LENGTH || path[0] !== '/' || AMBIGUOUS.test(path)) return undefined;
  // decodeURIComponent refuses a `%` without two hex digits and escapes that are not UTF-8
  // (overlong forms and surrogates included).
  try {
    decodeURIComponent(path);
  } catch {
    return undefined;
  }
  // Every escape of a byte >= 0x80 is part of valid UTF-8 here, so it stays escaped (upper case).
  const segments = path.replace(toRewrite, rewrite).split('/');
  // Merge `//`, resolve `.` and `..` (segments[0] is the empty string before the leading `/`).
  const out: string[] = [];
  let trailingSlash = false;
  for (let k = 1; k < segments.length; k++) {
    const s = segments[k];
    trailingSlash = k === segments.length - 1;
    if (s === '..') {
      out.pop();
    } else if (s !== '' && s !== '.') {
      out.push(s);
      trailingSlash = false;
    }
  }
  const canonical = `/${out.join('/')}${trailingSlash && out.length > 0 ? '/' : ''}`;
  return DOUBLE_ENCODED.test(canonical) ? undefined : canonical;
}

/**
 * The canonical form of a request path, or `undefined` when it has none (see the module comment). `canonicalPath(p) === p` for a path that is already canonical.
 */
export function canonicalPath(path: string): string | undefined {
  return NEEDS_WORK.test(path) ? canonicalForm(path, TO_REWRITE) : path;
}

/**
 * The spelling of a path pattern that matches canonical request paths: its literal parts in
 * canonical form, `?` kept as the wildcard, a missing leading `/` added (a pattern starting with a
 * wildcard keeps it); `undefined` when the literal parts have no canonical form.
 */
export function canonicalPattern(pattern: string): string | undefined {
  if (pattern.startsWith('*') || pattern.startsWith('?')) {
    // the leading wildcard stands in for a first segment (`w`, then `W`), which must come through
    const lower = canonicalForm('/w' + pattern.slice(1), TO_REWRITE_IN_PATTERN);
    const upper = canonicalForm('/W' + pattern.slice(1), TO_REWRITE_IN_PATTERN);
    if (lower === undefined || upper === undefined || !lower.startsWith('/w') || !upper.startsWith('/W')) return undefined;
    return pattern[0] + lower.slice(2);
  }
  return canonicalForm(pattern.startsWith('/') ? pattern : `/${pattern}`, TO_REWRITE_IN_PATTERN);
}
