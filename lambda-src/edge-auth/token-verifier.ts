/**
 * Verifies Cognito id tokens with aws-jwt-verify (signature over the pool's JWKS, `iss`,
 * `token_use: id`, `aud` = client id, `exp`), plus the checks aws-jwt-verify leaves optional:
 * RS256 only, and `exp` must be present (a token without `exp` is refused). No clock-skew
 * allowance: a token is refused at and after its `exp` second (graceSeconds 0). `iat` must be
 * present, at most 60 s ahead of our clock, and `exp - iat` at most 24 h (design §4.13): Cognito
 * issues id tokens for 5 minutes to 1 day, so anything else was not issued by the pool as configured.
 * A configured key set without one usable RS256 key verifies nothing: `verify` then answers
 * `JwksUnavailableError` (a 503, not a login loop).
 *
 * Cheap claim checks on the undecoded-but-unverified token run first, only to refuse early
 * (e.g. another pool's token never triggers a JWKS fetch); acceptance needs the full verify.
 * Verified tokens are remembered in a bounded LRU map (exact token string → identity) until
 * their `exp`, so the warm path skips the RSA check.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify/cognito-verifier';
import { JwtExpiredError, JwtInvalidSignatureError, JwtParseError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { JwksUnavailableError, TokenInvalidError } from './errors';
import { EdgeJwksCache, JwksFetcher } from './jwks-cache';
import { MAX_TOKEN_LENGTH } from './upstream';
import { isRecord, ownProperty } from '../shared/assert';

/** What the handler needs from a verified id token. */
export interface Identity {
  /** `cognito:username` (or `sub`). */
  readonly username: string;
  readonly groups: readonly string[];
  /** Seconds since the epoch. */
  readonly exp: number;
  /** The OIDC `nonce` claim, when the token has one (id tokens of a code exchange). */
  readonly nonce?: string;
}

export interface TokenVerifierOptions {
  readonly userPoolId: string;
  readonly region: string;
  readonly clientId: string;
  /** The claim that carries the groups. @default 'cognito:groups' */
  readonly groupsClaim?: string;
  readonly jwks?: Jwks;
  readonly now: () => number;
  readonly fetchJwks: JwksFetcher;
  /** Size of the verified-token cache. @default 1000 */
  readonly maxCacheEntries?: number;
}

/** Largest `iat` lead over our clock accepted (another machine's clock). */
export const MAX_IAT_SKEW_SECONDS = 60;
/** Longest id token lifetime (`exp - iat`) accepted: Cognito's maximum is one day. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** RSA modulus of at least 2048 bits (RFC 7518 §3.3), base64url; a public exponent. */
const RSA_MODULUS = /^[A-Za-z0-9_-]{342,}$/;
const RSA_EXPONENT = /^[A-Za-z0-9_-]{1,8}$/;

/** Can `jwk` verify a Cognito id token: an RSA signing key for RS256, with a kid, of 2048 bits or more? */
function isUsableRs256Key(jwk: unknown): boolean {
  if (!isRecord(jwk)) return false;
  const { kty, kid, use, alg, n, e } = jwk;
  return kty === 'RSA' && typeof kid === 'string' && (use ?? 'sig') === 'sig' && (alg ?? 'RS256') === 'RS256'
    && typeof n === 'string' && RSA_MODULUS.test(n) && typeof e === 'string' && RSA_EXPONENT.test(e);
}

/** Does the key set hold at least one usable RS256 key (checked once, at load)? */
export function hasUsableRs256Key(jwks: Jwks): boolean {
  return Array.isArray(jwks.keys) && jwks.keys.some(isUsableRs256Key);
}

export class IdTokenVerifier {
  private readonly verifier;
  private readonly issuers: ReadonlySet<string>;
  private readonly cache = new Map<string, Identity>();
  private readonly maxCacheEntries: number;
  /** The configured key set has no usable RS256 key: `verify` always answers JwksUnavailableError. */
  readonly keysUnusable: boolean;

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
        if (typeof payload.iat !== 'number' || payload.iat * 1000 > now() + MAX_IAT_SKEW_SECONDS * 1000) throw new TokenInvalidError('iat');
        if (payload.exp - payload.iat > MAX_TOKEN_LIFETIME_SECONDS) throw new TokenInvalidError('lifetime');
      },
    }, { jwksCache: new EdgeJwksCache(options.fetchJwks, now) });
    this.keysUnusable = options.jwks !== undefined && !hasUsableRs256Key(options.jwks);
    if (options.jwks && !this.keysUnusable) this.verifier.cacheJwks(options.jwks);
  }

  /**
   * @throws TokenInvalidError (refuse the token), JwksUnavailableError (answer 503)
   */
  async verify(token: string): Promise<Identity> {
    if (this.keysUnusable) throw new JwksUnavailableError();
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
    const identity = identityOf(payload, this.options.groupsClaim ?? 'cognito:groups');
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
    const dot1 = token.indexOf('.');
    const dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    // A Cognito token's header and payload are JSON objects starting `{"`, so base64url `eyJ`:
    // refusing anything else here costs no parsing (and no exceptions) for garbage cookies.
    if (dot2 < 0 || dot2 === token.length - 1 || token.indexOf('.', dot2 + 1) >= 0 || !token.startsWith(JSON_OBJECT_B64) || !token.startsWith(JSON_OBJECT_B64, dot1 + 1)) {
      throw new TokenInvalidError('malformed');
    }
    const header = parseSegment(token.slice(0, dot1));
    const payload = header === undefined ? undefined : parseSegment(token.slice(dot1 + 1, dot2));
    if (header === undefined || payload === undefined) throw new TokenInvalidError('malformed');
    const alg = ownProperty(header, 'alg');
    const exp = ownProperty(payload, 'exp');
    // Shape errors read as `malformed`, as aws-jwt-verify's own parser reports them.
    if (typeof alg !== 'string' || (exp !== undefined && typeof exp !== 'number')) throw new TokenInvalidError('malformed');
    if (alg !== 'RS256') throw new TokenInvalidError('alg');
    const iss = ownProperty(payload, 'iss');
    if (typeof iss !== 'string' || !this.issuers.has(iss)) throw new TokenInvalidError('issuer');
    if (ownProperty(payload, 'token_use') !== 'id') throw new TokenInvalidError('token_use');
    if (ownProperty(payload, 'aud') !== this.options.clientId) throw new TokenInvalidError('audience');
    if (typeof exp !== 'number') throw new TokenInvalidError('no_exp');
    if (exp * 1000 <= nowMs) throw new TokenInvalidError('expired');
  }
}

/** base64url of `{"`: how every JWT header and payload Cognito issues begins. */
const JSON_OBJECT_B64 = 'eyJ';

/**
 * One JWT segment as a JSON object, or `undefined`. Plain `JSON.parse` on purpose: the result is
 * only read (own properties, through `ownProperty`) and dropped, so there is nothing a
 * `__proto__` key could pollute; aws-jwt-verify parses the token again, prototype-safely, for
 * the verification that decides acceptance. (Its reviver-based parser was 14% of a rejection.)
 */
function parseSegment(segment: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}

function identityOf(payload: Record<string, unknown>, groupsClaim: string): Identity {
  const username = payload['cognito:username'];
  const sub = payload.sub;
  return {
    username: typeof username === 'string' ? username : typeof sub === 'string' ? sub : '',
    groups: parseGroups(ownProperty(payload, groupsClaim)),
    exp: payload.exp as number,
    ...(typeof payload.nonce === 'string' ? { nonce: payload.nonce } : {}),
  };
}

/**
 * The groups in a claim, in the forms Cognito produces: a JSON array (`cognito:groups`), a string
 * holding a JSON array, Cognito's bracketed list for a mapped multi-valued attribute (`[a, b]`),
 * or a single value. Anything else: no groups.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g.length > 0);
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.length === 0) return [];
  if (!text.startsWith('[') || !text.endsWith(']')) return [text];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === 'string' && g.length > 0);
  } catch {
    // not JSON: Cognito's `[a, b]`
  }
  return text.slice(1, -1).split(',').map((g) => g.trim()).filter((g) => g.length > 0);
}

function mapError(err: unknown): Error {
  if (err instanceof TokenInvalidError || err instanceof JwksUnavailableError) return err;
  if (err instanceof KidNotFoundInJwksError) return new TokenInvalidError('unknown_kid');
  if (err instanceof JwtInvalidSignatureError) return new TokenInvalidError('signature');
  if (err instanceof JwtExpiredError) return new TokenInvalidError('expired');
  if (err instanceof JwtParseError) return new TokenInvalidError('malformed');
  return new TokenInvalidError('claims');
}
