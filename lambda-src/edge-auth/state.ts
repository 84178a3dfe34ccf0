/**
 * The OAuth `state`: base64url(JSON {n: nonce, p: return path, t: issued-at seconds, i: login id})
 * + "." + base64url(HMAC-SHA256). Signed with the deploy-time secret (or a random per-cold-start
 * key), bound to the browser by the login cookie `<prefix>login.<i>` holding the same nonce, valid
 * for at most 10 minutes, consumed by the callback (which expires that cookie).
 */
import { createHmac, createSecretKey, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { StateInvalidError } from './errors';
import { isSafeReturnPath } from './return-path';
import { isRecord, ownProperty } from '../shared/assert';
import { safeJsonParse } from '../shared/safe-json';

/** Lifetime of a login in flight (state and login cookie). */
export const LOGIN_MAX_AGE_SECONDS = 600;
/** Clock difference tolerated for a state issued "in the future" (another edge instance). */
const FUTURE_SKEW_SECONDS = 30;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_STATE_LENGTH = 2048;

export interface StatePayload {
  /** Nonce, also in the login cookie. */
  readonly n: string;
  /** Same-origin return path (with query). */
  readonly p: string;
  /** Issued at, seconds since the epoch. */
  readonly t: number;
  /** Login id: names the login cookie. */
  readonly i: string;
}

export class StateSigner {
  private readonly key: KeyObject;

  /** @param secret the configured `stateSecret`; `undefined` → a random key for this cold start. */
  constructor(secret: string | undefined) {
    this.key = createSecretKey(secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8'));
  }

  sign(payload: StatePayload): string {
    // Same JSON as JSON.stringify({ n, p, t, i }), without building the object: n and i are
    // base64url, t an integer, and p goes through JSON.stringify.
    if (!B64URL.test(payload.n) || !B64URL.test(payload.i) || !Number.isInteger(payload.t)) throw new StateInvalidError('malformed');
    const json = `{"n":"${payload.n}","p":${JSON.stringify(payload.p)},"t":${payload.t},"i":"${payload.i}"}`;
    const body = Buffer.from(json, 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /**
   * Check signature, shape and age. (Binding to the login cookie is the caller's job.)
   * @throws StateInvalidError
   */
  verify(state: string, nowSeconds: number): StatePayload {
    if (state.length > MAX_STATE_LENGTH) throw new StateInvalidError('malformed');
    const dot = state.indexOf('.');
    if (dot <= 0 || dot !== state.lastIndexOf('.')) throw new StateInvalidError('malformed');
    const body = state.slice(0, dot);
    const sig = state.slice(dot + 1);
    if (!B64URL.test(body) || !B64URL.test(sig)) throw new StateInvalidError('malformed');
    const given = Buffer.from(sig, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new StateInvalidError('signature');
    const parsed = safeJsonParse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!isRecord(parsed)) throw new StateInvalidError('malformed');
    const n = ownProperty(parsed, 'n');
    const p = ownProperty(parsed, 'p');
    const t = ownProperty(parsed, 't');
    const i = ownProperty(parsed, 'i');
    if (typeof n !== 'string' || typeof p !== 'string' || typeof i !== 'string' || typeof t !== 'number' || !Number.isInteger(t)
      || !B64URL.test(n) || !B64URL.test(i)) {
      throw new StateInvalidError('malformed');
    }
    if (t > nowSeconds + FUTURE_SKEW_SECONDS) throw new StateInvalidError('future');
    if (nowSeconds - t >= LOGIN_MAX_AGE_SECONDS) throw new StateInvalidError('expired');
    if (!isSafeReturnPath(p)) throw new StateInvalidError('unsafe_path');
    return { n, p, t, i };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

/** Constant-time string comparison (lengths may differ). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
