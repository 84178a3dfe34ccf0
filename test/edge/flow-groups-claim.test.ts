/**
 * Flow tests for groupsClaim and publicPaths: the real built bundle against the local
 * Cognito-compatible server, with Entra-like users whose app roles reach the id token through an
 * attribute mapping (`custom:roles`, written as Cognito writes it: `[a, b]`), not Cognito groups.
 */
import { loadBundle } from './bundle';
import { asRequest, asResponse, cfEvent, cookieHeader, DIST_DOMAIN, applySetCookies, location, setCookies, Result } from './helpers';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';

const CLIENT = 'publicclient000000000000001';
const CALLBACK = `https://${DIST_DOMAIN}/_auth/callback`;

let cognito: LocalCognito;

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [{ clientId: CLIENT, callbackUrls: [CALLBACK], logoutUrls: [`https://${DIST_DOMAIN}/`] }],
    users: [
      { username: 'carol', password: 'pw', claims: { 'custom:roles': '[Reports.Read, Reports.Write]' } },
      { username: 'dave', password: 'pw', groups: ['Reports.Read'], claims: { 'custom:roles': '[Other.Role]' } },
      { username: 'erin', password: 'pw', claims: { 'custom:roles': 'Reports.Admin' } },
    ],
  });
});

afterAll(async () => cognito.close());

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

function handler() {
  return loadBundle({
    userPoolId: cognito.userPoolId,
    clientId: CLIENT,
    authDomain: cognito.url,
    jwks: cognito.jwks,
    stateSecret: 'flow-test-state-secret-0123456789',
    identityProvider: 'EntraID',
    groupsClaim: 'custom:roles',
    requiredGroups: ['Reports.Read', 'Reports.Admin'],
    pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['Reports.Admin'] }],
    publicPaths: ['/robots.txt', '/.well-known/*'],
  });
}

/** Sign `username` in through the bundle (via the EntraID provider) and return the request for `uri` afterwards. */
async function signedInRequest(username: string, uri: string): Promise<Result> {
  const h = handler();
  const jar = new Map<string, string>();
  const start = asResponse(await h(cfEvent({ uri })));
  applySetCookies(jar, setCookies(start));
  const url = new URL(location(start));
  expect(url.searchParams.get('identity_provider')).toBe('EntraID');
  const code = cognito.issueCode({
    clientId: CLIENT,
    redirectUri: url.searchParams.get('redirect_uri')!,
    username,
    identityProvider: 'EntraID',
    codeChallenge: url.searchParams.get('code_challenge')!,
    codeChallengeMethod: 'S256',
    nonce: url.searchParams.get('nonce') ?? undefined,
  });
  const cb = asResponse(await h(cfEvent({ uri: '/_auth/callback', querystring: `code=${encodeURIComponent(code)}&state=${encodeURIComponent(url.searchParams.get('state')!)}`, cookies: cookieHeader(jar) })));
  expect(cb.status).toBe('302');
  applySetCookies(jar, setCookies(cb));
  return h(cfEvent({ uri, cookies: cookieHeader(jar) }));
}

test('an Entra user whose app roles arrive as Cognito\'s "[a, b]" string gets through on a role', async () => {
  const req = asRequest(await signedInRequest('carol', '/reports/q3.html'));
  expect(req.uri).toBe('/reports/q3.html');
  expect(req.headers['x-cognito-edge-auth-user'][0].value).toBe('EntraID_carol');
});

test('Cognito groups are not read when groupsClaim names another claim: a user with the role only as a Cognito group gets 403', async () => {
  expect(asResponse(await signedInRequest('dave', '/')).status).toBe('403');
});

test('a single-valued claim works, and path rules read the same claim', async () => {
  asRequest(await signedInRequest('erin', '/admin/panel'));
  expect(asResponse(await signedInRequest('carol', '/admin/panel')).status).toBe('403');
});

test('public paths pass without signing in; a dot-segment spelling of another path does not', async () => {
  const h = handler();
  expect(asRequest(await h(cfEvent({ uri: '/robots.txt' }))).uri).toBe('/robots.txt');
  expect(asRequest(await h(cfEvent({ uri: '/.well-known/security.txt' }))).uri).toBe('/.well-known/security.txt');
  expect(asResponse(await h(cfEvent({ uri: '/.well-known/../reports/q3.html' }))).status).toBe('302');
});
