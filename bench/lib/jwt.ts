/**
 * The bench's own Cognito-shaped key, JWKS and token minting (RS256, node:crypto only).
 * Both sides are configured with the same pool, client and JWKS, so they verify the same tokens.
 */
import { createPrivateKey, generateKeyPairSync, KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';

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
  /** PEM of the private key, for child processes that need to sign (none today). */
  readonly privatePem: string;
}

export function makeKeys(): BenchKeys {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  // A second, unrelated key in the set, as in a real pool (Cognito publishes two).
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const jwks: Jwks = {
    keys: [
      { alg: 'RS256', e: jwk.e, kid: KID, kty: 'RSA', n: jwk.n, use: 'sig' },
      { alg: 'RS256', e: other.e, kid: 'bench-key-2', kty: 'RSA', n: other.n, use: 'sig' },
    ],
  };
  return {
    privateKey: pair.privateKey,
    forgerKey: forger.privateKey,
    jwks,
    privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function keyFromPem(pem: string): KeyObject {
  return createPrivateKey(pem);
}

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function signJwt(payload: Record<string, unknown>, key: KeyObject, header: Record<string, unknown> = { kid: KID, alg: 'RS256' }): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
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
  const idToken = signJwt({
    ...common,
    'aud': CLIENT_ID,
    'email_verified': true,
    'cognito:groups': ['readers'],
    'cognito:username': USERNAME,
    'token_use': 'id',
    'email': 'bench-user@example.com',
  }, key);
  const accessToken = signJwt({
    ...common,
    'client_id': CLIENT_ID,
    'cognito:groups': ['readers'],
    'token_use': 'access',
    'scope': 'openid profile email',
    'username': USERNAME,
  }, key);
  return { idToken, accessToken, refreshToken: opts.refreshToken ?? opaqueRefreshToken() };
}

/** Cognito refresh tokens are ~1.7 kB opaque JWE strings. */
export function opaqueRefreshToken(): string {
  return `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${b64u(randomBytes(256))}.${b64u(randomBytes(12))}.${b64u(randomBytes(1200))}.${b64u(randomBytes(16))}`;
}

/** A token-shaped string whose header is not JSON. */
export function garbageToken(): string {
  return `Zm9vYmFy.YmF6cXV4.${b64u(randomBytes(64))}`;
}
