/**
 * End to end: headless Chromium against the local stack (local hosted UI, local edge running the
 * built assets/edge-auth/index.js, in session mode assets/edge-auth-session/index.js, with a
 * config.json from the custom resource's code path, sample origin). Each scenario uses a fresh browser context.
 *
 * The whole suite runs once per mode of the construct's `viewerCheck`:
 * - `lambda-edge`: the Lambda@Edge function checks every request (token cookies);
 * - `session` (design §7): the Lambda@Edge function answers only the auth routes under `/_auth/`
 *   and mints a session cookie; every other request is checked by the built viewer function
 *   (assets/viewer-function/index.js) in the CloudFront Functions sandbox.
 * A scenario that only makes sense in one mode says why where it is declared.
 */
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { browserTest, launchBrowser, submitSignIn } from './browser';
import type { EdgeDecision } from '../../playground/local-edge';
import { ENTRA_ROLES_PROFILE } from '../../playground/profiles';
import { Playground, PLAYGROUND_MODES, PlaygroundMode, startPlayground } from '../../playground/start';

jest.setTimeout(180_000);

const DEEP_LINK = '/reports/2026?tab=q3';
/** In-page expression (the suite is compiled without DOM types): the fetch demo has a result. */
const RESULT_LOADED = 'document.getElementById("result").dataset.status !== undefined';
/** A session cookie value (`1.<kid>.<payload>.<tag>`), as it must never appear in a log line. */
const SESSION_VALUE = /\b1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}\b/;

let browser: Browser;
const decisions: string[] = [];
/** Every line the edge function logged during the suite (it logs JSON lines through console). */
const functionLogs: string[] = [];
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[level].bind(console);
  jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
    functionLogs.push(args.map(String).join(' '));
    original(...args);
  });
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const getBrowser = (): Browser => browser;

function count(p: Playground, method: string, path: string): number {
  return p.cognito.requests.filter((r) => r.method === method && r.path === path).length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function namePrefix(p: Playground): string {
  return p.config.cookies?.namePrefix ?? 'CognitoEdgeAuth';
}

/**
 * Names of the session cookies for the configured or default prefix; never a login-time cookie.
 * Lambda@Edge mode: the id token (and its chunks) and the refresh token. Session mode: the session
 * cookie and the refresh token (and its chunks).
 */
function sessionCookieName(p: Playground): RegExp {
  return new RegExp(`^(?:__Host-|__Secure-)?${escapeRegExp(namePrefix(p))}-(?:id(?:\\.\\d+)?|refresh(?:\\.\\d+)?|s)$`);
}

/** Cookies the library set on the site (by the configured or default prefix), whatever their path. */
async function siteCookies(context: BrowserContext, p: Playground): Promise<Cookie[]> {
  const host = new URL(p.url).hostname;
  return (await context.cookies()).filter((c) => c.domain === host && c.name.replace(/^__(?:Host|Secure)-/, '').startsWith(namePrefix(p)));
}

/** Anonymous visit to `path` → the IdP sign-in form → back on `path`, signed in. */
async function signIn(page: Page, p: Playground, path: string, username: string, password: string): Promise<void> {
  await page.goto(`${p.url}${path}`);
  await page.getByText(`Sign in with ${p.config.identityProvider ?? ''}`.trim()).first().waitFor();
  await submitSignIn(page, username, password, `${p.url}${path}`);
}

/** The any-of groups the config requires for `path` (first matching path rule, else requiredGroups). */
function requiredGroupsFor(p: Playground, path: string): string[] {
  const toRegExp = (pattern: string): RegExp => new RegExp('^' + pattern.split('').map((ch) => {
    if (ch === '*') return '.*';
    if (ch === '?') return '.';
    return ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }).join('') + '$');
  const rule = (p.config.pathRules ?? []).find((r) => toRegExp(r.pathPattern).test(path));
  return rule ? rule.requiredGroups : p.config.requiredGroups ?? [];
}

function user(p: Playground, name: string): { username: string; password: string } {
  const u = p.users.find((x) => x.username === name);
  if (!u) throw new Error(`no sample user ${name}`);
  return u;
}

interface SiteAnswer { status: number; url: string; location?: string }

/** Answers of the site (status, URL, Location) while `fn` runs. */
async function siteAnswers(page: Page, p: Playground, fn: () => Promise<unknown>): Promise<SiteAnswer[]> {
  const answers: SiteAnswer[] = [];
  const onResponse = (r: { status(): number; url(): string; headers(): Record<string, string> }): void => {
    if (r.url().startsWith(p.url)) answers.push({ status: r.status(), url: r.url(), location: r.headers().location });
  };
  page.on('response', onResponse);
  try {
    await fn();
  } finally {
    page.off('response', onResponse);
  }
  return answers;
}

describe.each(PLAYGROUND_MODES)('%s mode', (mode: PlaygroundMode) => {
  const session = mode === 'session';
  let pg: Playground;

  beforeAll(async () => {
    functionLogs.length = 0;
    pg = await startPlayground({ mode, onDecision: (_d: EdgeDecision, line: string) => decisions.push(line) });
  });

  afterAll(async () => {
    await pg?.close();
  });

  afterEach(() => {
    pg.cognito.setAvailable(true);
    pg.cognito.setFailureMode('none');
  });

  test('the edge runs with a config.json built from the example template by buildEdgeConfig', () => {
    expect({ source: pg.configSource, detail: pg.configDetail, mode: pg.mode, session: pg.config.session !== undefined })
      .toEqual({ source: 'template', detail: expect.any(String), mode, session });
  });

  browserTest(getBrowser, 'a deep link survives the login round trip through the IdP sign-in form', async ({ newContext }) => {
    const page = await (await newContext()).newPage();
    const authorizeUrls: URL[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${pg.hostedUiUrl}/oauth2/authorize`)) authorizeUrls.push(new URL(r.url()));
    });

    const answers = await siteAnswers(page, pg, () => page.goto(`${pg.url}${DEEP_LINK}`));
    expect(page.url().startsWith(`${pg.hostedUiUrl}/oauth2/authorize`)).toBe(true);
    await expect(page.getByRole('heading', { name: 'Sign in with EntraID' }).isVisible()).resolves.toBe(true);
    if (session) {
      // The viewer function sends a navigation without a session to the login route, which starts the login.
      expect(answers.map((a) => [a.status, a.url, a.location])).toEqual([
        [302, `${pg.url}${DEEP_LINK}`, `/_auth/login?return=${encodeURIComponent(DEEP_LINK)}`],
        [302, `${pg.url}/_auth/login?return=${encodeURIComponent(DEEP_LINK)}`, expect.stringMatching(/oauth2\/authorize/)],
      ]);
    } else {
      expect(answers.map((a) => [a.status, a.url])).toEqual([[302, `${pg.url}${DEEP_LINK}`]]);
    }

    const a = authorizeUrls[0].searchParams;
    expect(a.get('response_type')).toBe('code');
    expect(a.get('client_id')).toBe(pg.config.clientId);
    expect(a.get('redirect_uri')).toBe(`${pg.url}/_auth/callback`);
    expect(a.get('identity_provider')).toBe('EntraID');
    expect(a.get('code_challenge_method')).toBe('S256');
    expect(a.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.get('scope')?.split(' ')).toContain('openid');
    expect(a.get('state')).toBeTruthy();
    expect(authorizeUrls[0].toString().length).toBeLessThan(2048);

    const { username, password } = user(pg, 'alice');
    await submitSignIn(page, username, password, `${pg.url}${DEEP_LINK}`);
    expect(await page.locator('#path').textContent()).toBe('/reports/2026');
    expect(await page.locator('#query').textContent()).toBe('?tab=q3');
    // The origin learns who signed in from the edge (federated user: Cognito's <provider>_<id> name).
    expect(await page.locator('#user').textContent()).toBe('EntraID_alice');
  });

  browserTest(getBrowser, 'session cookies carry HttpOnly, Secure, SameSite=Lax and the mode\'s prefix and path', async ({ newContext }) => {
    const context = await newContext();
    const page = await context.newPage();
    const { username, password } = user(pg, 'alice');
    await page.goto(`${pg.url}/`);
    await page.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();

    // Login-time cookies (nonce, PKCE verifier): same attributes, at most 10 minutes, gone after the callback.
    const loginTime = await siteCookies(context, pg);
    expect(loginTime.length).toBeGreaterThan(0);
    for (const c of loginTime) {
      expect({ name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, path: c.path })
        .toEqual({ name: expect.stringMatching(/^__Host-/), httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      expect(c.expires - Date.now() / 1000).toBeLessThanOrEqual(600 + 5);
    }
    await submitSignIn(page, username, password, `${pg.url}/`);

    const cookies = await siteCookies(context, pg);
    expect(cookies.length).toBeGreaterThan(0);
    const loginNames = new Set(loginTime.map((c) => c.name));
    expect(cookies.filter((c) => loginNames.has(c.name)).map((c) => c.name)).toEqual([]);
    const nowSeconds = Date.now() / 1000;
    const refreshValidity = pg.config.refreshTokenValiditySeconds ?? 30 * 24 * 3600;
    if (session) {
      // Exactly the session cookie (__Host-, Path=/) and the refresh cookie (__Secure-, sent only to
      // the auth routes); no token cookie. The session cookie outlives the id token it stands for
      // (Max-Age: the refresh token's validity), so that an expired session can go to the refresh route.
      const prefix = namePrefix(pg);
      const tokenCookies = cookies.filter((c) => sessionCookieName(pg).test(c.name));
      expect(tokenCookies.map((c) => ({ name: c.name, path: c.path })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
        { name: `__Host-${prefix}-s`, path: '/' },
        { name: `__Secure-${prefix}-refresh`, path: '/_auth/' },
      ]);
      for (const c of tokenCookies) {
        expect({ httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, domain: c.domain }).toEqual({ httpOnly: true, secure: true, sameSite: 'Lax', domain: 'localhost' });
        expect(c.expires).toBeGreaterThan(nowSeconds + 24 * 3600);
        expect(c.expires).toBeLessThanOrEqual(nowSeconds + refreshValidity + 60);
      }
      expect(cookies.filter((c) => c.path !== '/' && c.name !== `__Secure-${prefix}-refresh`).map((c) => c.name)).toEqual([]);
    } else {
      for (const c of cookies) {
        expect({ name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, path: c.path, domain: c.domain })
          .toEqual({ name: expect.stringMatching(/^__Host-/), httpOnly: true, secure: true, sameSite: 'Lax', path: '/', domain: 'localhost' });
        // Persistent cookies with a lifetime (the token cookies live no longer than the refresh token).
        if (c.expires !== -1) expect(c.expires).toBeLessThanOrEqual(nowSeconds + refreshValidity + 60);
      }
    }
    // Login-time cookies (nonce, PKCE verifier) are gone after the callback: only session cookies remain,
    // and the origin does not see any of them (removed by default).
    const last = pg.origin.requests[pg.origin.requests.length - 1];
    const names = new Set(cookies.map((c) => c.name));
    expect(last.cookieNames.filter((n) => names.has(n))).toEqual([]);
  });

  browserTest(getBrowser, 'reload stays signed in without visiting the hosted UI', async ({ newContext }) => {
    const page = await (await newContext()).newPage();
    const { username, password } = user(pg, 'alice');
    await signIn(page, pg, DEEP_LINK, username, password);

    const authorizeBefore = count(pg, 'GET', '/oauth2/authorize');
    const tokenBefore = count(pg, 'POST', '/oauth2/token');
    const pages = (): number => pg.origin.requests.filter((r) => r.url !== '/favicon.ico').length;
    const originBefore = pages();
    const res = await page.reload();
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${pg.url}${DEEP_LINK}`);
    await page.goto(`${pg.url}/fetch`);
    expect(await page.locator('#title').textContent()).toBe('fetch() demo');
    expect(count(pg, 'GET', '/oauth2/authorize')).toBe(authorizeBefore);
    expect(count(pg, 'POST', '/oauth2/token')).toBe(tokenBefore);
    expect(pages()).toBe(originBefore + 2);
  });

  browserTest(getBrowser, 'a fetch() without a session gets 401, not a redirect (and a spoofed identity header is replaced)', async ({ newContext }) => {
    const context = await newContext();
    const page = await context.newPage();
    const { username, password } = user(pg, 'alice');
    await signIn(page, pg, '/fetch', username, password);

    // Signed in: the API answers.
    await page.locator('#load').click();
    await page.waitForFunction(RESULT_LOADED);
    expect(await page.locator('#result').getAttribute('data-status')).toBe('200');

    // A spoofed identity header from the browser never reaches the origin as such.
    const spoofed = await page.evaluate('fetch("/api/data.json", { headers: { "X-Cognito-Edge-Auth-User": "mallory" } }).then((r) => r.json())') as {
      identity: Record<string, string>;
    };
    expect(spoofed.identity['x-cognito-edge-auth-user']).toBe('EntraID_alice');

    // The session ends while the page is open (cookies gone): the same fetch gets 401.
    await context.clearCookies();
    const authorizeBefore = count(pg, 'GET', '/oauth2/authorize');
    await page.evaluate('delete document.getElementById("result").dataset.status');
    await page.locator('#load').click();
    await page.waitForFunction(RESULT_LOADED);
    expect(await page.locator('#result').getAttribute('data-status')).toBe('401');
    expect(count(pg, 'GET', '/oauth2/authorize')).toBe(authorizeBefore);
    if (session) {
      // The viewer function's 401 names the refresh route, for a page that wants to renew the session itself.
      const answer = await page.evaluate('fetch("/api/data.json").then(async (r) => ({ status: r.status, type: r.headers.get("content-type"), body: await r.json() }))');
      expect(answer).toEqual({ status: 401, type: 'application/json', body: { error: 'unauthenticated', refresh: '/_auth/refresh' } });
    }
  });

  browserTest(getBrowser, 'a user outside the required groups sees the 403 page', async ({ newContext }) => {
    // The groups the example requires for the deep link (its /reports/* rule), and a user outside them.
    const required = requiredGroupsFor(pg, '/reports/2026');
    expect(required.length).toBeGreaterThan(0);
    const outsider = pg.users.find((u) => !(u.groups ?? []).some((g) => required.includes(g)));
    expect(outsider).toBeDefined();

    const page = await (await newContext()).newPage();
    await page.goto(`${pg.url}${DEEP_LINK}`);
    // The generated pages declare no icon: the browser may ask for /favicon.ico after them.
    const pages = (): number => pg.origin.requests.filter((r) => r.url !== '/favicon.ico').length;
    const originBefore = pages();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(pg.url) && r.status() === 403),
      submitSignIn(page, outsider!.username, outsider!.password),
    ]);
    expect(response.headers()['cache-control']).toContain('no-store');
    await page.waitForLoadState('load');
    expect(page.url()).toBe(`${pg.url}${DEEP_LINK}`);
    const body = await page.locator('body').innerText();
    expect(body.length).toBeGreaterThan(0);
    expect(body).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no token on the page
    expect(await page.locator('a', { hasText: 'Sign out' }).count()).toBe(1);
    if (session) {
      // The viewer function's page (10 KB of code: no user name, one link).
      expect(await page.getByRole('heading', { name: 'Access denied' }).isVisible()).toBe(true);
      expect(await page.locator('a', { hasText: 'Sign out' }).getAttribute('href')).toBe('/_auth/signout');
    } else {
      expect(body).toContain(outsider!.username); // who is signed in (Cognito's <provider>_<id> name)
      expect(await page.locator('a', { hasText: 'Home' }).count()).toBe(1);
    }
    expect(pages()).toBe(originBefore); // nothing reached the origin
  });

  browserTest(getBrowser, 'an encoded spelling of a protected path is not served to a non-member (one path, one decision)', async ({ newContext }) => {
    const required = requiredGroupsFor(pg, '/reports/2026');
    expect(required.length).toBeGreaterThan(0);
    const outsider = pg.users.find((u) => !(u.groups ?? []).some((g) => required.includes(g)));
    expect(outsider).toBeDefined();
    const page = await (await newContext()).newPage();
    await signIn(page, pg, '/', outsider!.username, outsider!.password);
    const pages = (): string[] => pg.origin.requests.map((r) => r.url).filter((u) => u !== '/favicon.ico');
    const originBefore = pages().length;

    // A fetch of an encoded spelling (from the origin's page) is not redirected: 400.
    expect(await page.evaluate('fetch("/reports%2F2026").then((r) => r.status)')).toBe(400);
    // S3 reads %2F as "/", nginx merges "//": both would serve reports/2026 if forwarded as sent.
    for (const spelling of ['/reports%2F2026?tab=q3', '//reports/2026?tab=q3']) {
      let res: Awaited<ReturnType<Page['goto']>> = null;
      const answers = await siteAnswers(page, pg, async () => {
        res = await page.goto(`${pg.url}${spelling}`);
      });
      if (session && answers[0]?.status === 400) {
        // The viewer function's canonical-path rule (canonical-path.ts, a strict stand-in for
        // design §4.9) refuses a spelling it does not rewrite, navigation or not.
        expect(answers).toEqual([{ status: 400, url: `${pg.url}${spelling}`, location: undefined }]);
        continue;
      }
      // The edge redirects the spelling to the canonical URL, where the /reports/* rule applies.
      expect(answers[0]).toMatchObject({ status: 302, url: `${pg.url}${spelling}` });
      expect(res!.status()).toBe(403);
      expect(page.url()).toBe(`${pg.url}/reports/2026?tab=q3`);
    }
    expect(pages().slice(originBefore)).toEqual([]);
  });

  browserTest(getBrowser, 'sign-out ends the site session and the hosted-UI session and lands on the signed-out page the edge serves (no silent sign-in); "Sign in again" asks for credentials', async ({ newContext }) => {
    const context = await newContext();
    const page = await context.newPage();
    const { username, password } = user(pg, 'alice');
    await signIn(page, pg, '/', username, password);
    expect((await siteCookies(context, pg)).filter((c) => sessionCookieName(pg).test(c.name)).length).toBeGreaterThan(0);
    const revokeBefore = count(pg, 'POST', '/oauth2/revoke');
    const logoutBefore = count(pg, 'GET', '/logout');
    const authorizeBefore = count(pg, 'GET', '/oauth2/authorize');
    const pages = (): string[] => pg.origin.requests.map((r) => r.url).filter((u) => u !== '/favicon.ico');
    const originBefore = pages();

    // The origin's sign-out link → edge sign-out → hosted-UI /logout → the construct's default
    // landing: the signed-out page the edge function serves (not a protected page).
    await page.locator('#sign-out').click();
    await page.waitForURL(`${pg.url}/_auth/signed-out`);
    expect(await page.getByRole('heading', { name: 'Signed out' }).isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).toContain('You are signed out.');
    expect(count(pg, 'POST', '/oauth2/revoke')).toBe(revokeBefore + 1); // the refresh token (in session mode sent to /_auth/ only) was revoked
    expect(count(pg, 'GET', '/logout')).toBe(logoutBefore + 1);
    expect(count(pg, 'GET', '/oauth2/authorize')).toBe(authorizeBefore); // no silent sign-in
    expect(pages()).toEqual(originBefore); // served by the edge

    // No session cookie is left on the site (whatever its path).
    const left = (await siteCookies(context, pg)).map((c) => c.name);
    expect(left.filter((n) => sessionCookieName(pg).test(n))).toEqual([]);

    // The hosted-UI session is over too: signing in again asks for credentials, and works.
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await page.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();
    await submitSignIn(page, username, password, `${pg.url}/`);
  });

  describe('signOutRedirectPath set to a page of the site', () => {
    let landing: Playground;
    beforeAll(async () => {
      landing = await startPlayground({ mode, configOverrides: { signOutLandingPath: '/' }, onDecision: (_d, line) => decisions.push(line) });
    });
    afterAll(() => landing?.close());

    browserTest(getBrowser, 'sign-out lands on that page; the hosted-UI session is over, so the protected page asks for credentials', async ({ newContext }) => {
      const context = await newContext();
      const page = await context.newPage();
      const { username, password } = user(landing, 'alice');
      await signIn(page, landing, '/', username, password);
      const logoutBefore = count(landing, 'GET', '/logout');

      // The origin's sign-out link → edge sign-out → hosted-UI /logout → '/' → login again.
      await page.locator('#sign-out').click();
      await page.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();
      expect(page.url().startsWith(`${landing.hostedUiUrl}/oauth2/authorize`)).toBe(true);
      expect(count(landing, 'GET', '/logout')).toBe(logoutBefore + 1);
      const left = (await siteCookies(context, landing)).map((c) => c.name);
      expect(left.filter((n) => sessionCookieName(landing).test(n))).toEqual([]);

      // The next visit asks for credentials again, and signing in works.
      await page.goto(`${landing.url}${DEEP_LINK}`);
      await page.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();
      await submitSignIn(page, username, password, `${landing.url}${DEEP_LINK}`);
    });
  });

  browserTest(getBrowser, 'the token endpoint failing at the callback gives the friendly 502 page, and retry recovers', async ({ newContext }) => {
    const page = await (await newContext()).newPage();
    const { username, password } = user(pg, 'alice');
    await page.goto(`${pg.url}${DEEP_LINK}`);
    pg.cognito.setFailureMode('503');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${pg.url}/_auth/callback`)),
      submitSignIn(page, username, password),
    ]);
    expect(response.status()).toBe(502);
    expect(response.headers()['cache-control']).toContain('no-store');
    await page.waitForLoadState('load');
    const html = await page.content();
    expect(html).not.toMatch(/Service Unavailable|eyJ|code=|stack|at .*\(.*:\d+:\d+\)/);
    expect(html).toContain('could not complete your sign-in');
    const retry = page.locator('a[href]').first();
    expect(await retry.count()).toBe(1);

    // Cognito is back: the retry link leads to the deep link, signed in (the hosted-UI session
    // still exists, so no form this time).
    pg.cognito.setFailureMode('none');
    await retry.click();
    await page.waitForURL(`${pg.url}${DEEP_LINK}`);
    expect(await page.locator('#path').textContent()).toBe('/reports/2026');
  });

  browserTest(getBrowser, 'a hanging token endpoint gives the 502 page within the viewer-request limit', async ({ newContext }) => {
    const page = await (await newContext()).newPage();
    const { username, password } = user(pg, 'alice');
    await page.goto(`${pg.url}/`);
    pg.cognito.setFailureMode('hang');
    const started = Date.now();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${pg.url}/_auth/callback`), { timeout: 30_000 }),
      submitSignIn(page, username, password),
    ]);
    expect(response.status()).toBe(502);
    // Generated by the function (not the emulation's 503 for a function past its 5 s limit).
    expect(response.headers()['x-cache']).toBeUndefined();
    expect(await response.text()).toContain('did not answer in time');
    expect(Date.now() - started).toBeLessThan(10_000); // generous for a loaded machine; the 5 s limit is checked above
  });

  browserTest(getBrowser, 'the hosted UI being down shows its 503, and the site recovers when it is back', async ({ newContext }) => {
    const page = await (await newContext()).newPage();
    pg.cognito.setAvailable(false);
    const res = await page.goto(`${pg.url}${DEEP_LINK}`);
    // The browser was sent to the hosted UI (a 302 from the edge, not an error of the site)...
    expect(page.url().startsWith(`${pg.hostedUiUrl}/oauth2/authorize`)).toBe(true);
    expect(res?.status()).toBe(503);
    pg.cognito.setAvailable(true);
    // ...and simply going back to the site works once it is up again.
    const { username, password } = user(pg, 'alice');
    await signIn(page, pg, DEEP_LINK, username, password);
  });

  browserTest(getBrowser, 'two tabs signing in at the same time both end signed in', async ({ newContext }) => {
    const context = await newContext();
    const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
    const { username, password } = user(pg, 'alice');
    // Both tabs start a login before either finishes (each gets its own state and PKCE verifier).
    await a.goto(`${pg.url}${DEEP_LINK}`);
    await b.goto(`${pg.url}/fetch`);
    await a.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();
    await b.getByRole('heading', { name: 'Sign in with EntraID' }).waitFor();
    await Promise.all([
      submitSignIn(a, username, password, `${pg.url}${DEEP_LINK}`),
      submitSignIn(b, username, password, `${pg.url}/fetch`),
    ]);
    expect(await a.locator('#path').textContent()).toBe('/reports/2026');
    expect(await b.locator('#title').textContent()).toBe('fetch() demo');
    // Both stay signed in.
    await a.reload();
    expect(await a.locator('#path').textContent()).toBe('/reports/2026');
    await b.reload();
    expect(await b.locator('#title').textContent()).toBe('fetch() demo');
  });

  browserTest(getBrowser, 'a user with a large group list (id token over 4 KB) signs in', async ({ newContext }) => {
    const context = await newContext();
    const page = await context.newPage();
    const big = pg.users.reduce((x, y) => ((y.groups ?? []).length > (x.groups ?? []).length ? y : x));
    expect((big.groups ?? []).length).toBeGreaterThanOrEqual(150);
    await signIn(page, pg, DEEP_LINK, big.username, big.password);
    expect(await page.locator('#path').textContent()).toBe('/reports/2026');

    const cookies = await siteCookies(context, pg);
    const size = (c: Cookie): number => c.name.length + c.value.length + 3;
    if (session) {
      // The id token the pool issues for this user is over 4 KB...
      expect(pg.cognito.mintTokens({ clientId: pg.config.clientId, username: big.username, identityProvider: 'EntraID' }).idToken.length).toBeGreaterThan(4096);
      // ...but the session cookie holds only the groups the rules name: a few hundred bytes.
      const sessionCookie = cookies.find((c) => c.name === `__Host-${namePrefix(pg)}-s`);
      expect(sessionCookie).toBeDefined();
      expect(size(sessionCookie!)).toBeLessThan(1024);
      // Every request outside /_auth/ carries no token: the session cookie (and the login-loop
      // counter), a few hundred bytes in all.
      const sent = cookies.filter((c) => c.path === '/');
      expect(sent.filter((c) => sessionCookieName(pg).test(c.name)).map((c) => c.name)).toEqual([sessionCookie!.name]);
      expect(sent.reduce((n, c) => n + size(c), 0)).toBeLessThan(1024);
    } else {
      const total = cookies.reduce((n, c) => n + size(c), 0);
      expect(total).toBeGreaterThan(4096); // the token really is large, so it had to be split
      expect(total).toBeLessThan(12 * 1024); // design §4: under 12 KB with 150+ groups
      for (const c of cookies) expect(c.name.length + c.value.length).toBeLessThanOrEqual(4096);
    }
    await page.reload();
    expect(await page.locator('#path').textContent()).toBe('/reports/2026');
  });

  if (!session) {
    // Lambda@Edge mode only: session mode keeps no id token cookie; its refresh at the session's
    // exp is the "refresh at expiry" scenario with short-lived tokens below.
    browserTest(getBrowser, 'once the id token cookie is gone (the browser drops it at the token\'s exp), the next navigation refreshes silently', async ({ newContext }) => {
      const context = await newContext();
      const page = await context.newPage();
      const { username, password } = user(pg, 'alice');
      await signIn(page, pg, '/', username, password);
      const authorizeBefore = count(pg, 'GET', '/oauth2/authorize');
      const tokenBefore = count(pg, 'POST', '/oauth2/token');

      // The id cookie lives exactly as long as its token, so at the token's exp the browser drops it and
      // only the refresh cookie is left. Drop it now instead of waiting (no race with a token lifetime).
      const tokens = (await siteCookies(context, pg)).filter((c) => sessionCookieName(pg).test(c.name));
      const idCookie = tokens.find((c) => c.name.endsWith('-id'));
      expect(idCookie).toBeDefined();
      const exp = JSON.parse(Buffer.from(idCookie!.value.split('.')[1], 'base64url').toString()).exp;
      expect(Math.abs(idCookie!.expires - exp)).toBeLessThanOrEqual(5);
      for (const c of tokens.filter((x) => !x.name.endsWith('-refresh'))) await context.clearCookies({ name: c.name });
      expect((await siteCookies(context, pg)).filter((c) => sessionCookieName(pg).test(c.name)).map((c) => c.name)).toEqual([expect.stringMatching(/-refresh$/)]);

      await page.goto(`${pg.url}${DEEP_LINK}`);
      expect(page.url()).toBe(`${pg.url}${DEEP_LINK}`);
      expect(await page.locator('#path').textContent()).toBe('/reports/2026');
      expect(await page.locator('#query').textContent()).toBe('?tab=q3');
      expect(count(pg, 'POST', '/oauth2/token')).toBe(tokenBefore + 1); // the refresh
      expect(count(pg, 'GET', '/oauth2/authorize')).toBe(authorizeBefore); // no new login
      expect(decisions).toContainEqual(expect.stringMatching(new RegExp(`^GET ${escapeRegExp(DEEP_LINK)} → refreshed tokens → same URL`)));

      // The refreshed session holds: another navigation needs no token call.
      await page.goto(`${pg.url}/fetch`);
      expect(count(pg, 'POST', '/oauth2/token')).toBe(tokenBefore + 1);
    });
  }

  describe('with short-lived tokens', () => {
    const TTL = 4;
    let short: Playground;
    beforeAll(async () => {
      short = await startPlayground({ mode, idTokenTtlSeconds: TTL, accessTokenTtlSeconds: TTL, onDecision: (_d, line) => decisions.push(line) });
    });
    afterAll(() => short?.close());

    /**
     * Waits until the id token (and so the session) of a sign-in that just finished has expired:
     * it was issued before the sign-in finished, so its `exp` (whole seconds) is at most TTL
     * seconds after now, and the edge refuses a token at its `exp` second.
     */
    const pastExpiry = (page: Page): Promise<void> => page.waitForTimeout((TTL + 1) * 1000);

    if (session) {
      // Session mode only: in Lambda@Edge mode the id cookie simply goes away at the token's exp
      // (the scenario above); here the session cookie stays and the viewer function sees its exp.
      browserTest(getBrowser, 'refresh at expiry: the viewer function sends the expired session to the refresh route, which refreshes and comes back', async ({ newContext }) => {
        const context = await newContext();
        const page = await context.newPage();
        const { username, password } = user(short, 'alice');
        await signIn(page, short, '/', username, password);
        const sessionName = `__Host-${namePrefix(short)}-s`;
        const before = (await siteCookies(context, short)).find((c) => c.name === sessionName)?.value;
        expect(before).toBeDefined();
        const authorizeBefore = count(short, 'GET', '/oauth2/authorize');
        const tokenBefore = count(short, 'POST', '/oauth2/token');

        await pastExpiry(page);
        const answers = await siteAnswers(page, short, () => page.goto(`${short.url}${DEEP_LINK}`));
        const refreshRoute = `/_auth/refresh?return=${encodeURIComponent(DEEP_LINK)}`;
        expect(answers.map((a) => [a.status, a.url.slice(short.url.length), a.location?.replace(short.url, '')])).toEqual([
          [302, DEEP_LINK, refreshRoute],
          [302, refreshRoute, DEEP_LINK],
          [200, DEEP_LINK, undefined],
        ]);
        expect(await page.locator('#query').textContent()).toBe('?tab=q3');
        expect(await page.locator('#user').textContent()).toBe('EntraID_alice');
        expect(count(short, 'POST', '/oauth2/token')).toBe(tokenBefore + 1); // the refresh grant
        expect(count(short, 'GET', '/oauth2/authorize')).toBe(authorizeBefore); // no new login
        expect((await siteCookies(context, short)).find((c) => c.name === sessionName)?.value).not.toBe(before);
        expect(decisions).toContainEqual(expect.stringMatching(new RegExp(`^GET ${escapeRegExp(DEEP_LINK)} → session expired → ${escapeRegExp(refreshRoute)} .*\\[viewer function\\]$`)));

        // The new session holds: another navigation needs no token call.
        await page.goto(`${short.url}/fetch`);
        expect(await page.locator('#title').textContent()).toBe('fetch() demo');
        expect(count(short, 'POST', '/oauth2/token')).toBe(tokenBefore + 1);
      });
    }

    browserTest(getBrowser, 'a refresh token revoked elsewhere leads to one fresh login, not a loop', async ({ newContext }) => {
      const page = await (await newContext()).newPage();
      const { username, password } = user(short, 'carol');
      await signIn(page, short, '/', username, password);
      expect(short.cognito.globalSignOut(username)).toBeGreaterThan(0);
      const authorizeBefore = count(short, 'GET', '/oauth2/authorize');

      await pastExpiry(page);
      // Refresh fails (invalid_grant) → a fresh login, which the live hosted-UI session completes
      // without a form → back on the deep link.
      await page.goto(`${short.url}${DEEP_LINK}`);
      await page.waitForURL(`${short.url}${DEEP_LINK}`);
      expect(await page.locator('#path').textContent()).toBe('/reports/2026');
      expect(count(short, 'GET', '/oauth2/authorize')).toBe(authorizeBefore + 1);
    });

    browserTest(getBrowser, 'the token endpoint down when a refresh is due gives a 503 page (Retry-After), keeps the session, and the retry link recovers', async ({ newContext }) => {
      const context = await newContext();
      const page = await context.newPage();
      const { username, password } = user(short, 'alice');
      await signIn(page, short, '/', username, password);
      const authorizeBefore = count(short, 'GET', '/oauth2/authorize');

      await pastExpiry(page);
      const refreshBefore = (await siteCookies(context, short)).find((c) => /-refresh$/.test(c.name))?.value;
      expect(refreshBefore).toBeDefined();
      short.cognito.setFailureMode('503');
      try {
        const res = await page.goto(`${short.url}${DEEP_LINK}`);
        expect(res?.status()).toBe(503);
        expect(res?.headers()['cache-control']).toContain('no-store');
        expect(Number(res?.headers()['retry-after'])).toBeGreaterThan(0);
        expect((await siteCookies(context, short)).find((c) => /-refresh$/.test(c.name))?.value).toBe(refreshBefore);
      } finally {
        short.cognito.setFailureMode('none');
      }
      await page.locator('a[href]').first().click();
      await page.waitForURL(`${short.url}${DEEP_LINK}`);
      expect(await page.locator('#path').textContent()).toBe('/reports/2026');
      expect(count(short, 'GET', '/oauth2/authorize')).toBe(authorizeBefore);
    });

    browserTest(getBrowser, 'parallel asset requests at expiry (refresh-token rotation without grace period) keep the user signed in', async ({ newContext }) => {
      short.cognito.setRefreshTokenRotation({ gracePeriodSeconds: 0 });
      try {
        const page = await (await newContext()).newPage();
        const { username, password } = user(short, 'alice');
        await signIn(page, short, '/gallery', username, password);
        const authorizeBefore = count(short, 'GET', '/oauth2/authorize');
        const tokenBefore = count(short, 'POST', '/oauth2/token');
        const expired: string[] = [];
        page.on('response', (r) => {
          if (!r.url().startsWith(short.url)) return;
          void r.headersArray().then((headers) => {
            for (const h of headers) {
              if (h.name.toLowerCase() === 'set-cookie' && /Max-Age=0/i.test(h.value)) expired.push(h.value.split('=')[0]);
            }
          });
        });

        await pastExpiry(page);
        // Six image requests leave at once with the expired session: they all refresh, one wins.
        await page.locator('#burst').click();
        await page.waitForFunction('document.getElementById("loaded").dataset.done === "6"');
        expect(await page.locator('#loaded').getAttribute('data-ok')).toBe('6');
        expect(count(short, 'POST', '/oauth2/token')).toBeGreaterThan(tokenBefore + 1);
        expect(expired).toEqual([]);

        // Still signed in: the next page reaches the origin without a login.
        await page.goto(`${short.url}${DEEP_LINK}`);
        expect(page.url()).toBe(`${short.url}${DEEP_LINK}`);
        expect(await page.locator('#user').textContent()).toBe('EntraID_alice');
        expect(count(short, 'GET', '/oauth2/authorize')).toBe(authorizeBefore);
      } finally {
        short.cognito.setRefreshTokenRotation(undefined);
      }
    });
  });

  test('no log line of the function, and no decision line, carries a token, code, cookie value, key or secret', () => {
    const secrets = [pg.config.clientSecret, pg.config.stateSecret, pg.config.session?.key].filter((x): x is string => typeof x === 'string' && x.length > 0);
    expect(pg.config.session?.key !== undefined).toBe(session);
    expect(functionLogs.length).toBeGreaterThan(0); // the failure scenarios above did log
    for (const line of [...functionLogs, ...decisions]) {
      expect(line).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/); // a JWT (or the JSON-in-base64 state)
      expect(line).not.toMatch(/code=[^…&\s"]{8,}/);
      expect(line).not.toMatch(SESSION_VALUE);
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

afterAll(() => {
  // The decision log is part of the suite's output: it shows what the edge did in each scenario.
  if (process.env.E2E_PRINT_DECISIONS === '1') console.log(decisions.join('\n'));
});

describe('groups from an Entra app-role claim (the entra-roles profile: groupsClaim custom:roles)', () => {
  let roles: Playground;
  beforeAll(async () => {
    roles = await startPlayground({ configOverrides: ENTRA_ROLES_PROFILE.config });
  });
  afterAll(() => roles?.close());

  browserTest(getBrowser, 'a user whose custom:roles holds the rule\'s role gets the page; one without it gets the 403 page', async ({ newContext }) => {
    expect(roles.config.groupsClaim).toBe('custom:roles');
    const adminPath = ENTRA_ROLES_PROFILE.openPath;
    expect(requiredGroupsFor(roles, adminPath)).toEqual(['Reports.Admin']);
    // Neither user is in a Cognito group of the rules: the roles arrive only as Cognito's "[a, b]" string.
    for (const name of ['dana', 'erik']) {
      const u = roles.users.find((x) => x.username === name);
      expect((u?.groups ?? []).filter((g) => g.startsWith('Reports.'))).toEqual([]);
      expect(typeof u?.claims?.['custom:roles']).toBe('string');
    }

    // dana: [Reports.Read, Reports.Admin] → the admin page, from the origin, as EntraID_dana.
    const dana = await (await newContext()).newPage();
    await signIn(dana, roles, adminPath, user(roles, 'dana').username, user(roles, 'dana').password);
    expect(await dana.locator('#path').textContent()).toBe(adminPath);
    expect(await dana.locator('#user').textContent()).toBe('EntraID_dana');

    // erik: [Reports.Read] → the site, but the admin page is the edge's 403 page, and the origin never sees it.
    const erik = await (await newContext()).newPage();
    await signIn(erik, roles, '/', user(roles, 'erik').username, user(roles, 'erik').password);
    expect(await erik.locator('#user').textContent()).toBe('EntraID_erik');
    const seenBefore = roles.origin.requests.filter((r) => r.url.startsWith(adminPath)).length;
    const denied = await erik.goto(`${roles.url}${adminPath}`);
    expect(denied?.status()).toBe(403);
    expect(denied?.headers()['cache-control']).toContain('no-store');
    expect(await erik.locator('#path').count()).toBe(0);
    expect(roles.origin.requests.filter((r) => r.url.startsWith(adminPath)).length).toBe(seenBefore);
  });
});
