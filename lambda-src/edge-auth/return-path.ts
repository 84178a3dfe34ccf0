/**
 * Same-origin return paths. A return path is what the browser asked for (uri + query), kept
 * verbatim when it is safe and short, and replaced otherwise:
 * - it starts with exactly one "/" (no "//host", no "/\host"), also after percent-decoding
 *   of the path part (so "/%2F%2Fevil" and "/%5Cevil" are refused, as is a path with
 *   encoded control characters);
 * - it contains only printable ASCII without "\" (CloudFront hands us percent-encoded URIs;
 *   anything else, CR/LF included, is refused);
 * - it is short: a query that does not fit is dropped, a path that does not fit becomes "/".
 * Every Location built from it is `https://<allowed host><path>`, which cannot leave the site.
 */

const SAFE_CHARS = /^\/[\x21-\x5b\x5d-\x7e]*$/;

/** Default length budget: keeps the authorize URL (state carries the path) under 2 KB. */
export const MAX_RETURN_PATH = 800;

function decodeRepeatedly(value: string): string | undefined {
  if (!value.includes('%')) return value;
  let current = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return undefined;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Is `path` a safe same-origin return path (see the module comment)? */
export function isSafeReturnPath(path: string, maxLength = MAX_RETURN_PATH): boolean {
  if (path.length === 0 || path.length > maxLength || !SAFE_CHARS.test(path)) return false;
  // Only the path part decides where the browser goes; the query just has to be printable.
  const q = path.indexOf('?');
  const decoded = decodeRepeatedly(q < 0 ? path : path.slice(0, q));
  if (decoded === undefined) return false;
  if (!decoded.startsWith('/') || decoded.startsWith('//') || decoded.startsWith('/\\')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(decoded)) return false;
  return true;
}

/** The return path for a request: uri + "?" + query when safe, else the uri, else "/". */
export function returnPathFor(uri: string, querystring: string, maxLength = MAX_RETURN_PATH): string {
  if (querystring.length > 0) {
    const full = `${uri}?${querystring}`;
    if (isSafeReturnPath(full, maxLength)) return full;
  }
  return isSafeReturnPath(uri, maxLength) ? uri : '/';
}
