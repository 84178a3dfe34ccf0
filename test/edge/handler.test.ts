/**
 * Unit tests of createHandler with in-memory configs, a scripted fetch and locally generated keys.
 * (Round trips against the built bundle and the local Cognito server are in flow.test.ts.)
 */
import { createHash } from 'node:crypto';
import {
  applySetCookies, asRequest, asResponse, AUTH_DOMAIN, baseConfig, cfEvent, CLIENT_ID, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN,
  fakeFetch, FakeFetch, idToken, jsonResponse, location, setCookies, testKey,
} from './helpers';
import { ConfigError } from '../../lambda-src/edge-auth/errors';
import { createHandler, createMisconfiguredHandler, EdgeHandler, IDENTITY_HEADER } from '../../lambda-src/edge-auth/handler';

const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;
/** Shaped like a Cognito refresh token (JWE compact: header, key, IV, ciphertext, tag). */
const REFRESH_TOKEN = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${'k'.repeat(342)}.${'i'.repeat(16)}.${'c'.repeat(1200)}.${'t'.repeat(22)}`;

function tokenEndpoint(idTok = idToken()): FakeFetch {
  return fakeFetch({
    '/oauth2/token': () => jsonResponse(200, { id_token: idTok, access_token: 'x.y.z', refresh_token: REFRESH_TOKEN, expires_in: 3600, token_type: 'Bearer' }),
    '/oauth2/revoke': () => new Response('', { status: 200 }),
  });
}

function build(config: Record<string, unknown> = {}, fetchFn: FakeFetch = tokenEndpoint(), lines: string[] = []): EdgeHandler {
  return createHandler(baseConfig(config), { fetch: fetchFn, log: (l) => lines.push(l) });
}

/** Start a login for `path?query` and return the state and the browser's cookies. */
async function startLogin(h: EdgeHandler, uri = '/', querystring = '', jar = new Map<string, string>()) {
  const r = asResponse(await h(cfEvent({ uri, querystring, cookies: cookieHeader(jar) })));
  expect(r.status).toBe('302');
  const url = new URL(location(r));
  applySetCookies(jar, setCookies(r));
  return { url, state: url.searchParams.get('state')!, jar, response: r };
}

describe('anonymous requests', () => {
  test('browser navigation gets a 302 to /oauth2/authorize with PKCE, state, scope and redirect_uri', async () => {
    const h = build({ identityProvider: 'EntraID', scopes: ['email', 'profile'] });
    const { url, response, jar } = await startLogin(h, '/docs/page.html', 'a=1&b=two');
    expect(`${url.origin}${url.pathname}`).toBe(`${AUTH_DOMAIN}/oauth2/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(url.searchParams.get('redirect_uri')).toBe(`https://${DIST_DOMAIN}/_auth/callback`);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('identity_provider')).toBe('EntraID');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // state carries the deep link
    const body = JSON.parse(Buffer.from(url.searchParams.get('state')!.split('.')[0], 'base64url').toString());
    expect(body.p).toBe('/docs/page.html?a=1&b=two');
    // the OIDC nonce is the login's nonce (also in the login cookie)
    expect(url.searchParams.get('nonce')).toBe(body.n);
    // login cookie: PKCE verifier matching the challenge, Secure/HttpOnly/SameSite=Lax, 10 min
    const login = setCookies(response).find((c) => c.startsWith(`${COOKIE_PREFIX}login.${body.i}=`))!;
    expect(login).toMatch(/; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    const verifier = jar.get(`${COOKIE_PREFIX}login.${body.i}`)!.split('.')[2];
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
    expect(response.headers!['cache-control'][0].value).toBe('no-store');
    expect(response.headers!['referrer-policy'][0].value).toBe('no-referrer');
    expect(location(response).length).toBeLessThan(2048);
  });

  test('without identityProvider no identity_provider parameter; default scopes', async () => {
    const { url } = await startLogin(build());
    expect(url.searchParams.has('identity_provider')).toBe(false);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
  });

  test.each([
    ['Accept: application/json', { navigation: false, headers: { accept: 'application/json' } }],
    ['Sec-Fetch-Mode: cors', { navigation: false, headers: { 'accept': 'text/html', 'sec-fetch-mode': 'cors' } }],
    ['X-Requested-With', { headers: { 'x-requested-with': 'XMLHttpRequest' } }],
    ['POST', { method: 'POST' }],
    ['PUT', { method: 'PUT' }],
    ['no Accept', { navigation: false }],
  ])('non-navigation (%s) gets 401 JSON, no redirect', async (_name, opts) => {
    const r = asResponse(await build()(cfEvent(opts)));
    expect(r.status).toBe('401');
    expect(r.body).toBe('{"error":"unauthenticated"}');
    expect(r.headers!.location).toBeUndefined();
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
  });

  test('the authorize URL stays under 2 KB even for an oversized query (query dropped from the deep link)', async () => {
    const { url } = await startLogin(build({ identityProvider: 'EntraID' }), '/p', `q=${'x'.repeat(20000)}`);
    expect(url.href.length).toBeLessThan(2048);
    const body = JSON.parse(Buffer.from(url.searchParams.get('state')!.split('.')[0], 'base64url').toString());
    expect(body.p).toBe('/p');
  });

  test('at most 3 logins in flight: older login cookies are expired', async () => {
    const h = build();
    const jar = new Map<string, string>();
    for (let i = 0; i < 5; i++) await startLogin(h, '/', '', jar);
    expect([...jar.keys()].filter((k) => k.includes('login.')).length).toBeLessThanOrEqual(3);
  });
});

describe('callback', () => {
  test('code is exchanged with the PKCE verifier, id token verified, cookies set, 302 to the deep link', async () => {
    // A fixed clock: the id cookie's Max-Age is the token's remaining life to the second.
    const nowSeconds = Math.floor(Date.now() / 1000);
    const f = tokenEndpoint(idToken({ exp: nowSeconds + 3600 }));
    const h = createHandler(baseConfig(), { fetch: f, log: () => undefined, now: () => nowSeconds * 1000 });
    const { state, jar, url } = await startLogin(h, '/deep/link', 'x=1&y=%2F');
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=abc123&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/deep/link?x=1&y=%2F`);
    const call = f.calls[0];
    expect(call.url).toBe(`${AUTH_DOMAIN}/oauth2/token`);
    expect(call.init.redirect).toBe('manual');
    const body = new URLSearchParams(call.body);
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('abc123');
    expect(body.get('client_id')).toBe(CLIENT_ID);
    expect(body.get('redirect_uri')).toBe(`https://${DIST_DOMAIN}/_auth/callback`);
    expect(createHash('sha256').update(body.get('code_verifier')!).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
    expect((call.init.headers as Record<string, string>).authorization).toBeUndefined();
    const cookies = setCookies(r);
    expect(cookies.find((c) => c.startsWith(`${ID}=`))).toMatch(/; Max-Age=3600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    expect(cookies.find((c) => c.startsWith(`${REFRESH}=`))).toMatch(/; Max-Age=2592000; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    expect(cookies.some((c) => c.includes('access'))).toBe(false);
    expect(cookies.find((c) => c.startsWith(`${COOKIE_PREFIX}login.`))).toMatch(/=; Max-Age=0;/);
  });

  test('HTTP Basic auth when the client has a secret', async () => {
    const f = tokenEndpoint();
    const h = build({ clientSecret: 'the-client-secret' }, f);
    const { state, jar } = await startLogin(h);
    await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) }));
    const auth = (f.calls[0].init.headers as Record<string, string>).authorization;
    expect(auth).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:the-client-secret`).toString('base64')}`);
  });

  test('tokens are verified before any cookie is set: a bad id token from the endpoint gives the 502 page', async () => {
    const h = build({}, tokenEndpoint(idToken({ aud: 'another-client' })));
    const { state, jar } = await startLogin(h);
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('502');
    expect(setCookies(r).every((c) => c.includes('Max-Age=0'))).toBe(true);
  });

  test('replayed state (login cookie consumed) without a session is refused', async () => {
    const h = build();
    const { state, jar } = await startLogin(h);
    const ev = () => cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) });
    const first = asResponse(await h(ev()));
    expect(first.status).toBe('302');
    applySetCookies(jar, setCookies(first));
    jar.delete(ID);
    const second = asResponse(await h(ev()));
    expect(second.status).toBe('400');
    expect(second.body).toContain('Try again');
  });

  test('state of another browser (no matching login cookie) is refused', async () => {
    const h = build();
    const { state } = await startLogin(h);
    const other = await startLogin(h);
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(other.jar) })));
    expect(r.status).toBe('400');
  });

  test('expired state (older than 10 minutes) is refused', async () => {
    let now = Date.now();
    const h = createHandler(baseConfig(), { fetch: tokenEndpoint(), now: () => now, log: () => undefined });
    const { state, jar } = await startLogin(h);
    now += 601_000;
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('400');
  });

  test('tampered state is refused', async () => {
    // The forged return path is a valid one, so only the signature check can refuse it.
    const f = tokenEndpoint();
    const lines: string[] = [];
    const h = build({}, f, lines);
    const { state, jar } = await startLogin(h, '/');
    const [body, sig] = state.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...payload, p: '/admin/reports?x=1' })).toString('base64url')}.${sig}`;
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=abc123&state=${forged}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('/admin/reports');
    expect(f.calls).toHaveLength(0);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ route: 'callback', status: 400, reason: 'signature' }));
  });

  test('error=access_denied gives a page with a try-again link (to the site, §4.13), no redirect', async () => {
    const f = tokenEndpoint();
    const h = build({}, f);
    const { state, jar } = await startLogin(h, '/app');
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `error=access_denied&error_description=no&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
    expect(r.body).toContain(`href="https://${DIST_DOMAIN}/"`);
    expect(f.calls).toHaveLength(0);
  });

  test('two logins in parallel both complete', async () => {
    const h = build();
    const jar = new Map<string, string>();
    const a = await startLogin(h, '/a', '', jar);
    const b = await startLogin(h, '/b', '', jar);
    const ra = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=1&state=${a.state}`, cookies: cookieHeader(jar) })));
    expect(location(ra)).toBe(`https://${DIST_DOMAIN}/a`);
    applySetCookies(jar, setCookies(ra));
    const rb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=2&state=${b.state}`, cookies: cookieHeader(jar) })));
    expect(location(rb)).toBe(`https://${DIST_DOMAIN}/b`);
  });

  test.each([
    ['token endpoint 500', () => new Response('boom <b>internal</b>', { status: 500 })],
    ['invalid JSON', () => new Response('{not json', { status: 200 })],
    ['network error', () => { throw new TypeError('fetch failed'); }],
  ])('%s → 502 page with a retry link', async (_n, route) => {
    const h = build({}, fakeFetch({ '/oauth2/token': route }));
    const { state, jar } = await startLogin(h, '/x');
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('502');
    expect(r.body).toContain(`href="https://${DIST_DOMAIN}/x"`);
    expect(r.body).toContain('could not complete your sign-in');
    expect(r.body).not.toContain('boom');
  });

  test.each([
    ['the login\'s nonce', (n: string) => n, '302'],
    ['no nonce claim (left to PKCE and state)', undefined, '302'],
    ['another login\'s nonce', () => 'b3RoZXItbG9naW4tbm9uY2U', '400'],
    ['an empty nonce', () => '', '400'],
  ])('id token with %s → %s', async (_n, nonceFor, status) => {
    let loginNonce = '';
    const h = build({}, fakeFetch({
      '/oauth2/token': () => jsonResponse(200, {
        id_token: idToken(nonceFor ? { nonce: nonceFor(loginNonce) } : {}), refresh_token: REFRESH_TOKEN, expires_in: 3600, token_type: 'Bearer',
      }),
    }));
    const { url, state, jar } = await startLogin(h, '/x');
    loginNonce = url.searchParams.get('nonce')!;
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe(status);
    const sessionSet = setCookies(r).some((c) => c.startsWith(`${COOKIE_PREFIX}id=`) && !c.includes('Max-Age=0'));
    expect(sessionSet).toBe(status === '302');
  });

  test('token endpoint 400 invalid_grant → callback error page', async () => {
    const h = build({}, fakeFetch({ '/oauth2/token': () => jsonResponse(400, { error: 'invalid_grant' }) }));
    const { state, jar } = await startLogin(h);
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('400');
    expect(r.body).not.toContain('invalid_grant');
  });

  test('a hanging token endpoint is cut off by upstreamTimeoutMs → 502', async () => {
    const h = build({ upstreamTimeoutMs: 200 }, fakeFetch({ '/oauth2/token': (_b, init) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason))) }));
    const { state, jar } = await startLogin(h);
    const t0 = Date.now();
    const r = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
    expect(r.status).toBe('502');
    expect(r.body).toContain('did not answer in time');
    // Cut at 200 ms; the bound only needs to be well inside the 5 s viewer-request limit (headroom for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  test.each([
    ['missing state', 'code=c'],
    ['duplicated state', 'code=c&state=a.b&state=a.b'],
    ['garbage state', 'code=c&state=%00%0d%0a'],
    ['bad percent-encoding', 'code=c&state=%E0%A4%A'],
  ])('%s → 400 page', async (_n, qs) => {
    const r = asResponse(await build()(cfEvent({ uri: '/_auth/callback', querystring: qs })));
    expect(r.status).toBe('400');
  });
});

async function signedIn(_h: EdgeHandler, token = idToken()): Promise<Map<string, string>> {
  return new Map([[ID, token], [REFRESH, REFRESH_TOKEN]]);
}

describe('signed-in requests', () => {
  test('valid id token: request passes with uri and query unchanged, library cookies removed, identity header set', async () => {
    const h = build();
    const jar = await signedIn(h);
    const ev = cfEvent({ uri: '/a/b.html', querystring: 'q=1&r=%20', cookies: [`theme=dark; ${cookieHeader(jar)[0]}; other=1`], headers: { [IDENTITY_HEADER]: 'mallory' } });
    const req = asRequest(await h(ev));
    expect(req.uri).toBe('/a/b.html');
    expect(req.querystring).toBe('q=1&r=%20');
    expect(req.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark; other=1' }]);
    expect(req.headers[IDENTITY_HEADER]).toEqual([{ key: 'X-Cognito-Edge-Auth-User', value: 'alice' }]);
  });

  test('only library cookies: the Cookie header is removed', async () => {
    const req = asRequest(await build()(cfEvent({ cookies: cookieHeader(await signedIn(build())) })));
    expect(req.headers.cookie).toBeUndefined();
  });

  test('forwardAuthCookies keeps them; inbound identity header is stripped even then', async () => {
    const h = build({ forwardAuthCookies: true });
    const jar = await signedIn(h);
    const req = asRequest(await h(cfEvent({ cookies: cookieHeader(jar), headers: { 'X-Cognito-Edge-Auth-User': 'mallory' } })));
    expect(req.headers.cookie[0].value).toContain(ID);
    expect(req.headers[IDENTITY_HEADER][0].value).toBe('alice');
  });

  test('anonymous request: inbound identity header is stripped before anything else', async () => {
    const ev = cfEvent({ headers: { [IDENTITY_HEADER]: 'admin' } });
    await build()(ev);
    expect(ev.Records[0].cf.request.headers[IDENTITY_HEADER]).toBeUndefined();
  });

  test('required groups: member passes, non-member gets 403 page (JSON for fetch)', async () => {
    const h = build({ requiredGroups: ['admins', 'ops'] });
    asRequest(await h(cfEvent({ cookies: cookieHeader(await signedIn(h, idToken({ 'cognito:groups': ['ops'] }))) })));
    const denied = asResponse(await h(cfEvent({ cookies: cookieHeader(await signedIn(h)) })));
    expect(denied.status).toBe('403');
    expect(denied.body).toContain('Access denied');
    expect(denied.body).not.toContain(CLIENT_ID);
    const deniedXhr = asResponse(await h(cfEvent({ navigation: false, cookies: cookieHeader(await signedIn(h)) })));
    expect(deniedXhr.status).toBe('403');
    expect(deniedXhr.body).toBe('{"error":"forbidden"}');
  });

  test('path rules: first match wins, unmatched paths fall back to requiredGroups', async () => {
    const h = build({ requiredGroups: ['readers'], pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/public/*', requiredGroups: [] }] });
    const reader = cookieHeader(await signedIn(h, idToken({ 'cognito:groups': ['readers'] })));
    const nobody = cookieHeader(await signedIn(h, idToken({ 'cognito:groups': undefined })));
    expect(asResponse(await h(cfEvent({ uri: '/admin/x', cookies: reader }))).status).toBe('403');
    asRequest(await h(cfEvent({ uri: '/docs', cookies: reader })));
    asRequest(await h(cfEvent({ uri: '/public/x', cookies: nobody })));
    expect(asResponse(await h(cfEvent({ uri: '/docs', cookies: nobody }))).status).toBe('403');
  });

  test('a token split across numbered cookies is joined on read', async () => {
    const h = build();
    const token = idToken({ 'cognito:groups': Array.from({ length: 150 }, (_, i) => `aaaaaaaa-bbbb-4ccc-8ddd-${String(i).padStart(12, '0')}`) });
    expect(token.length).toBeGreaterThan(3800);
    const parts: string[] = [];
    for (let i = 0; i * 3800 < token.length; i++) parts.push(`${ID}.${i}=${token.slice(i * 3800, (i + 1) * 3800)}`);
    asRequest(await h(cfEvent({ cookies: [parts.join('; ')] })));
  });
});

describe('refresh', () => {
  test('expired id token + refresh cookie: refresh inline, 302 to the same URL with new cookies', async () => {
    const fresh = idToken();
    const f = tokenEndpoint(fresh);
    const h = build({}, f);
    const jar = new Map([[ID, idToken({ exp: Math.floor(Date.now() / 1000) - 10 })], [REFRESH, REFRESH_TOKEN]]);
    const r = asResponse(await h(cfEvent({ uri: '/page', querystring: 'a=1&b=2', cookies: cookieHeader(jar) })));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/page?a=1&b=2`);
    expect(new URLSearchParams(f.calls[0].body).get('grant_type')).toBe('refresh_token');
    expect(new URLSearchParams(f.calls[0].body).get('refresh_token')).toBe(REFRESH_TOKEN);
    expect(setCookies(r)).toContainEqual(expect.stringContaining(`${ID}=${fresh};`));
  });

  test('refresh refused (invalid_grant) → the same URL once, no cookie expired; then one fresh login without a second call', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(400, { error: 'invalid_grant' }) });
    const h = build({}, f);
    const jar = new Map([[REFRESH, REFRESH_TOKEN]]);
    const r = asResponse(await h(cfEvent({ uri: '/page', cookies: cookieHeader(jar) })));
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/page`);
    expect(setCookies(r).filter((c) => c.includes('Max-Age=0'))).toEqual([]);
    applySetCookies(jar, setCookies(r));
    const again = asResponse(await h(cfEvent({ uri: '/page', cookies: cookieHeader(jar) })));
    expect(location(again)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
    expect(f.calls).toHaveLength(1);
  });

  test('refresh timeout → 503 with Retry-After, every cookie kept', async () => {
    const h = build({ upstreamTimeoutMs: 150 }, fakeFetch({ '/oauth2/token': (_b, init) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason))) }));
    const r = asResponse(await h(cfEvent({ cookies: [`${REFRESH}=${REFRESH_TOKEN}`] })));
    expect(r.status).toBe('503');
    expect(r.headers!['retry-after'][0].value).toMatch(/^\d+$/);
    expect(r.headers!['set-cookie']).toBeUndefined();
  });

  test('refresh for a fetch request: 302 on GET, 401 for POST (no refresh)', async () => {
    const f = tokenEndpoint();
    const h = build({}, f);
    const get = asResponse(await h(cfEvent({ navigation: false, cookies: [`${REFRESH}=${REFRESH_TOKEN}`] })));
    expect(get.status).toBe('302');
    const post = asResponse(await h(cfEvent({ method: 'POST', cookies: [`${REFRESH}=${REFRESH_TOKEN}`] })));
    expect(post.status).toBe('401');
    expect(f.calls).toHaveLength(1);
  });
});

describe('login-loop guard', () => {
  test('a browser that comes back without a session twice in a row gets an error page, not a third redirect', async () => {
    const h = build();
    const jar = new Map<string, string>();
    for (let round = 0; round < 2; round++) {
      const { state } = await startLogin(h, '/', '', jar);
      const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${state}`, cookies: cookieHeader(jar) })));
      expect(cb.status).toBe('302');
      applySetCookies(jar, setCookies(cb));
      // the browser drops the session cookies but keeps the rest
      jar.delete(ID);
      jar.delete(REFRESH);
    }
    const r = asResponse(await h(cfEvent({ cookies: cookieHeader(jar) })));
    expect(r.status).toBe('401');
    expect(r.headers!.location).toBeUndefined();
    expect(r.body).toContain('Cookies may be blocked');
  });
});

describe('sign-out', () => {
  test('revokes the refresh token, expires every library cookie with the same attributes, redirects to /logout', async () => {
    const f = tokenEndpoint();
    const h = build({ clientSecret: 'sekret-value' }, f);
    const cookies = [`${ID}.0=aaa; ${ID}.1=bbb; ${REFRESH}=${REFRESH_TOKEN}; ${COOKIE_PREFIX}login.abcdEFGH=1.x.y; ${COOKIE_PREFIX}n=1; mine=keep`];
    const r = asResponse(await h(cfEvent({ uri: '/_auth/signout', cookies })));
    expect(location(r)).toBe(`${AUTH_DOMAIN}/logout?client_id=${CLIENT_ID}&logout_uri=${encodeURIComponent(`https://${DIST_DOMAIN}/_auth/signed-out`)}`);
    const revoke = f.calls.find((c) => c.url.endsWith('/oauth2/revoke'))!;
    expect(new URLSearchParams(revoke.body).get('token')).toBe(REFRESH_TOKEN);
    expect((revoke.init.headers as Record<string, string>).authorization).toMatch(/^Basic /);
    const expired = setCookies(r);
    for (const name of [ID, `${ID}.0`, `${ID}.1`, REFRESH, `${COOKIE_PREFIX}login.abcdEFGH`, `${COOKIE_PREFIX}n`]) {
      expect(expired).toContain(`${name}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    }
    expect(expired.some((c) => c.startsWith('mine='))).toBe(false);
  });

  test('revoke failure does not block sign-out; custom landing path', async () => {
    const h = build({ signOutLandingPath: '/bye' }, fakeFetch({ '/oauth2/revoke': () => new Response('', { status: 503 }) }));
    const r = asResponse(await h(cfEvent({ uri: '/_auth/signout', cookies: [`${REFRESH}=${REFRESH_TOKEN}`] })));
    expect(location(r)).toContain(encodeURIComponent(`https://${DIST_DOMAIN}/bye`));
  });
});

describe('hosts', () => {
  test.each([
    ['another host', { host: 'evil.example' }],
    ['missing Host', { host: null }],
    ['duplicated Host', { host: [DIST_DOMAIN, DIST_DOMAIN] }],
    ['host with port', { host: `${DIST_DOMAIN}:443` }],
  ])('%s → 400', async (_n, opts) => {
    const r = asResponse(await build()(cfEvent(opts as never)));
    expect(r.status).toBe('400');
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
  });

  test('aliases are accepted (case-insensitively) and used in redirect_uri', async () => {
    const h = build({ aliases: ['www.example.com'] });
    const r = asResponse(await h(cfEvent({ host: 'WWW.Example.com' })));
    expect(new URL(location(r)).searchParams.get('redirect_uri')).toBe('https://www.example.com/_auth/callback');
  });

  test('malformed events → 400, never an exception', async () => {
    const h = build();
    for (const ev of [undefined, null, 1, 'x', {}, { Records: [] }, { Records: [{}] }, { Records: [{ cf: { config: {}, request: {} } }] }]) {
      expect(asResponse(await h(ev)).status).toBe('400');
    }
  });
});

describe('configuration', () => {
  test('works with only userPoolId, clientId and authDomain', async () => {
    const h = createHandler({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'abc', authDomain: 'https://auth.example.com' }, { log: () => undefined });
    expect(asResponse(await h(cfEvent())).status).toBe('302');
  });

  test.each(['userPoolId', 'clientId', 'authDomain'])('missing %s → ConfigError naming the field', (field) => {
    const cfg = baseConfig();
    delete cfg[field];
    expect(() => createHandler(cfg)).toThrow(ConfigError);
    expect(() => createHandler(cfg)).toThrow(new RegExp(`"${field}"`));
  });

  test('misconfigured handler answers a safe 500 page', async () => {
    const lines: string[] = [];
    const r = asResponse(await createMisconfiguredHandler((l) => lines.push(l))(cfEvent()));
    expect(r.status).toBe('500');
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    expect(JSON.parse(lines[0]).msg).toBe('config_invalid');
  });

  test('custom cookie settings: Domain and SameSite do not reach the login cookie (always __Host-, Lax)', async () => {
    const h = build({ cookies: { domain: 'example.com', sameSite: 'Strict', namePrefix: 'Auth' } });
    const r = asResponse(await h(cfEvent()));
    expect(setCookies(r)[0]).toMatch(/^__Host-Auth-login\.[^=]+=[^;]+; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
  });
});

test('unknown kid with an unreachable JWKS → 503 page, not a login loop', async () => {
  const h = build({}, fakeFetch({}));
  const token = idToken({}, testKey('rotated-kid'));
  const r = asResponse(await h(cfEvent({ cookies: [`${ID}=${token}; ${REFRESH}=${REFRESH_TOKEN}`] })));
  expect(r.status).toBe('503');
  expect(r.headers!.location).toBeUndefined();
});
