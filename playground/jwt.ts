/**
 * RS256 keys and tokens shaped like Cognito's, for everything that plays Cognito locally: the
 * unit tests, the benchmark and the local hosted UI. One place that generates a key pair with its
 * JWK, signs a JWT, and makes an opaque refresh token.
 */
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';

/** Base64url of a string or bytes (no padding). */
export const b64url = (v: Buffer | string): string => Buffer.from(v).toString('base64url');

/** An RSA key pair and the public half as a JWK with its `kid`. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** `{ kty, n, e, kid, alg: 'RS256', use: 'sig' }`. */
  readonly jwk: Record<string, string>;
}

/**
 * A new 2048-bit RSA key (slow: generate once and reuse). Without `kid`, the key id is derived
 * from the public key and looks like Cognito's (44 characters of base64 ending in `=`).
 */
export function rsaSigningKey(kid?: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const id = kid ?? b64url(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest()).slice(0, 43) + '=';
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: id, alg: 'RS256', use: 'sig' };
  return { kid: id, privateKey, publicKey, jwk };
}

/** Sign `payload` with RS256; the header is `{ kid, alg: 'RS256' }` with `header` merged over it. */
export function signJwt(key: Pick<SigningKey, 'kid' | 'privateKey'>, payload: object, header: object = {}): string {
  const input = `${b64url(JSON.stringify({ kid: key.kid, alg: 'RS256', ...header }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), key.privateKey))}`;
}

/** A refresh token shaped like Cognito's: a ~1.7 kB opaque JWE string. */
export function opaqueRefreshToken(): string {
  const header = b64url(JSON.stringify({ cty: 'JWT', enc: 'A256GCM', alg: 'RSA-OAEP' }));
  return [header, b64url(randomBytes(256)), b64url(randomBytes(12)), b64url(randomBytes(1200)), b64url(randomBytes(16))].join('.');
}
