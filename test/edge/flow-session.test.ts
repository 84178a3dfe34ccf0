/**
 * Flow tests of the session guarantees (design §4.10–4.12 and the signed-out page): the real built
 * bundle against the local Cognito-compatible server (with refresh-token rotation and no grace
 * period where the race is the point).
 */
import { BundleHandler, loadBundle } from './bundle';
import {
  applySetCookies, asRequest, asResponse, cfEvent, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN, EventOptions, location, Result, setCookies,
} from './helpers';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';

const CLIENT = 'sessionflowclient000000001';
const STATE_SECRET = 'flow-session-state-secret-0123456789';
const SIGNED_OUT = `https://${DIST_DOMAIN}/_auth/signed-out`;
const ID = `${COOKIE_PREFIX}id`;
const REFRESH = `${COOKIE_PREFIX}refresh`;

let cognito: LocalCognito;

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [{ clientId: CLIENT, callbackUrls: [`https://${DIST_DOMAIN}/_auth/callback`], logoutUrls: [SIGNED_OUT] }],
    users: [{ username: 'alice', password: 'pw', groups: ['readers'] }],
  });
});
afterAll(async () => cognito.close());
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => {
  jest.restoreAllMocks();
  cognito.setFailureMode('none');
  cognito.setAvailable(true);
  cognito.setRefreshTokenRotation(undefined);
});

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userPoolId: cognito.userPoolId, clientId: CLIENT, authDomain: cognito.url, jwks: cognito.jwks, stateSecret: STATE_SECRET, logLevel: 'debug', ...overrides };
}

class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly handler: BundleHandler) {}
  async request(uri: string, querystring = '', opts: EventOptions = {}): Promise<Result> {
    return this.apply(await this.send(uri, querystring, opts));
  }
  /** Send with the current cookies without applying the answer's Set-Cookie yet. */
  send(uri: string, querystring = '', opts: EventOptions = {}): Promise<Result> {
    return this.handler(cfEvent({ uri, querystring, cookies: cookieHeader(this.jar), ...opts }));
  }
  apply(r: Result): Result {
    if ('status' in r) applySetCookies(this.jar, setCookies(r));
    return r;
  }
}

function tokenCalls(): number {
  return cognito.requests.filter((r) => r.path === '/oauth2/token').length;
}

/** A browser whose id token has expired and whose refresh token is live. */
function expiredSession(b: Browser): string {
  const t = cognito.mintTokens({ clientId: CLIENT, username: 'alice', idTokenTtlSeconds: -60 });
  b.jar.set(ID, t.idToken).set(REFRESH, t.refreshToken);
  return t.refreshToken;
}

describe('refresh race with rotation and no grace period', () => {
  test('a burst of parallel requests at expiry: one refresh wins, no answer expires a cookie, every request ends at the origin signed in', async () => {
    cognito.setRefreshTokenRotation({ gracePeriodSeconds: 0 });
    const b = new Browser(loadBundle(config()));
    const old = expiredSession(b);
    const uris = ['/index.html', '/app.css', '/app.js', '/logo.png', '/font.woff2', '/data.json'];
    const before = tokenCalls();
    const answers = (await Promise.all(uris.map((u, i) => b.send(u, '', { navigation: i === 0 })))).map(asResponse);
    expect(tokenCalls() - before).toBe(uris.length);
    for (const r of answers) {
      expect(r.status).toBe('302');
      expect(setCookies(r).filter((c) => c.includes('Max-Age=0'))).toEqual([]);
    }
    expect(answers.filter((r) => setCookies(r).some((c) => c.startsWith(`${REFRESH}=`)))).toHaveLength(1);
    // The answers reach the browser in any order; the winner's last here, then first.
    for (const order of [answers, [...answers].reverse()]) {
      const copy = new Browser(loadBundle(config()));
      for (const [k, v] of b.jar) copy.jar.set(k, v);
      for (const r of order) copy.apply(r);
      expect(copy.jar.get(REFRESH)).not.toBe(old);
      for (const [i, r] of answers.entries()) {
        expect(location(r)).toBe(`https://${DIST_DOMAIN}${uris[i]}`);
        const req = asRequest(await copy.request(uris[i]));
        expect(req.headers['x-cognito-edge-auth-user'][0].value).toBe('alice');
      }
    }
    expect(tokenCalls() - before).toBe(uris.length);
  });

  test('a dead refresh token (revoked) still ends in exactly one fresh login', async () => {
    const b = new Browser(loadBundle(config()));
    const rt = expiredSession(b);
    cognito.globalSignOut('alice');
    expect(rt).toBeTruthy();
    const before = tokenCalls();
    let r = asResponse(await b.request('/deep', 'q=1'));
    const sameUrl: string[] = [];
    while (location(r).startsWith(`https://${DIST_DOMAIN}/`) && sameUrl.length < 5) {
      sameUrl.push(location(r));
      const url = new URL(location(r));
      r = asResponse(await b.request(url.pathname, url.search.slice(1)));
    }
    expect(sameUrl).toEqual([`https://${DIST_DOMAIN}/deep?q=1`]);
    expect(location(r)).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
    expect(tokenCalls() - before).toBe(1);
  });
});

describe('Cognito unavailable at refresh: cookies kept, 503 with Retry-After', () => {
  test.each<[string, () => void]>([
    ['429', () => cognito.setFailureMode('429')],
    ['503', () => cognito.setFailureMode('503')],
    ['down', () => cognito.setAvailable(false)],
    ['connection reset', () => cognito.setFailureMode('reset')],
    ['hang (timeout)', () => cognito.setFailureMode('hang')],
  ])('%s', async (_n, breakIt) => {
    const b = new Browser(loadBundle(config({ upstreamTimeoutMs: 300 })));
    const rt = expiredSession(b);
    const idBefore = b.jar.get(ID);
    breakIt();
    const page = asResponse(await b.request('/report', 'y=1'));
    expect(page.status).toBe('503');
    expect(Number(page.headers!['retry-after'][0].value)).toBeGreaterThan(0);
    expect(page.body).toContain(`href="https://${DIST_DOMAIN}/report?y=1"`);
    const api = asResponse(await b.request('/api/x', '', { navigation: false, headers: { 'sec-fetch-mode': 'cors' } }));
    expect(api.status).toBe('503');
    expect(JSON.parse(api.body!)).toEqual({ error: 'unavailable' });
    expect(b.jar.get(REFRESH)).toBe(rt);
    expect(b.jar.get(ID)).toBe(idBefore);
    // Cognito is back: the retry refreshes and the session goes on, without a login.
    cognito.setFailureMode('none');
    cognito.setAvailable(true);
    const retry = asResponse(await b.request('/report', 'y=1'));
    expect(location(retry)).toBe(`https://${DIST_DOMAIN}/report?y=1`);
    asRequest(await b.request('/report', 'y=1'));
  });
});

test('a refresh cookie that cannot be a Cognito refresh token ends the session without any call to Cognito', async () => {
  const b = new Browser(loadBundle(config()));
  expiredSession(b);
  b.jar.set(REFRESH, 'x'.repeat(2000));
  const before = cognito.requests.length;
  const r = asResponse(await b.request('/'));
  expect(location(r)).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
  expect(b.jar.has(REFRESH)).toBe(false);
  expect(cognito.requests.length).toBe(before);
});

test('login cookies come back with SameSite=Strict, a Domain and a narrower Path: the login completes', async () => {
  const b = new Browser(loadBundle(config({ cookies: { sameSite: 'Strict', domain: 'cloudfront.net', path: '/app' } })));
  const start = asResponse(await b.request('/app/home'));
  for (const c of setCookies(start)) expect(c).toMatch(/^__Host-CognitoEdgeAuth-login\.[^;]+; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
  const url = new URL(location(start));
  const code = cognito.issueCode({
    clientId: CLIENT,
    redirectUri: url.searchParams.get('redirect_uri')!,
    username: 'alice',
    codeChallenge: url.searchParams.get('code_challenge')!,
    codeChallengeMethod: 'S256',
    nonce: url.searchParams.get('nonce')!,
  });
  const cb = asResponse(await b.request('/_auth/callback', `code=${code}&state=${encodeURIComponent(url.searchParams.get('state')!)}`));
  expect(location(cb)).toBe(`https://${DIST_DOMAIN}/app/home`);
  expect(b.jar.has('__Secure-CognitoEdgeAuth-id')).toBe(true);
  asRequest(await b.request('/app/home'));
});

test('sign-out lands on the signed-out page by default: Cognito accepts the registered URL and the edge serves the page', async () => {
  const b = new Browser(loadBundle(config()));
  expiredSession(b);
  const out = asResponse(await b.request('/_auth/signout'));
  const logout = await fetch(location(out), { redirect: 'manual' });
  expect(logout.status).toBe(302);
  expect(logout.headers.get('location')).toBe(SIGNED_OUT);
  const landing = asResponse(await b.request('/_auth/signed-out'));
  expect(landing.status).toBe('200');
  expect(landing.body).toContain('You are signed out.');
  expect(landing.body).toContain(`href="https://${DIST_DOMAIN}/"`);
});

test('a library cookie planted twice (sibling host with a Domain) means no session: a login, and the copies expired', async () => {
  const b = new Browser(loadBundle(config({ cookies: { domain: 'cloudfront.net' } })));
  const t = cognito.mintTokens({ clientId: CLIENT, username: 'alice' });
  const name = '__Secure-CognitoEdgeAuth-id';
  const handler = loadBundle(config({ cookies: { domain: 'cloudfront.net' } }));
  asRequest(await handler(cfEvent({ cookies: [`${name}=${t.idToken}`] })));
  const planted = cognito.mintTokens({ clientId: CLIENT, username: 'alice' }).idToken;
  const r = asResponse(await b.request('/', '', { cookies: [`${name}=${t.idToken}; ${name}=${planted}`] }));
  expect(location(r)).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
  expect(setCookies(r)).toContain(`${name}=; Max-Age=0; Path=/; Domain=cloudfront.net; Secure; HttpOnly; SameSite=Lax`);
});
