/** PKCE (RFC 7636, S256) and random identifiers. */
import { createHash, randomBytes } from 'node:crypto';

/** `bytes` random bytes as base64url. */
export function randomId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export interface Pkce {
  /** 43 characters of base64url (256 bits). */
  readonly verifier: string;
  /** base64url(SHA-256(verifier)). */
  readonly challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomId(32);
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
