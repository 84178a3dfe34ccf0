/**
 * Session mode (design §7): the Lambda@Edge function answers only the auth routes under
 * `session.authPathPrefix`, and every signed-in request elsewhere is checked by the CloudFront
 * Function against the session cookie minted here.
 *
 * Routes (every one answered here, nothing forwarded to the origin):
 * - `<prefix>login?return=<path>`: starts a login (the return checked against §4.3);
 * - the callback path: the login's callback, as in Lambda@Edge mode, but the session becomes the
 *   session cookie (`__Host-<name>-s`, `Path=/`) and the `__Secure-<name>-refresh` cookie with
 *   `Path=<prefix>`, and the other mode's id and refresh cookies are expired;
 * - `<prefix>refresh?return=<path>`: always performs the refresh grant (no "still valid, go back"
 *   short cut, which would loop against an edge whose clock runs ahead);
 * - the sign-out path and the signed-out page;
 * - anything else: 404.
 * Refresh and sign-out refuse `Sec-Fetch-Site: cross-site` (403): another site must not be able to
 * spend the refresh token or end the session.
 */
import { createHash } from 'node:crypto';
import type { ResolvedConfig, ResolvedSessionConfig } from './config';
import { cookieHeaderLength, CookieNames, CookieWriter, GuardNames, namePrefixOf, readSplitCookie, splitNamesIn } from './cookies';
import { JwksUnavailableError, OAuthRejectedError } from './errors';
import type { EdgeResult } from './handler';
import type { Logger, Route } from './logger';
import { EdgeRequest, headerValues, parseQuery } from './request';
import { page, redirect, unauthenticatedJson, unavailableJson } from './responses';
import { isSafeReturnPath } from './return-path';
import type { Identity, IdTokenVerifier } from './token-verifier';
import { FetchFn, isRefreshTokenShape, OAuthClient, requestTokens, TokenSet } from './upstream';
import { isRecord, ownProperty } from '../shared/assert';
import { safeJsonParse } from '../shared/safe-json';
import {
  checkSession, mintSessionCookie, parseSessionCookie, rulesHash, sessionCookieFromHeaders, sessionGroups,
} from '../shared/session-cookie';


/** What session mode borrows from the handler (built once, in `createHandler`). */
export interface SessionModeDeps {
  readonly config: ResolvedConfig;
  readonly session: ResolvedSessionConfig;
  readonly log: Logger;
  readonly nowSeconds: () => number;
  readonly fetchFn: FetchFn;
  readonly client: OAuthClient;
  /** Time left for one upstream call. */
  readonly budget: () => number;
  readonly verifier: IdTokenVerifier;
  readonly keysUnusable: boolean;
  readonly names: CookieNames;
  readonly guards: GuardNames;
  /** Host-only `__Host-`, `Path=/`, `SameSite=Lax` (design §4.11). */
  readonly loginCookies: CookieWriter;
  /** The canonical forms of the configured callback, sign-out and signed-out paths. */
  readonly routes: { readonly callback: string; readonly signOut: string; readonly signedOut: string };
  readonly origin: (req: EdgeRequest) => string;
  /** The login-loop guard's count of sessions made in its window. */
  readonly attempts: (jar: ReadonlyMap<string, string>) => number;
  readonly attemptsWindowSeconds: number;
  readonly deadRefreshSeconds: number;
  readonly cookieHeaderBudget: number;
  readonly startLogin: (req: EdgeRequest, jar: ReadonlyMap<string, string>, setCookies: string[], returnPath: string) => EdgeResult;
  readonly callback: (req: EdgeRequest, jar: ReadonlyMap<string, string>) => Promise<EdgeResult>;
  readonly signOut: (
    req: EdgeRequest, jar: ReadonlyMap<string, string>, refreshToken: string | undefined, setCookies: string[],
  ) => Promise<EdgeResult>;
  readonly signedOut: (req: EdgeRequest) => EdgeResult;
  readonly jwksUnavailable: (req: EdgeRequest, route: Route, link: string) => EdgeResult;
  readonly badRequest: (route: Route | undefined, reason: string) => EdgeResult;
  readonly errorCode: (err: unknown) => string;
}

/** The handler's view of session mode. */
export interface SessionMode {
  /**
   * Set-Cookie values of a new session (session cookie, refresh cookie, the other mode's cookies
   * expired, and from the callback the login-loop count); `undefined` when the session does not
   * fit (the cookie would be too large, or the Cookie header over budget).
   */
  cookiesFor(tokens: TokenSet, identity: Identity, jar: ReadonlyMap<string, string>, from: 'callback' | 'refresh'): string[] | undefined;
  /** Does the request carry a valid session cookie (signed with the current key, under the current rules)? */
  hasSession(cookieHeaders: readonly string[]): boolean;
  /** Answer a request (every path: the auth behaviour sends only `<prefix>*` here). */
  route(req: EdgeRequest, jar: ReadonlyMap<string, string>, path: string, duplicates: ReadonlySet<string>): Promise<EdgeResult>;
}

export function createSessionMode(deps: SessionModeDeps): SessionMode {
  const { config, session, log, names, guards, loginCookies } = deps;
  const prefix = session.authPathPrefix;
  const loginRoute = `${prefix}login`;
  const refreshRoute = `${prefix}refresh`;
  const namePrefix = namePrefixOf(config.cookies);
  const sessionName = `__Host-${namePrefix}-s`;
  const refreshName = `__Secure-${namePrefix}-refresh`;
  // The other mode's token cookies: `__Host-`, Path=/ (whatever name form the settings give them there).
  const otherModeNames = [`__Host-${namePrefix}-id`, `__Host-${namePrefix}-refresh`];
  // The refresh cookie: host-only, `__Secure-` (a `__Host-` cookie must have Path=/), sent only to the auth routes.
  const refreshCookies = new CookieWriter({ baseName: '', sameSite: 'Lax', path: prefix });
  const rules = session.rules;
  const currentRulesHash = rulesHash(rules);

  /** The other mode's id and refresh cookies (and their parts) the request carries, expired. */
  function expireOtherMode(jar: ReadonlyMap<string, string>): string[] {
    const out: string[] = [];
    for (const name of otherModeNames) for (const n of splitNamesIn(jar, name)) out.push(loginCookies.expire(n));
    return out;
  }

  function expireRefresh(jar: ReadonlyMap<string, string>): string[] {
    return [...new Set([refreshName, ...splitNamesIn(jar, refreshName)])].map((n) => refreshCookies.expire(n));
  }

  function cookiesFor(tokens: TokenSet, identity: Identity, jar: ReadonlyMap<string, string>, from: 'callback' | 'refresh'): string[] | undefined {
    const now = deps.nowSeconds();
    let value: string;
    try {
      value = mintSessionCookie(
        { sub: subOf(tokens.idToken, identity), username: identity.username, groups: sessionGroups(identity.groups, rules), exp: identity.exp },
        { kid: session.keyId, key: session.key, rulesHash: currentRulesHash, now, maxAgeSeconds: config.cookies.tokenMaxAgeSeconds },
      );
    } catch {
      return undefined;
    }
    // Max-Age outlives the value's `exp`: the viewer function can send an expired session to the
    // refresh route only while the browser still sends the cookie. The `exp` inside ends the session.
    const out = [loginCookies.set(sessionName, value, config.refreshTokenValiditySeconds)];
    if (tokens.refreshToken !== undefined) {
      out.push(...refreshCookies.setSplit(refreshName, tokens.refreshToken, config.refreshTokenValiditySeconds, jar));
    }
    out.push(...expireOtherMode(jar));
    if (from === 'callback') {
      out.push(loginCookies.set(names.attempts, String(Math.min(deps.attempts(jar) + 1, 99)), deps.attemptsWindowSeconds));
    }
    return cookieHeaderLength(jar, out) > deps.cookieHeaderBudget ? undefined : out;
  }

  function hasSession(cookieHeaders: readonly string[]): boolean {
    const parts = parseSessionCookie(sessionCookieFromHeaders(cookieHeaders, sessionName));
    return parts !== undefined && parts.kid === session.keyId
      && checkSession(parts, session.key, deps.nowSeconds(), currentRulesHash).status === 'valid';
  }

  function isCrossSite(req: EdgeRequest): boolean {
    return headerValues(req.raw.headers, 'sec-fetch-site').some((v) => v.trim().toLowerCase() === 'cross-site');
  }

  function crossSite(req: EdgeRequest, from: Route): EdgeResult {
    log.warn('deny', { route: from, status: 403, reason: 'cross_site' });
    return page('cross_site', `${deps.origin(req)}/`);
  }

  /**
   * The `return` parameter: a same-origin path (design §4.3) outside the auth prefix (a return
   * into it would only come back here), else `/`; `undefined` for a malformed query.
   */
  function returnOf(req: EdgeRequest): string | undefined {
    const query = parseQuery(req.querystring);
    if (query === undefined) return undefined;
    const value = query.get('return');
    return value !== undefined && isSafeReturnPath(value) && !value.startsWith(prefix) ? value : '/';
  }

  function loginLink(req: EdgeRequest, returnPath: string): string {
    return `${deps.origin(req)}${loginRoute}?return=${encodeURIComponent(returnPath)}`;
  }

  /** No usable refresh token: a navigation starts a login (through the login route), anything else gets 401. */
  function toLogin(req: EdgeRequest, returnPath: string, reason: string, setCookies: string[]): EdgeResult {
    log.info('refresh_failed', { route: 'refresh', status: req.isNavigation ? 302 : 401, reason });
    return req.isNavigation ? redirect(loginLink(req, returnPath), setCookies) : unauthenticatedJson(setCookies);
  }

  function login(req: EdgeRequest, jar: ReadonlyMap<string, string>): EdgeResult {
    if (!req.isSafeMethod) return deps.badRequest('login', 'method');
    const returnPath = returnOf(req);
    if (returnPath === undefined) return deps.badRequest('login', 'query');
    return deps.startLogin(req, jar, [], returnPath);
  }

  /**
   * Design §4.10 on the refresh route. Only a parsed `invalid_grant` ends the session; a timeout,
   * 429, 5xx or network failure keeps every cookie and answers 503 with Retry-After.
   * Refresh race (rotation without grace period): the viewer function sends every expired GET of
   * a page here at once, all with the same refresh token; the first wins, the others get
   * `invalid_grant` while the winner's cookies may still be on their way. So a first
   * `invalid_grant` expires nothing: it answers with a redirect to the same URL and a cookie
   * holding a digest of the refused token. Back with the winner's refresh token, the request
   * refreshes with that; back with the same token and the digest, the token is dead for sure and
   * the request goes to the login (401 for fetch/XHR), still without expiring anything.
   */
  async function refresh(req: EdgeRequest, jar: ReadonlyMap<string, string>, duplicates: ReadonlySet<string>): Promise<EdgeResult> {
    if (!req.isSafeMethod) return deps.badRequest('refresh', 'method');
    if (isCrossSite(req)) return crossSite(req, 'refresh');
    const returnPath = returnOf(req);
    if (returnPath === undefined) return deps.badRequest('refresh', 'query');
    const here = `${deps.origin(req)}${refreshRoute}?return=${encodeURIComponent(returnPath)}`;
    // A refresh cookie sent twice (design §4.12) is no session: never pick one.
    if (duplicates.has(refreshName)) return toLogin(req, returnPath, 'duplicate_cookie', expireRefresh(jar));
    const refreshToken = readSplitCookie(jar, refreshName);
    if (refreshToken === undefined) return toLogin(req, returnPath, 'no_refresh_token', []);
    if (!isRefreshTokenShape(refreshToken)) return toLogin(req, returnPath, 'refresh_token_shape', expireRefresh(jar));
    if (deps.keysUnusable) return deps.jwksUnavailable(req, 'refresh', here);
    const digest = createHash('sha256').update(refreshToken).digest('base64url').slice(0, 22);
    if (jar.get(guards.deadRefresh) === digest) return toLogin(req, returnPath, 'refresh_token_refused', []);
    let tokens: TokenSet;
    let identity: Identity;
    try {
      const fresh = await requestTokens(deps.fetchFn, deps.client, { grant_type: 'refresh_token', refresh_token: refreshToken }, deps.budget());
      tokens = { idToken: fresh.idToken, refreshToken: fresh.refreshToken };
      identity = await deps.verifier.verify(tokens.idToken);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return deps.jwksUnavailable(req, 'refresh', here);
      if (err instanceof OAuthRejectedError && err.error === 'invalid_grant') {
        log.info('refresh_failed', { route: 'refresh', status: 302, reason: 'invalid_grant' });
        return redirect(here, [loginCookies.set(guards.deadRefresh, digest, deps.deadRefreshSeconds)]);
      }
      log.warn('upstream_failed', { route: 'refresh', upstream: 'token', status: 503, reason: deps.errorCode(err) });
      return req.isNavigation ? page('refresh_unavailable', here) : unavailableJson();
    }
    const set = cookiesFor(tokens, identity, jar, 'refresh');
    if (set === undefined) {
      log.warn('refresh_failed', { route: 'refresh', status: 400, reason: 'cookie_budget' });
      return page('session_too_large', `${deps.origin(req)}/`, [loginCookies.expire(sessionName), ...expireRefresh(jar)]);
    }
    log.info('refresh_ok', { route: 'refresh', status: 302 });
    return redirect(deps.origin(req) + returnPath, set);
  }

  async function signOut(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<EdgeResult> {
    if (isCrossSite(req)) return crossSite(req, 'signout');
    const refreshToken = readSplitCookie(jar, refreshName) ?? readSplitCookie(jar, names.refresh);
    // Beside every library cookie the request carries (expired by the common sign-out, the other
    // mode's among them), the session cookie and the refresh cookie with its Path=<prefix>.
    return deps.signOut(req, jar, refreshToken, [loginCookies.expire(sessionName), ...expireRefresh(jar)]);
  }

  async function route(req: EdgeRequest, jar: ReadonlyMap<string, string>, path: string, duplicates: ReadonlySet<string>): Promise<EdgeResult> {
    // Only the auth behaviour (`<prefix>*`) runs this function in session mode; every other path
    // is the CloudFront Function's. A request outside the prefix never reaches here unless the
    // distribution is misconfigured, and it is answered 404, never forwarded unchecked.
    if (path.startsWith(prefix)) {
      if (path === deps.routes.callback) return deps.callback(req, jar);
      if (path === loginRoute) return login(req, jar);
      if (path === refreshRoute) return refresh(req, jar, duplicates);
      if (path === deps.routes.signOut) return signOut(req, jar);
      if (path === deps.routes.signedOut) return deps.signedOut(req);
    }
    log.info('not_found', { status: 404 });
    return page('not_found', `${deps.origin(req)}/`);
  }

  return { cookiesFor, hasSession, route };
}

/** The `sub` of an id token that has just been verified (else its username, as the verifier falls back). */
function subOf(idToken: string, identity: Identity): string {
  const payload = safeJsonParse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'));
  const sub = isRecord(payload) ? ownProperty(payload, 'sub') : undefined;
  return typeof sub === 'string' && sub.length > 0 ? sub : identity.username;
}
