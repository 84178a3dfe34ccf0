/**
 * Flow tests of session mode (design §7): the real built session-mode bundle
 * (assets/edge-auth-session/index.js, config.json with
 * `session`) answers the auth routes, the real built viewer function (in the CloudFront
 * Functions sandbox, with the same key in its KeyValueStore) checks every other path, and the
 * local Cognito-compatible server plays the hosted UI. A small browser model follows redirects and
 * keeps cookies with their Path (the refresh cookie is sent to the auth routes only).
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontResultResponse } from 'aws-lambda';
import { BundleHandler, loadBundle, SESSION_BUNDLE } from './bundle';
import { cfEvent, DIST_DOMAIN } from './helpers';
import { mintSessionCookie, rulesHash, sessionKeyName } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig } from '../../lambda-src/shared/viewer-config';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';
import { loadCloudFrontFunction, Sandbox } from '../support/cloudfront-functions-sandbox';
import { viewerCode } from '../viewer/helpers';

const CLIENT = 'sessionmodeclient000000001';
const STATE_SECRET = 'flow-session-mode-state-secret-0123';
const PASSWORD = 'pw';
const ORIGIN = `https://${DIST_DOMAIN}`;
const KID = 'k1';
const KEY = randomBytes(32).toString('base64url');
const SESSION = '__Host-CognitoEdgeAuth-s';
const REFRESH = '__Secure-CognitoEdgeAuth-refresh';
const RULES = { requiredGroups: [] as string[], pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/staff/*', requiredGroups: ['staff'] }] };
/** An Entra user in 150 directory groups (GUIDs), one of which a rule names. */
const GUID_GROUPS = Array.from({ length: 150 }, (_, i) => `0b9e4f7c-1d2a-4e3b-9c8d-${String(i).padStart(12, '0')}`);
const ENTRA_GROUPS = [...GUID_GROUPS.slice(0, 75), 'staff', ...GUID_GROUPS.slice(75)];

let cognito: LocalCognito;
let edgeLogs: string[];

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [{ clientId: CLIENT, callbackUrls: [`${ORIGIN}/_auth/callback`], logoutUrls: [`${ORIGIN}/_auth/signed-out`] }],
    users: [
      { username: 'alice', password: PASSWORD, groups: ['readers'] },
      { username: 'entra', password: PASSWORD, groups: ENTRA_GROUPS },
    ],
  });
});
afterAll(async () => cognito.close());
beforeEach(() => {
  edgeLogs = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => { edgeLogs.push(String(line)); });
});
afterEach(() => {
  jest.restoreAllMocks();
  cognito.setFailureMode('none');
  cognito.setAvailable(true);
});

function edgeConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    userPoolId: cognito.userPoolId,
    clientId: CLIENT,
    authDomain: cognito.url,
    jwks: cognito.jwks,
    stateSecret: STATE_SECRET,
    logLevel: 'debug',
    ...RULES,
    session: { authPathPrefix: '/_auth/', keyId: KID, key: KEY },
    ...overrides,
  };
}

async function viewerFunction(): Promise<Sandbox> {
  return loadCloudFrontFunction(injectViewerConfig(await viewerCode(), buildViewerConfig(RULES)), { store: { [sessionKeyName(KID)]: KEY } });
}

/** One answer as the browser sees it, whichever function gave it (or the origin). */
interface Seen {
  readonly by: 'edge' | 'viewer' | 'origin';
  readonly status: number;
  readonly location?: string;
  /** Response headers other than Set-Cookie, and the body: what must never carry a secret. */
  readonly visible: string;
  readonly setCookies: string[];
  /** What the origin received (by: 'origin'). */
  readonly originHeaders?: Record<string, string>;
  readonly originCookies?: string[];
  readonly retryAfter?: string;
}

interface Stored { value: string; path: string }

interface Send { method?: string; headers?: Record<string, string>; navigation?: boolean }

/** A browser in front of the two functions: auth paths go to the bundle, everything else to the viewer function. */
class Browser {
  readonly cookies = new Map<string, Stored>();
  readonly seen: Seen[] = [];
  constructor(private readonly edge: BundleHandler, readonly viewer: Sandbox) {}

  cookiesFor(path: string): Array<[string, string]> {
    return [...this.cookies].filter(([, c]) => path.startsWith(c.path)).map(([k, c]) => [k.split('|')[0], c.value]);
  }

  cookieHeader(path: string): string {
    return this.cookiesFor(path).map(([n, v]) => `${n}=${v}`).join('; ');
  }

  apply(values: string[]): void {
    for (const v of values) {
      const [pair, ...attrs] = v.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const path = attrs.find((a) => a.startsWith('Path='))?.slice(5) ?? '/';
      if (attrs.includes('Max-Age=0')) this.cookies.delete(`${name}|${path}`);
      else this.cookies.set(`${name}|${path}`, { value: pair.slice(eq + 1), path });
    }
  }

  async request(target: string, o: Send = {}): Promise<Seen> {
    const url = new URL(target, ORIGIN);
    expect(url.origin).toBe(ORIGIN);
    const seen = url.pathname.startsWith('/_auth/') ? await this.toEdge(url, o) : await this.toViewer(url, o);
    this.apply(seen.setCookies);
    this.seen.push(seen);
    return seen;
  }

  /** Follow redirects on the site (stops at the hosted UI, the origin, or any other answer). */
  async go(target: string, o: Send = {}): Promise<Seen> {
    let r = await this.request(target, o);
    for (let i = 0; i < 8 && r.status === 302 && r.location !== undefined && (r.location.startsWith('/') || r.location.startsWith(ORIGIN)); i++) {
      r = await this.request(r.location, { ...o, headers: { ...o.headers } });
    }
    return r;
  }

  private async toEdge(url: URL, o: Send): Promise<Seen> {
    const cookie = this.cookieHeader(url.pathname);
    const r = await this.edge(cfEvent({
      uri: url.pathname,
      querystring: url.search.slice(1),
      method: o.method,
      navigation: o.navigation ?? true,
      headers: o.headers,
      cookies: cookie.length > 0 ? [cookie] : [],
    })) as CloudFrontResultResponse;
    expect(r.status).toBeDefined(); // the auth routes never forward
    const { 'set-cookie': set = [], ...rest } = r.headers ?? {};
    return {
      by: 'edge',
      status: Number(r.status),
      location: r.headers?.location?.[0]?.value,
      visible: JSON.stringify(rest) + (r.body ?? ''),
      setCookies: set.map((h) => h.value),
      retryAfter: r.headers?.['retry-after']?.[0]?.value,
    };
  }

  private async toViewer(url: URL, o: Send): Promise<Seen> {
    const headers: Record<string, { value: string }> = { host: { value: DIST_DOMAIN } };
    const nav = o.navigation ?? true;
    headers['sec-fetch-mode'] = { value: nav ? 'navigate' : 'cors' };
    headers.accept = { value: nav ? 'text/html' : 'application/json' };
    for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = { value: v };
    const cookies: Record<string, { value: string; multiValue?: Array<{ value: string }> }> = {};
    for (const [n, v] of this.cookiesFor(url.pathname)) cookies[n] = { value: v };
    const querystring: Record<string, { value: string }> = {};
    for (const pair of url.search.slice(1).split('&').filter((p) => p.length > 0)) {
      const eq = pair.indexOf('=');
      querystring[eq < 0 ? pair : pair.slice(0, eq)] = { value: eq < 0 ? '' : pair.slice(eq + 1) };
    }
    const event = {
      version: '1.0',
      context: { distributionDomainName: DIST_DOMAIN, eventType: 'viewer-request' },
      viewer: { ip: '198.51.100.11' },
      request: { method: o.method ?? 'GET', uri: url.pathname, querystring, headers, cookies },
    };
    const r = await this.viewer.invoke(event, Date.now()) as Record<string, any>;
    if (typeof r.statusCode !== 'number') {
      return {
        by: 'origin',
        status: 200,
        visible: '',
        setCookies: [],
        originHeaders: Object.fromEntries(Object.entries(r.headers as Record<string, { value: string }>).map(([k, v]) => [k, v.value])),
        originCookies: Object.keys(r.cookies ?? {}),
      };
    }
    const h = (r.headers ?? {}) as Record<string, { value: string }>;
    const set = Object.entries((r.cookies ?? {}) as Record<string, { value: string; attributes?: string }>)
      .map(([n, c]) => `${n}=${c.value}${c.attributes ? `; ${c.attributes}` : ''}`);
    return {
      by: 'viewer',
      status: r.statusCode,
      location: h.location?.value,
      visible: JSON.stringify(h) + (r.body?.data ?? ''),
      setCookies: set,
      retryAfter: h['retry-after']?.value,
    };
  }
}

/** At the hosted UI: open the authorize URL, sign in, return the callback URL. */
async function signIn(authorize: string, username: string): Promise<string> {
  const form = await fetch(authorize, { redirect: 'manual' });
  const request = /name="request" value="([^"]+)"/.exec(await form.text())?.[1];
  if (request === undefined) throw new Error(`no sign-in form (${form.status})`);
  const done = await fetch(`${cognito.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, username, password: PASSWORD }).toString(),
  });
  return done.headers.get('location')!;
}

async function newBrowser(overrides: Record<string, unknown> = {}): Promise<Browser> {
  return new Browser(loadBundle(edgeConfig(overrides), SESSION_BUNDLE), await viewerFunction());
}

/** From a protected page with no session to the origin, through the login route, the hosted UI and the callback. */
async function signedIn(b: Browser, username = 'alice', page = '/docs/a.html?x=1'): Promise<Seen> {
  const atIdp = await b.go(page);
  expect(atIdp.location).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
  return b.go(await signIn(atIdp.location!, username));
}

/** Replace the session cookie with a validly signed one whose exp has passed. */
function expire(b: Browser): void {
  const now = Math.floor(Date.now() / 1000);
  const value = mintSessionCookie({ sub: 's-1', username: 'alice', groups: [], exp: now - 5 }, { kid: KID, key: KEY, rulesHash: rulesHash(RULES), now: now - 3600 });
  b.cookies.set(`${SESSION}|/`, { value, path: '/' });
}

function tokenCalls(): number {
  return cognito.requests.filter((r) => r.path === '/oauth2/token').length;
}

describe('session mode, end to end', () => {
  test('login → callback → session cookie → the viewer function lets the request through with the identity and without the library\'s cookies', async () => {
    const b = await newBrowser();
    const first = await b.request('/docs/a.html?x=1');
    expect([first.by, first.status, first.location]).toEqual(['viewer', 302, `/_auth/login?return=${encodeURIComponent('/docs/a.html?x=1')}`]);
    const end = await signedIn(b, 'alice');
    expect(end.by).toBe('origin');
    expect(end.originHeaders!['x-cognito-edge-auth-user']).toBe('alice');
    expect(end.originCookies).toEqual([]);
    // the path the browser asked for, with its query
    expect(b.seen.find((s) => s.by === 'edge' && s.location === `${ORIGIN}/docs/a.html?x=1`)).toBeDefined();
    expect([...b.cookies.keys()].sort()).toEqual([`${REFRESH}|/_auth/`, `${SESSION}|/`, '__Host-CognitoEdgeAuth-n|/'].sort());
    // rules: alice is not in admins
    const denied = await b.request('/admin/x', { navigation: false });
    expect([denied.by, denied.status]).toEqual(['viewer', 403]);
  });

  test('expired session → the viewer sends it to refresh → a new cookie → allowed', async () => {
    const b = await newBrowser();
    await signedIn(b);
    expire(b);
    const before = tokenCalls();
    const redirected = await b.request('/docs/b.html');
    expect([redirected.by, redirected.status, redirected.location]).toEqual(['viewer', 302, `/_auth/refresh?return=${encodeURIComponent('/docs/b.html')}`]);
    const end = await b.go(redirected.location!);
    expect(tokenCalls() - before).toBe(1);
    expect(end.by).toBe('origin');
    expect(end.originHeaders!['x-cognito-edge-auth-user']).toBe('alice');
  });

  test('a fetch() with an expired session follows the same redirects and gets its data', async () => {
    const b = await newBrowser();
    await signedIn(b);
    expire(b);
    const end = await b.go('/api/data.json', { navigation: false, headers: { 'Sec-Fetch-Site': 'same-origin' } });
    expect(end.by).toBe('origin');
  });

  test('invalid_grant (refresh token revoked) → the refresh route sends the browser to the login once', async () => {
    const b = await newBrowser();
    await signedIn(b);
    expect(cognito.globalSignOut('alice')).toBeGreaterThan(0);
    expire(b);
    const end = await b.go('/docs/c.html');
    expect(end.location).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
    const edgeHops = b.seen.filter((s) => s.by === 'edge').map((s) => s.location?.replace(ORIGIN, '').replace(/\?.*/, ''));
    expect(edgeHops.slice(-3)).toEqual(['/_auth/refresh', '/_auth/login', `${cognito.url}/oauth2/authorize`]);
  });

  test('token endpoint down at refresh → 503 with Retry-After, cookies kept', async () => {
    const b = await newBrowser();
    await signedIn(b);
    expire(b);
    const kept = new Map(b.cookies);
    cognito.setFailureMode('503');
    const r = await b.go('/docs/d.html');
    expect([r.by, r.status, r.retryAfter]).toEqual(['edge', 503, '5']);
    expect(r.setCookies).toEqual([]);
    expect(new Map([...b.cookies].filter(([k]) => !k.startsWith('__Host-CognitoEdgeAuth-rg')))).toEqual(kept);
    cognito.setFailureMode('none');
    expect((await b.go('/docs/d.html')).by).toBe('origin');
  });

  test('cross-site refresh and sign-out are refused', async () => {
    const b = await newBrowser();
    await signedIn(b);
    const calls = cognito.requests.length;
    const refresh = await b.request('/_auth/refresh?return=%2F', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    const signOut = await b.request('/_auth/signout', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect([refresh.status, signOut.status]).toEqual([403, 403]);
    expect(cognito.requests.length).toBe(calls);
    expect((await b.request('/docs/a.html')).by).toBe('origin'); // still signed in
  });

  test('sign-out expires the session and the refresh cookie; the next request goes to the login', async () => {
    const b = await newBrowser();
    await signedIn(b);
    const r = await b.request('/_auth/signout');
    expect(r.location).toMatch(new RegExp(`^${cognito.url}/logout\\?`));
    expect([...b.cookies.keys()]).toEqual([]);
    expect((await b.request('/docs/a.html')).location).toMatch(/^\/_auth\/login\?return=/);
  });

  test('unknown route under the prefix → 404', async () => {
    const b = await newBrowser();
    expect((await b.request('/_auth/whatever')).status).toBe(404);
  });

  test('an Entra user in 150 groups gets a small cookie carrying only the rule-named group', async () => {
    const b = await newBrowser({ identityProvider: 'EntraID' });
    const end = await signedIn(b, 'entra', '/staff/report.html');
    expect(end.by).toBe('origin');
    const cookie = b.cookies.get(`${SESSION}|/`)!.value;
    expect(cookie.length).toBeLessThan(400);
    const payload = JSON.parse(Buffer.from(cookie.split('.')[2], 'base64url').toString('ascii'));
    expect(payload.g).toEqual(['staff']);
    // the Cookie header of an ordinary signed-in request: the session cookie (and the login-loop count while it lives)
    expect(b.cookieHeader('/staff/report.html').length).toBeLessThan(450);
  });

  test('no key, token or code in any body, non-cookie header or log line', async () => {
    const b = await newBrowser({ identityProvider: 'EntraID' });
    const atIdp = await b.go('/docs/a.html');
    const back = await signIn(atIdp.location!, 'entra');
    const code = new URL(back).searchParams.get('code')!;
    await b.go(back);
    const refreshToken = b.cookies.get(`${REFRESH}|/_auth/`)!.value;
    expire(b);
    await b.go('/docs/b.html');
    const session = b.cookies.get(`${SESSION}|/`)!.value;
    await b.request('/_auth/signout');
    const secrets = [KEY, code, refreshToken, session];
    expect(b.seen.length).toBeGreaterThan(6);
    for (const s of b.seen) for (const secret of secrets) expect(s.visible).not.toContain(secret);
    for (const s of b.seen) for (const c of s.setCookies) expect(c).not.toContain(KEY);
    expect(edgeLogs.length).toBeGreaterThan(3);
    for (const line of edgeLogs) for (const secret of secrets) expect(line).not.toContain(secret);
    for (const line of b.viewer.logs) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
