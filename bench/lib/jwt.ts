/**
 * The bench's Cognito-shaped pool, JWKS and tokens (keys and signing from playground/jwt.ts).
 * Both sides are configured with the same pool, client and JWKS, so they verify the same tokens.
 */
import { KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { b64url, opaqueRefreshToken, rsaSigningKey, signJwt } from '../../playground/jwt';

export { opaqueRefreshToken };

export const REGION = 'eu-west-1';
export const USER_POOL_ID = `${REGION}_BenchPo0l1`;
export const CLIENT_ID = '3n4b5urk1ft4fl3mwguxhdeslf';
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
export const USERNAME = 'bench-user';
export const KID = 'bench-key-1';

export interface Jwks { keys: Array<Record<string, unknown>> }

export interface BenchKeys {
  /** The pool's signing key (its public half is in the JWKS). */
  readonly privateKey: KeyObject;
  /** A different key with the same kid, for forged signatures. */
  readonly forgerKey: KeyObject;
  readonly jwks: Jwks;
}

export function makeKeys(): BenchKeys {
  const pool = rsaSigningKey(KID);
  // A second, unrelated key in the set, as in a real pool (Cognito publishes two).
  const other = rsaSigningKey('bench-key-2');
  return { privateKey: pool.privateKey, forgerKey: rsaSigningKey(KID).privateKey, jwks: { keys: [pool.jwk, other.jwk] } };
}

/** Sign with the bench pool's kid (any key: the forged tokens use another key under the same kid). */
function signWith(key: KeyObject, payload: Record<string, unknown>): string {
  return signJwt({ kid: KID, privateKey: key }, payload);
}

export interface TokenSet {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

const SUB = '8a7b6c5d-1e2f-4a3b-9c8d-7e6f5a4b3c2d';

/** Cognito-shaped id and access tokens (claims as Cognito issues them), and an opaque refresh token. */
export function mintTokens(key: KeyObject, opts: { idTtlSeconds?: number; nowSeconds?: number; refreshToken?: string } = {}): TokenSet {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const exp = now + (opts.idTtlSeconds ?? 3600);
  const iat = exp - 3600;
  const common = { sub: SUB, iss: ISSUER, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: iat, exp, iat, jti: randomUUID() };
  const idToken = signWith(key, {
    ...common,
    'aud': CLIENT_ID,
    'email_verified': true,
    'cognito:groups': ['readers'],
    'cognito:username': USERNAME,
    'token_use': 'id',
    'email': 'bench-user@example.com',
  });
  const accessToken = signWith(key, {
    ...common,
    'client_id': CLIENT_ID,
    'cognito:groups': ['readers'],
    'token_use': 'access',
    'scope': 'openid profile email',
    'username': USERNAME,
  });
  return { idToken, accessToken, refreshToken: opts.refreshToken ?? opaqueRefreshToken() };
}

/** A token-shaped string whose header is not JSON. */
export function garbageToken(): string {
  return `Zm9vYmFy.YmF6cXV4.${b64url(randomBytes(64))}`;
}
