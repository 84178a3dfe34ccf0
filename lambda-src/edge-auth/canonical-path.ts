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

/**
 * Anything a canonical path cannot contain as is: a character outside the raw path characters
 * (letters, digits, `-._~!$&'()*+,=:@/`), a `/` followed by `.` or `/`, or a first character other
 * than `/`. A path that does not match is its own canonical form: one regex test on the hot path.
 */
const NEEDS_WORK = /[^A-Za-z0-9\-._~!$&'()*+,=:@/]|\/[./]|^(?!\/)/;

/** ASCII bytes that are written raw in the canonical form (pchar minus `;`, and `/`). */
const RAW = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@") RAW[c.charCodeAt(0)] = 1;

/** An escaped `%` before two hex digits in the output: a double-decoding origin reads another path. */
const DOUBLE_ENCODED = /%25[0-9A-Fa-f]{2}/;
const HEX = '0123456789ABCDEF';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Longest path canonicalized (longer ones have no canonical form). */
export const MAX_PATH_LENGTH = 8192;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

function escaped(byte: number): string {
  return `%${HEX[Math.floor(byte / 16)]}${HEX[byte % 16]}`;
}

/** Is `path` already canonical? (The fast test: true for almost every real request.) */
export function isCanonicalFast(path: string): boolean {
  return !NEEDS_WORK.test(path);
}

/**
 * The canonical form of a request path (see the module comment), or `undefined` when it has none.
 * `canonicalPath(p) === p` for a path that is already canonical.
 */
export function canonicalPath(path: string): string | undefined {
  if (!NEEDS_WORK.test(path)) return path;
  if (path.length === 0 || path.length > MAX_PATH_LENGTH || path.charCodeAt(0) !== 0x2f) return undefined;

  // 1. Decode into segments: `/` (raw, `\`, `%2F`, `%5C`) separates; each segment is written in
  //    its canonical spelling.
  const segments: string[] = [];
  let segment = '';
  let i = 0;
  const n = path.length;
  while (i < n) {
    let code = path.charCodeAt(i);
    if (code === 0x25) {
      const hi = i + 2 < n ? hexValue(path.charCodeAt(i + 1)) : -1;
      const lo = hi < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
      if (lo < 0) return undefined;
      code = hi * 16 + lo;
      i += 3;
      if (code >= 0x80) {
        // A run of escaped non-ASCII bytes: must be valid UTF-8; kept escaped.
        const bytes = [code];
        while (i + 2 < n && path.charCodeAt(i) === 0x25) {
          const h = hexValue(path.charCodeAt(i + 1));
          const l = h < 0 ? -1 : hexValue(path.charCodeAt(i + 2));
          if (l < 0 || h * 16 + l < 0x80) break;
          bytes.push(h * 16 + l);
          i += 3;
        }
        try {
          utf8.decode(Uint8Array.from(bytes));
        } catch {
          return undefined;
        }
        for (const b of bytes) segment += escaped(b);
        continue;
      }
      // Escaped space stays escaped; escaped control characters have no canonical form.
      if (code === 0x20) {
        segment += '%20';
        continue;
      }
    } else {
      i += 1;
      if (code >= 0x80) return undefined;
    }
    if (code === 0x2f || code === 0x5c) {
      segments.push(segment);
      segment = '';
    } else if (code < 0x21 || code === 0x7f || code === 0x3b) {
      return undefined;
    } else {
      segment += RAW[code] === 1 ? String.fromCharCode(code) : escaped(code);
    }
  }
  segments.push(segment);

  // 2. Merge `//`, resolve `.` and `..` (segments[0] is the empty string before the leading `/`).
  const out: string[] = [];
  let trailingSlash = false;
  for (let k = 1; k < segments.length; k++) {
    const s = segments[k];
    const last = k === segments.length - 1;
    if (s === '' || s === '.') {
      trailingSlash = last;
    } else if (s === '..') {
      out.pop();
      trailingSlash = last;
    } else {
      out.push(s);
      trailingSlash = false;
    }
  }
  const canonical = out.length === 0 ? '/' : `/${out.join('/')}${trailingSlash ? '/' : ''}`;
  return DOUBLE_ENCODED.test(canonical) ? undefined : canonical;
}
