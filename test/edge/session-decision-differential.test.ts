/**
 * Differential property of session mode (design §7): for any user, path and rule set, a signed-in
 * request gets the same decision (allow or 403) from the viewer function, holding a session cookie
 * the session-mode handler minted at the callback, as from the Lambda@Edge-mode handler holding
 * the user's id token. Exercises the whole chain: groups claim → rule-named groups in the cookie
 * → rules hash → the viewer function's rules.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  applySetCookies, asResponse, baseConfig, cfEvent, COOKIE_PREFIX, cookieHeader, fakeFetch, idToken, jsonResponse, location, Result, setCookies,
} from './helpers';
import { createHandler } from '../../lambda-src/edge-auth/handler';
import { sessionKeyName } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig } from '../../lambda-src/shared/viewer-config';
import { loadCloudFrontFunction } from '../support/cloudfront-functions-sandbox';
import { viewerCode } from '../viewer/helpers';

const KEY = randomBytes(32).toString('base64url');
const SESSION = '__Host-CognitoEdgeAuth-s';
const quiet = (): void => undefined;

const group = fc.constantFrom('g1', 'g2', 'admins', 'staff', 'Reports.Read');
const pattern = fc.constantFrom('/admin/*', '/reports/*.pdf', '/*.html', '/public/*', '/a?c/*', '/docs/*', '*', '/admin/a?c/*');
const rules = fc.record({
  requiredGroups: fc.option(fc.uniqueArray(group, { maxLength: 2 }), { nil: undefined }),
  pathRules: fc.array(fc.record({ pathPattern: pattern, requiredGroups: fc.uniqueArray(group, { maxLength: 3 }) }), { maxLength: 4 }),
});
const path = fc.array(fc.constantFrom('admin', 'reports', 'public', 'docs', 'a.pdf', 'b.html', 'abc', 'a1c', 'x'), { minLength: 1, maxLength: 4 })
  .map((segments) => `/${segments.join('/')}`);

type Rules = { requiredGroups?: string[]; pathRules: Array<{ pathPattern: string; requiredGroups: string[] }> };

function decision(r: Result | { statusCode?: unknown }, by: string): 'allow' | 'deny' {
  if ('status' in r) {
    expect(`${by} ${String(r.status)}`).toBe(`${by} 403`);
    return 'deny';
  }
  if ('statusCode' in r && typeof r.statusCode === 'number') {
    expect(`${by} ${r.statusCode}`).toBe(`${by} 403`);
    return 'deny';
  }
  return 'allow';
}

/** The session cookie the session-mode handler mints for `token` (login route, then callback). */
async function mintedCookie(r: Rules, token: string): Promise<string> {
  const fetchFn = fakeFetch({ '/oauth2/token': () => jsonResponse(200, { id_token: token, access_token: 'x.y.z', token_type: 'Bearer', expires_in: 3600 }) });
  const h = createHandler(baseConfig({ ...r, logLevel: 'none', session: { authPathPrefix: '/_auth/', keyId: 'k1', key: KEY } }), { fetch: fetchFn, log: quiet });
  const jar = new Map<string, string>();
  const start = asResponse(await h(cfEvent({ uri: '/_auth/login', querystring: 'return=%2F' })));
  applySetCookies(jar, setCookies(start));
  const state = new URL(location(start)).searchParams.get('state')!;
  const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=c&state=${encodeURIComponent(state)}`, cookies: cookieHeader(jar) })));
  applySetCookies(jar, setCookies(cb));
  const value = jar.get(SESSION);
  if (value === undefined) throw new Error(`no session cookie (callback ${cb.status})`);
  return value;
}

test('property: with a valid session, the viewer function decides as the Lambda@Edge handler (allow/403) for the same user, path and rules', async () => {
  const code = await viewerCode();
  await fc.assert(fc.asyncProperty(rules, fc.uniqueArray(group, { maxLength: 4 }), path, async (r, groups, p) => {
    const token = idToken({ 'cognito:groups': groups });
    const lambdaEdge = createHandler(baseConfig({ ...r, logLevel: 'none' }), { log: quiet });
    const edgeSays = decision(await lambdaEdge(cfEvent({ uri: p, navigation: false, cookies: [`${COOKIE_PREFIX}id=${token}`] })), 'lambda@edge');

    const cookie = await mintedCookie(r, token);
    const viewer = loadCloudFrontFunction(injectViewerConfig(code, buildViewerConfig(r)), { store: { [sessionKeyName('k1')]: KEY } });
    const viewerSays = decision(await viewer.invoke({
      version: '1.0',
      context: { eventType: 'viewer-request' },
      viewer: { ip: '198.51.100.11' },
      request: {
        method: 'GET',
        uri: p,
        querystring: {},
        cookies: { [SESSION]: { value: cookie } },
        headers: { 'host': { value: 'd111111abcdef8.cloudfront.net' }, 'sec-fetch-mode': { value: 'cors' }, 'accept': { value: 'application/json' } },
      },
    }, Date.now()) as Record<string, unknown>, 'viewer');
    expect(viewerSays).toBe(edgeSays);
  }), { numRuns: 80 });
}, 120_000);
