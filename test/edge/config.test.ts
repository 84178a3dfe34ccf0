/** Unit tests of config.ts: defaults, validation errors that name the field (never the value). */
import { compilePathPattern, DEFAULTS, resolveConfig } from '../../lambda-src/edge-auth/config';
import { ConfigError } from '../../lambda-src/edge-auth/errors';

const minimal = { userPoolId: 'eu-west-1_AbCdEf123', clientId: 'abc123', authDomain: 'https://auth.example.com' };

test('minimal config: region from the pool id, every default applied', () => {
  const c = resolveConfig(minimal);
  expect(c).toMatchObject({
    region: 'eu-west-1',
    authDomain: 'https://auth.example.com',
    callbackPath: DEFAULTS.callbackPath,
    signOutPath: DEFAULTS.signOutPath,
    signedOutPath: '/_auth/signed-out',
    signOutLandingPath: '/_auth/signed-out',
    scope: 'openid email profile',
    forwardAuthCookies: false,
    logLevel: 'warn',
    refreshTokenValiditySeconds: 2592000,
    upstreamTimeoutMs: 2500,
    aliases: [],
    pathRules: [],
    cookies: { baseName: '__Host-CognitoEdgeAuth', sameSite: 'Lax', path: '/' },
  });
  expect(c.clientSecret).toBeUndefined();
  expect(c.requiredGroups).toBeUndefined();
});

test('openid is always first and not repeated; aliases lower-cased; trailing slash of authDomain dropped', () => {
  const c = resolveConfig({ ...minimal, scopes: ['profile', 'openid', 'aws.cognito.signin.user.admin'], aliases: ['WWW.Example.COM'], authDomain: 'https://auth.example.com/' });
  expect(c.scope).toBe('openid profile aws.cognito.signin.user.admin');
  expect(c.aliases).toEqual(['www.example.com']);
  expect(c.authDomain).toBe('https://auth.example.com');
});

test('http authDomain is accepted only for loopback test servers', () => {
  expect(resolveConfig({ ...minimal, authDomain: 'http://127.0.0.1:8080' }).authDomain).toBe('http://127.0.0.1:8080');
  expect(() => resolveConfig({ ...minimal, authDomain: 'http://auth.example.com' })).toThrow(ConfigError);
});

test.each([
  ['not an object', [], /JSON object/],
  ['missing userPoolId', { clientId: 'a', authDomain: 'https://a.example.com' }, /"userPoolId"/],
  ['bad userPoolId', { ...minimal, userPoolId: 'nope' }, /"userPoolId"/],
  ['missing clientId', { userPoolId: minimal.userPoolId, authDomain: 'https://a.example.com' }, /"clientId"/],
  ['missing authDomain', { userPoolId: minimal.userPoolId, clientId: 'a' }, /"authDomain"/],
  ['authDomain with a path', { ...minimal, authDomain: 'https://a.example.com/x' }, /"authDomain"/],
  ['relative callbackPath', { ...minimal, callbackPath: 'cb' }, /"callbackPath"/],
  ['callbackPath with a query', { ...minimal, callbackPath: '/cb?x' }, /"callbackPath"/],
  ['same callback and sign-out path', { ...minimal, callbackPath: '/x', signOutPath: '/x' }, /"signOutPath"/],
  ['requiredGroups not strings', { ...minimal, requiredGroups: [1] }, /"requiredGroups"/],
  ['bad alias', { ...minimal, aliases: ['a b'] }, /"aliases\[0\]"/],
  ['short stateSecret', { ...minimal, stateSecret: 'short' }, /"stateSecret"/],
  ['bad logLevel', { ...minimal, logLevel: 'verbose' }, /"logLevel"/],
  ['timeout too long', { ...minimal, upstreamTimeoutMs: 10000 }, /"upstreamTimeoutMs"/],
  ['bad jwks', { ...minimal, jwks: { keys: 'x' } }, /"jwks"/],
  ['bad pathRules', { ...minimal, pathRules: [{ pathPattern: '/a' }] }, /"pathRules\[0\]\.requiredGroups"/],
  ['bad cookie prefix', { ...minimal, cookies: { namePrefix: '__Host-x' } }, /"cookies\.namePrefix"/],
  ['bad sameSite', { ...minimal, cookies: { sameSite: 'lax' } }, /"cookies\.sameSite"/],
  ['bad clientSecret', { ...minimal, clientSecret: 'has space' }, /"clientSecret"/],
])('%s → ConfigError naming the field', (_n, raw, message) => {
  expect(() => resolveConfig(raw)).toThrow(ConfigError);
  expect(() => resolveConfig(raw)).toThrow(message);
});

test('error messages never contain the offending value', () => {
  expect.assertions(3);
  try {
    resolveConfig({ ...minimal, clientSecret: 'SUPER SECRET VALUE' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/clientSecret/);
    expect((e as Error).message).not.toContain('SUPER');
  }
});

test('prototype keys in config.json are not honoured', () => {
  const raw = JSON.parse(`{"__proto__":{"forwardAuthCookies":true},${JSON.stringify(minimal).slice(1)}`);
  expect(resolveConfig(raw).forwardAuthCookies).toBe(false);
});

test('path patterns: * any run, ? one character, everything else literal', () => {
  const re = compilePathPattern('/admin/*.htm?');
  expect(re.test('/admin/a/b.html')).toBe(true);
  expect(re.test('/admin/x.htm')).toBe(false);
  expect(compilePathPattern('/a.b').test('/aXb')).toBe(false);
  expect(compilePathPattern('*').test('/anything\nat all')).toBe(true);
});

test('a refusal carries the field name alone (what the edge logs as detail), the message adds what it must be', () => {
  let error: unknown;
  try {
    resolveConfig({ ...minimal, cookies: { namePrefix: 'My+App' } });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).field).toBe('cookies.namePrefix');
  expect((error as ConfigError).message).toBe('config.json: "cookies.namePrefix" must be 1–64 letters, digits, \'_\', \'.\' or \'-\'');
});
