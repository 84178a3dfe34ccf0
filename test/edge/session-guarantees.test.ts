/**
 * Unit tests of the session guarantees of design §4.10–4.12 and the generated pages: a Cognito
 * outage is not a logout, refresh races, junk refresh cookies, login cookies that always come
 * back, the loop guards, duplicate cookie names, cookies of other prefix forms, the Cookie-header
 * budget, the signed-out page and the 403 page.
 */
import {
  applySetCookies, asRequest, asResponse, AUTH_DOMAIN, baseConfig, cfEvent, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN,
  fakeFetch, FakeFetch, idToken, jsonResponse, location, setCookies,
} from './helpers';
import { CookieWriter, cookieHeaderLength, LOGIN_COOKIE_CONFIG, parseCookies } from '../../lambda-src/edge-auth/cookies';
import { createHandler, EdgeHandler } from '../../lambda-src/edge-auth/handler';
import { isRefreshTokenShape } from '../../lambda-src/edge-auth/upstream';

const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;
const ATTEMPTS = `${COOKIE_PREFIX}n`;
const GUARD = `${COOKIE_PREFIX}r`;
const DEAD = `${COOKIE_PREFIX}x`;
const B64 = (n: number, c: string): string => c.repeat(n);
/** Shaped like a Cognito refresh token (JWE compact). */
const rt = (tag = 'a'): string => `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${B64(342, tag)}.${B64(16, 'i')}.${B64(1200, 'c')}.${B64(22, 't')}`;
const R0 = rt('a');
const R1 = rt('b');
const nowS = (): number => Math.floor(Date.now() / 1000);
const expiredId = (): string => idToken({ exp: nowS() - 10 });

function build(config: Record<string, unknown> = {}, fetchFn: FakeFetch = fakeFetch({}), now?: () => number): EdgeHandler {
  return createHandler(baseConfig(config), { fetch: fetchFn, log: () => undefined, now });
}

/** A token endpoint with Cognito's rotation and no grace period: each refresh token works once. */
function rotatingEndpoint(): FakeFetch {
  const live = new Set([R0]);
  let n = 0;
  return fakeFetch({
    '/oauth2/token': (body) => {
      const presented = body.get('refresh_token') ?? '';
      if (!live.delete(presented)) return jsonResponse(400, { error: 'invalid_grant' });
      const next = rt(String.fromCharCode(98 + (n++ % 20)));
      live.add(next);
      return jsonResponse(200, { id_token: idToken({ jti: `fresh-${n}` }), refresh_token: next });
    },
  });
}

const expiredCookies = (refresh = R0): string[] => [`${ID}=${expiredId()}; ${REFRESH}=${refresh}`];

describe('design §4.10: a Cognito outage is not a logout', () => {
  test.each<[string, () => Response | Promise<Response>]>([
    ['429 (throttled)', () => jsonResponse(429, { message: 'Too many requests' })],
    ['500', () => new Response('oops', { status: 500 })],
    ['503', () => jsonResponse(503, { message: 'Service Unavailable' })],
    ['network failure', () => { throw new TypeError('fetch failed'); }],
    ['invalid JSON', () => new Response('{"id_token":', { status: 200 })],
    ['400 that is not an OAuth error (a proxy page)', () => new Response('<html>blocked</html>', { status: 400 })],
    ['400 invalid_request (not invalid_grant)', () => jsonResponse(400, { error: 'invalid_request' })],
    ['401 invalid_client', () => jsonResponse(401, { error: 'invalid_client' })],
  ])('%s at refresh: navigation gets a 503 page with Retry-After and a retry link; every cookie kept', async (_n, answer) => {
    const h = build({}, fakeFetch({ '/oauth2/token': answer }));
    const r = asResponse(await h(cfEvent({ uri: '/docs/a.html', querystring: 'x=1', cookies: expiredCookies() })));
    expect(r.status).toBe('503');
    expect(Number(r.headers!['retry-after'][0].value)).toBeGreaterThan(0);
    expect(r.headers!['set-cookie']).toBeUndefined();
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    expect(r.body).toContain(`href="https://${DIST_DOMAIN}/docs/a.html?x=1"`);
    expect(r.body).toContain('still signed in');
    expect(r.body).not.toMatch(/oops|blocked|Too many/);
  });

  test('timeout at refresh for a fetch(): 503 JSON with Retry-After, no cookie touched', async () => {
    const h = build({ upstreamTimeoutMs: 120 }, fakeFetch({ '/oauth2/token': (_b, init) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason))) }));
    const r = asResponse(await h(cfEvent({ navigation: false, headers: { 'sec-fetch-mode': 'cors' }, cookies: expiredCookies() })));
    expect(r.status).toBe('503');
    expect(JSON.parse(r.body!)).toEqual({ error: 'unavailable' });
    expect(Number(r.headers!['retry-after'][0].value)).toBeGreaterThan(0);
    expect(r.headers!['set-cookie']).toBeUndefined();
  });

  test.each<[string, string]>([
    ['a JWT (three parts)', idToken()],
    ['four parts', R0.split('.').slice(0, 4).join('.')],
    ['too short', 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.bbbbbbbb.c.dddddddd'],
    ['too long', `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${'k'.repeat(342)}.${'i'.repeat(16)}.${'c'.repeat(9000)}.${'t'.repeat(22)}`],
    ['header is not a JWE header', `${Buffer.from('{"typ":"x"}').toString('base64url')}.${'k'.repeat(342)}.${'i'.repeat(16)}.${'c'.repeat(1200)}.${'t'.repeat(22)}`],
    ['header is not JSON', `${'Q'.repeat(40)}.${'k'.repeat(342)}.${'i'.repeat(16)}.${'c'.repeat(1200)}.${'t'.repeat(22)}`],
    ['junk', 'x'.repeat(300)],
  ])('a refresh cookie that cannot be a Cognito refresh token (%s) ends the session without a call', async (_n, junk) => {
    expect(isRefreshTokenShape(junk)).toBe(false);
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken() }) });
    const h = build({}, f);
    const r = asResponse(await h(cfEvent({ cookies: expiredCookies(junk) })));
    expect(f.calls).toHaveLength(0);
    expect(location(r)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
    expect(setCookies(r)).toContain(`${REFRESH}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    const api = asResponse(await h(cfEvent({ navigation: false, cookies: expiredCookies(junk) })));
    expect(api.status).toBe('401');
    expect(f.calls).toHaveLength(0);
  });

  test('the shape check accepts what Cognito (and the local Cognito) issue', () => {
    expect(isRefreshTokenShape(R0)).toBe(true);
  });

  test('refresh race, rotation without grace: a burst of parallel requests, one wins, no loser expires a cookie, all end signed in', async () => {
    const f = rotatingEndpoint();
    const h = build({}, f);
    const jar = new Map([[ID, expiredId()], [REFRESH, R0]]);
    const sent = cookieHeader(jar);
    // Six requests of one page leave the browser with the same (old) cookies.
    const uris = ['/page', '/a.css', '/b.js', '/c.png', '/d.png', '/e.woff2'];
    const results = await Promise.all(uris.map((uri, i) => h(cfEvent({ uri, navigation: i === 0, cookies: sent }))));
    const responses = results.map(asResponse);
    const winners = responses.filter((r) => setCookies(r).some((c) => c.startsWith(`${ID}=`)));
    expect(winners).toHaveLength(1);
    for (const [i, r] of responses.entries()) {
      expect(r.status).toBe('302');
      expect(location(r)).toBe(`https://${DIST_DOMAIN}${uris[i]}`);
      expect(setCookies(r).filter((c) => c.includes('Max-Age=0'))).toEqual([]);
    }
    // Whatever order the answers arrive in, the browser keeps the winner's session ...
    for (const r of [...responses].reverse()) applySetCookies(jar, setCookies(r));
    expect(jar.get(REFRESH)).not.toBe(R0);
    // ... and every follow-up reaches the origin without another token call.
    const calls = f.calls.length;
    for (const uri of uris) asRequest(await h(cfEvent({ uri, cookies: cookieHeader(jar) })));
    expect(f.calls).toHaveLength(calls);
  });

  test('a loser whose follow-up still carries the refused token (winner not yet applied) starts a login without expiring anything', async () => {
    const f = rotatingEndpoint();
    const h = build({}, f);
    const old = cookieHeader(new Map([[ID, expiredId()], [REFRESH, R0]]));
    const [win, lose] = (await Promise.all([h(cfEvent({ cookies: old })), h(cfEvent({ cookies: old }))])).map(asResponse);
    expect([win, lose].filter((r) => setCookies(r).some((c) => c.startsWith(`${ID}=`)))).toHaveLength(1);
    const loser = setCookies(win).some((c) => c.startsWith(`${ID}=`)) ? lose : win;
    const marker = new Map<string, string>();
    applySetCookies(marker, setCookies(loser));
    expect([...marker.keys()]).toEqual([DEAD]);
    const follow = asResponse(await h(cfEvent({ cookies: [`${old[0]}; ${DEAD}=${marker.get(DEAD)}`] })));
    expect(location(follow)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
    expect(setCookies(follow).filter((c) => c.startsWith(`${ID}=`) || c.startsWith(`${REFRESH}=`))).toEqual([]);
    expect(f.calls).toHaveLength(2);
  });

  test('a dead refresh token ends in exactly one fresh login, with one token call', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(400, { error: 'invalid_grant' }) });
    const h = build({}, f);
    const jar = new Map([[ID, expiredId()], [REFRESH, R1]]);
    let r = asResponse(await h(cfEvent({ uri: '/x', cookies: cookieHeader(jar) })));
    const hops: string[] = [];
    for (let i = 0; i < 5 && location(r).startsWith(`https://${DIST_DOMAIN}/`); i++) {
      hops.push(location(r));
      applySetCookies(jar, setCookies(r));
      r = asResponse(await h(cfEvent({ uri: '/x', cookies: cookieHeader(jar) })));
    }
    expect(hops).toEqual([`https://${DIST_DOMAIN}/x`]);
    expect(location(r)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
    expect(f.calls).toHaveLength(1);
  });

  test('refresh-loop guard: a browser that does not keep the refreshed cookies gets an error page, not endless refreshes', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken() }) });
    const h = build({}, f);
    const r = asResponse(await h(cfEvent({ cookies: expiredCookies() })));
    expect(r.status).toBe('302');
    const guard = setCookies(r).find((c) => c.startsWith(`${GUARD}=`));
    expect(guard).toMatch(/^__Host-CognitoEdgeAuth-r=1; Max-Age=([1-9]|10); Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    // It kept the guard only (the id cookie was dropped, e.g. too large for this browser).
    const again = asResponse(await h(cfEvent({ cookies: [`${expiredCookies()[0]}; ${GUARD}=1`] })));
    expect(again.status).toBe('401');
    expect(again.body).toContain('Cookies may be blocked');
    expect(f.calls).toHaveLength(1);
  });
});

describe('design §4.11: login cookies', () => {
  const strict = { cookies: { sameSite: 'Strict', domain: 'example.com', path: '/app', namePrefix: 'Site' } };

  test('SameSite=Strict, a Domain and a narrower Path: the nonce/verifier cookie is still host-only __Host-, Path=/, Lax', async () => {
    const r = asResponse(await build(strict)(cfEvent({ uri: '/app/x' })));
    const login = setCookies(r).filter((c) => c.includes('login.'));
    expect(login).toHaveLength(1);
    expect(login[0]).toMatch(/^__Host-Site-login\.[A-Za-z0-9_-]+=[^;]+; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
  });

  test('same settings: the callback reads that cookie, sets the session with the configured attributes and the loop guard host-only', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken(), refresh_token: R0 }) });
    const h = build(strict, f);
    const jar = new Map<string, string>();
    const start = asResponse(await h(cfEvent({ uri: '/app/x' })));
    applySetCookies(jar, setCookies(start));
    const state = new URL(location(start)).searchParams.get('state')!;
    const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) })));
    expect(location(cb)).toBe(`https://${DIST_DOMAIN}/app/x`);
    const set = setCookies(cb);
    expect(set.find((c) => c.startsWith('__Secure-Site-id='))).toMatch(/; Path=\/app; Domain=example.com; Secure; HttpOnly; SameSite=Strict$/);
    expect(set.find((c) => c.startsWith('__Host-Site-n='))).toMatch(/^__Host-Site-n=1; Max-Age=120; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    expect(set.find((c) => c.startsWith('__Host-Site-login.'))).toMatch(/=; Max-Age=0; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
  });

  test('the loop guard counts callback sessions only: refreshes inside its window (tokenMaxAge 1 min) never show "cookies blocked"', async () => {
    let clock = Date.now();
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken(), refresh_token: R0 }) });
    const h = build({ cookies: { tokenMaxAgeSeconds: 60 } }, f, () => clock);
    const jar = new Map<string, string>();
    const start = asResponse(await h(cfEvent()));
    applySetCookies(jar, setCookies(start));
    const state = new URL(location(start)).searchParams.get('state')!;
    applySetCookies(jar, setCookies(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) }))));
    expect(jar.get(ATTEMPTS)).toBe('1');
    for (let i = 0; i < 4; i++) {
      // The id cookie (Max-Age 60) and the refresh guard (seconds) have expired; the loop guard (120 s) has not.
      clock += 30_000;
      jar.delete(ID);
      jar.delete(GUARD);
      const r = asResponse(await h(cfEvent({ uri: '/p', cookies: cookieHeader(jar) })));
      expect(location(r)).toBe(`https://${DIST_DOMAIN}/p`);
      applySetCookies(jar, setCookies(r));
      asRequest(await h(cfEvent({ uri: '/p', cookies: cookieHeader(jar) })));
    }
    expect(jar.get(ATTEMPTS)).toBe('1');
    expect(f.calls.filter((c) => new URLSearchParams(c.body).get('grant_type') === 'refresh_token')).toHaveLength(4);
  });
});

describe('design §4.12: duplicate names, other prefix forms, the Cookie-header budget', () => {
  test('a library cookie name that arrives twice means no session, even when both copies are valid', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken() }) });
    const h = build({}, f);
    const token = idToken();
    asRequest(await h(cfEvent({ cookies: [`${ID}=${token}`] })));
    for (const cookies of [[`${ID}=${token}; ${ID}=${token}`], [`${ID}=${token}`, `${ID}=${idToken({ 'cognito:username': 'mallory' })}`], [`${ID}=${token}; ${REFRESH}=${R0}; ${REFRESH}=${R1}`]]) {
      const r = asResponse(await h(cfEvent({ cookies })));
      expect(location(r)).toMatch(new RegExp(`^${AUTH_DOMAIN}/oauth2/authorize\\?`));
      const api = asResponse(await h(cfEvent({ navigation: false, cookies })));
      expect(api.status).toBe('401');
    }
    expect(f.calls).toHaveLength(0);
    // Every reachable copy is expired (ours, host-only, each parent domain), so a fresh login can stick.
    const r = asResponse(await h(cfEvent({ cookies: [`${ID}=${token}; ${ID}=${token}`] })));
    expect(setCookies(r)).toContain(`${ID}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(setCookies(r)).toContain(`${ID}=; Max-Age=0; Path=/; Domain=cloudfront.net; Secure; HttpOnly; SameSite=Lax`);
    // A duplicated cookie that is not the library's does not matter.
    asRequest(await h(cfEvent({ cookies: [`theme=a; ${ID}=${token}; theme=b`] })));
  });

  test('parseCookies reports the names it saw twice and keeps the first', () => {
    const dupes = new Set<string>();
    expect(parseCookies(['a=1; b=2', 'a=3'], dupes).get('a')).toBe('1');
    expect([...dupes]).toEqual(['a']);
  });

  test('cookies of the other prefix form and of the default prefix are stripped from the origin request', async () => {
    const token = idToken();
    const h = build();
    const req = asRequest(await h(cfEvent({ cookies: [`a=1; ${ID}=${token}; __Secure-CognitoEdgeAuth-refresh=${R0}; __Secure-CognitoEdgeAuth-id.0=x; b=2`] })));
    expect(req.headers.cookie.map((c) => c.value)).toEqual(['a=1; b=2']);
    const custom = createHandler(baseConfig({ cookies: { namePrefix: 'Site' } }), { log: () => undefined });
    const req2 = asRequest(await custom(cfEvent({ cookies: [`__Host-Site-id=${token}; __Host-CognitoEdgeAuth-refresh=${R0}; __Secure-Site-refresh=${R1}; keep=1`] })));
    expect(req2.headers.cookie.map((c) => c.value)).toEqual(['keep=1']);
  });

  test('sign-out expires cookies of the other prefix form and of the default prefix too', async () => {
    const h = build({ cookies: { namePrefix: 'Site' } }, fakeFetch({ '/oauth2/revoke': () => new Response('', { status: 200 }) }));
    const r = asResponse(await h(cfEvent({ uri: '/_auth/signout', cookies: [`__Host-Site-id=a; __Secure-Site-refresh=${R0}; __Host-CognitoEdgeAuth-refresh=${R1}; __Host-Site-x=d; mine=1`] })));
    const set = setCookies(r);
    for (const name of ['__Host-Site-id', '__Host-Site-refresh', '__Host-CognitoEdgeAuth-refresh', '__Host-Site-x', '__Host-Site-n']) {
      expect(set).toContain(`${name}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    }
    // A __Secure- cookie of an earlier configuration: host-only and with each parent domain of the host.
    expect(set).toContain('__Secure-Site-refresh=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax');
    expect(set).toContain(`__Secure-Site-refresh=; Max-Age=0; Path=/; Domain=${DIST_DOMAIN}; Secure; HttpOnly; SameSite=Lax`);
    expect(set.some((c) => c.startsWith('mine='))).toBe(false);
  });

  test('session cookies that would push the Cookie header past 12 KB: an error page at the callback, no session set', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken({ pad: 'p'.repeat(3000) }), refresh_token: R0 }) });
    const h = build({}, f);
    const site = Array.from({ length: 9 }, (_, i) => `site${i}=${'v'.repeat(1000)}`).join('; ');
    const start = asResponse(await h(cfEvent({ cookies: [site] })));
    const jar = parseCookies([site]);
    applySetCookies(jar, setCookies(start));
    const state = new URL(location(start)).searchParams.get('state')!;
    const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) })));
    expect(cb.status).toBe('400');
    expect(cb.body).toContain('Session too large');
    expect(setCookies(cb).some((c) => c.startsWith(`${ID}`) && !c.includes('Max-Age=0'))).toBe(false);
    // Without the site's own cookies the same session fits.
    const ok = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${encodeURIComponent(state)}`, cookies: cookieHeader(new Map([...jar].filter(([k]) => !k.startsWith('site')))) })));
    expect(ok.status).toBe('302');
  });

  test('the same at refresh: error page, the session cookies expired (they can never fit), no redirect loop', async () => {
    const f = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: idToken({ pad: 'p'.repeat(3000) }) }) });
    const h = build({}, f);
    const site = Array.from({ length: 9 }, (_, i) => `site${i}=${'v'.repeat(1000)}`).join('; ');
    const r = asResponse(await h(cfEvent({ cookies: [`${site}; ${expiredCookies()[0]}`] })));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
    expect(setCookies(r)).toContain(`${ID}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
  });

  test('cookieHeaderLength: replaced and expired cookies are not counted twice', () => {
    const w = new CookieWriter(LOGIN_COOKIE_CONFIG);
    const inbound = new Map([['a', '12345'], ['b', 'x']]);
    expect(cookieHeaderLength(inbound, [])).toBe('a=12345; b=x'.length);
    expect(cookieHeaderLength(inbound, [w.set('a', '1', 60), w.expire('b'), w.set('c', '22', 60)])).toBe('a=1; c=22'.length);
  });
});

describe('signed-out page, 403 page, one style', () => {
  test('the signed-out page is served by the function (no session needed, no upstream call) beside the sign-out path', async () => {
    const f = fakeFetch({});
    const r = asResponse(await build({}, f)(cfEvent({ uri: '/_auth/signed-out' })));
    expect(r.status).toBe('200');
    expect(r.body).toContain('You are signed out.');
    expect(r.body).toContain(`<a href="https://${DIST_DOMAIN}/">Sign in again</a>`);
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    expect(f.calls).toHaveLength(0);
    const custom = asResponse(await build({ signOutPath: '/logout' })(cfEvent({ uri: '/signed-out' })));
    expect(custom.status).toBe('200');
  });

  test('sign-out lands on it by default; signOutLandingPath still points elsewhere', async () => {
    const out = asResponse(await build()(cfEvent({ uri: '/_auth/signout' })));
    expect(new URL(location(out)).searchParams.get('logout_uri')).toBe(`https://${DIST_DOMAIN}/_auth/signed-out`);
    const own = asResponse(await build({ signOutLandingPath: '/public/bye.html' })(cfEvent({ uri: '/_auth/signout' })));
    expect(new URL(location(own)).searchParams.get('logout_uri')).toBe(`https://${DIST_DOMAIN}/public/bye.html`);
  });

  test('the 403 page names the signed-in user (escaped) and links to the home page and sign-out', async () => {
    const h = build({ requiredGroups: ['admins'] });
    const r = asResponse(await h(cfEvent({ uri: '/admin', cookies: [`${ID}=${idToken({ 'cognito:username': 'eve<script>alert(1)</script>' })}`] })));
    expect(r.status).toBe('403');
    expect(r.body).toContain('eve&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(r.body).not.toContain('<script>');
    expect(r.body).toContain(`<a href="https://${DIST_DOMAIN}/">Home</a>`);
    expect(r.body).toContain(`<a href="https://${DIST_DOMAIN}/_auth/signout">Sign out</a>`);
  });

  test('every generated page shares one small inline style and stays small', async () => {
    const pages = [
      await build()(cfEvent({ uri: '/_auth/signed-out' })),
      await build({ requiredGroups: ['admins'] })(cfEvent({ cookies: [`${ID}=${idToken()}`] })),
      await build({}, fakeFetch({ '/oauth2/token': () => jsonResponse(503, {}) }))(cfEvent({ cookies: expiredCookies() })),
      await build()(cfEvent({ uri: '/_auth/callback', querystring: 'state=x' })),
      await build()(cfEvent({ host: 'evil.example' })),
    ].map(asResponse);
    const styles = new Set(pages.map((p) => /<style>[^<]*<\/style>/.exec(p.body!)?.[0]));
    expect(styles.size).toBe(1);
    expect([...styles][0]).toBeDefined();
    for (const p of pages) expect(Buffer.byteLength(p.body!)).toBeLessThan(2048);
  });
});
