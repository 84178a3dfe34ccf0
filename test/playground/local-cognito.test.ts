import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { LocalCognito, startLocalCognito } from '../../playground/local-cognito';

const CALLBACK = 'https://site.example/_auth/callback';
const LOGOUT = 'https://site.example/';
const PUBLIC = 'public-client';
const CONFIDENTIAL = 'confidential-client';
const CONFIDENTIAL_POST = 'confidential-post-client';
const SECRET = 'confidential-secret-value-1234567890';

let cognito: LocalCognito;

beforeAll(async () => {
  cognito = await startLocalCognito({
    clients: [
      { clientId: PUBLIC, callbackUrls: [CALLBACK], logoutUrls: [LOGOUT] },
      { clientId: CONFIDENTIAL, clientSecret: SECRET, callbackUrls: [CALLBACK], logoutUrls: [LOGOUT] },
      { clientId: CONFIDENTIAL_POST, clientSecret: SECRET, authMethod: 'client_secret_post', callbackUrls: [CALLBACK], logoutUrls: [LOGOUT] },
    ],
    users: [
      { username: 'alice', password: 'alice-pw', email: 'alice@example.com', groups: ['staff'] },
      { username: 'bob', password: 'bob-pw' },
    ],
  });
});
afterAll(() => cognito.close());
afterEach(() => cognito.setFailureMode('none'));

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${cognito.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, body };
}

function exchange(code: string, verifier: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return post('/oauth2/token', { grant_type: 'authorization_code', client_id: PUBLIC, code, redirect_uri: CALLBACK, code_verifier: verifier, ...extra }, headers);
}

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${cognito.url}${path}`, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
}

function authorizePath(params: Record<string, string>): string {
  return `/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: PUBLIC, redirect_uri: CALLBACK, scope: 'openid email', state: 's1', ...params })}`;
}

describe('token endpoint: authorization_code', () => {
  test('a valid code and verifier give Cognito-shaped tokens that aws-jwt-verify accepts', async () => {
    const { verifier, challenge } = pkce();
    const code = cognito.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge });
    const { status, body } = await exchange(code, verifier);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(body.refresh_token.split('.')).toHaveLength(5);

    const idVerifier = CognitoJwtVerifier.create({ userPoolId: cognito.userPoolId, tokenUse: 'id', clientId: PUBLIC });
    idVerifier.cacheJwks(cognito.jwks as never);
    const id = await idVerifier.verify(body.id_token);
    expect(id).toMatchObject({ 'iss': cognito.issuer, 'aud': PUBLIC, 'token_use': 'id', 'cognito:username': 'alice', 'cognito:groups': ['staff'], 'email': 'alice@example.com' });
    expect(typeof id.origin_jti).toBe('string');

    const accessVerifier = CognitoJwtVerifier.create({ userPoolId: cognito.userPoolId, tokenUse: 'access', clientId: PUBLIC });
    accessVerifier.cacheJwks(cognito.jwks as never);
    const access = await accessVerifier.verify(body.access_token);
    expect(access).toMatchObject({ client_id: PUBLIC, username: 'alice', scope: 'openid email profile' });
  });

  test('PKCE: a wrong verifier is invalid_grant', async () => {
    const { challenge } = pkce();
    const code = cognito.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge });
    expect(await exchange(code, pkce().verifier)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('PKCE: a missing verifier is invalid_grant', async () => {
    const { challenge } = pkce();
    const code = cognito.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge });
    const res = await post('/oauth2/token', { grant_type: 'authorization_code', client_id: PUBLIC, code, redirect_uri: CALLBACK });
    expect(res).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('a code is single-use', async () => {
    const { verifier, challenge } = pkce();
    const code = cognito.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge });
    expect((await exchange(code, verifier)).status).toBe(200);
    expect(await exchange(code, verifier)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('a redirect_uri different from the authorize one is invalid_grant', async () => {
    const { verifier, challenge } = pkce();
    const code = cognito.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge });
    expect(await exchange(code, verifier, { redirect_uri: `${CALLBACK}/` })).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('an expired code is invalid_grant', async () => {
    const short = await startLocalCognito({ codeTtlSeconds: 0, clients: [{ clientId: PUBLIC, callbackUrls: [CALLBACK], logoutUrls: [] }], users: [{ username: 'a', password: 'p' }] });
    try {
      const { verifier, challenge } = pkce();
      const code = short.issueCode({ clientId: PUBLIC, redirectUri: CALLBACK, username: 'a', codeChallenge: challenge });
      const res = await fetch(`${short.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: PUBLIC, code, redirect_uri: CALLBACK, code_verifier: verifier }).toString(),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_grant' });
    } finally {
      await short.close();
    }
  });

  test('only application/x-www-form-urlencoded is accepted', async () => {
    const res = await fetch(`${cognito.url}/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request' });
  });

  test('unknown grant types and client_credentials are refused', async () => {
    expect((await post('/oauth2/token', { grant_type: 'password', client_id: PUBLIC })).body).toEqual({ error: 'unsupported_grant_type' });
    expect((await post('/oauth2/token', { grant_type: 'client_credentials', client_id: PUBLIC })).body).toEqual({ error: 'unauthorized_client' });
  });
});

describe('token endpoint: client secret', () => {
  function confidentialCode(clientId = CONFIDENTIAL): { code: string; verifier: string } {
    const { verifier, challenge } = pkce();
    return { code: cognito.issueCode({ clientId, redirectUri: CALLBACK, username: 'alice', codeChallenge: challenge }), verifier };
  }

  test('HTTP Basic with the right secret works', async () => {
    const { code, verifier } = confidentialCode();
    const res = await exchange(code, verifier, { client_id: CONFIDENTIAL }, { Authorization: basic(CONFIDENTIAL, SECRET) });
    expect(res.status).toBe(200);
  });

  test('client_secret in the body works for a client registered for it (client_secret_post)', async () => {
    const { code, verifier } = confidentialCode(CONFIDENTIAL_POST);
    const res = await exchange(code, verifier, { client_id: CONFIDENTIAL_POST, client_secret: SECRET });
    expect(res.status).toBe(200);
  });

  test('the right secret sent the other way than the client is registered for is invalid_client', async () => {
    const a = confidentialCode();
    expect(await exchange(a.code, a.verifier, { client_id: CONFIDENTIAL, client_secret: SECRET })).toEqual({ status: 400, body: { error: 'invalid_client' } });
    const b = confidentialCode();
    expect(await exchange(b.code, b.verifier, { client_id: CONFIDENTIAL, client_secret: SECRET }, { Authorization: basic(CONFIDENTIAL, SECRET) }))
      .toEqual({ status: 400, body: { error: 'invalid_client' } });
    const c = confidentialCode(CONFIDENTIAL_POST);
    expect(await exchange(c.code, c.verifier, { client_id: CONFIDENTIAL_POST }, { Authorization: basic(CONFIDENTIAL_POST, SECRET) }))
      .toEqual({ status: 400, body: { error: 'invalid_client' } });
  });

  test('a bad or missing secret is invalid_client', async () => {
    const a = confidentialCode();
    expect(await exchange(a.code, a.verifier, { client_id: CONFIDENTIAL }, { Authorization: basic(CONFIDENTIAL, 'wrong') })).toEqual({ status: 400, body: { error: 'invalid_client' } });
    const b = confidentialCode();
    expect(await exchange(b.code, b.verifier, { client_id: CONFIDENTIAL })).toEqual({ status: 400, body: { error: 'invalid_client' } });
  });

  test('a code issued to another client is invalid_grant', async () => {
    const { code, verifier } = confidentialCode();
    expect(await exchange(code, verifier)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  test('an unknown client is invalid_client', async () => {
    expect((await exchange('x', 'y', { client_id: 'nope' })).body).toEqual({ error: 'invalid_client' });
  });
});

describe('refresh and revoke', () => {
  test('refresh_token grant gives new id and access tokens, no new refresh token', async () => {
    const { refreshToken, idToken } = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
    const res = await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.id_token).not.toEqual(idToken);
    const claims = JSON.parse(Buffer.from(res.body.id_token.split('.')[1], 'base64url').toString());
    expect(claims['cognito:username']).toBe('bob');
    expect(claims['cognito:groups']).toBeUndefined();
  });

  test('an unknown refresh token, or one of another client, is invalid_grant', async () => {
    expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: 'abc' })).body).toEqual({ error: 'invalid_grant' });
    const { refreshToken } = cognito.mintTokens({ clientId: CONFIDENTIAL, username: 'bob' });
    expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).body).toEqual({ error: 'invalid_grant' });
  });

  test('rotation with a grace period of 0: a new refresh token each time, the used one refused at once', async () => {
    cognito.setRefreshTokenRotation({ gracePeriodSeconds: 0 });
    try {
      const { refreshToken } = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
      const first = await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken });
      expect(first.status).toBe(200);
      expect(first.body.refresh_token.split('.')).toHaveLength(5);
      expect(first.body.refresh_token).not.toBe(refreshToken);
      expect(await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).toEqual({ status: 400, body: { error: 'invalid_grant' } });
      expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: first.body.refresh_token })).status).toBe(200);
    } finally {
      cognito.setRefreshTokenRotation(undefined);
    }
  });

  test('rotation with a grace period: the used refresh token still works within it', async () => {
    cognito.setRefreshTokenRotation({ gracePeriodSeconds: 60 });
    try {
      const { refreshToken } = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
      expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).status).toBe(200);
      expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).status).toBe(200);
    } finally {
      cognito.setRefreshTokenRotation(undefined);
    }
  });

  test('failure mode 429: the token endpoint throttles', async () => {
    cognito.setFailureMode('429');
    const { refreshToken } = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
    expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).status).toBe(429);
  });

  test('a revoked refresh token no longer refreshes', async () => {
    const { refreshToken, accessToken } = cognito.mintTokens({ clientId: PUBLIC, username: 'alice' });
    expect(await post('/oauth2/revoke', { client_id: PUBLIC, token: refreshToken })).toEqual({ status: 200, body: '' });
    expect(await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: refreshToken })).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    expect(await post('/oauth2/revoke', { client_id: PUBLIC, token: accessToken })).toEqual({ status: 400, body: { error: 'unsupported_token_type' } });
  });

  test('globalSignOut revokes every refresh token of the user', async () => {
    const a = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
    const b = cognito.mintTokens({ clientId: PUBLIC, username: 'bob' });
    expect(cognito.globalSignOut('bob')).toBeGreaterThanOrEqual(2);
    for (const t of [a, b]) {
      expect((await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: t.refreshToken })).body).toEqual({ error: 'invalid_grant' });
    }
  });

  test('revoke for a confidential client needs its secret', async () => {
    const { refreshToken } = cognito.mintTokens({ clientId: CONFIDENTIAL, username: 'alice' });
    expect((await post('/oauth2/revoke', { client_id: CONFIDENTIAL, token: refreshToken })).body).toEqual({ error: 'invalid_client' });
    expect((await post('/oauth2/revoke', { token: refreshToken }, { Authorization: basic(CONFIDENTIAL, SECRET) })).status).toBe(200);
  });
});

describe('authorize, sign-in form, hosted-UI session and logout', () => {
  test('an unregistered redirect_uri gets Cognito\'s redirect_mismatch error page, not a redirect to it', async () => {
    const res = await get(authorizePath({ redirect_uri: 'https://evil.example/cb' }));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/error?error=redirect_mismatch');
  });

  test('an unknown identity provider is refused; a bad challenge method too', async () => {
    const { challenge } = pkce();
    const res = await get(authorizePath({ identity_provider: 'Okta', code_challenge: challenge, code_challenge_method: 'S256' }));
    const loc = new URL(res.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe(CALLBACK);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('state')).toBe('s1');
    const plain = await get(authorizePath({ code_challenge: challenge, code_challenge_method: 'plain' }));
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  test('IdP form → code and state → tokens; the session skips the form; logout ends it', async () => {
    const { verifier, challenge } = pkce();
    const path = authorizePath({ identity_provider: 'EntraID', code_challenge: challenge, code_challenge_method: 'S256' });
    const form = await get(path);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('Sign in with EntraID');
    const requestId = /name="request" value="([^"]+)"/.exec(html)![1];

    const bad = await fetch(`${cognito.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ request: requestId, username: 'alice', password: 'nope' }).toString() });
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain('Incorrect username or password.');

    const ok = await fetch(`${cognito.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ request: requestId, username: 'alice', password: 'alice-pw' }).toString() });
    expect(ok.status).toBe(302);
    const loc = new URL(ok.headers.get('location')!);
    expect(loc.searchParams.get('state')).toBe('s1');
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(/^cognito=/);

    const tokens = await exchange(loc.searchParams.get('code')!, verifier);
    expect(tokens.status).toBe(200);
    const claims = JSON.parse(Buffer.from(tokens.body.id_token.split('.')[1], 'base64url').toString());
    expect(claims['cognito:username']).toBe('EntraID_alice');
    expect(claims.identities[0].providerName).toBe('EntraID');
    expect(claims['cognito:groups']).toEqual(['staff', `${cognito.userPoolId}_EntraID`]);

    // second authorize: no form
    const again = await get(path, cookie);
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    // logout: logout_uri must be registered
    expect((await get(`/logout?client_id=${PUBLIC}&logout_uri=${encodeURIComponent('https://evil.example/')}`, cookie)).headers.get('location')).toBe('/error?error=redirect_mismatch');
    const out = await get(`/logout?client_id=${PUBLIC}&logout_uri=${encodeURIComponent(LOGOUT)}`, cookie);
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(LOGOUT);
    expect(out.headers.get('set-cookie')).toMatch(/^cognito=;.*Max-Age=0/);

    // after logout the same cookie no longer skips the form
    const after = await get(path, cookie);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('Sign in with EntraID');
  });
});

test('OIDC nonce: echoed in the id token of the code exchange (session skip included), absent from refreshed ones', async () => {
  const { verifier, challenge } = pkce();
  const path = authorizePath({ code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n0nce_-1' });
  const form = await get(path);
  const requestId = /name="request" value="([^"]+)"/.exec(await form.text())![1];
  const ok = await fetch(`${cognito.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ request: requestId, username: 'alice', password: 'alice-pw' }).toString() });
  const tokens = await exchange(new URL(ok.headers.get('location')!).searchParams.get('code')!, verifier);
  const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());
  expect(claims(tokens.body.id_token).nonce).toBe('n0nce_-1');
  expect(claims(tokens.body.access_token).nonce).toBeUndefined();

  // a second authorize through the session, with another nonce
  const second = pkce();
  const again = await get(authorizePath({ code_challenge: second.challenge, code_challenge_method: 'S256', nonce: 'other' }), ok.headers.get('set-cookie')!.split(';')[0]);
  const againTokens = await exchange(new URL(again.headers.get('location')!).searchParams.get('code')!, second.verifier);
  expect(claims(againTokens.body.id_token).nonce).toBe('other');

  const refreshed = await post('/oauth2/token', { grant_type: 'refresh_token', client_id: PUBLIC, refresh_token: tokens.body.refresh_token });
  expect(claims(refreshed.body.id_token).nonce).toBeUndefined();
});

describe('keys, availability and failure modes', () => {
  test('JWKS at both paths; signJwt uses the JWKS key', async () => {
    const a = await (await get('/.well-known/jwks.json')).json();
    const b = await (await get(`/${cognito.userPoolId}/.well-known/jwks.json`)).json();
    expect(a).toEqual(cognito.jwks);
    expect(b).toEqual(cognito.jwks);
    const jwt = cognito.signJwt({ hello: 'world' });
    const [h, p, s] = jwt.split('.');
    const key = createPublicKey({ key: (cognito.jwks.keys[0] as never), format: 'jwk' });
    expect(cryptoVerify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ kid: (cognito.jwks.keys[0] as { kid: string }).kid, alg: 'RS256' });
  });

  test('setAvailable(false) makes everything 503', async () => {
    cognito.setAvailable(false);
    try {
      expect((await get('/.well-known/jwks.json')).status).toBe(503);
      expect((await post('/oauth2/token', {})).status).toBe(503);
    } finally {
      cognito.setAvailable(true);
    }
  });

  test('failure modes affect token and revoke only', async () => {
    cognito.setFailureMode('invalid-json');
    const res = await post('/oauth2/token', { grant_type: 'refresh_token' });
    expect(res.status).toBe(200);
    expect(typeof res.body).toBe('string');
    expect((await get('/.well-known/jwks.json')).status).toBe(200);

    cognito.setFailureMode('503');
    expect((await post('/oauth2/revoke', {})).status).toBe(503);

    cognito.setFailureMode('reset');
    await expect(post('/oauth2/token', {})).rejects.toThrow();

    cognito.setFailureMode('hang');
    await expect(fetch(`${cognito.url}/oauth2/token`, { method: 'POST', signal: AbortSignal.timeout(300) })).rejects.toThrow();
  });

  test('requests records method and path only', () => {
    expect(cognito.requests.length).toBeGreaterThan(0);
    for (const r of cognito.requests) {
      expect(Object.keys(r).sort()).toEqual(['method', 'path']);
      expect(r.path).not.toContain('?');
    }
  });
});

test('after a wrong password the form keeps the username (escaped) and focuses the password; the page has an inline icon', async () => {
  const form = await get(authorizePath({ identity_provider: 'EntraID' }));
  const html = await form.text();
  expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,[^"]+">/);
  expect(html).toMatch(/<input name="username"[^>]* value="" autofocus>/);
  const requestId = /name="request" value="([^"]+)"/.exec(html)![1];

  const bad = await fetch(`${cognito.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ request: requestId, username: 'alice"><b>', password: 'nope' }).toString() });
  const again = await bad.text();
  expect(again).toContain('Incorrect username or password.');
  expect(again).toContain('value="alice&#34;&#62;&#60;b&#62;"');
  expect(again).not.toContain('<b>');
  expect(again).toMatch(/<input name="password" type="password" autocomplete="current-password" autofocus>/);
  expect(again).not.toMatch(/<input name="username"[^>]*autofocus/);
});
