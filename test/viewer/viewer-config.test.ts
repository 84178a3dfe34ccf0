/**
 * The viewer function's configuration (lambda-src/shared/viewer-config.ts): defaults, validation,
 * and injection into the built code in place of the placeholder.
 */
import { RULES, RULES_HASH } from './helpers';
import { SESSION_KEY_NAME_PREFIX } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig, VIEWER_CONFIG_PLACEHOLDER } from '../../lambda-src/shared/viewer-config';

test('defaults: /_auth/ routes, __Host- cookie names, the identity header, the rules and their hash', () => {
  expect(buildViewerConfig(RULES)).toEqual({
    authPrefix: '/_auth/',
    login: '/_auth/login',
    refresh: '/_auth/refresh',
    signOut: '/_auth/signout',
    cookie: '__Host-CognitoEdgeAuth-s',
    guard: '__Host-CognitoEdgeAuth-rg',
    strip: ['__Host-CognitoEdgeAuth-', '__Secure-CognitoEdgeAuth-'],
    header: 'x-cognito-edge-auth-user',
    rulesHash: RULES_HASH,
    groups: ['staff'],
    rules: [
      { p: '/admin/*', g: ['admins'] },
      { p: '/public/*', g: [] },
      { p: '/reports/*.pdf', g: ['finance', 'admins'] },
    ],
    pub: [],
    keyPrefix: SESSION_KEY_NAME_PREFIX,
  });
  expect(buildViewerConfig({})).toMatchObject({ groups: [], rules: [], pub: [] });
});

test('public paths: written as given, checked like the construct\'s publicPaths, and not part of the rule-set hash', () => {
  const config = buildViewerConfig({ ...RULES, publicPaths: ['/robots.txt', '/.well-known/*'] });
  expect(config.pub).toEqual(['/robots.txt', '/.well-known/*']);
  expect(config.rulesHash).toBe(RULES_HASH);
  // The construct's own check (publicPathProblem) names what is wrong; here the field and index count.
  expect(() => buildViewerConfig({ publicPaths: ['robots.txt'] })).toThrow(/^viewer config: publicPaths\[0\] must be /);
  expect(() => buildViewerConfig({ publicPaths: ['/ok', '/*'] })).toThrow(/^viewer config: publicPaths\[1\] must be /);
  expect(() => buildViewerConfig({ publicPaths: ['/ok', '/.well-known/*'] })).not.toThrow();
});

test('settings: prefix, cookie names, sign-out path, header', () => {
  const config = buildViewerConfig({ authPrefix: '/auth/', cookieNamePrefix: 'Acme', cookieBaseName: '__Secure-Acme', signOutPath: '/auth/bye', identityHeader: 'x-user' });
  expect(config).toMatchObject({ login: '/auth/login', refresh: '/auth/refresh', signOut: '/auth/bye', cookie: '__Secure-Acme-s', guard: '__Host-Acme-rg', strip: ['__Host-Acme-', '__Secure-Acme-'], header: 'x-user' });
});

test.each([
  [{ authPrefix: '/_auth' }, /authPrefix/],
  [{ authPrefix: '//evil/' }, /authPrefix/],
  [{ authPrefix: 'auth/' }, /authPrefix/],
  [{ cookieNamePrefix: 'a b' }, /cookieNamePrefix/],
  [{ cookieBaseName: '__Host-a;b' }, /cookieBaseName/],
  [{ signOutPath: '/signout' }, /signOutPath/],
  [{ identityHeader: 'X-User' }, /identityHeader/],
])('refuses %j', (input, message) => {
  expect(() => buildViewerConfig(input)).toThrow(message);
});

test('injection replaces the placeholder exactly once with a JSON literal, escaping U+2028/U+2029', () => {
  const config = buildViewerConfig({ requiredGroups: ['a\u2028b'] });
  const code = `var c=${VIEWER_CONFIG_PLACEHOLDER};`;
  const out = injectViewerConfig(code, config);
  expect(out).not.toContain(VIEWER_CONFIG_PLACEHOLDER);
  expect(out).not.toContain('\u2028');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  expect(new Function(`${out}; return c;`)()).toEqual(config);
  expect(() => injectViewerConfig('var c=1;', config)).toThrow(/exactly once, found it 0 times/);
  expect(() => injectViewerConfig(`${code}${code}`, config)).toThrow(/found it 2 times/);
});
