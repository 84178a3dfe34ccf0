/**
 * aws-jwt-verify JWKS cache for the edge: the key set from config.json is used as is; a key id
 * that it lacks triggers one fetch of the pool's JWKS URI, at most once a minute per instance
 * (whatever the outcome, so hostile key ids cannot make us hammer Cognito). Outcomes:
 * - key found → verify;
 * - key set fetched (now or in the last minute) but key id absent → `KidNotFoundInJwksError`
 *   (the token is invalid: fresh login);
 * - fetch failed, or rate-limited after a failed fetch, or never had a key set →
 *   `JwksUnavailableError` (503 page, never a login loop).
 */
import { JwtWithoutValidKidError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import { assertIsJwks, findJwkInJwks } from 'aws-jwt-verify/jwk';
import type { Jwks, JwksCache, JwkWithKid } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import { JwksUnavailableError } from './errors';
import { callUpstream, FetchFn } from './upstream';
import { safeJsonParse } from '../shared/safe-json';

/** Fetches and parses a key set; rejects on any failure. */
export type JwksFetcher = (jwksUri: string) => Promise<Jwks>;

export const JWKS_MIN_FETCH_INTERVAL_MS = 60_000;

export class EdgeJwksCache implements JwksCache {
  /** One pool, so one key set whichever issuer form (regional/global) the token uses. */
  private jwks: Jwks | undefined;
  private lastAttemptAt = -Infinity;
  private lastAttemptFailed = false;
  private inFlight: Promise<Jwks> | undefined;

  constructor(private readonly fetcher: JwksFetcher, private readonly now: () => number = Date.now) {}

  addJwks(_jwksUri: string, jwks: Jwks): void {
    this.jwks = jwks;
  }

  async getJwks(jwksUri: string): Promise<Jwks> {
    if (this.inFlight) return this.inFlight;
    this.lastAttemptAt = this.now();
    this.inFlight = this.fetcher(jwksUri);
    try {
      const jwks = await this.inFlight;
      this.jwks = jwks;
      this.lastAttemptFailed = false;
      return jwks;
    } catch {
      this.lastAttemptFailed = true;
      throw new JwksUnavailableError();
    } finally {
      this.inFlight = undefined;
    }
  }

  getCachedJwk(_jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const kid = decomposedJwt.header.kid;
    if (typeof kid !== 'string') throw new JwtWithoutValidKidError('JWT header does not have valid kid claim');
    if (!this.jwks) throw new JwksUnavailableError();
    const jwk = findJwkInJwks(this.jwks, kid);
    if (!jwk) throw new KidNotFoundInJwksError('JWK for kid not found in the JWKS');
    return jwk;
  }

  async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    const kid = decomposedJwt.header.kid;
    if (typeof kid !== 'string') throw new JwtWithoutValidKidError('JWT header does not have valid kid claim');
    const cached = this.jwks ? findJwkInJwks(this.jwks, kid) : undefined;
    if (cached) return cached;
    if (!this.inFlight && this.now() - this.lastAttemptAt < JWKS_MIN_FETCH_INTERVAL_MS) {
      if (this.lastAttemptFailed || !this.jwks) throw new JwksUnavailableError();
      throw new KidNotFoundInJwksError('JWK for kid not found in the JWKS');
    }
    const jwks = await this.getJwks(jwksUri);
    const jwk = findJwkInJwks(jwks, kid);
    if (!jwk) throw new KidNotFoundInJwksError('JWK for kid not found in the JWKS');
    return jwk;
  }
}

/** Largest JWKS body accepted. */
const MAX_JWKS_BYTES = 64 * 1024;

/** A JwksFetcher over global `fetch` with a time budget and a bounded body. */
export function fetchJwksWith(fetchFn: FetchFn, timeoutMs: () => number): JwksFetcher {
  return async (jwksUri) => {
    const response = await callUpstream(fetchFn, jwksUri, { method: 'GET', headers: { accept: 'application/json' } }, timeoutMs(), MAX_JWKS_BYTES);
    if (response.status !== 200) throw new JwksUnavailableError();
    const jwks = safeJsonParse(new TextDecoder().decode(response.body));
    assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
    return jwks as Jwks;
  };
}
