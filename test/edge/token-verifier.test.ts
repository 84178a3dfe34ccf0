/** Unit tests of IdTokenVerifier and EdgeJwksCache: hostile tokens, JWKS fetch rules, the verified-token cache. */
import { createHmac, createSign } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { CLIENT_ID, idPayload, idToken, jwksOf, POOL_ID, REGION, signJwt, testKey } from './helpers';
import { JwksUnavailableError, TokenInvalidError } from '../../lambda-src/edge-auth/errors';
import { JWKS_MIN_FETCH_INTERVAL_MS } from '../../lambda-src/edge-auth/jwks-cache';
import { IdTokenVerifier } from '../../lambda-src/edge-auth/token-verifier';

function verifier(opts: { jwks?: Jwks; fetchJwks?: (uri: string) => Promise<Jwks>; now?: () => number; maxCacheEntries?: number } = {}) {
  return new IdTokenVerifier({
    userPoolId: POOL_ID,
    region: REGION,
    clientId: CLIENT_ID,
    jwks: 'jwks' in opts ? opts.jwks : jwksOf(testKey()) as unknown as Jwks,
    now: opts.now ?? Date.now,
    fetchJwks: opts.fetchJwks ?? (async () => { throw new Error('no network'); }),
    maxCacheEntries: opts.maxCacheEntries,
  });
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TokenInvalidError) return err.code;
    if (err instanceof JwksUnavailableError) return err.code;
    throw err;
  }
  return 'accepted';
}

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('IdTokenVerifier', () => {
  test('accepts a valid Cognito id token and returns username, groups and exp', async () => {
    const id = await verifier().verify(idToken({ 'cognito:groups': ['a', 'b'] }));
    expect(id).toEqual({ username: 'alice', groups: ['a', 'b'], exp: expect.any(Number) });
  });

  test('accepts the global issuer form (issuer-cognito-idp)', async () => {
    const token = idToken({ iss: `https://issuer-cognito-idp.${REGION}.amazonaws.com/${POOL_ID}` });
    expect(await rejection(verifier().verify(token))).toBe('accepted');
  });

  const hostile: Array<[string, () => string, string]> = [
    ['alg none', () => `${b64({ alg: 'none', kid: testKey().kid })}.${b64(idPayload())}.`, 'malformed'],
    ['alg none with signature', () => `${b64({ alg: 'none', kid: testKey().kid })}.${b64(idPayload())}.AAAA`, 'alg'],
    ['HS256 signed with the public key', () => {
      const h = b64({ alg: 'HS256', kid: testKey().kid });
      const p = b64(idPayload());
      const pem = testKey().publicKey.export({ type: 'spki', format: 'pem' });
      return `${h}.${p}.${createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url')}`;
    }, 'alg'],
    ['RS384', () => {
      const h = b64({ alg: 'RS384', kid: testKey().kid });
      const p = b64(idPayload());
      const s = createSign('RSA-SHA384').update(`${h}.${p}`).sign(testKey().privateKey).toString('base64url');
      return `${h}.${p}.${s}`;
    }, 'alg'],
    ['another pool', () => idToken({ iss: `https://cognito-idp.${REGION}.amazonaws.com/us-east-1_Other999` }), 'issuer'],
    ['another region', () => idToken({ iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}` }), 'issuer'],
    ['another client', () => idToken({ aud: 'someotherclient' }), 'audience'],
    ['aud as array', () => idToken({ aud: [CLIENT_ID] }), 'audience'],
    ['access token', () => signJwt(testKey(), { ...idPayload({ token_use: 'access', client_id: CLIENT_ID }), aud: undefined }), 'token_use'],
    ['no exp', () => idToken({ exp: undefined }), 'no_exp'],
    ['exp as string', () => idToken({ exp: String(Math.floor(Date.now() / 1000) + 3600) }), 'malformed'],
    ['expired', () => idToken({ exp: Math.floor(Date.now() / 1000) - 1 }), 'expired'],
    ['exp = now', () => idToken({ exp: Math.floor(Date.now() / 1000) }), 'expired'],
    ['not before in the future', () => idToken({ nbf: Math.floor(Date.now() / 1000) + 600 }), 'claims'],
    ['bad signature', () => { const t = idToken(); return `${t.slice(0, -6)}AAAAAA`; }, 'signature'],
    ['signed by another key with our kid', () => signJwt(testKey('attacker'), idPayload(), { kid: testKey().kid }), 'signature'],
    ['payload swapped under a valid signature', () => { const [h, , s] = idToken().split('.'); return `${h}.${b64(idPayload({ 'cognito:groups': ['admins'] }))}.${s}`; }, 'signature'],
    ['not a JWT', () => 'hello', 'malformed'],
    ['header not starting {" (Cognito never issues one)', () => { const [, p, sig] = idToken().split('.'); return `${Buffer.from(' {"alg":"RS256"}').toString('base64url')}.${p}.${sig}`; }, 'malformed'],
    ['payload not JSON', () => { const [h, , sig] = idToken().split('.'); return `${h}.eyJub3QganNvbg.${sig}`; }, 'malformed'],
    ['four segments', () => `${idToken()}.AAAA`, 'malformed'],
    ['__proto__ in the header', () => { const [, p, sig] = idToken().split('.'); return `${b64(JSON.parse(`{"__proto__":{"alg":"RS256"},"kid":"${testKey().kid}"}`))}.${p}.${sig}`; }, 'malformed'],
    ['empty', () => '', 'malformed'],
    ['huge', () => `${'a'.repeat(20000)}.b.c`, 'too_large'],
    ['__proto__ payload', () => signJwt(testKey(), JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(idPayload()).slice(1)}`)), 'accepted'],
  ];
  test.each(hostile.map(([name, make, expected]) => [name, expected, make] as const))('%s → %s', async (_name, expected, make) => {
    expect(await rejection(verifier().verify(make()))).toBe(expected);
  });

  test('a token without exp is rejected even when aws-jwt-verify alone would accept it', async () => {
    // aws-jwt-verify checks exp only when present; our precheck and customJwtCheck refuse it.
    expect(await rejection(verifier().verify(idToken({ exp: undefined })))).toBe('no_exp');
  });

});

describe('verified-token cache', () => {
  /** A verifier on a settable clock, and a spy on the signature verification behind the cache. */
  function cachedVerifier(maxCacheEntries: number) {
    const clock = { now: Date.now() };
    const v = verifier({ now: () => clock.now, maxCacheEntries });
    const inner = (v as unknown as { verifier: { verify: (token: string) => Promise<unknown> } }).verifier;
    const signatureChecks = jest.spyOn(inner, 'verify');
    return { v, clock, signatureChecks };
  }

  test('a cached token is refused at its exp, with a cache large enough that nothing is evicted', async () => {
    const { v, clock, signatureChecks } = cachedVerifier(1000);
    const exp = Math.floor(clock.now / 1000) + 60;
    const t = idToken({ exp });
    expect(await rejection(v.verify(t))).toBe('accepted');
    // The second call is answered from the cache: no second signature check.
    clock.now = exp * 1000 - 1;
    expect(await rejection(v.verify(t))).toBe('accepted');
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    // At exp the cache hit is not trusted: the token is refused.
    clock.now = exp * 1000;
    expect(await rejection(v.verify(t))).toBe('expired');
    clock.now = exp * 1000 + 3_600_000;
    expect(await rejection(v.verify(t))).toBe('expired');
  });

  test('the cache is bounded: the least recently used token is evicted and verified again', async () => {
    const { v, signatureChecks } = cachedVerifier(2);
    const [a, b, c] = ['a', 'b', 'c'].map((jti) => idToken({ jti }));
    await v.verify(a);
    await v.verify(b);
    await v.verify(a); // hit: a becomes the most recently used
    expect(signatureChecks).toHaveBeenCalledTimes(2);
    await v.verify(c); // full: evicts b, the least recently used
    expect(signatureChecks).toHaveBeenCalledTimes(3);
    await v.verify(a); // still cached
    expect(signatureChecks).toHaveBeenCalledTimes(3);
    await v.verify(b); // evicted: verified again
    expect(signatureChecks).toHaveBeenCalledTimes(4);
    expect(signatureChecks).toHaveBeenLastCalledWith(b);
  });
});

describe('JWKS for an unknown kid', () => {
  const rotated = testKey('rotated-kid');

  test('fetched once, then verifies tokens of the new key', async () => {
    const fetchJwks = jest.fn(async () => jwksOf(testKey(), rotated) as unknown as Jwks);
    const v = verifier({ fetchJwks });
    expect(await rejection(v.verify(idToken({}, rotated)))).toBe('accepted');
    expect(await rejection(v.verify(idToken({ jti: 'x' }, rotated)))).toBe('accepted');
    expect(fetchJwks).toHaveBeenCalledTimes(1);
    expect(fetchJwks).toHaveBeenCalledWith(`https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}/.well-known/jwks.json`);
  });

  test('kid still unknown after the fetch → token invalid (login), and no second fetch within a minute', async () => {
    let now = Date.now();
    const fetchJwks = jest.fn(async () => jwksOf(testKey()) as unknown as Jwks);
    const v = verifier({ fetchJwks, now: () => now });
    expect(await rejection(v.verify(idToken({}, rotated)))).toBe('unknown_kid');
    expect(await rejection(v.verify(idToken({}, testKey('other-unknown'))))).toBe('unknown_kid');
    expect(fetchJwks).toHaveBeenCalledTimes(1);
    now += JWKS_MIN_FETCH_INTERVAL_MS;
    await v.verify(idToken({}, rotated)).catch(() => undefined);
    expect(fetchJwks).toHaveBeenCalledTimes(2);
  });

  test('JWKS fetch failure → JwksUnavailableError (503), rate-limited to once a minute', async () => {
    const fetchJwks = jest.fn(async (): Promise<Jwks> => { throw new Error('down'); });
    const v = verifier({ fetchJwks });
    expect(await rejection(v.verify(idToken({}, rotated)))).toBe('jwks_unavailable');
    expect(await rejection(v.verify(idToken({}, rotated)))).toBe('jwks_unavailable');
    expect(fetchJwks).toHaveBeenCalledTimes(1);
    // known keys keep working meanwhile
    expect(await rejection(v.verify(idToken()))).toBe('accepted');
  });

  test('no JWKS in config: fetched at first use', async () => {
    const fetchJwks = jest.fn(async () => jwksOf(testKey()) as unknown as Jwks);
    const v = verifier({ jwks: undefined, fetchJwks });
    expect(await rejection(v.verify(idToken()))).toBe('accepted');
    expect(fetchJwks).toHaveBeenCalledTimes(1);
  });

  test('concurrent unknown-kid requests share one fetch', async () => {
    const fetchJwks = jest.fn(async () => jwksOf(testKey(), rotated) as unknown as Jwks);
    const v = verifier({ fetchJwks });
    await Promise.all([v.verify(idToken({ jti: 'a' }, rotated)), v.verify(idToken({ jti: 'b' }, rotated))]);
    expect(fetchJwks).toHaveBeenCalledTimes(1);
  });

  test('tokens of another pool never trigger a fetch', async () => {
    const fetchJwks = jest.fn(async () => jwksOf(testKey()) as unknown as Jwks);
    await verifier({ fetchJwks }).verify(idToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }, rotated)).catch(() => undefined);
    expect(fetchJwks).not.toHaveBeenCalled();
  });
});
