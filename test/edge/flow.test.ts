/**
 * Flow tests: the real built bundle (assets/edge-auth/index.js + a written config.json) against the
 * local Cognito-compatible server on 127.0.0.1 (playground/local-cognito.ts), which is strict
 * about PKCE, single-use codes, redirect_uri and the client secret.
 */
import { createHmac } from 'node:crypto';
import { BundleHandler, loadBundle } from './bundle';
import {
  applySetCookies, asRequest, asResponse, cfEvent, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN, EventOptions, location, Result, setCookies,
} from './helpers';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';
import { clearRealNetworkAttempts, realNetworkAttempts } from '../support/no-network';

const PUBLIC = 'publicclient000000000000001';
const CONFIDENTIAL = 'confidentialclient000000001';
const SECRET = 'confidential-client-secret-0123456789abcdefghij';
const STATE_SECRET = 'flow-test-state-secret-0123456789';
const CALLBACK = `https://${DIST_DOMAIN}/_auth/callback`;
const LOGOUT = `https://${DIST_DOMAIN}/_auth/signed-out`;
const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;
const PASSWORD = 'pw';
const GUID_GROUPS = Array.from({ length: 150 }, (_, i) => `0b9e4f7c-1d2a-4e3b-9c8d-${String(i).padStart(12, '0')}`);

let cognito: LocalCognito;
let logs: string[];

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [
      { clientId: PUBLIC, callbackUrls: [CALLBACK, 'https://www.example.com/_auth/callback'], logoutUrls: [LOGOUT] },
      { clientId: CONFIDENTIAL, clientSecret: SECRET, callbackUrls: [CALLBACK], logoutUrls: [LOGOUT] },
    ],
    users: [
      { username: 'alice', password: PASSWORD, groups: ['readers'] },
      { username: 'bob', password: PASSWORD, groups: ['admins'] },
      { username: 'entra', password: PASSWORD, groups: GUID_GROUPS },
    ],
  });
});

afterAll(async () => cognito.close());

beforeEach(() => {
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => { logs.push(String(line)); });
});

afterEach(() => {
  jest.restoreAllMocks();
  cognito.setFailureMode('none');
  cognito.setAvailable(true);
});

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userPoolId: cognito.userPoolId, clientId: PUBLIC, authDomain: cognito.url, jwks: cognito.jwks, stateSecret: STATE_SECRET, logLevel: 'debug', ...overrides };
}

/** A browser: a cookie jar in front of the bundle. */
class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly handler: BundleHandler) {}

  async request(uri: string, querystring = '', opts: EventOptions = {}): Promise<Result> {
    const r = await this.handler(cfEvent({ uri, querystring, cookies: cookieHeader(this.jar), ...opts }));
    if ('status' in r) applySetCookies(this.jar, setCookies(r));
    return r;
  }

  /** Follow a 302 to https://<dist>/… (returns the next result). */
  async follow(r: Result): Promise<Result> {
    const url = new URL(location(r));
    expect(url.origin).toBe(`https://${DIST_DOMAIN}`);
    return this.request(url.pathname, url.search.slice(1));
  }
}

/**
 * What the browser does at the hosted UI: open the authorize URL the edge redirected to (the local
 * Cognito checks client_id, the registered redirect_uri, response_type, scope and S256 there),
 * submit the sign-in form, and take code and state from the redirect back to redirect_uri.
 */
async function signIn(authorizeLocation: string, username: string): Promise<{ code: string; state: string }> {
  const url = new URL(authorizeLocation);
  expect(`${url.origin}${url.pathname}`).toBe(`${cognito.url}/oauth2/authorize`);
  const form = await fetch(url, { redirect: 'manual' });
  const html = await form.text();
  if (form.status !== 200) throw new Error(`the hosted UI refused the authorize request: ${form.status} ${form.headers.get('location') ?? ''}`);
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (request === undefined) throw new Error('no sign-in form');
  const done = await fetch(`${cognito.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, username, password: PASSWORD }).toString(),
  });
  expect(done.status).toBe(302);
  const back = new URL(done.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(url.searchParams.get('redirect_uri'));
  if (back.searchParams.has('error')) throw new Error(`the hosted UI answered ${back.searchParams.get('error')}`);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
}

function callbackQuery(p: { code: string; state: string }): string {
  return `code=${encodeURIComponent(p.code)}&state=${encodeURIComponent(p.state)}`;
}

/** Full login from `uri?qs` through the hosted UI; returns the callback's answer. */
async function login(b: Browser, username = 'alice', uri = '/', qs = ''): Promise<Result> {
  const start = asResponse(await b.request(uri, qs));
  expect(start.status).toBe('302');
  return b.request('/_auth/callback', callbackQuery(await signIn(location(start), username)));
}

function forgeState(payload: object, secret = STATE_SECRET): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('login round trip', () => {
  test('deep link with query survives: authorize → hosted UI → callback → origin', async () => {
    const b = new Browser(loadBundle(config()));
    const cb = asResponse(await login(b, 'alice', '/reports/q3.html', 'year=2024&tab=a%20b'));
    expect(cb.status).toBe('302');
    expect(location(cb)).toBe(`https://${DIST_DOMAIN}/reports/q3.html?year=2024&tab=a%20b`);
    expect(b.jar.has(ID)).toBe(true);
    expect(b.jar.has(REFRESH)).toBe(true);
    expect([...b.jar.keys()].some((k) => k.includes('login.'))).toBe(false);
    const req = asRequest(await b.follow(cb));
    expect(req.uri).toBe('/reports/q3.html');
    expect(req.querystring).toBe('year=2024&tab=a%20b');
    expect(req.headers.cookie).toBeUndefined();
    expect(req.headers['x-cognito-edge-auth-user'][0].value).toBe('alice');
    expect(cognito.requests.filter((r) => r.path === '/oauth2/token')).not.toHaveLength(0);
  });

  test('OIDC nonce: the session\'s id token carries the authorize request\'s nonce; a code issued for another login\'s nonce is refused', async () => {
    const b = new Browser(loadBundle(config()));
    const start = asResponse(await b.request('/'));
    const nonce = new URL(location(start)).searchParams.get('nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(asResponse(await b.request('/_auth/callback', callbackQuery(await signIn(location(start), 'alice')))).status).toBe('302');
    const claims = JSON.parse(Buffer.from(b.jar.get(ID)!.split('.')[1], 'base64url').toString());
    expect(claims.nonce).toBe(nonce);

    // A code whose id token carries another nonce (issued for another login) does not make a session.
    const victim = new Browser(loadBundle(config()));
    const auth = new URL(location(asResponse(await victim.request('/'))));
    const code = cognito.issueCode({
      clientId: PUBLIC,
      redirectUri: auth.searchParams.get('redirect_uri')!,
      username: 'alice',
      codeChallenge: auth.searchParams.get('code_challenge')!,
      codeChallengeMethod: 'S256',
      nonce: 'c29tZW9uZS1lbHNlcy1ub25jZQ',
    });
    const r = asResponse(await victim.request('/_auth/callback', callbackQuery({ code, state: auth.searchParams.get('state')! })));
    expect(r.status).toBe('400');
    expect(victim.jar.has(ID)).toBe(false);
  });

  test('confidential client: token endpoint called with HTTP Basic auth', async () => {
    // The local Cognito holds CONFIDENTIAL to client_secret_basic: the secret in the body would be invalid_client.
    const b = new Browser(loadBundle(config({ clientId: CONFIDENTIAL, clientSecret: SECRET })));
    const cb = asResponse(await login(b, 'alice', '/', ''));
    expect(cb.status).toBe('302');
    asRequest(await b.follow(cb));
  });

  test('confidential client with a wrong secret: 502 page (invalid_client: the deployment is wrong), no session', async () => {
    const b = new Browser(loadBundle(config({ clientId: CONFIDENTIAL, clientSecret: 'wrong-secret-value' })));
    const cb = asResponse(await login(b, 'alice', '/', ''));
    expect(cb.status).toBe('502');
    expect(b.jar.has(ID)).toBe(false);
    expect(cb.body).not.toContain('invalid_client');
  });

  test('the hosted UI refuses a redirect_uri the client does not list (an alias missing from its callback URLs)', async () => {
    const b = new Browser(loadBundle(config({ aliases: ['unlisted.example.com'] })));
    const start = await b.request('/x', '', { host: 'unlisted.example.com' });
    await expect(signIn(location(start), 'alice')).rejects.toThrow(/refused the authorize request: 302 \/error\?error=redirect_mismatch/);
  });

  test('two tabs log in at the same time: both succeed', async () => {
    const b = new Browser(loadBundle(config()));
    const a = await signIn(location(await b.request('/tab-a')), 'alice');
    const c = await signIn(location(await b.request('/tab-b')), 'alice');
    expect(location(await b.request('/_auth/callback', callbackQuery(c)))).toBe(`https://${DIST_DOMAIN}/tab-b`);
    expect(location(await b.request('/_auth/callback', callbackQuery(a)))).toBe(`https://${DIST_DOMAIN}/tab-a`);
    asRequest(await b.request('/tab-a'));
  });

  test('alias host: redirect_uri and Location use the alias', async () => {
    const b = new Browser(loadBundle(config({ aliases: ['www.example.com'] })));
    const start = await b.request('/x', '', { host: 'www.example.com' });
    expect(new URL(location(start)).searchParams.get('redirect_uri')).toBe('https://www.example.com/_auth/callback');
    const cb = await b.request('/_auth/callback', callbackQuery(await signIn(location(start), 'alice')), { host: 'www.example.com' });
    expect(location(cb)).toBe('https://www.example.com/x');
  });

  test('150-group (Entra-sized) id token: split cookies, Cookie header < 12 KB, authorize URL < 2 KB', async () => {
    const b = new Browser(loadBundle(config({ identityProvider: 'EntraID' })));
    const start = await b.request('/');
    expect(location(start).length).toBeLessThan(2048);
    const cb = asResponse(await b.request('/_auth/callback', callbackQuery(await signIn(location(start), 'entra'))));
    expect(cb.status).toBe('302');
    expect(b.jar.has(`${ID}.0`)).toBe(true);
    expect(b.jar.has(`${ID}.1`)).toBe(true);
    for (const c of setCookies(cb)) expect(c.length).toBeLessThan(4096);
    expect(cookieHeader(b.jar)[0].length).toBeLessThan(12 * 1024);
    asRequest(await b.follow(cb));
  });
});

describe('callback: bad, replayed, expired, tampered, foreign, off-site state', () => {
  async function started(b: Browser) {
    const start = await b.request('/app');
    const p = await signIn(location(start), 'alice');
    const body = JSON.parse(Buffer.from(p.state.split('.')[0], 'base64url').toString());
    return { ...p, body };
  }

  test('replayed callback (same code and state) without a session is refused', async () => {
    const b = new Browser(loadBundle(config()));
    const p = await started(b);
    expect(asResponse(await b.request('/_auth/callback', callbackQuery(p))).status).toBe('302');
    b.jar.delete(ID);
    const again = asResponse(await b.request('/_auth/callback', callbackQuery(p)));
    expect(again.status).toBe('400');
  });

  test('a code replayed with a fresh state is refused by the token endpoint (single use)', async () => {
    const b = new Browser(loadBundle(config()));
    const p = await started(b);
    expect(asResponse(await b.request('/_auth/callback', callbackQuery(p))).status).toBe('302');
    b.jar.delete(ID);
    b.jar.delete(REFRESH);
    const fresh = await signIn(location(await b.request('/again')), 'alice');
    const r = asResponse(await b.request('/_auth/callback', callbackQuery({ code: p.code, state: fresh.state })));
    expect(r.status).toBe('400');
  });

  type Forge = (s: { n: string; i: string }) => string;
  const badStates: Array<[string, Forge]> = [
    ['expired', (s: { n: string; i: string }) => forgeState({ ...s, p: '/app', t: Math.floor(Date.now() / 1000) - 601 })],
    ['foreign (other secret)', (s: { n: string; i: string }) => forgeState({ ...s, p: '/app', t: Math.floor(Date.now() / 1000) }, 'another-secret-0123456789abcdef')],
    ['tampered', (s: { n: string; i: string }) => `${forgeState({ ...s, p: '/app', t: Math.floor(Date.now() / 1000) }).slice(0, -3)}AAA`],
    ['nonce of another login', (s: { n: string; i: string }) => forgeState({ n: 'AAAAAAAAAAAAAAAAAAAAAA', i: s.i, p: '/app', t: Math.floor(Date.now() / 1000) })],
    ...['//evil.example', '/\\evil.example', '/%2F%2Fevil.example', '/%5Cevil.example', '/%252F%252Fevil.example', 'https://evil.example/', 'javascript:alert(1)', '/\r\nSet-Cookie: x=y']
      .map((p): [string, Forge] => [`off-site path ${JSON.stringify(p)}`, (s) => forgeState({ ...s, p, t: Math.floor(Date.now() / 1000) })]),
  ];
  test.each(badStates)('%s → error page, no redirect, no session', async (_n, make) => {
    const b = new Browser(loadBundle(config()));
    const p = await started(b);
    const r = asResponse(await b.request('/_auth/callback', callbackQuery({ code: p.code, state: make(p.body) })));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
    expect(r.body).not.toMatch(/evil/);
    expect(b.jar.has(ID)).toBe(false);
  });

  test('error=access_denied from Cognito: page with a try-again link, no redirect loop', async () => {
    const b = new Browser(loadBundle(config()));
    const p = await started(b);
    const r = asResponse(await b.request('/_auth/callback', `error=access_denied&error_description=User+is+not+assigned&state=${encodeURIComponent(p.state)}`));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
    expect(r.body).toContain(`<a href="https://${DIST_DOMAIN}/">Try again</a>`);
    expect(r.body).not.toContain('not assigned');
  });
});

describe('signed-in requests', () => {
  test('403 page when not in the required groups; member passes', async () => {
    const handler = loadBundle(config({ requiredGroups: ['admins'] }));
    const alice = new Browser(handler);
    const denied = asResponse(await alice.follow(await login(alice, 'alice', '/admin')));
    expect(denied.status).toBe('403');
    expect(denied.body).not.toContain(PUBLIC);
    expect(denied.body).not.toContain(cognito.userPoolId);
    const bob = new Browser(handler);
    asRequest(await bob.follow(await login(bob, 'bob', '/admin')));
  });

  test.each([
    ['fetch (Sec-Fetch-Mode: cors)', { navigation: false, headers: { 'sec-fetch-mode': 'cors', 'accept': '*/*' } }],
    ['XHR (Accept: application/json)', { navigation: false, headers: { accept: 'application/json' } }],
    ['POST navigation', { method: 'POST' }],
    ['DELETE', { method: 'DELETE', navigation: false }],
  ])('anonymous %s → 401 JSON', async (_n, opts) => {
    const r = asResponse(await loadBundle(config())(cfEvent({ uri: '/api/items', ...opts })));
    expect(r.status).toBe('401');
    expect(JSON.parse(r.body!)).toEqual({ error: 'unauthenticated' });
  });

  test('host check: other hosts get 400', async () => {
    const r = asResponse(await loadBundle(config())(cfEvent({ host: 'attacker.example' })));
    expect(r.status).toBe('400');
  });
});

describe('refresh', () => {
  test('expired id token + refresh cookie → refresh at /oauth2/token → 302 to the same URL → origin', async () => {
    const b = new Browser(loadBundle(config()));
    const t = cognito.mintTokens({ clientId: PUBLIC, username: 'alice', idTokenTtlSeconds: -60 });
    b.jar.set(ID, t.idToken).set(REFRESH, t.refreshToken);
    const r = asResponse(await b.request('/page', 'q=1&r=2'));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/page?q=1&r=2`);
    expect(b.jar.get(ID)).not.toBe(t.idToken);
    const req = asRequest(await b.follow(r));
    expect(req.querystring).toBe('q=1&r=2');
  });

  test('revoked refresh token → the same URL once, then a fresh login (not a loop)', async () => {
    const b = new Browser(loadBundle(config()));
    const t = cognito.mintTokens({ clientId: PUBLIC, username: 'alice', idTokenTtlSeconds: -60 });
    b.jar.set(ID, t.idToken).set(REFRESH, t.refreshToken);
    await new Browser(loadBundle(config())).request('/_auth/signout', '', { cookies: [`${REFRESH}=${t.refreshToken}`] });
    const once = asResponse(await b.request('/page'));
    expect(location(once)).toBe(`https://${DIST_DOMAIN}/page`);
    const r = asResponse(await b.follow(once));
    expect(location(r)).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
  });

  test('token endpoint hanging during refresh → 503 within the time budget, cookies kept', async () => {
    const b = new Browser(loadBundle(config({ upstreamTimeoutMs: 300 })));
    const t = cognito.mintTokens({ clientId: PUBLIC, username: 'alice', idTokenTtlSeconds: -60 });
    b.jar.set(ID, t.idToken).set(REFRESH, t.refreshToken);
    cognito.setFailureMode('hang');
    const t0 = Date.now();
    const r = asResponse(await b.request('/page'));
    // Cut by upstreamTimeoutMs (300 ms), well inside the 5 s viewer-request limit (headroom for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.status).toBe('503');
    expect(b.jar.get(REFRESH)).toBe(t.refreshToken);
  });

  test('session that never sticks: after two fresh sessions, an error page instead of a third redirect', async () => {
    const b = new Browser(loadBundle(config()));
    for (let i = 0; i < 2; i++) {
      expect(asResponse(await login(b)).status).toBe('302');
      b.jar.delete(ID);
      b.jar.delete(REFRESH);
    }
    const r = asResponse(await b.request('/'));
    expect(r.status).toBe('401');
    expect(r.headers!.location).toBeUndefined();
  });
});

describe('sign-out', () => {
  test('revokes at /oauth2/revoke, expires every cookie, redirects to /logout; the refresh token is dead', async () => {
    const b = new Browser(loadBundle(config({ identityProvider: 'EntraID' })));
    asRequest(await b.follow(await login(b, 'entra')));
    const refresh = b.jar.get(REFRESH)!;
    await b.request('/pending'); // a login in flight too
    const before = cognito.requests.length;
    const r = asResponse(await b.request('/_auth/signout'));
    expect(cognito.requests.slice(before)).toContainEqual({ method: 'POST', path: '/oauth2/revoke' });
    expect(location(r)).toBe(`${cognito.url}/logout?client_id=${PUBLIC}&logout_uri=${encodeURIComponent(LOGOUT)}`);
    expect(b.jar.size).toBe(0);
    for (const c of setCookies(r)) expect(c).toMatch(/=; Max-Age=0; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    // the revoked refresh token no longer refreshes
    const t = cognito.mintTokens({ clientId: PUBLIC, username: 'alice', idTokenTtlSeconds: -60 });
    const next = new Browser(loadBundle(config()));
    next.jar.set(ID, t.idToken).set(REFRESH, refresh);
    const again = asResponse(await next.follow(await next.request('/')));
    expect(location(again)).toContain('/oauth2/authorize');
  });

  test('revoke failure does not block sign-out', async () => {
    const b = new Browser(loadBundle(config()));
    await login(b);
    cognito.setAvailable(false);
    const r = asResponse(await b.request('/_auth/signout'));
    expect(location(r)).toContain('/logout?');
    expect(b.jar.size).toBe(0);
  });
});

describe('upstream failures at the callback → 502 page with a retry link', () => {
  test.each([
    ['down (503)', () => cognito.setAvailable(false)],
    ['5xx', () => cognito.setFailureMode('503')],
    ['invalid JSON', () => cognito.setFailureMode('invalid-json')],
    ['hang', () => cognito.setFailureMode('hang')],
    ['reset', () => cognito.setFailureMode('reset')],
  ])('%s', async (_n, breakIt) => {
    const b = new Browser(loadBundle(config({ upstreamTimeoutMs: 400 })));
    const start = await b.request('/where');
    const p = await signIn(location(start), 'alice');
    breakIt();
    const t0 = Date.now();
    const r = asResponse(await b.request('/_auth/callback', callbackQuery(p)));
    // Cut by upstreamTimeoutMs (400 ms), well inside the 5 s viewer-request limit (headroom for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.status).toBe('502');
    expect(r.body).toContain(`href="https://${DIST_DOMAIN}/where"`);
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    expect(b.jar.has(ID)).toBe(false);
  });
});

describe('JWKS', () => {
  test('unknown kid: one fetch attempt of the pool JWKS URI (refused here) → 503 page, no login loop', async () => {
    const handler = loadBundle(config());
    const foreignKid = cognito.signJwt({ ...JSON.parse(Buffer.from(cognito.mintTokens({ clientId: PUBLIC, username: 'alice' }).idToken.split('.')[1], 'base64url').toString()) }, { kid: 'rotated-key', alg: 'RS256' });
    const r = asResponse(await handler(cfEvent({ cookies: [`${ID}=${foreignKid}`] })));
    expect(r.status).toBe('503');
    expect(r.headers!.location).toBeUndefined();
    expect(realNetworkAttempts()).toEqual(['cognito-idp.us-east-1.amazonaws.com']);
    clearRealNetworkAttempts();
    // within the minute: no new attempt, still 503
    expect(asResponse(await handler(cfEvent({ cookies: [`${ID}=${foreignKid}`] }))).status).toBe('503');
    expect(realNetworkAttempts()).toEqual([]);
  });
});

describe('configuration file', () => {
  test.each([
    ['missing', undefined],
    ['not JSON', '{"userPoolId":'],
    ['without clientId', JSON.stringify({ userPoolId: 'us-east-1_X', authDomain: 'https://a.example.com' })],
  ])('%s config.json → every request gets a safe 500 page; the reason is logged at load', async (_n, cfg) => {
    const handler = loadBundle(cfg);
    const r = asResponse(await handler(cfEvent()));
    expect(r.status).toBe('500');
    expect(r.headers!['cache-control'][0].value).toBe('no-store');
    const first = JSON.parse(logs[0]);
    expect(first).toMatchObject({ level: 'error', msg: 'config_invalid' });
  });

  test('minimal config (userPoolId, clientId, authDomain only): loads and starts a login', async () => {
    const handler = loadBundle({ userPoolId: cognito.userPoolId, clientId: PUBLIC, authDomain: cognito.url });
    expect(asResponse(await handler(cfEvent())).status).toBe('302');
  });

  test('log lines are JSON at the configured level', async () => {
    const b = new Browser(loadBundle(config({ logLevel: 'info' })));
    await login(b);
    expect(logs.length).toBeGreaterThan(0);
    for (const l of logs) expect(JSON.parse(l).level).toMatch(/^(info|warn|error)$/);
    logs.length = 0;
    const quiet = new Browser(loadBundle(config({ logLevel: 'none' })));
    await login(quiet);
    expect(logs).toEqual([]);
  });
});
