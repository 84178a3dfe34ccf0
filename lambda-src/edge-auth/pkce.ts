/** PKCE (RFC 7636, S256) and random identifiers. */
import * as crypto from 'node:crypto';

// CSPRNG bytes drawn in 4 KiB batches (one randomFillSync per ~60 logins instead of three calls
// per login: the bench's profile showed per-call randomBytes as the login path's main cost).
// Every byte is handed out once; a request for more than the pool holds refills first.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

/** `bytes` random bytes as base64url. */
export function randomId(bytes: number): string {
  if (bytes > POOL.length) return crypto.randomFillSync(Buffer.alloc(bytes)).toString('base64url');
  if (poolOffset + bytes > POOL.length) {
    crypto.randomFillSync(POOL);
    poolOffset = 0;
  }
  const id = POOL.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return id;
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

// One-shot `crypto.hash` (Node >= 20.12 and 21.7) is ~2x faster than a Hash object; older Nodes
// fall back. Typed here because @types/node for Node 20.0 does not declare it.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

function pkceChallenge(verifier: string): string {
  if (oneShotHash !== undefined) return oneShotHash('sha256', verifier, 'base64url');
  return crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
