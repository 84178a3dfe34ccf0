/**
 * Unit tests of session mode (design §7, `config.session`): the auth routes answered by the
 * handler itself, the session cookie the callback and the refresh route mint, the refresh cookie
 * under the auth prefix, and the refusals. In-memory configs, a scripted fetch, local keys.
 */
import { randomBytes } from 'node:crypto';
import {
  applySetCookies, asResponse, AUTH_DOMAIN, baseConfig, cfEvent, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN, fakeFetch, FakeFetch, idToken,
  jsonResponse, location, setCookies,
} from './helpers';
import { ConfigError } from '../../lambda-src/edge-auth/errors';
import { createHandler, EdgeHandler } from '../../lambda-src/edge-auth/handler';
import { resolveConfig } from '../../lambda-src/shared/resolve-config';
import { checkSession, mintSessionCookie, parseSessionCookie, rulesHash, Session } from '../../lambda-src/shared/session-cookie';

const KEY = randomBytes(32).toString('base64url');
const KID = 'k1';
const SESSION = '__Host-CognitoEdgeAuth-s';
const REFRESH = '__Secure-CognitoEdgeAuth-refresh';
const OLD_ID = `${COOKIE_PREFIX}id`;
const OLD_REFRESH = `${COOKIE_PREFIX}refresh`;
const ORIGIN = `https://${DIST_DOMAIN}`;
const REFRESH_TOKEN = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${'k'.repeat(342)}.${'i'.repeat(16)}.${'c'.repeat(1200)}.${'t'.repeat(22)}`;
const ROTATED = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${'r'.repeat(342)}.${'i'.repeat(16)}.${'d'.repeat(1200)}.${'t'.repeat(22)}`;
const RULES = { requiredGroups: ['staff'], pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }] };

function sessionConfig(overrides: Record<string, unknown> = {}, session: Record<string, unknown> = {}): Record<string, unknown> {
  return baseConfig({ ...RULES, session: { authPathPrefix: '/_auth/', keyId: KID, key: KEY, ...session }, ...overrides });
}

function tokenEndpoint(idTok = idToken({ 'cognito:groups': ['readers', 'staff', 'admins'] }), refreshToken: string | undefined = REFRESH_TOKEN): FakeFetch {
  return fakeFetch({
    '/oauth2/token': () => jsonResponse(200, { id_token: idTok, access_token: 'x.y.z', refresh_token: refreshToken, expires_in: 3600, token_type: 'Bearer' }),
    '/oauth2/revoke': () => new Response('', { status: 200 }),
  });
}

function build(fetchFn: FakeFetch = tokenEndpoint(), config = sessionConfig(), lines: string[] = []): EdgeHandler {
  return createHandler(config, { fetch: fetchFn, log: (l) => lines.push(l) });
}

/** The session a Set-Cookie list carries, checked with the key and the current rules. */
function sessionIn(values: string[], hash = rulesHash(RULES)): Session {
  const c = values.find((v) => v.startsWith(`${SESSION}=`));
  if (c === undefined) throw new Error('no session cookie');
  const parts = parseSessionCookie(c.slice(SESSION.length + 1, c.indexOf(';')));
  const check = checkSession(parts!, KEY, Math.floor(Date.now() / 1000), hash);
  if (check.status !== 'valid') throw new Error(`session cookie ${check.status}`);
  return check.session;
}

/** Login through the login route, then the callback; returns the callback's answer and the jar. */
async function login(h: EdgeHandler, ret = '/docs/a.html?x=1', jar = new Map<string, string>()) {
  const start = asResponse(await h(cfEvent({ uri: '/_auth/login', querystring: `return=${encodeURIComponent(ret)}`, cookies: cookieHeader(jar) })));
  expect(start.status).toBe('302');
  applySetCookies(jar, setCookies(start));
  const state = new URL(location(start)).searchParams.get('state')!;
  const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=abc&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) })));
  applySetCookies(jar, setCookies(cb));
  return { start, cb, jar };
}

describe('config.json session field', () => {
  const refusal = (config: Record<string, unknown>): string => {
    try {
      resolveConfig(config);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  test('a valid session resolves, with the default identity header', () => {
    expect(resolveConfig(sessionConfig()).session).toEqual({ authPathPrefix: '/_auth/', keyId: KID, key: KEY, identityHeader: 'x-cognito-edge-auth-user', rules: RULES });
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['prefix without trailing slash', {}, { authPathPrefix: '/_auth' }, /"session\.authPathPrefix" must be an absolute path ending in "\/"/],
    ['prefix //x/', {}, { authPathPrefix: '//x/' }, /"session\.authPathPrefix"/],
    ['callback outside the prefix', { callbackPath: '/cb' }, {}, /"callbackPath" must be a path under session\.authPathPrefix/],
    ['sign-out outside the prefix', { signOutPath: '/out' }, {}, /"signOutPath" must be a path under session\.authPathPrefix/],
    ['malformed key id', {}, { keyId: 'a.b' }, /"session\.keyId" must be 1 to 16 characters/],
    ['short key', {}, { key: KEY.slice(1) }, /"session\.key" must be 32 random bytes as 43 base64url characters/],
    ['key with a "."', {}, { key: `${KEY.slice(1)}.` }, /"session\.key"/],
    ['upper-case identity header', {}, { identityHeader: 'X-User' }, /"session\.identityHeader" must be a lower-case header name/],
    ['forwardAuthCookies', { forwardAuthCookies: true }, {}, /"forwardAuthCookies" must be false in session mode/],
  ])('%s is refused, naming the field', (_name, overrides, session, message) => {
    const text = refusal(sessionConfig(overrides, session));
    expect(text).toMatch(message);
    expect(text).not.toContain(KEY.slice(1, 40));
  });

  test('session must be an object', () => {
    expect(refusal(baseConfig({ session: 'x' }))).toMatch(/"session" must be/);
  });
});

describe('login route', () => {
  test('302 to the hosted UI with the checked return in the state', async () => {
    const { start } = await login(build());
    const url = new URL(location(start));
    expect(`${url.origin}${url.pathname}`).toBe(`${AUTH_DOMAIN}/oauth2/authorize`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${ORIGIN}/_auth/callback`);
    const state = JSON.parse(Buffer.from(url.searchParams.get('state')!.split('.')[0], 'base64url').toString());
    expect(state.p).toBe('/docs/a.html?x=1');
  });

  test.each([['//evil.example/x'], ['/\\evil'], ['https://evil.example/'], ['/%2F%2Fevil.example'], ['/_auth/login'], ['']])('return %j becomes /', async (ret) => {
    const h = build();
    const start = asResponse(await h(cfEvent({ uri: '/_auth/login', querystring: `return=${encodeURIComponent(ret)}` })));
    const state = JSON.parse(Buffer.from(new URL(location(start)).searchParams.get('state')!.split('.')[0], 'base64url').toString());
    expect(state.p).toBe('/');
  });

  test('a POST or a malformed query is a 400', async () => {
    const h = build();
    expect(asResponse(await h(cfEvent({ uri: '/_auth/login', method: 'POST' }))).status).toBe('400');
    expect(asResponse(await h(cfEvent({ uri: '/_auth/login', querystring: 'return=%E0%A4%A' }))).status).toBe('400');
  });
});

describe('callback', () => {
  test('mints the session cookie and the refresh cookie under the prefix, no token cookie, expires the other mode\'s; 302 to the return', async () => {
    const jar = new Map([[OLD_ID, idToken()], [OLD_REFRESH, REFRESH_TOKEN]]);
    const { cb } = await login(build(), '/docs/a.html?x=1', jar);
    expect(cb.status).toBe('302');
    expect(location(cb)).toBe(`${ORIGIN}/docs/a.html?x=1`);
    const values = setCookies(cb);
    expect(values.find((v) => v.startsWith(`${SESSION}=`))).toMatch(/; Max-Age=2592000; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    expect(values).toContain(`${REFRESH}=${REFRESH_TOKEN}; Max-Age=2592000; Path=/_auth/; Secure; HttpOnly; SameSite=Lax`);
    expect(values).toContain(`${OLD_ID}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(values).toContain(`${OLD_REFRESH}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(values.filter((v) => !v.includes('Max-Age=0')).map((v) => v.split('=')[0]).sort())
      .toEqual([`${COOKIE_PREFIX}n`, REFRESH, SESSION].sort());
    // only the groups a rule names; the id token's exp
    const s = sessionIn(values);
    expect(s).toMatchObject({ sub: 'aaaaaaaa-bbbb-4ccc-addd-eeeeeeeeeeee', username: 'alice', groups: ['staff', 'admins'] });
    expect(Math.abs(s.exp - (Math.floor(Date.now() / 1000) + 3600))).toBeLessThanOrEqual(2);
  });

  test('tokenMaxAgeSeconds caps the exp inside the value, not the cookie\'s Max-Age', async () => {
    const { cb } = await login(build(tokenEndpoint(), sessionConfig({ cookies: { tokenMaxAgeSeconds: 600 } })));
    const s = sessionIn(setCookies(cb));
    expect(s.exp - s.iat).toBe(600);
    expect(setCookies(cb).find((v) => v.startsWith(`${SESSION}=`))).toContain('Max-Age=2592000;');
  });

  test('groups come through the configured groups claim', async () => {
    const tok = idToken({ 'cognito:groups': undefined, 'custom:roles': '[Reports.Read, staff]' });
    const { cb } = await login(build(tokenEndpoint(tok), sessionConfig({ groupsClaim: 'custom:roles' })));
    expect(sessionIn(setCookies(cb)).groups).toEqual(['staff']);
  });

  test('a session that cannot be minted (more rule-named groups than a cookie carries) gets the session-too-large page', async () => {
    const many = Array.from({ length: 70 }, (_, i) => `g${i}`);
    const { cb } = await login(build(tokenEndpoint(idToken({ 'cognito:groups': many })), sessionConfig({ requiredGroups: many })));
    expect(cb.status).toBe('400');
    expect(cb.body).toContain('Session too large');
    expect(setCookies(cb).some((v) => v.startsWith(`${SESSION}=`) && !v.includes('Max-Age=0'))).toBe(false);
  });

  test('a repeated callback while the session cookie is valid: 302 to the site, no error', async () => {
    const h = build();
    const { jar } = await login(h);
    const again = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: 'code=abc&state=x.y', cookies: cookieHeader(jar) })));
    expect(again.status).toBe('302');
    expect(location(again)).toBe(`${ORIGIN}/`);
    jar.delete(SESSION);
    expect(asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: 'code=abc&state=x.y', cookies: cookieHeader(jar) }))).status).toBe('400');
  });
});

describe('refresh route', () => {
  const refreshEvent = (jar: Map<string, string>, extra: Record<string, unknown> = {}) =>
    cfEvent({ uri: '/_auth/refresh', querystring: 'return=%2Freports%2Fq3.html%3Fy%3D2', cookies: cookieHeader(jar), ...extra });

  test('performs the refresh grant (even with a valid session), mints a new session, rotates the refresh cookie, 302 to the return', async () => {
    const f = tokenEndpoint(undefined, ROTATED);
    const h = build(f);
    const jar = new Map([[REFRESH, REFRESH_TOKEN], [SESSION, mintSessionCookie({ sub: 's', username: 'alice', groups: [], exp: Math.floor(Date.now() / 1000) + 3000 },
      { kid: KID, key: KEY, rulesHash: rulesHash(RULES), now: Math.floor(Date.now() / 1000) })]]);
    const r = asResponse(await h(refreshEvent(jar)));
    expect(f.calls).toHaveLength(1);
    expect(new URLSearchParams(f.calls[0].body).get('refresh_token')).toBe(REFRESH_TOKEN);
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`${ORIGIN}/reports/q3.html?y=2`);
    expect(sessionIn(setCookies(r)).groups).toEqual(['staff', 'admins']);
    expect(setCookies(r)).toContain(`${REFRESH}=${ROTATED}; Max-Age=2592000; Path=/_auth/; Secure; HttpOnly; SameSite=Lax`);
  });

  test('cross-site: 403, no call to Cognito, no cookie touched', async () => {
    const f = tokenEndpoint();
    const r = asResponse(await build(f)(refreshEvent(new Map([[REFRESH, REFRESH_TOKEN]]), { headers: { 'Sec-Fetch-Site': 'cross-site' } })));
    expect(r.status).toBe('403');
    expect(f.calls).toHaveLength(0);
    expect(setCookies(r)).toEqual([]);
  });

  test('no refresh cookie: a navigation goes to the login route with the return, a fetch gets 401', async () => {
    const h = build();
    const r = asResponse(await h(refreshEvent(new Map())));
    expect(location(r)).toBe(`${ORIGIN}/_auth/login?return=${encodeURIComponent('/reports/q3.html?y=2')}`);
    expect(asResponse(await h(refreshEvent(new Map(), { navigation: false }))).status).toBe('401');
  });

  test('invalid_grant: first the same URL with the refused-token marker (race), then the login; nothing expired', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(400, { error: 'invalid_grant' }) });
    const h = build(f);
    const jar = new Map([[REFRESH, REFRESH_TOKEN]]);
    const first = asResponse(await h(refreshEvent(jar)));
    expect(location(first)).toBe(`${ORIGIN}/_auth/refresh?return=${encodeURIComponent('/reports/q3.html?y=2')}`);
    expect(setCookies(first).filter((v) => v.includes('Max-Age=0'))).toEqual([]);
    applySetCookies(jar, setCookies(first));
    const second = asResponse(await h(refreshEvent(jar)));
    expect(location(second)).toBe(`${ORIGIN}/_auth/login?return=${encodeURIComponent('/reports/q3.html?y=2')}`);
    expect(f.calls).toHaveLength(1);
  });

  test.each([['503', () => new Response('down', { status: 503 })], ['429', () => new Response('slow down', { status: 429 })]])(
    'token endpoint %s: 503 with Retry-After, every cookie kept', async (_n, answer) => {
      const h = build(fakeFetch({ '/oauth2/token': answer }));
      const jar = new Map([[REFRESH, REFRESH_TOKEN]]);
      const page = asResponse(await h(refreshEvent(jar)));
      expect(page.status).toBe('503');
      expect(page.headers!['retry-after'][0].value).toBe('5');
      expect(setCookies(page)).toEqual([]);
      const json = asResponse(await h(refreshEvent(jar, { navigation: false })));
      expect([json.status, json.body]).toEqual(['503', '{"error":"unavailable"}']);
    });

  test('a cookie that cannot be a refresh token ends at the login without a call, and is expired', async () => {
    const f = tokenEndpoint();
    const r = asResponse(await build(f)(refreshEvent(new Map([[REFRESH, 'not-a-token']]))));
    expect(location(r)).toContain('/_auth/login?return=');
    expect(setCookies(r)).toContain(`${REFRESH}=; Max-Age=0; Path=/_auth/; Secure; HttpOnly; SameSite=Lax`);
    expect(f.calls).toHaveLength(0);
  });

  test('a refresh cookie sent twice is no session (design §4.12)', async () => {
    const f = tokenEndpoint();
    const r = asResponse(await build(f)(cfEvent({ uri: '/_auth/refresh', cookies: [`${REFRESH}=${REFRESH_TOKEN}; ${REFRESH}=${ROTATED}`] })));
    expect(location(r)).toContain('/_auth/login?return=%2F');
    expect(f.calls).toHaveLength(0);
  });

  test('POST is a 400', async () => {
    expect(asResponse(await build()(refreshEvent(new Map([[REFRESH, REFRESH_TOKEN]]), { method: 'POST' }))).status).toBe('400');
  });
});

describe('sign-out', () => {
  test('revokes, expires the session cookie and both refresh cookies (both paths, both prefixes), 302 to the hosted UI logout', async () => {
    const f = tokenEndpoint();
    const h = build(f);
    const { jar } = await login(h);
    jar.set(OLD_REFRESH, REFRESH_TOKEN);
    const r = asResponse(await h(cfEvent({ uri: '/_auth/signout', cookies: cookieHeader(jar) })));
    expect(f.calls.map((c) => new URL(c.url).pathname)).toEqual(['/oauth2/token', '/oauth2/revoke']);
    expect(new URLSearchParams(f.calls[1].body).get('token')).toBe(REFRESH_TOKEN);
    expect(location(r)).toContain(`${AUTH_DOMAIN}/logout?`);
    const values = setCookies(r);
    expect(values).toContain(`${SESSION}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(values).toContain(`${REFRESH}=; Max-Age=0; Path=/_auth/; Secure; HttpOnly; SameSite=Lax`);
    expect(values).toContain(`${OLD_REFRESH}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(applySetCookies(jar, values).size).toBe(0);
  });

  test('cross-site: 403, nothing revoked or expired', async () => {
    const f = tokenEndpoint();
    const r = asResponse(await build(f)(cfEvent({ uri: '/_auth/signout', cookies: [`${REFRESH}=${REFRESH_TOKEN}`], headers: { 'Sec-Fetch-Site': 'cross-site' } })));
    expect(r.status).toBe('403');
    expect(f.calls).toHaveLength(0);
    expect(setCookies(r)).toEqual([]);
  });

  test('the signed-out page is served under the prefix', async () => {
    const r = asResponse(await build()(cfEvent({ uri: '/_auth/signed-out' })));
    expect([r.status, r.body?.includes('You are signed out.')]).toEqual(['200', true]);
  });
});

describe('everything else', () => {
  test.each([['/_auth/'], ['/_auth/other'], ['/_auth/login/x'], ['/index.html'], ['/']])('%s: 404, never forwarded', async (uri) => {
    const r = asResponse(await build()(cfEvent({ uri, cookies: [`${SESSION}=x`] })));
    expect(r.status).toBe('404');
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
  });

  test('no key, token or code in any body, header (but the library\'s Set-Cookie) or log line', async () => {
    const lines: string[] = [];
    const tok = idToken({ 'cognito:groups': ['staff'] });
    const h = build(tokenEndpoint(tok), sessionConfig(), lines);
    const { start, cb, jar } = await login(h);
    const answers = [start, cb];
    answers.push(asResponse(await h(cfEvent({ uri: '/_auth/refresh', querystring: 'return=%2F', cookies: cookieHeader(jar) }))));
    answers.push(asResponse(await h(cfEvent({ uri: '/_auth/signout', cookies: cookieHeader(jar) }))));
    const secrets = [KEY, REFRESH_TOKEN, tok, 'code=abc'];
    for (const r of answers) {
      const { 'set-cookie': _ignored, ...headers } = r.headers ?? {};
      const text = JSON.stringify(headers) + (r.body ?? '');
      for (const s of secrets.slice(0, 3)) expect(text).not.toContain(s);
      for (const c of setCookies(r)) expect(c).not.toContain(KEY);
    }
    for (const line of lines) {
      for (const s of secrets) expect(line).not.toContain(s);
      expect(line).not.toContain(jar.get(SESSION) ?? 'none');
    }
    expect(lines.length).toBeGreaterThan(3);
  });
});
