/**
 * The session cookie of session mode (design §7): minted by the Lambda@Edge function once it has
 * verified an id token, checked on every protected request by the CloudFront Function.
 *
 * Value: `<version>.<key id>.<payload>.<tag>`, every part in the base64url alphabet:
 * - version: `1`;
 * - key id: 1–16 characters of `[A-Za-z0-9_-]`; the key itself lives in the KeyValueStore under
 *   `sessionKeyName(kid)` (and in the Lambda@Edge function's config.json);
 * - payload: base64url of ASCII-only JSON `{"s":sub,"u":username,"i":iat,"e":exp,"r":rules hash,"g":[groups]}`
 *   (non-ASCII characters are written as `\uXXXX` escapes, so the verifier never decodes UTF-8);
 * - tag: base64url of HMAC-SHA256 (all 32 bytes: 43 characters) over
 *   `PURPOSE + "\n" + version + "." + key id + "." + payload`. No part can contain a ".", so the
 *   signed text is unambiguous, and the purpose label keeps the tag from meaning anything to any
 *   other use of the key.
 *
 * The key is a 43-character base64url string (32 random bytes); its ASCII text is the HMAC key on
 * both sides, so neither runtime has to turn it into bytes.
 *
 * A rule set change counts as expiry: the payload carries `rulesHash()` of the rules it was minted
 * under, and a cookie minted under other rules is "expired" (validly signed), which sends the
 * browser to the refresh route for a new cookie with the current groups. Only the groups some rule
 * names are carried, so a user in 150 directory groups still gets a cookie of a few hundred bytes.
 *
 * This module runs in two runtimes: Node.js (the Lambda@Edge function, deploy-time code, tests)
 * and the CloudFront Functions JavaScript runtime 2.0 (the viewer function). It therefore uses
 * only what both offer and what that runtime documents: `crypto.createHmac`/`createHash` with a
 * `base64url` digest, plain functions (no classes), no Buffer or TextEncoder (the codec below is
 * hand-written for ASCII), no spread, destructuring, for-of, default parameters or optional
 * chaining. `scripts/check-viewer-function.ts` enforces this on the built viewer function.
 */
/* eslint-disable no-bitwise -- the base64url codec and the constant-time comparison work on bits */
import crypto from 'crypto';

/** Format version written first in every cookie value. */
export const SESSION_VERSION = '1';
/** Purpose label bound into every tag. */
export const SESSION_PURPOSE = 'cognito-edge-auth/session/v1';
/** Longest cookie value looked at (one cookie; anything longer is refused before parsing). */
export const MAX_SESSION_COOKIE_LENGTH = 3800;
/** Most groups carried in a cookie. */
export const MAX_SESSION_GROUPS = 64;
/** Longest `sub`, username or group name carried (Cognito's own limits are 128). */
export const MAX_SESSION_TEXT = 256;
/** Key ids: short, in the base64url alphabet (no "."). */
export const SESSION_KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
/** A session key: 32 random bytes as 43 base64url characters. */
export const SESSION_KEY = /^[A-Za-z0-9_-]{43}$/;
/** KeyValueStore key names of the session keys start with this, followed by the key id. */
export const SESSION_KEY_NAME_PREFIX = 'session-key.';
/**
 * The value that replaces a retired key in the store (about a day after it stopped signing): the
 * viewer function treats a cookie naming it as an expired session without checking anything, so
 * whoever holds the old key can no longer forge one. It never matches {@link SESSION_KEY}.
 */
export const SESSION_KEY_RETIRED = 'retired';

const COOKIE = /^1\.([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]{4,3760})\.([A-Za-z0-9_-]{43})$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** What a valid cookie says. */
export interface Session {
  readonly sub: string;
  readonly username: string;
  /** Only the user's groups that some rule names. */
  readonly groups: readonly string[];
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch. */
  readonly exp: number;
}

/** The parts of a well-formed cookie value (nothing verified yet). */
export interface SessionCookieParts {
  readonly kid: string;
  readonly payload: string;
  readonly tag: string;
}

/**
 * The outcome of `checkSession`:
 * - `valid`: signed by the key, not expired, minted under the current rules;
 * - `expired`: signed by the key but past `exp`, or minted under other rules (`reason`);
 * - `invalid`: anything else (wrong key, re-signed, altered, malformed).
 */
export type SessionCheck =
  | { readonly status: 'valid'; readonly session: Session }
  | { readonly status: 'expired'; readonly reason: 'exp' | 'rules' }
  | { readonly status: 'invalid' };

/** The rules a cookie is minted under (the same fields as config.json's). */
export interface SessionRules {
  readonly requiredGroups?: readonly string[];
  readonly pathRules?: ReadonlyArray<{ readonly pathPattern: string; readonly requiredGroups: readonly string[] }>;
}

/** What the minting side knows about the user (from the verified id token). */
export interface SessionClaims {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** The id token's `exp`. */
  readonly exp: number;
}

/** Mint options. */
export interface MintOptions {
  readonly kid: string;
  readonly key: string;
  /** `rulesHash()` of the current rules. */
  readonly rulesHash: string;
  /** Seconds since the epoch. */
  readonly now: number;
  /** Upper bound of the session's lifetime in seconds (`tokenMaxAgeSeconds`); the id token's `exp` is the other bound. */
  readonly maxAgeSeconds?: number;
}

/** The KeyValueStore key name under which the key `kid` is stored. */
export function sessionKeyName(kid: string): string {
  return SESSION_KEY_NAME_PREFIX + kid;
}

/** Is `value` a usable session key (43 base64url characters)? */
export function isSessionKey(value: unknown): value is string {
  return typeof value === 'string' && SESSION_KEY.test(value);
}

/** base64url (no padding) of a string whose characters are all below U+0080. */
export function base64urlEncodeAscii(text: string): string {
  let out = '';
  let i = 0;
  for (; i + 2 < text.length; i += 3) {
    const n = (text.codePointAt(i)! << 16) | (text.codePointAt(i + 1)! << 8) | text.codePointAt(i + 2)!;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = text.length - i;
  if (rest === 1) {
    const n = text.codePointAt(i)! << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
  } else if (rest === 2) {
    const n = (text.codePointAt(i)! << 16) | (text.codePointAt(i + 1)! << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

/**
 * Decode base64url (no padding) into text of bytes below 0x80; `undefined` for anything else:
 * a character outside the alphabet, an impossible length, non-zero padding bits (so every
 * text has exactly one spelling) or a byte of 0x80 or more.
 */
export function base64urlDecodeAscii(encoded: string): string | undefined {
  if (encoded.length % 4 === 1) return undefined;
  let out = '';
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < encoded.length; i++) {
    const v = ALPHABET.indexOf(encoded.charAt(i));
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = (acc >> bits) & 255;
      if (byte > 127) return undefined;
      out += String.fromCharCode(byte);
      acc &= (1 << bits) - 1;
    }
  }
  return acc === 0 ? out : undefined;
}

/** JSON with every character from U+007F up written as a `\uXXXX` escape (ASCII-only text). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.codePointAt(0)!.toString(16).padStart(4, '0').slice(-4));
}

/**
 * Equality of two strings in time that depends only on their lengths (the runtime has no
 * `timingSafeEqual`). Used for tags, which always have 43 characters.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.codePointAt(i)! ^ b.codePointAt(i)!;
  return diff === 0;
}

/** The tag of `kid` + `payload` under `key`. */
export function sessionTag(key: string, kid: string, payload: string): string {
  return crypto.createHmac('sha256', key).update(SESSION_PURPOSE + '\n' + SESSION_VERSION + '.' + kid + '.' + payload).digest('base64url');
}

/**
 * A short, stable digest of the rule set (requiredGroups and pathRules, in order): 22 base64url
 * characters of SHA-256 over canonical JSON. An absent and an empty `requiredGroups` mean the same.
 */
export function rulesHash(rules: SessionRules): string {
  const pathRules = rules.pathRules === undefined ? [] : rules.pathRules.map((r) => [r.pathPattern, r.requiredGroups]);
  const canonical = asciiJson(['v1', rules.requiredGroups === undefined ? [] : rules.requiredGroups, pathRules]);
  return crypto.createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/** The groups some rule names (requiredGroups and every path rule's), in rule order, without duplicates. */
export function namedGroups(rules: SessionRules): string[] {
  const out: string[] = [];
  const add = (groups: readonly string[] | undefined): void => {
    if (groups === undefined) return;
    for (let i = 0; i < groups.length; i++) if (out.indexOf(groups[i]) < 0) out.push(groups[i]);
  };
  add(rules.requiredGroups);
  if (rules.pathRules !== undefined) for (let i = 0; i < rules.pathRules.length; i++) add(rules.pathRules[i].requiredGroups);
  return out;
}

/** The user's groups that some rule names, in the user's order, without duplicates. */
export function sessionGroups(userGroups: readonly string[], rules: SessionRules): string[] {
  const named = namedGroups(rules);
  const out: string[] = [];
  for (let i = 0; i < userGroups.length; i++) {
    const g = userGroups[i];
    if (named.indexOf(g) >= 0 && out.indexOf(g) < 0) out.push(g);
  }
  return out;
}

/**
 * Mint a cookie value. Its `exp` is the id token's, capped by `maxAgeSeconds`.
 * @throws Error when the key or key id is malformed, a claim is too long, there are too many
 *   groups, or the value would exceed `MAX_SESSION_COOKIE_LENGTH` (the caller answers with an
 *   error page rather than set a cookie the browser or CloudFront would drop).
 */
export function mintSessionCookie(claims: SessionClaims, options: MintOptions): string {
  if (!SESSION_KEY_ID.test(options.kid)) throw new Error('session cookie: malformed key id');
  if (!isSessionKey(options.key)) throw new Error('session cookie: malformed key');
  if (!isText(claims.sub) || !isText(claims.username)) throw new Error('session cookie: sub or username too long or empty');
  if (claims.groups.length > MAX_SESSION_GROUPS) throw new Error('session cookie: too many groups');
  for (let i = 0; i < claims.groups.length; i++) if (!isText(claims.groups[i])) throw new Error('session cookie: group name too long or empty');
  if (!Number.isInteger(claims.exp) || !Number.isInteger(options.now)) throw new Error('session cookie: times must be integers');
  const exp = options.maxAgeSeconds === undefined ? claims.exp : Math.min(claims.exp, options.now + options.maxAgeSeconds);
  const json = asciiJson({ s: claims.sub, u: claims.username, i: options.now, e: exp, r: options.rulesHash, g: claims.groups });
  const payload = base64urlEncodeAscii(json);
  const value = SESSION_VERSION + '.' + options.kid + '.' + payload + '.' + sessionTag(options.key, options.kid, payload);
  if (value.length > MAX_SESSION_COOKIE_LENGTH) throw new Error('session cookie: value too long');
  return value;
}

/**
 * The session cookie's value from raw Cookie header values (the Lambda@Edge side's view of a
 * request): `undefined` unless the name occurs exactly once (design §4.12: a name that arrives
 * twice, e.g. one planted by a sibling host, means no session). The viewer function gets the same
 * answer from the event's `multiValue`.
 */
export function sessionCookieFromHeaders(cookieHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  let count = 0;
  for (let h = 0; h < cookieHeaders.length; h++) {
    const pairs = cookieHeaders[h].split(';');
    for (let i = 0; i < pairs.length; i++) {
      const eq = pairs[i].indexOf('=');
      if (eq < 0 || pairs[i].slice(0, eq).trim() !== name) continue;
      count++;
      found = pairs[i].slice(eq + 1).trim();
    }
  }
  return count === 1 ? found : undefined;
}

/**
 * Split a cookie value into its parts, checking only its shape (length first, then the pattern);
 * `undefined` when it cannot be one of ours. Nothing is decoded or trusted here.
 */
export function parseSessionCookie(value: unknown): SessionCookieParts | undefined {
  if (typeof value !== 'string' || value.length > MAX_SESSION_COOKIE_LENGTH) return undefined;
  const m = COOKIE.exec(value);
  return m === null ? undefined : { kid: m[1], payload: m[2], tag: m[3] };
}

/**
 * Check a parsed cookie against `key` (the key its key id names), the clock and the current rules.
 * The tag is compared before anything in the payload is decoded.
 */
export function checkSession(parts: SessionCookieParts, key: string, nowSeconds: number, currentRulesHash: string): SessionCheck {
  if (!isSessionKey(key) || !constantTimeEqual(sessionTag(key, parts.kid, parts.payload), parts.tag)) return { status: 'invalid' };
  const json = base64urlDecodeAscii(parts.payload);
  if (json === undefined) return { status: 'invalid' };
  let p: unknown;
  try {
    p = JSON.parse(json);
  } catch (e) {
    return { status: 'invalid' };
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return { status: 'invalid' };
  const o = p as Record<string, unknown>;
  const s = o.s;
  const u = o.u;
  const i = o.i;
  const e = o.e;
  const r = o.r;
  const g = o.g;
  if (!isText(s) || !isText(u) || !Number.isInteger(i) || !Number.isInteger(e) || typeof r !== 'string' || !Array.isArray(g) || g.length > MAX_SESSION_GROUPS) {
    return { status: 'invalid' };
  }
  for (let k = 0; k < g.length; k++) if (!isText(g[k])) return { status: 'invalid' };
  if (r !== currentRulesHash) return { status: 'expired', reason: 'rules' };
  if ((e as number) <= nowSeconds) return { status: 'expired', reason: 'exp' };
  return { status: 'valid', session: { sub: s, username: u, groups: g as string[], iat: i as number, exp: e as number } };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_SESSION_TEXT;
}
