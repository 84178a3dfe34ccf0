/**
 * Cookie names, parsing of inbound Cookie headers (any size or encoding, never throws), and
 * Set-Cookie serialisation with splitting of large tokens across numbered cookies.
 *
 * Names (base `__Host-CognitoEdgeAuth` by default):
 * - `<base>-id` (or `<base>-id.0`, `<base>-id.1`… when the id token is larger than one cookie)
 * - `<base>-refresh` (split the same way if ever needed)
 * - `__Host-<prefix>-login.<id>`: one per login in flight (`<issuedAt>.<nonce>.<pkce verifier>`), 10 min
 * - `__Host-<prefix>-n`: how many sessions the callback made in the last 2 minutes (login-loop guard)
 * - `__Host-<prefix>-r`: a refresh happened seconds ago (refresh-loop guard)
 * - `__Host-<prefix>-x`: a digest of a refresh token Cognito refused (refresh race, design §4.10)
 * The login-time and guard cookies are always host-only `__Host-`, `Path=/`, `SameSite=Lax`
 * (design §4.11), whatever the session-cookie settings: `SameSite=Strict` would keep them from
 * the callback (a cross-site navigation from the IdP), a narrower Path or a Domain would lose or
 * leak them.
 * The access token is not stored: nothing at the edge needs it, and it would double the header.
 */
import { DEFAULTS, ResolvedCookieConfig } from './config';

/** Largest value put into one cookie; name and attributes stay well under the 4096-byte limit. */
export const CHUNK_SIZE = 3800;
/** Most parts a split cookie may have (8 × 3800 B ≈ 30 KB: more than CloudFront forwards anyway). */
const MAX_PARTS = 8;
/** Characters our cookie values use (JWT/JWE and base64url): anything else is not ours. */
const VALUE = /^[A-Za-z0-9._~-]+$/;
/** Inbound Cookie header bytes we look at (CloudFront caps all headers at ~20 KB anyway). */
const MAX_COOKIE_HEADER = 32 * 1024;

/** Names of the library's cookies. */
export interface CookieNames {
  /** Every library cookie starts with this (e.g. `__Host-CognitoEdgeAuth-`). */
  readonly prefix: string;
  readonly id: string;
  readonly refresh: string;
  readonly attempts: string;
  /** `<prefix>login.`; the login id follows. */
  readonly login: string;
}

const PREFIX_FORM = /^__(Host|Secure)-/;

/** The configured name prefix without its `__Host-`/`__Secure-` form. */
export function namePrefixOf(cfg: ResolvedCookieConfig): string {
  return cfg.baseName.replace(PREFIX_FORM, '');
}

export function cookieNames(cfg: ResolvedCookieConfig): CookieNames {
  const prefix = `${cfg.baseName}-`;
  const hostPrefix = `__Host-${namePrefixOf(cfg)}-`;
  return { prefix, id: `${prefix}id`, refresh: `${prefix}refresh`, attempts: `${hostPrefix}n`, login: `${hostPrefix}login.` };
}

/** Names of the guard cookies of the refresh path (host-only, like the login cookies). */
export interface GuardNames {
  /** Set with every refreshed session for a few seconds: a request that comes back expired while it is there did not keep the cookies. */
  readonly refreshed: string;
  /** Digest of a refresh token Cognito answered `invalid_grant` for. */
  readonly deadRefresh: string;
}

export function guardNames(cfg: ResolvedCookieConfig): GuardNames {
  const hostPrefix = `__Host-${namePrefixOf(cfg)}-`;
  return { refreshed: `${hostPrefix}r`, deadRefresh: `${hostPrefix}x` };
}

/**
 * Name prefixes of every cookie the library may have set on this site (design §4.12): both prefix
 * forms (`__Host-`, `__Secure-`) of the configured name prefix and of the default one, so a
 * changed `cookieSettings` (Domain or Path added or removed, a new name prefix) does not leave
 * earlier cookies, 30-day refresh tokens among them, flowing to the origin. A name prefix used
 * before other than these two is not known here.
 */
export function libraryPrefixes(cfg: ResolvedCookieConfig): string[] {
  const out: string[] = [];
  for (const p of new Set([namePrefixOf(cfg), DEFAULTS.cookieNamePrefix])) out.push(`__Host-${p}-`, `__Secure-${p}-`);
  return out;
}

/** Does `name` start with one of `prefixes`? */
export function hasPrefix(name: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (name.startsWith(p)) return true;
  return false;
}

/** Attributes of the login-time and guard cookies (design §4.11). */
export const LOGIN_COOKIE_CONFIG: ResolvedCookieConfig = { baseName: '', sameSite: 'Lax', path: '/' };

/**
 * Parse the `value`s of all Cookie headers. The first occurrence of a name is kept; names that
 * occur again are added to `duplicates` when given (a library name sent twice means no session,
 * design §4.12: never pick one). Pairs without `=` and empty names are ignored.
 */
export function parseCookies(headerValues: readonly string[], duplicates?: Set<string>): Map<string, string> {
  const cookies = new Map<string, string>();
  let budget = MAX_COOKIE_HEADER;
  for (const header of headerValues) {
    if (budget <= 0) break;
    const text = header.length > budget ? header.slice(0, budget) : header;
    budget -= text.length;
    for (const pair of text.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      if (name.length === 0) continue;
      if (cookies.has(name)) {
        duplicates?.add(name);
        continue;
      }
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      cookies.set(name, value);
    }
  }
  return cookies;
}

/** Is `value` something the library could have set (charset and non-empty)? */
function isCookieValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Read a possibly split cookie: `name`, else `name.0`, `name.1`… (contiguous, at most MAX_PARTS).
 * Values outside the library's charset read as absent.
 */
export function readSplitCookie(cookies: ReadonlyMap<string, string>, name: string): string | undefined {
  const whole = cookies.get(name);
  if (whole !== undefined) return isCookieValue(whole) ? whole : undefined;
  let joined = '';
  for (let i = 0; i < MAX_PARTS; i++) {
    const part = cookies.get(`${name}.${i}`);
    if (part === undefined) break;
    if (!isCookieValue(part)) return undefined;
    joined += part;
  }
  return joined.length > 0 ? joined : undefined;
}

/** Serialises Set-Cookie values with the configured attributes, computed once. */
export class CookieWriter {
  private readonly attributes: string;

  constructor(cfg: ResolvedCookieConfig) {
    this.attributes = `; Path=${cfg.path}${cfg.domain ? `; Domain=${cfg.domain}` : ''}; Secure; HttpOnly; SameSite=${cfg.sameSite}`;
  }

  /** `name=value; Max-Age=…; …attributes`. */
  set(name: string, value: string, maxAgeSeconds: number): string {
    return `${name}=${value}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${this.attributes}`;
  }

  /** Expire `name` with the same attributes it was set with. */
  expire(name: string): string {
    return `${name}=; Max-Age=0${this.attributes}`;
  }

  /**
   * Set a value that may need splitting, and expire whichever of `name`, `name.N` the request
   * carried but the new layout does not use (so stale parts never get joined).
   */
  setSplit(name: string, value: string, maxAgeSeconds: number, inbound: ReadonlyMap<string, string>): string[] {
    const out: string[] = [];
    const used = new Set<string>();
    if (value.length <= CHUNK_SIZE) {
      out.push(this.set(name, value, maxAgeSeconds));
      used.add(name);
    } else {
      for (let i = 0, offset = 0; offset < value.length; i++, offset += CHUNK_SIZE) {
        const partName = `${name}.${i}`;
        out.push(this.set(partName, value.slice(offset, offset + CHUNK_SIZE), maxAgeSeconds));
        used.add(partName);
      }
    }
    for (const stale of splitNamesIn(inbound, name)) {
      if (!used.has(stale)) out.push(this.expire(stale));
    }
    return out;
  }
}

/** Names among `cookies` that are `name` or one of its parts. */
export function splitNamesIn(cookies: ReadonlyMap<string, string>, name: string): string[] {
  const found: string[] = [];
  if (cookies.has(name)) found.push(name);
  for (let i = 0; i < MAX_PARTS; i++) {
    if (cookies.has(`${name}.${i}`)) found.push(`${name}.${i}`);
  }
  return found;
}

/**
 * Remove the library's cookies (every name starting with one of `prefixes`) from Cookie header
 * values (for the origin). Returns the values that still carry something; pairs are kept
 * byte-for-byte.
 */
export function stripCookies(headerValues: readonly string[], prefixes: string | readonly string[]): string[] {
  const list = typeof prefixes === 'string' ? [prefixes] : prefixes;
  const out: string[] = [];
  for (const header of headerValues) {
    const kept = header.split(';').filter((pair) => {
      const trimmed = pair.trim();
      return trimmed.length > 0 && !hasPrefix(trimmed, list);
    });
    if (kept.length > 0) out.push(kept.map((p) => p.trim()).join('; '));
  }
  return out;
}

/**
 * Length of the Cookie header a browser holding `inbound` would send after applying `setCookies`
 * (Set-Cookie values of this library: `name=value; …`, `Max-Age=0` deletes), as `name=value`
 * pairs joined by `; `.
 */
export function cookieHeaderLength(inbound: ReadonlyMap<string, string>, setCookies: readonly string[]): number {
  const set = new Map<string, number>();
  for (const c of setCookies) {
    const semi = c.indexOf(';');
    const pair = semi < 0 ? c : c.slice(0, semi);
    set.set(pair.slice(0, pair.indexOf('=')), c.includes('; Max-Age=0;') ? 0 : pair.length);
  }
  let total = 0;
  for (const [name, value] of inbound) if (!set.has(name)) total += name.length + 1 + value.length + 2;
  for (const length of set.values()) if (length > 0) total += length + 2;
  return Math.max(0, total - 2);
}
