/**
 * STAND-IN for the canonical-path rule of design §4.9 (lambda-src/edge-auth/canonical-path.ts, being
 * written separately): when that module exists and runs in the CloudFront Functions runtime 2.0,
 * `canonicalPath` below is replaced by it, and a non-canonical navigation gets its 302 to the
 * canonical URL instead of the 400 it gets here (see viewer.ts, `notCanonical`).
 *
 * Until then this accepts only paths that no common origin could read as another path: printable
 * ASCII starting with one "/", no "\", no empty, "." or ".." segment, and no percent-escape of a
 * character that has a plain spelling (unreserved characters, "/", "\", "%") or of a control
 * character. Everything else is refused (400), which is safe but stricter than §4.9 needs.
 */
const PLAIN = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;
const ESCAPE = /%([0-9A-Fa-f]{2})?/g;
const HAS_PLAIN_SPELLING = /[A-Za-z0-9\-._~/\\%]/;

/** The canonical form of `uri`, or `undefined` when it is not (known to be) canonical. */
export function canonicalPath(uri: string): string | undefined {
  if (uri.length > 4096 || !PLAIN.test(uri) || uri.indexOf('//') >= 0 || DOT_SEGMENT.test(uri)) return undefined;
  if (uri.indexOf('%') < 0) return uri;
  let ok = true;
  uri.replace(ESCAPE, (m: string, hex: string | undefined) => {
    if (hex === undefined) {
      ok = false;
    } else {
      const code = parseInt(hex, 16);
      if (code < 0x20 || code === 0x7f || HAS_PLAIN_SPELLING.test(String.fromCharCode(code))) ok = false;
    }
    return m;
  });
  return ok ? uri : undefined;
}
