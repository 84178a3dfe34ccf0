/**
 * The odd cases of design §4.13, one named test each: a bookmarked or repeated callback with a live
 * session, `error=` on the callback without a state oracle, a token endpoint that refuses the
 * client or returns tokens that fail verification (502), a configured key set without a usable
 * RS256 key (503, not a login loop), and id tokens issued in the future or living too long.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';
import {
  applySetCookies, asResponse, AUTH_DOMAIN, baseConfig, cfEvent, CLIENT_ID, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN, fakeFetch, FakeFetch,
  idPayload, idToken, jsonResponse, jwksOf, location, POOL_ID, REGION, setCookies, signJwt, testKey,
} from './helpers';
import { JwksUnavailableError, OAuthRejectedError, TokenInvalidError, UpstreamError } from '../../lambda-src/edge-auth/errors';
import { createHandler, EdgeHandler } from '../../lambda-src/edge-auth/handler';
import { hasUsableRs256Key, IdTokenVerifier, MAX_IAT_SKEW_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from '../../lambda-src/edge-auth/token-verifier';
import { requestTokens } from '../../lambda-src/edge-auth/upstream';

const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;
const REFRESH_TOKEN = 'eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.aaaa.bbbb.cccc.dddd';

function tokenEndpoint(idTok = idToken()): FakeFetch {
  return fakeFetch({
    '/oauth2/token': () => jsonResponse(200, { id_token: idTok, access_token: 'x.y.z', refresh_token: REFRESH_TOKEN, expires_in: 3600, token_type: 'Bearer' }),
    '/oauth2/revoke': () => new Response('', { status: 200 }),
  });
}

function build(config: Record<string, unknown> = {}, fetchFn: FakeFetch = tokenEndpoint()): EdgeHandler {
  return createHandler(baseConfig(config), { fetch: fetchFn, log: () => undefined });
}

async function startLogin(h: EdgeHandler, uri = '/', jar = new Map<string, string>()) {
  const r = asResponse(await h(cfEvent({ uri, cookies: cookieHeader(jar) })));
  expect(r.status).toBe('302');
  applySetCookies(jar, setCookies(r));
  return { state: new URL(location(r)).searchParams.get('state')!, jar };
}

const callbackEvent = (querystring: string, jar: Map<string, string>) => cfEvent({ uri: '/_auth/callback', querystring, cookies: cookieHeader(jar) });

describe('a bookmarked or repeated callback while a session exists → 302 to the site', () => {
  test('Back after signing in (the hosted UI answers with the used state): 302 to the state\'s path, no token call', async () => {
    const f = tokenEndpoint();
    const h = build({}, f);
    const { state, jar } = await startLogin(h, '/deep/page');
    const first = asResponse(await h(callbackEvent(`code=first&state=${state}`, jar)));
    expect(first.status).toBe('302');
    applySetCookies(jar, setCookies(first));
    expect(jar.has(ID)).toBe(true);
    const calls = f.calls.length;

    const again = asResponse(await h(callbackEvent(`code=second&state=${state}`, jar)));
    expect(again.status).toBe('302');
    expect(location(again)).toBe(`https://${DIST_DOMAIN}/deep/page`);
    expect(f.calls).toHaveLength(calls);
    // the session is left as it is
    expect(setCookies(again).some((c) => c.startsWith(`${ID}=`))).toBe(false);
  });

  test.each([
    ['an expired state', (s: string) => `code=c&state=${s}`, 601_000],
    ['a tampered state', (s: string) => `code=c&state=${s.slice(0, -2)}AA`, 0],
    ['no state', () => 'code=c', 0],
  ])('a bookmarked callback with %s: 302 to /', async (_n, query, later) => {
    let now = Date.now();
    const h = createHandler(baseConfig(), { fetch: tokenEndpoint(), now: () => now, log: () => undefined });
    const { state, jar } = await startLogin(h, '/deep/page');
    now += later;
    jar.set(ID, idToken({ exp: Math.floor(now / 1000) + 3600, iat: Math.floor(now / 1000) }));
    const r = asResponse(await h(callbackEvent(query(state), jar)));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/`);
  });

  test('without a session (or with an expired one) the same callbacks get the error page', async () => {
    const h = build();
    const { state, jar } = await startLogin(h, '/deep/page');
    const first = asResponse(await h(callbackEvent(`code=c&state=${state}`, jar)));
    applySetCookies(jar, setCookies(first));
    jar.set(ID, idToken({ exp: Math.floor(Date.now() / 1000) - 10 }));
    for (const q of [`code=c&state=${state}`, 'code=c']) {
      const r = asResponse(await h(callbackEvent(q, jar)));
      expect(r.status).toBe('400');
      expect(r.body).toContain('Sign-in failed');
    }
  });
});

describe('error= on the callback: the same page whether or not the state is valid (no state oracle)', () => {
  test('valid state, forged state, no state, and with a session: identical answers', async () => {
    const f = tokenEndpoint();
    const h = build({}, f);
    const { state, jar } = await startLogin(h, '/app');
    const answers = [
      await h(callbackEvent(`error=access_denied&state=${state}`, jar)),
      await h(callbackEvent(`error=access_denied&state=${state.slice(0, -2)}AA`, jar)),
      await h(callbackEvent('error=access_denied', jar)),
      await h(callbackEvent(`error=access_denied&state=${state}`, new Map([...jar, [ID, idToken()]]))),
    ].map((r) => asResponse(r));
    expect(answers[0].status).toBe('400');
    expect(answers[0].headers!.location).toBeUndefined();
    expect(answers[0].body).toContain(`href="https://${DIST_DOMAIN}/"`);
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    expect(f.calls).toHaveLength(0);
  });
});

describe('the token endpoint refuses the client, or returns tokens that fail verification → 502', () => {
  test.each(['invalid_client', 'unauthorized_client'])('%s → 502 page with a retry link, no session', async (error) => {
    const h = build({ clientSecret: 'wrong-secret' }, fakeFetch({ '/oauth2/token': () => jsonResponse(error === 'invalid_client' ? 401 : 400, { error }) }));
    const { state, jar } = await startLogin(h, '/x');
    const r = asResponse(await h(callbackEvent(`code=c&state=${state}`, jar)));
    expect(r.status).toBe('502');
    expect(r.body).toContain(`href="https://${DIST_DOMAIN}/x"`);
    expect(r.body).not.toContain(error);
    expect(setCookies(r).filter((c) => !c.includes('Max-Age=0'))).toEqual([]);
  });

  test('invalid_grant (a used or expired code) stays the user\'s 400 sign-in page', async () => {
    const h = build({}, fakeFetch({ '/oauth2/token': () => jsonResponse(400, { error: 'invalid_grant' }) }));
    const { state, jar } = await startLogin(h);
    expect(asResponse(await h(callbackEvent(`code=c&state=${state}`, jar))).status).toBe('400');
  });

  test.each([
    ['another audience', () => idToken({ aud: 'another-client' })],
    ['another issuer', () => idToken({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other999' })],
    ['signed by another key', () => idToken({}, testKey('stranger'), { kid: 'unit-kid-1' })],
    ['expired', () => idToken({ exp: Math.floor(Date.now() / 1000) - 5 })],
    ['issued in the future', () => idToken({ iat: Math.floor(Date.now() / 1000) + 600 })],
  ])('id token %s → 502 page, no session', async (_n, make) => {
    const h = build({}, tokenEndpoint(make()));
    const { state, jar } = await startLogin(h, '/x');
    const r = asResponse(await h(callbackEvent(`code=c&state=${state}`, jar)));
    expect(r.status).toBe('502');
    expect(setCookies(r).filter((c) => !c.includes('Max-Age=0'))).toEqual([]);
  });

  test('the token endpoint\'s error code is parsed only when it is an RFC 6749 code', async () => {
    const client = { authDomain: AUTH_DOMAIN, clientId: 'c' };
    const rejected = async (body: unknown, status = 400): Promise<OAuthRejectedError> => {
      const err = await requestTokens(fakeFetch({ '/oauth2/token': () => jsonResponse(status, body) }), client, {}, 1000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuthRejectedError);
      return err as OAuthRejectedError;
    };
    expect((await rejected({ error: 'invalid_client' }, 401)).error).toBe('invalid_client');
    expect((await rejected({ error: 'invalid_grant' })).error).toBe('invalid_grant');
    // Any other code is not passed on (a fixed 'unknown'), and a 4xx without an OAuth error body
    // is not an OAuth rejection at all (design §4.10: transient, not a logout).
    expect((await rejected({ error: 'something <b>else</b>' })).error).toBe('unknown');
    const notOAuth = await requestTokens(fakeFetch({ '/oauth2/token': () => jsonResponse(400, 'not an object') }), client, {}, 1000).catch((e: unknown) => e);
    expect(notOAuth).toBeInstanceOf(UpstreamError);
  });
});

describe('a configured key set without a usable RS256 key → 503 page, not a login loop', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const rsa = testKey().jwk;
  const unusable: Array<[string, unknown]> = [
    ['no keys', { keys: [] }],
    ['an EC key only', { keys: [{ ...ec, kid: 'ec-1', alg: 'ES256', use: 'sig' }] }],
    ['an RSA key for RS512', { keys: [{ ...rsa, alg: 'RS512' }] }],
    ['an RSA encryption key', { keys: [{ ...rsa, use: 'enc' }] }],
    ['an RSA key under 2048 bits', { keys: [{ ...rsa, n: rsa.n.slice(0, 171) }] }],
    ['an RSA key without n', { keys: [Object.fromEntries(Object.entries(rsa).filter(([k]) => k !== 'n'))] }],
    ['an RSA key without kid', { keys: [Object.fromEntries(Object.entries(rsa).filter(([k]) => k !== 'kid'))] }],
  ];

  test.each(unusable)('%s: a navigation gets the 503 page, not a redirect to the hosted UI; a fetch gets 503 JSON', async (_n, jwks) => {
    expect(hasUsableRs256Key(jwks as Jwks)).toBe(false);
    const h = build({ jwks });
    const nav = asResponse(await h(cfEvent({ uri: '/x' })));
    expect(nav.status).toBe('503');
    expect(nav.headers!.location).toBeUndefined();
    const withCookie = asResponse(await h(cfEvent({ uri: '/x', cookies: [`${ID}=${idToken()}; ${REFRESH}=${REFRESH_TOKEN}`] })));
    expect(withCookie.status).toBe('503');
    expect(withCookie.headers!.location).toBeUndefined();
    const xhr = asResponse(await h(cfEvent({ uri: '/x', navigation: false })));
    expect(xhr.status).toBe('503');
    expect(xhr.body).toBe('{"error":"unavailable"}');
  });

  test('a callback in flight gets the 503 page without spending the code; sign-out still works', async () => {
    const f = tokenEndpoint();
    const stateSecret = 'odd-cases-state-secret-0123456789';
    const { state, jar } = await startLogin(build({ stateSecret }, f), '/x');
    const h = build({ stateSecret, jwks: { keys: [] } }, f);
    const r = asResponse(await h(callbackEvent(`code=c&state=${state}`, jar)));
    expect(r.status).toBe('503');
    expect(f.calls).toHaveLength(0);
    expect(location(asResponse(await h(cfEvent({ uri: '/_auth/signout' }))))).toContain('/logout?');
  });

  test('one usable key among unusable ones is enough', async () => {
    const jwks = { keys: [{ ...ec, kid: 'ec-1' }, rsa] };
    expect(hasUsableRs256Key(jwks as unknown as Jwks)).toBe(true);
    const r = await build({ jwks })(cfEvent({ cookies: [`${ID}=${idToken()}`] }));
    expect('status' in r).toBe(false);
  });
});

describe('id tokens issued in the future or living too long are rejected', () => {
  const NOW = 1_900_000_000_000;
  const nowS = NOW / 1000;
  function verify(payload: Record<string, unknown>): Promise<string> {
    const v = new IdTokenVerifier({
      userPoolId: POOL_ID,
      region: REGION,
      clientId: CLIENT_ID,
      jwks: jwksOf(testKey()) as unknown as Jwks,
      now: () => NOW,
      fetchJwks: async () => { throw new Error('no network'); },
    });
    const p = idPayload(payload);
    for (const [k, val] of Object.entries(payload)) if (val === undefined) delete p[k];
    return v.verify(signJwt(testKey(), p)).then(() => 'accepted', (err: unknown) => {
      if (err instanceof TokenInvalidError || err instanceof JwksUnavailableError) return err.code;
      throw err;
    });
  }

  test.each([
    ['iat now', { iat: nowS, exp: nowS + 3600 }, 'accepted'],
    [`iat ${MAX_IAT_SKEW_SECONDS} s ahead`, { iat: nowS + MAX_IAT_SKEW_SECONDS, exp: nowS + 3600 }, 'accepted'],
    [`iat ${MAX_IAT_SKEW_SECONDS + 1} s ahead`, { iat: nowS + MAX_IAT_SKEW_SECONDS + 1, exp: nowS + 3600 }, 'iat'],
    ['iat an hour ahead', { iat: nowS + 3600, exp: nowS + 7200 }, 'iat'],
    ['no iat', { iat: undefined, exp: nowS + 3600 }, 'iat'],
    ['iat not a number', { iat: String(nowS), exp: nowS + 3600 }, 'malformed'],
    ['lifetime 24 h', { iat: nowS - 10, exp: nowS - 10 + MAX_TOKEN_LIFETIME_SECONDS }, 'accepted'],
    ['lifetime 24 h + 1 s', { iat: nowS - 10, exp: nowS - 9 + MAX_TOKEN_LIFETIME_SECONDS }, 'lifetime'],
    ['lifetime a year', { iat: nowS, exp: nowS + 365 * 24 * 3600 }, 'lifetime'],
  ])('%s → %s', async (_n, payload, expected) => {
    expect(await verify(payload)).toBe(expected);
  });

  test('the handler treats such a session cookie as no session (fresh login, nothing forwarded)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = asResponse(await build()(cfEvent({ cookies: [`${ID}=${idToken({ iat: now, exp: now + 2 * 24 * 3600 })}`] })));
    expect(location(r)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
  });
});
