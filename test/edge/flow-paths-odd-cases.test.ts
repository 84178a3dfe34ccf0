/**
 * Flow tests of design §4.9 (one path, one decision) and §4.13 (odd cases): the real built bundle
 * (assets/edge-auth/index.js + a written config.json) against the local Cognito-compatible server
 * on 127.0.0.1, with the README's rules (`requiredGroups: ['staff']`, `/admin/*` needs `admins`).
 */
import { BundleHandler, loadBundle } from './bundle';
import {
  applySetCookies, asRequest, asResponse, cfEvent, COOKIE_PREFIX, cookieHeader, DIST_DOMAIN, EventOptions, location, Result, setCookies,
} from './helpers';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';

const CLIENT = 'pathsclient0000000000000001';
const STATE_SECRET = 'flow-paths-state-secret-0123456789';
const CALLBACK = `https://${DIST_DOMAIN}/_auth/callback`;
const ID = `${COOKIE_PREFIX}id`;
const README_RULES = {
  requiredGroups: ['staff'],
  pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admins'] }, { pathPattern: '/public/*', requiredGroups: [] }],
};
const BYPASSES = [
  '/%61dmin/secret.html',
  '//admin/secret.html',
  '/./admin/secret.html',
  '/public/../admin/secret.html',
  '/public/%2e%2e/admin/secret.html',
  '/admin%2Fsecret.html',
  '/%5Cadmin/secret.html',
];

let cognito: LocalCognito;

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [{ clientId: CLIENT, callbackUrls: [CALLBACK], logoutUrls: [`https://${DIST_DOMAIN}/`] }],
    users: [
      { username: 'sam', password: 'pw', groups: ['staff'] },
      { username: 'ada', password: 'pw', groups: ['staff', 'admins'] },
    ],
  });
});

afterAll(async () => cognito.close());

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userPoolId: cognito.userPoolId, clientId: CLIENT, authDomain: cognito.url, jwks: cognito.jwks, stateSecret: STATE_SECRET, logLevel: 'debug', ...overrides };
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

  async follow(r: Result): Promise<Result> {
    const url = new URL(location(r));
    expect(url.origin).toBe(`https://${DIST_DOMAIN}`);
    return this.request(url.pathname, url.search.slice(1));
  }
}

/** The hosted UI signing `username` in for the authorize request at `authorizeLocation`. */
function signIn(authorizeLocation: string, username: string): string {
  const url = new URL(authorizeLocation);
  expect(`${url.origin}${url.pathname}`).toBe(`${cognito.url}/oauth2/authorize`);
  const code = cognito.issueCode({
    clientId: CLIENT,
    redirectUri: url.searchParams.get('redirect_uri')!,
    username,
    codeChallenge: url.searchParams.get('code_challenge')!,
    codeChallengeMethod: 'S256',
    nonce: url.searchParams.get('nonce') ?? undefined,
  });
  return `code=${encodeURIComponent(code)}&state=${encodeURIComponent(url.searchParams.get('state')!)}`;
}

async function signedIn(handler: BundleHandler, username: string, uri = '/'): Promise<{ b: Browser; authorize: string; callback: Result }> {
  const b = new Browser(handler);
  const start = asResponse(await b.request(uri));
  const authorize = location(start);
  const callback = await b.request('/_auth/callback', signIn(authorize, username));
  expect(asResponse(callback).status).toBe('302');
  return { b, authorize, callback };
}

describe('one path, one decision (README rules, built bundle)', () => {
  let handler: BundleHandler;
  let staff: Browser;
  let admin: Browser;
  beforeAll(async () => {
    handler = loadBundle(config(README_RULES));
    staff = (await signedIn(handler, 'sam')).b;
    admin = (await signedIn(handler, 'ada')).b;
  });

  test.each(BYPASSES)('%s: a staff non-admin gets a 302 to /admin/secret.html, then the 403 page; never forwarded', async (uri) => {
    const r = asResponse(await staff.request(uri, 'v=2'));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/admin/secret.html?v=2`);
    expect(asResponse(await staff.follow(r)).status).toBe('403');
  });

  test.each(BYPASSES)('%s: an admin gets there through the canonical URL', async (uri) => {
    const req = asRequest(await admin.follow(asResponse(await admin.request(uri))));
    expect(req.uri).toBe('/admin/secret.html');
    expect(req.headers['x-cognito-edge-auth-user'][0].value).toBe('ada');
  });

  test.each(BYPASSES)('%s: a fetch gets 400, not the origin', async (uri) => {
    const r = asResponse(await admin.request(uri, '', { navigation: false, headers: { 'sec-fetch-mode': 'cors', 'accept': '*/*' } }));
    expect(r.status).toBe('400');
    expect(r.headers!.location).toBeUndefined();
  });

  test('a path without a canonical form (double-encoded) gets 400 even for a navigation', async () => {
    expect(asResponse(await admin.request('/%2561dmin/secret.html')).status).toBe('400');
  });

  test('without path rules, an odd spelling is forwarded as sent after the session check', async () => {
    const b = (await signedIn(loadBundle(config({ requiredGroups: ['staff'] })), 'sam')).b;
    for (const uri of [...BYPASSES, '/odd%2561key']) expect(asRequest(await b.request(uri)).uri).toBe(uri);
  });
});

describe('odd cases (design §4.13, built bundle)', () => {
  test('Back after signing in: the hosted UI answers the old authorize URL with the used state → 302 to its path, no token call', async () => {
    const { b, authorize } = await signedIn(loadBundle(config()), 'sam', '/deep/page');
    const tokenCalls = cognito.requests.filter((r) => r.path === '/oauth2/token').length;
    const r = asResponse(await b.request('/_auth/callback', signIn(authorize, 'sam')));
    expect(r.status).toBe('302');
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/deep/page`);
    expect(cognito.requests.filter((x) => x.path === '/oauth2/token')).toHaveLength(tokenCalls);
    asRequest(await b.follow(r));
  });

  test('a bookmarked callback URL (state long expired) with a live session → 302 to /', async () => {
    const { b } = await signedIn(loadBundle(config()), 'sam');
    const r = asResponse(await b.request('/_auth/callback', 'code=old&state=eyJuIjoiQSJ9.AAAA'));
    expect(location(r)).toBe(`https://${DIST_DOMAIN}/`);
  });

  test('error= on the callback: the same answer with a valid, a forged or no state', async () => {
    const handler = loadBundle(config());
    const b = new Browser(handler);
    const state = new URL(location(asResponse(await b.request('/app')))).searchParams.get('state')!;
    const answers = await Promise.all([`&state=${encodeURIComponent(state)}`, '&state=eyJuIjoiQSJ9.AAAA', ''].map(async (s) =>
      asResponse(await handler(cfEvent({ uri: '/_auth/callback', querystring: `error=access_denied${s}`, cookies: cookieHeader(b.jar) })))));
    expect(answers[0].status).toBe('400');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  test('tokens that fail verification at the callback (pool id of the configuration is another) → 502, no session', async () => {
    const b = new Browser(loadBundle(config({ userPoolId: 'us-east-1_SomeOther9' })));
    const start = asResponse(await b.request('/x'));
    const r = asResponse(await b.request('/_auth/callback', signIn(location(start), 'sam')));
    expect(r.status).toBe('502');
    expect(b.jar.has(ID)).toBe(false);
  });

  test('a configured key set without a usable RS256 key → 503 page, no redirect to the hosted UI', async () => {
    const b = new Browser(loadBundle(config({ jwks: { keys: [] } })));
    const r = asResponse(await b.request('/x'));
    expect(r.status).toBe('503');
    expect(r.headers!.location).toBeUndefined();
  });

  test('an id token issued more than 60 s in the future is no session', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = JSON.parse(Buffer.from(cognito.mintTokens({ clientId: CLIENT, username: 'sam' }).idToken.split('.')[1], 'base64url').toString());
    const future = cognito.signJwt({ ...payload, iat: now + 300, exp: now + 3900 });
    const r = asResponse(await loadBundle(config())(cfEvent({ cookies: [`${ID}=${future}`] })));
    expect(location(r)).toMatch(new RegExp(`^${cognito.url}/oauth2/authorize\\?`));
  });
});
