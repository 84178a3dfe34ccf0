/**
 * The viewer-request handler, built from a configuration: `createHandler(config, deps?)`.
 * Everything derivable from the configuration (cookie names and attributes, the HMAC key, the
 * verifier with its key set, URLs) is prepared here, once; a request only does its own work.
 *
 * Routes (design §2): the callback path, the sign-out path, and every other path (protected),
 * decided on the canonical form of the path (design §4.9, canonical-path.ts). In session mode
 * (`config.session`, design §7) only the auth routes, routed by session-routes.ts.
 * Every answer is a CloudFront request (pass-through) or a generated response; nothing throws.
 */
import { createHash } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { Authorizer } from './authorization';
import { canonicalPath, isCanonicalFast } from './canonical-path';
import { resolveConfig, ResolvedConfig } from './config';
import {
  cookieHeaderLength, cookieNames, CookieWriter, guardNames, hasPrefix, libraryPrefixes, LOGIN_COOKIE_CONFIG, parseCookies,
  readSplitCookie, splitNamesIn, stripCookies,
} from './cookies';
import { EdgeAuthError, JwksUnavailableError, OAuthRejectedError, UpstreamError } from './errors';
import { fetchJwksWith } from './jwks-cache';
import { Logger, LogEvent, Route } from './logger';
import { createPkce, randomId } from './pkce';
import { EdgeRequest, parseEvent, parseQuery, setHeader } from './request';
import { forbiddenPage, page, redirect, unauthenticatedJson, unavailableJson } from './responses';
import { isSafeReturnPath, returnPathFor } from './return-path';
import { createSessionMode, SessionMode } from './session-routes';
import { LOGIN_MAX_AGE_SECONDS, safeEqual, StateSigner } from './state';
import { Identity, IdTokenVerifier } from './token-verifier';
import { FetchFn, isRefreshTokenShape, OAuthClient, requestTokens, revokeToken, TokenSet } from './upstream';

/**
 * Defined by scripts/bundle.ts for the edge bundles (false: Lambda@Edge mode only); undefined
 * elsewhere. Every use of session mode below tests it first, written out so that the minifier folds
 * it (see EDGE_AUTH_BUILD): the Lambda@Edge-mode bundle then keeps none of these branches.
 */
declare const __CEA_SESSION_MODE__: boolean | undefined;

/** What the handler returns: the (possibly modified) request, or a generated response. */
export type EdgeResult = CloudFrontRequest | CloudFrontResultResponse;
/** A viewer-request handler; accepts any value as event and never rejects. */
export type EdgeHandler = (event: unknown) => Promise<EdgeResult>;

/** Injectable dependencies (tests). */
export interface HandlerDeps {
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** @default global fetch */
  readonly fetch?: FetchFn;
  /** Where log lines go. @default console.log */
  readonly log?: (line: string) => void;
}

/** Header the handler sets for the origin with the signed-in user's `cognito:username`; always removed from inbound requests first. */
export const IDENTITY_HEADER = 'x-cognito-edge-auth-user';
const IDENTITY_HEADER_KEY = 'X-Cognito-Edge-Auth-User';
/** Whole-invocation budget for upstream calls: the viewer-request limit is 5 s. */
const INVOCATION_BUDGET_MS = 4500;
/** Sessions the callback established within this window count towards the login-loop guard (refreshes do not). */
const ATTEMPTS_WINDOW_SECONDS = 120;
/** A browser back without a session after this many fresh sessions in the window gets an error page. */
const MAX_ATTEMPTS = 2;
/**
 * Life of the refresh-loop guard cookie: a request that comes back with an expired session while
 * it is there did not keep the refreshed cookies, and gets an error page instead of another
 * refresh (capped at half the id cookie's life, so short `tokenMaxAge`s still refresh).
 */
const REFRESH_GUARD_SECONDS = 10;
/** Life of the cookie that remembers a refresh token Cognito refused (design §4.10). */
const DEAD_REFRESH_SECONDS = 600;
/** Budget of the whole Cookie header the browser will send after a new session (design §4.4). */
const COOKIE_HEADER_BUDGET = 12 * 1024;
/** Logins in flight kept per browser (older login cookies are expired). */
const MAX_PENDING_LOGINS = 3;
const LOGIN_ID = /^[A-Za-z0-9_-]{1,16}$/;
const LOGIN_VALUE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43,128})$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,128}$/;
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,256}$/;
const CODE = /^[\x21-\x7e]{1,2048}$/;
/** Longest canonical path (with query) a non-canonical navigation is redirected to. */
const MAX_CANONICAL_REDIRECT = 4096;
/** Token endpoint errors that mean the deployment is wrong (the client), not the user: 502. */
const CLIENT_REFUSED = new Set(['invalid_client', 'unauthorized_client']);

/** A handler that answers every request with a 500 page (configuration could not be loaded). */
export function createMisconfiguredHandler(log: (line: string) => void = (l) => console.log(l)): EdgeHandler {
  const logger = new Logger('error', log);
  return async () => {
    logger.error('config_invalid', { status: 500 });
    return page('misconfigured');
  };
}

/**
 * Build a handler from a configuration (a parsed `config.json`, validated here).
 * @throws ConfigError when the configuration is invalid (at build time, never per request).
 */
export function createHandler(rawConfig: unknown, deps: HandlerDeps = {}): EdgeHandler {
  const config: ResolvedConfig = resolveConfig(rawConfig);
  const now = deps.now ?? Date.now;
  const fetchFn: FetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const log = new Logger(config.logLevel, deps.log);
  const names = cookieNames(config.cookies);
  const guards = guardNames(config.cookies);
  const prefixes = libraryPrefixes(config.cookies);
  const cookies = new CookieWriter(config.cookies);
  // Login-time and guard cookies: always host-only `__Host-`, Path=/, SameSite=Lax (design §4.11).
  const loginCookies = new CookieWriter(LOGIN_COOKIE_CONFIG);
  // Set-Cookie values that expire a leftover `__Secure-` cookie of another configuration whose
  // Domain is unknown: host-only, and with each parent domain of the request host.
  const expireLeftover = (name: string, host: string): string[] => {
    const out = [loginCookies.expire(name)];
    if (config.cookies.domain !== undefined || config.cookies.path !== '/') out.push(cookies.expire(name));
    const labels = host.split('.');
    for (let i = 0; i < labels.length - 1 && out.length < 5; i++) out.push(`${name}=; Max-Age=0; Path=/; Domain=${labels.slice(i).join('.')}; Secure; HttpOnly; SameSite=Lax`);
    return out;
  };
  const signer = new StateSigner(config.stateSecret);
  const authorizer = new Authorizer(config);
  const hasPublicPaths = config.publicPaths.length > 0;
  // Public paths are path rules too: with either, a path that is not canonical is never forwarded.
  const hasPathRules = config.pathRules.length > 0 || hasPublicPaths;
  // The auth routes as the router sees them: in canonical form, like every request path.
  const callbackRoute = canonicalPath(config.callbackPath) ?? config.callbackPath;
  const signOutRoute = canonicalPath(config.signOutPath) ?? config.signOutPath;
  const signedOutRoute = canonicalPath(config.signedOutPath) ?? config.signedOutPath;
  const client: OAuthClient = { authDomain: config.authDomain, clientId: config.clientId, clientSecret: config.clientSecret };
  const authorizeUrl = `${config.authDomain}/oauth2/authorize`;
  // The authorize URL's constant parameters, encoded once at load; per request only the
  // redirect_uri is encoded (state, nonce and code_challenge are base64url, which needs no encoding).
  const authorizeClient = `${authorizeUrl}?${new URLSearchParams({ response_type: 'code', client_id: config.clientId })}&redirect_uri=`;
  const authorizeScope = `&${new URLSearchParams({ scope: config.scope })}`;
  const authorizeTail = config.identityProvider !== undefined
    ? `&code_challenge_method=S256&${new URLSearchParams({ identity_provider: config.identityProvider })}`
    : '&code_challenge_method=S256';
  const logoutBase = `${config.authDomain}/logout?client_id=${encodeURIComponent(config.clientId)}&logout_uri=`;
  // The encoded redirect_uri per host: hosts are checked against the distribution's own before
  // routing, so this holds a handful of entries, each computed once.
  const encodedCallbacks = new Map<string, string>();
  const encodedCallback = (req: EdgeRequest): string => {
    let value = encodedCallbacks.get(req.host);
    if (value === undefined) {
      value = encodeURIComponent(origin(req) + config.callbackPath);
      encodedCallbacks.set(req.host, value);
    }
    return value;
  };

  // Lambda runs one event at a time per instance: the current invocation's deadline.
  let deadline = 0;
  const budget = (): number => Math.min(config.upstreamTimeoutMs, deadline - now());
  const verifier = new IdTokenVerifier({
    userPoolId: config.userPoolId,
    region: config.region,
    clientId: config.clientId,
    groupsClaim: config.groupsClaim,
    jwks: config.jwks,
    now,
    fetchJwks: fetchJwksWith(fetchFn, budget),
  });
  // A configured key set without one usable RS256 key can verify nothing: every session check and
  // every login would fail, so answer 503 instead of sending browsers round a login (§4.13).
  const keysUnusable = verifier.keysUnusable;

  const nowSeconds = (): number => Math.floor(now() / 1000);
  const origin = (req: EdgeRequest): string => `https://${req.host}`;

  function attempts(jar: ReadonlyMap<string, string>): number {
    const value = jar.get(names.attempts);
    return value !== undefined && /^\d{1,2}$/.test(value) ? Number(value) : 0;
  }

  /**
   * Set-Cookie values of a new session (id token, refresh token if any) and of its guard: the
   * callback counts sessions for the login-loop guard, a refresh sets the refresh-loop guard.
   * `undefined` when the Cookie header the browser would then send exceeds the budget.
   */
  function sessionCookies(tokens: TokenSet, identity: Identity, jar: ReadonlyMap<string, string>, from: 'callback' | 'refresh'): string[] | undefined {
    if ((typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__) && sessionMode !== undefined) return sessionMode.cookiesFor(tokens, identity, jar, from);
    const remaining = identity.exp - nowSeconds();
    const idMaxAge = Math.min(remaining, config.cookies.tokenMaxAgeSeconds ?? remaining);
    const out = cookies.setSplit(names.id, tokens.idToken, idMaxAge, jar);
    if (tokens.refreshToken !== undefined) {
      out.push(...cookies.setSplit(names.refresh, tokens.refreshToken, config.refreshTokenValiditySeconds, jar));
    }
    if (from === 'callback') {
      out.push(loginCookies.set(names.attempts, String(Math.min(attempts(jar) + 1, 99)), ATTEMPTS_WINDOW_SECONDS));
    } else {
      out.push(loginCookies.set(guards.refreshed, '1', Math.max(1, Math.min(REFRESH_GUARD_SECONDS, Math.floor(idMaxAge / 2)))));
    }
    return cookieHeaderLength(jar, out) > COOKIE_HEADER_BUDGET ? undefined : out;
  }

  /** Expire the id and refresh cookies (every part the request carried, and the base names). */
  function expireSession(jar: ReadonlyMap<string, string>): string[] {
    const toExpire = new Set([names.id, names.refresh, ...splitNamesIn(jar, names.id), ...splitNamesIn(jar, names.refresh)]);
    return [...toExpire].map((n) => cookies.expire(n));
  }

  function startLogin(
    req: EdgeRequest, jar: ReadonlyMap<string, string>, setCookies: string[], returnPath = returnPathFor(req.uri, req.querystring),
  ): EdgeResult {
    if (attempts(jar) >= MAX_ATTEMPTS) {
      log.warn('login_loop', { route: 'protected', status: 401 });
      return page('login_loop', origin(req) + returnPath, [...setCookies, loginCookies.expire(names.attempts)]);
    }
    const t = nowSeconds();
    const id = randomId(6);
    const nonce = randomId(16);
    const pkce = createPkce();
    const state = signer.sign({ n: nonce, p: returnPath, t, i: id });

    // Keep the newest MAX_PENDING_LOGINS - 1 logins in flight, expire older ones.
    const pending: Array<{ name: string; t: number }> = [];
    for (const [name, value] of jar) {
      if (name.startsWith(names.login) && LOGIN_ID.test(name.slice(names.login.length))) {
        const m = LOGIN_VALUE.exec(value);
        pending.push({ name, t: m ? parseInt(m[1], 36) : 0 });
        if (pending.length >= 16) break;
      }
    }
    pending.sort((a, b) => b.t - a.t);
    const out = [...setCookies];
    for (const old of pending.slice(MAX_PENDING_LOGINS - 1)) out.push(loginCookies.expire(old.name));
    out.push(loginCookies.set(names.login + id, `${t.toString(36)}.${nonce}.${pkce.verifier}`, LOGIN_MAX_AGE_SECONDS));

    log.info('login_start', { route: 'protected', status: 302 });
    return redirect(
      `${authorizeClient}${encodedCallback(req)}${authorizeScope}&state=${state}&nonce=${nonce}&code_challenge=${pkce.challenge}${authorizeTail}`,
      out,
    );
  }

  function noSession(req: EdgeRequest, jar: ReadonlyMap<string, string>, setCookies: string[]): EdgeResult {
    if (req.isNavigation) return startLogin(req, jar, setCookies);
    log.info('unauthenticated', { route: 'protected', status: 401 });
    return unauthenticatedJson(setCookies);
  }

  function jwksUnavailable(req: EdgeRequest, route: Route, link: string): EdgeResult {
    log.error('jwks_unavailable', { route, status: 503 });
    return req.isNavigation || route === 'callback' ? page('jwks_unavailable', link) : unavailableJson();
  }

  function passThrough(req: EdgeRequest, identity: Identity): EdgeResult {
    const headers = req.raw.headers;
    if (!config.forwardAuthCookies) setHeader(headers, 'cookie', 'Cookie', stripCookies(req.cookieHeaders, prefixes));
    if (SAFE_HEADER_VALUE.test(identity.username)) headers[IDENTITY_HEADER] = [{ key: IDENTITY_HEADER_KEY, value: identity.username }];
    log.debug('allow', { route: 'protected' });
    return req.raw;
  }

  /**
   * Refresh inline (design §4.10). Only a parsed `invalid_grant` ends the session; a timeout,
   * 429, 5xx or network failure keeps every cookie and answers 503 with Retry-After. A cookie that
   * cannot be a Cognito refresh token ends the session without a call.
   *
   * Refresh race (rotation without grace period): the parallel requests of one page all carry the
   * same refresh token; the first to reach Cognito gets a new one, the others get `invalid_grant`
   * while the winner's answer may still be on its way to the browser. So `invalid_grant` never
   * expires a cookie: the loser answers with a redirect to the same URL and a cookie holding a
   * digest of the refused token. The browser comes back with the winner's cookies (signed in), or
   * with the same token and that digest: then the token is dead for sure, Cognito is not asked
   * again, and the request starts one fresh login (401 for fetch/XHR), still without expiring
   * anything, because a straggler of the race may be the one asking; the login's callback
   * replaces the dead cookies.
   */
  /** A public path: passed on whoever asks, without the library's cookies and without an identity. */
  function publicRequest(req: EdgeRequest): EdgeResult {
    if (!config.forwardAuthCookies) setHeader(req.raw.headers, 'cookie', 'Cookie', stripCookies(req.cookieHeaders, prefixes));
    log.debug('allow', { route: 'protected', reason: 'public' });
    return req.raw;
  }

  async function refresh(req: EdgeRequest, jar: ReadonlyMap<string, string>, refreshToken: string): Promise<EdgeResult> {
    if (!isRefreshTokenShape(refreshToken)) {
      log.info('refresh_failed', { route: 'protected', reason: 'refresh_token_shape' });
      return noSession(req, jar, expireSession(jar));
    }
    const here = origin(req) + returnPathFor(req.uri, req.querystring, 4096);
    if (jar.has(guards.refreshed)) {
      // Refreshed seconds ago and back without a usable id token: the browser did not keep the cookies.
      log.warn('login_loop', { route: 'protected', status: 401, reason: 'refresh' });
      return req.isNavigation ? page('login_loop', here, [loginCookies.expire(guards.refreshed)]) : unauthenticatedJson();
    }
    const digest = createHash('sha256').update(refreshToken).digest('base64url').slice(0, 22);
    if (jar.get(guards.deadRefresh) === digest) {
      log.info('refresh_failed', { route: 'protected', reason: 'refresh_token_refused' });
      return noSession(req, jar, []);
    }
    let tokens: TokenSet;
    let identity: Identity;
    try {
      const fresh = await requestTokens(fetchFn, client, { grant_type: 'refresh_token', refresh_token: refreshToken }, budget());
      tokens = { idToken: fresh.idToken, refreshToken: fresh.refreshToken };
      identity = await verifier.verify(tokens.idToken);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return jwksUnavailable(req, 'protected', here);
      if (err instanceof OAuthRejectedError && err.error === 'invalid_grant') {
        log.info('refresh_failed', { route: 'protected', status: 302, reason: 'invalid_grant' });
        return redirect(here, [loginCookies.set(guards.deadRefresh, digest, DEAD_REFRESH_SECONDS)]);
      }
      log.warn('upstream_failed', { route: 'protected', upstream: 'token', status: 503, reason: errorCode(err) });
      return req.isNavigation ? page('refresh_unavailable', here) : unavailableJson();
    }
    const set = sessionCookies(tokens, identity, jar, 'refresh');
    if (set === undefined) {
      log.warn('refresh_failed', { route: 'protected', status: 400, reason: 'cookie_budget' });
      return page('session_too_large', `${origin(req)}/`, expireSession(jar));
    }
    log.info('refresh_ok', { route: 'protected', status: 302 });
    return redirect(here, set);
  }

  async function protectedRequest(
    req: EdgeRequest, jar: ReadonlyMap<string, string>, path: string, duplicates: ReadonlySet<string>,
  ): Promise<EdgeResult> {
    if (hasPublicPaths && config.publicPaths.some((p) => p.test(path))) return publicRequest(req);
    if (keysUnusable) return jwksUnavailable(req, 'protected', origin(req) + returnPathFor(req.uri, req.querystring));
    if (duplicates.size > 0) {
      // Design §4.12: a library cookie sent twice (a sibling host can plant one when a Domain is
      // set; a changed Domain or Path leaves one behind) means no session, never a pick. Every
      // copy that can be reached is expired: ours, host-only, and with each parent domain.
      const expire = new Set<string>();
      for (const name of duplicates) {
        if (hasPrefix(name, prefixes) && COOKIE_NAME.test(name) && expire.size < 24) {
          expire.add(cookies.expire(name));
          for (const c of expireLeftover(name, req.host)) expire.add(c);
        }
      }
      if (expire.size > 0) {
        log.warn('deny', { route: 'protected', reason: 'duplicate_cookie' });
        return noSession(req, jar, [...expire]);
      }
    }
    const idToken = readSplitCookie(jar, names.id);
    if (idToken !== undefined) {
      try {
        const identity = await verifier.verify(idToken);
        if (authorizer.isAllowed(identity, path)) return passThrough(req, identity);
        log.info('deny', { route: 'protected', status: 403, reason: 'groups' });
        return req.isNavigation ? forbiddenPage(identity.username, `${origin(req)}/`, origin(req) + config.signOutPath) : forbiddenJson();
      } catch (err) {
        if (err instanceof JwksUnavailableError) return jwksUnavailable(req, 'protected', origin(req) + returnPathFor(req.uri, req.querystring));
        log.debug('deny', { route: 'protected', reason: errorCode(err) });
      }
    }
    const refreshToken = readSplitCookie(jar, names.refresh);
    if (refreshToken !== undefined && req.isSafeMethod) return refresh(req, jar, refreshToken);
    return noSession(req, jar, []);
  }

  function callbackFailed(event: LogEvent, reason: string, link: string, setCookies: string[] = []): EdgeResult {
    log.warn(event, { route: 'callback', status: 400, reason });
    return page('callback_failed', link, setCookies);
  }

  /** Does the browser hold a session (an id token that verifies; in session mode, a valid session cookie)? */
  async function hasSession(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<boolean> {
    if ((typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__) && sessionMode !== undefined) return sessionMode.hasSession(req.cookieHeaders);
    const idToken = readSplitCookie(jar, names.id);
    return idToken !== undefined && verifier.verify(idToken).then(() => true, () => false);
  }

  /**
   * A callback that cannot complete a login (no, invalid or used state, no login cookie): a
   * bookmarked callback, or Back after signing in (the hosted UI answers the old authorize URL
   * with the used state). With a live session that is no failure: 302 to the site, to the
   * state's path when the state is valid (`link`), else to `/` (§4.13). Otherwise the error page.
   */
  async function staleCallback(
    req: EdgeRequest, jar: ReadonlyMap<string, string>, reason: string, link: string | undefined, setCookies: string[],
  ): Promise<EdgeResult> {
    const target = link ?? `${origin(req)}/`;
    if (await hasSession(req, jar)) {
      log.info('callback_stale', { route: 'callback', status: 302, reason });
      return redirect(target, setCookies);
    }
    return callbackFailed('callback_rejected', reason, target, setCookies);
  }

  async function callback(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<EdgeResult> {
    const home = `${origin(req)}/`;
    if (!req.isSafeMethod) return badRequest('callback', 'method');
    const query = parseQuery(req.querystring);
    if (query === undefined) return badRequest('callback', 'query');
    // An error answer gets one page whatever its state: nothing in the answer (link, cookies)
    // tells whether a state is valid (§4.13). The login cookie expires on its own.
    if (query.has('error')) return callbackFailed('callback_rejected', 'idp_error', home);
    const stateValue = query.get('state');
    if (stateValue === undefined || stateValue.length === 0) return staleCallback(req, jar, 'no_state', undefined, []);
    let state;
    try {
      state = signer.verify(stateValue, nowSeconds());
    } catch (err) {
      return staleCallback(req, jar, errorCode(err), undefined, []);
    }
    const link = origin(req) + state.p;
    const loginName = names.login + state.i;
    const loginValue = jar.get(loginName);
    if (loginValue === undefined) return staleCallback(req, jar, 'no_login_cookie', link, []);
    const consumed = [loginCookies.expire(loginName)];
    const m = LOGIN_VALUE.exec(loginValue);
    if (!m || !safeEqual(m[2], state.n)) return staleCallback(req, jar, 'nonce_mismatch', link, consumed);
    const code = query.get('code');
    if (code === undefined || !CODE.test(code)) return callbackFailed('callback_rejected', 'no_code', link, consumed);
    if (keysUnusable) return jwksUnavailable(req, 'callback', link);

    let tokens: TokenSet;
    try {
      tokens = await requestTokens(fetchFn, client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: origin(req) + config.callbackPath,
        code_verifier: m[3],
      }, budget());
    } catch (err) {
      // A refused client is the deployment's fault (wrong secret, grant not allowed): 502 (§4.13).
      if (err instanceof OAuthRejectedError && !(err.error !== undefined && CLIENT_REFUSED.has(err.error))) {
        return callbackFailed('callback_rejected', 'token_rejected', link, consumed);
      }
      log.error('upstream_failed', { route: 'callback', upstream: 'token', status: 502, reason: err instanceof OAuthRejectedError ? err.error : errorCode(err) });
      return page(err instanceof UpstreamError && err.code === 'timeout' ? 'upstream_timeout' : 'upstream_failed', link, consumed);
    }
    let identity: Identity;
    try {
      identity = await verifier.verify(tokens.idToken);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return jwksUnavailable(req, 'callback', link);
      // Tokens straight from the token endpoint that fail verification: the deployment (pool,
      // client, keys) is wrong, not the user: 502 (§4.13).
      log.error('upstream_failed', { route: 'callback', upstream: 'token', status: 502, reason: errorCode(err) });
      return page('upstream_failed', link, consumed);
    }
    // OIDC nonce: the login's nonce went to /oauth2/authorize; an id token that carries another
    // one was issued for a different login. (A token without one is left to PKCE and state.)
    if (identity.nonce !== undefined && !safeEqual(identity.nonce, m[2])) {
      return callbackFailed('callback_rejected', 'id_token_nonce', link, consumed);
    }
    const set = sessionCookies(tokens, identity, jar, 'callback');
    if (set === undefined) {
      log.warn('callback_rejected', { route: 'callback', status: 400, reason: 'cookie_budget' });
      return page('session_too_large', home, consumed);
    }
    log.info('callback_ok', { route: 'callback', status: 302 });
    return redirect(link, [...consumed, ...set]);
  }

  async function signOut(
    req: EdgeRequest, jar: ReadonlyMap<string, string>, refreshToken = readSplitCookie(jar, names.refresh), extraCookies: string[] = [],
  ): Promise<EdgeResult> {
    if (refreshToken !== undefined) {
      try {
        await revokeToken(fetchFn, client, refreshToken, budget());
      } catch (err) {
        log.warn('revoke_failed', { route: 'signout', upstream: 'revoke', reason: errorCode(err) });
      }
    }
    // Every library cookie the browser sent, of either prefix form and of the default name prefix
    // too (design §4.12), each with the attributes it can have been set with.
    const toExpire = new Set([names.id, names.refresh, names.attempts]);
    for (const name of jar.keys()) {
      if (toExpire.size >= 32) break;
      if (hasPrefix(name, prefixes) && COOKIE_NAME.test(name)) toExpire.add(name);
    }
    const setCookies: string[] = [];
    for (const name of toExpire) {
      if (name.startsWith('__Host-')) setCookies.push(loginCookies.expire(name)); // the only attributes a __Host- cookie can have
      else if (name.startsWith(names.prefix)) setCookies.push(cookies.expire(name));
      else setCookies.push(...expireLeftover(name, req.host));
    }
    for (const c of extraCookies) if (!setCookies.includes(c)) setCookies.push(c);
    log.info('signout', { route: 'signout', status: 302 });
    return redirect(logoutBase + encodeURIComponent(origin(req) + config.signOutLandingPath), setCookies);
  }

  /** The signed-out page: unprotected, served by the function itself, links to the site's home (which signs in again). */
  function signedOut(req: EdgeRequest): EdgeResult {
    log.info('signout', { route: 'signout', status: 200 });
    return page('signed_out', `${origin(req)}/`);
  }

  function badRequest(route: Route | undefined, reason: string): EdgeResult {
    log.warn('bad_request', { route, status: 400, reason });
    return page('bad_request');
  }

  /**
   * Path rules are configured and the path is not in canonical form (design §4.9): it is never
   * forwarded as sent, since the origin may serve it as an object another rule protects. A
   * navigation with a canonical form gets a 302 to it on the same host (query kept); anything
   * else, and a path without a canonical form, gets the 400 page.
   */
  function nonCanonical(req: EdgeRequest, canonical: string | undefined): EdgeResult {
    if (canonical !== undefined && req.isNavigation) {
      const target = req.querystring.length > 0 ? `${canonical}?${req.querystring}` : canonical;
      if (isSafeReturnPath(target, MAX_CANONICAL_REDIRECT)) {
        log.info('path_redirect', { route: 'protected', status: 302 });
        return redirect(origin(req) + target);
      }
    }
    return badRequest(undefined, canonical === undefined ? 'path_malformed' : 'path_not_canonical');
  }

  async function handle(event: unknown): Promise<EdgeResult> {
    deadline = now() + INVOCATION_BUDGET_MS;
    const parsed = parseEvent(event, config.aliases);
    if (!parsed.ok) return badRequest(undefined, parsed.reason);
    const req = parsed.request;
    stripIdentityHeader(req.raw.headers);
    // Routing and path rules decide on the canonical path (design §4.9). With path rules, a path
    // that is not canonical is never forwarded as sent (redirect or 400). Without path rules every
    // path has the same requirement, so the spelling cannot change the decision: such a path is
    // routed on its canonical form and, after the session check, forwarded as sent, so sites
    // whose S3 keys need odd spellings keep working.
    let path = req.uri;
    if (!isCanonicalFast(path)) {
      const canonical = canonicalPath(path);
      if (canonical !== path) {
        if (hasPathRules) return nonCanonical(req, canonical);
        if (canonical !== undefined) path = canonical;
      }
    }
    const duplicates = new Set<string>();
    const jar = parseCookies(req.cookieHeaders, duplicates);
    if ((typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__) && sessionMode !== undefined) return sessionMode.route(req, jar, path, duplicates);
    if (path === callbackRoute) return callback(req, jar);
    if (path === signOutRoute) return signOut(req, jar);
    if (path === signedOutRoute) return signedOut(req);
    return protectedRequest(req, jar, path, duplicates);
  }

  const sessionMode: SessionMode | undefined = !(typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__) || config.session === undefined ? undefined : createSessionMode({
    config,
    session: config.session,
    log,
    nowSeconds,
    fetchFn,
    client,
    budget,
    verifier,
    keysUnusable,
    names,
    guards,
    loginCookies,
    routes: { callback: callbackRoute, signOut: signOutRoute, signedOut: signedOutRoute },
    origin,
    attempts,
    attemptsWindowSeconds: ATTEMPTS_WINDOW_SECONDS,
    deadRefreshSeconds: DEAD_REFRESH_SECONDS,
    cookieHeaderBudget: COOKIE_HEADER_BUDGET,
    startLogin,
    callback,
    signOut,
    signedOut,
    jwksUnavailable,
    badRequest,
    errorCode,
  });

  return async (event: unknown): Promise<EdgeResult> => {
    try {
      return await handle(event);
    } catch (err) {
      log.error('internal_error', { status: 500, error: err instanceof Error ? err.name : 'unknown' });
      return page('internal');
    }
  };
}

function stripIdentityHeader(headers: CloudFrontHeaders): void {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === IDENTITY_HEADER) delete headers[name];
  }
}

function errorCode(err: unknown): string {
  return err instanceof EdgeAuthError ? err.code : 'unexpected';
}

function forbiddenJson(): CloudFrontResultResponse {
  const response = unauthenticatedJson();
  return { ...response, status: '403', statusDescription: 'Forbidden', body: '{"error":"forbidden"}' };
}
