/**
 * Verifies Cognito id tokens with aws-jwt-verify (signature over the pool's JWKS, `iss`,
 * `token_use: id`, `aud` = client id, `exp`), plus the checks aws-jwt-verify leaves optional:
 * RS256 only, and `exp` must be present (a token without `exp` is refused). No clock-skew
 * allowance: a token is refused at and after its `exp` second (graceSeconds 0).
 *
 * Cheap claim checks on the undecoded-but-unverified token run first, only to refuse early
 * (e.g. another pool's token never triggers a JWKS fetch); acceptance needs the full verify.
 * Verified tokens are remembered in a bounded LRU map (exact token string → identity) until
 * their `exp`, so the warm path skips the RSA check.
 */
// aws-jwt-verify is a devDependency on purpose: esbuild bundles it into assets/edge-auth/index.js.
/* eslint-disable import/no-extraneous-dependencies */
import { CognitoJwtVerifier } from 'aws-jwt-verify/cognito-verifier';
import { JwtExpiredError, JwtInvalidSignatureError, JwtParseError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { JwksUnavailableError, TokenInvalidError } from './errors';
import { EdgeJwksCache, JwksFetcher } from './jwks-cache';
import { MAX_TOKEN_LENGTH } from './upstream';

/** What the handler needs from a verified id token. */
export interface Identity {
  /** `cognito:username` (or `sub`). */
  readonly username: string;
  readonly groups: readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
}

export interface TokenVerifierOptions {
  readonly userPoolId: string;
  readonly region: string;
  readonly clientId: string;
  readonly jwks?: Jwks;
  readonly now: () => number;
  readonly fetchJwks: JwksFetcher;
  /** Size of the verified-token cache. @default 1000 */
  readonly maxCacheEntries?: number;
}

export class IdTokenVerifier {
  private readonly verifier;
  private readonly issuers: ReadonlySet<string>;
  private readonly cache = new Map<string, Identity>();
  private readonly maxCacheEntries: number;

  constructor(private readonly options: TokenVerifierOptions) {
    const now = options.now;
    this.maxCacheEntries = options.maxCacheEntries ?? 1000;
    this.issuers = new Set([
      `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`,
      `https://issuer-cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`,
    ]);
    this.verifier = CognitoJwtVerifier.create({
      userPoolId: options.userPoolId,
      tokenUse: 'id',
      clientId: options.clientId,
      graceSeconds: 0,
      customJwtCheck: ({ header, payload }) => {
        if (header.alg !== 'RS256') throw new TokenInvalidError('alg');
        if (typeof payload.exp !== 'number') throw new TokenInvalidError('no_exp');
        if (payload.exp * 1000 <= now()) throw new TokenInvalidError('expired');
      },
    }, { jwksCache: new EdgeJwksCache(options.fetchJwks, now) });
    if (options.jwks) this.verifier.cacheJwks(options.jwks);
  }

  /**
   * @throws TokenInvalidError (refuse the token), JwksUnavailableError (answer 503)
   */
  async verify(token: string): Promise<Identity> {
    const nowMs = this.options.now();
    const hit = this.cache.get(token);
    if (hit !== undefined) {
      this.cache.delete(token);
      if (hit.exp * 1000 > nowMs) {
        this.cache.set(token, hit);
        return hit;
      }
    }
    this.precheck(token, nowMs);
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifier.verify(token);
    } catch (err) {
      throw mapError(err);
    }
    const identity = identityOf(payload);
    if (this.cache.size >= this.maxCacheEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, identity);
    return identity;
  }

  /** Refuse early on claims, without any key work. Never grounds for acceptance. */
  private precheck(token: string, nowMs: number): void {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenInvalidError('too_large');
    let decomposed;
    try {
      decomposed = decomposeUnverifiedJwt(token);
    } catch {
      throw new TokenInvalidError('malformed');
    }
    const { header, payload } = decomposed;
    if (header.alg !== 'RS256') throw new TokenInvalidError('alg');
    if (typeof payload.iss !== 'string' || !this.issuers.has(payload.iss)) throw new TokenInvalidError('issuer');
    if (payload.token_use !== 'id') throw new TokenInvalidError('token_use');
    if (payload.aud !== this.options.clientId) throw new TokenInvalidError('audience');
    if (typeof payload.exp !== 'number') throw new TokenInvalidError('no_exp');
    if (payload.exp * 1000 <= nowMs) throw new TokenInvalidError('expired');
  }
}

function identityOf(payload: Record<string, unknown>): Identity {
  const username = payload['cognito:username'];
  const sub = payload.sub;
  const groups = payload['cognito:groups'];
  return {
    username: typeof username === 'string' ? username : typeof sub === 'string' ? sub : '',
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    exp: payload.exp as number,
  };
}

function mapError(err: unknown): Error {
  if (err instanceof TokenInvalidError || err instanceof JwksUnavailableError) return err;
  if (err instanceof KidNotFoundInJwksError) return new TokenInvalidError('unknown_kid');
  if (err instanceof JwtInvalidSignatureError) return new TokenInvalidError('signature');
  if (err instanceof JwtExpiredError) return new TokenInvalidError('expired');
  if (err instanceof JwtParseError) return new TokenInvalidError('malformed');
  return new TokenInvalidError('claims');
}
