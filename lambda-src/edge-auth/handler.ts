/**
 * The viewer-request handler, built from a configuration: `createHandler(config, deps?)`.
 * Everything derivable from the configuration (cookie names and attributes, the HMAC key, the
 * verifier with its key set, URLs) is prepared here, once; a request only does its own work.
 *
 * Routes (design §2): the callback path, the sign-out path, and every other path (protected).
 * Every answer is a CloudFront request (pass-through) or a generated response; nothing throws.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { Authorizer } from './authorization';
import { resolveConfig, ResolvedConfig } from './config';
import {
  cookieNames, CookieWriter, parseCookies, readSplitCookie, splitNamesIn, stripCookies,
} from './cookies';
import { EdgeAuthError, JwksUnavailableError, OAuthRejectedError, UpstreamError } from './errors';
import { fetchJwksWith } from './jwks-cache';
import { Logger, LogEvent, Route } from './logger';
import { createPkce, randomId } from './pkce';
import { EdgeRequest, parseEvent, parseQuery, setHeader } from './request';
import { page, redirect, unauthenticatedJson, unavailableJson } from './responses';
import { returnPathFor } from './return-path';
import { LOGIN_MAX_AGE_SECONDS, safeEqual, StateSigner } from './state';
import { Identity, IdTokenVerifier } from './token-verifier';
import { FetchFn, OAuthClient, requestTokens, revokeToken, TokenSet } from './upstream';

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
export const INVOCATION_BUDGET_MS = 4500;
/** Sessions established within this window count towards the login-loop guard. */
export const ATTEMPTS_WINDOW_SECONDS = 120;
/** A browser back without a session after this many fresh sessions in the window gets an error page. */
export const MAX_ATTEMPTS = 2;
/** Logins in flight kept per browser (older login cookies are expired). */
export const MAX_PENDING_LOGINS = 3;
const LOGIN_ID = /^[A-Za-z0-9_-]{1,16}$/;
const LOGIN_VALUE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43,128})$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,128}$/;
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,256}$/;
const CODE = /^[\x21-\x7e]{1,2048}$/;
/**
 * A path with one spelling (no '.'/'..' segments, no empty segment, no '%' escapes, no backslash):
 * only such a path may match a public pattern, so `/.well-known/../admin` is never public.
 */
const PLAIN_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)*\/?$/;

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
  const cookies = new CookieWriter(config.cookies);
  const signer = new StateSigner(config.stateSecret);
  const authorizer = new Authorizer(config);
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

  const nowSeconds = (): number => Math.floor(now() / 1000);
  const origin = (req: EdgeRequest): string => `https://${req.host}`;

  function attempts(jar: ReadonlyMap<string, string>): number {
    const value = jar.get(names.attempts);
    return value !== undefined && /^\d{1,2}$/.test(value) ? Number(value) : 0;
  }

  /** Set-Cookie values of a new session (id token, refresh token if any, loop counter). */
  function sessionCookies(tokens: TokenSet, identity: Identity, jar: ReadonlyMap<string, string>): string[] {
    const remaining = identity.exp - nowSeconds();
    const idMaxAge = Math.min(remaining, config.cookies.tokenMaxAgeSeconds ?? remaining);
    const out = cookies.setSplit(names.id, tokens.idToken, idMaxAge, jar);
    if (tokens.refreshToken !== undefined) {
      out.push(...cookies.setSplit(names.refresh, tokens.refreshToken, config.refreshTokenValiditySeconds, jar));
    }
    out.push(cookies.set(names.attempts, String(Math.min(attempts(jar) + 1, 99)), ATTEMPTS_WINDOW_SECONDS));
    return out;
  }

  /** Expire the id and refresh cookies (every part the request carried, and the base names). */
  function expireSession(jar: ReadonlyMap<string, string>): string[] {
    const toExpire = new Set([names.id, names.refresh, ...splitNamesIn(jar, names.id), ...splitNamesIn(jar, names.refresh)]);
    return [...toExpire].map((n) => cookies.expire(n));
  }

  function startLogin(req: EdgeRequest, jar: ReadonlyMap<string, string>, setCookies: string[]): EdgeResult {
    const returnPath = returnPathFor(req.uri, req.querystring);
    if (attempts(jar) >= MAX_ATTEMPTS) {
      log.warn('login_loop', { route: 'protected', status: 401 });
      return page('login_loop', origin(req) + returnPath, [...setCookies, cookies.expire(names.attempts)]);
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
    for (const old of pending.slice(MAX_PENDING_LOGINS - 1)) out.push(cookies.expire(old.name));
    out.push(cookies.set(names.login + id, `${t.toString(36)}.${nonce}.${pkce.verifier}`, LOGIN_MAX_AGE_SECONDS));

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
    if (!config.forwardAuthCookies) setHeader(headers, 'cookie', 'Cookie', stripCookies(req.cookieHeaders, names.prefix));
    if (SAFE_HEADER_VALUE.test(identity.username)) headers[IDENTITY_HEADER] = [{ key: IDENTITY_HEADER_KEY, value: identity.username }];
    log.debug('allow', { route: 'protected' });
    return req.raw;
  }

  /** A public path: passed on whoever asks, without the library's cookies and without an identity. */
  function publicRequest(req: EdgeRequest): EdgeResult {
    if (!config.forwardAuthCookies) setHeader(req.raw.headers, 'cookie', 'Cookie', stripCookies(req.cookieHeaders, names.prefix));
    log.debug('allow', { route: 'protected', reason: 'public' });
    return req.raw;
  }

  async function refresh(req: EdgeRequest, jar: ReadonlyMap<string, string>, refreshToken: string): Promise<EdgeResult> {
    if (attempts(jar) >= MAX_ATTEMPTS) return noSession(req, jar, expireSession(jar));
    let tokens: TokenSet;
    let identity: Identity;
    try {
      const fresh = await requestTokens(fetchFn, client, { grant_type: 'refresh_token', refresh_token: refreshToken }, budget());
      tokens = { idToken: fresh.idToken, refreshToken: fresh.refreshToken };
      identity = await verifier.verify(tokens.idToken);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return jwksUnavailable(req, 'protected', origin(req) + returnPathFor(req.uri, req.querystring));
      log.info('refresh_failed', { route: 'protected', reason: errorCode(err) });
      return noSession(req, jar, expireSession(jar));
    }
    log.info('refresh_ok', { route: 'protected', status: 302 });
    return redirect(origin(req) + returnPathFor(req.uri, req.querystring, 4096), sessionCookies(tokens, identity, jar));
  }

  async function protectedRequest(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<EdgeResult> {
    if (config.publicPaths.length > 0 && PLAIN_PATH.test(req.uri) && config.publicPaths.some((p) => p.test(req.uri))) return publicRequest(req);
    const idToken = readSplitCookie(jar, names.id);
    if (idToken !== undefined) {
      try {
        const identity = await verifier.verify(idToken);
        if (authorizer.isAllowed(identity, req.uri)) return passThrough(req, identity);
        log.info('deny', { route: 'protected', status: 403, reason: 'groups' });
        return req.isNavigation ? page('forbidden', origin(req) + config.signOutPath) : forbiddenJson();
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

  async function callback(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<EdgeResult> {
    const home = `${origin(req)}/`;
    if (!req.isSafeMethod) return badRequest('callback', 'method');
    const query = parseQuery(req.querystring);
    if (query === undefined) return badRequest('callback', 'query');
    const stateValue = query.get('state');
    if (stateValue === undefined || stateValue.length === 0) return callbackFailed('callback_rejected', 'no_state', home);
    let state;
    try {
      state = signer.verify(stateValue, nowSeconds());
    } catch (err) {
      return callbackFailed('callback_rejected', errorCode(err), home);
    }
    const link = origin(req) + state.p;
    const loginName = names.login + state.i;
    const loginValue = jar.get(loginName);
    if (loginValue === undefined) return callbackFailed('callback_rejected', 'no_login_cookie', link);
    const consumed = [cookies.expire(loginName)];
    const m = LOGIN_VALUE.exec(loginValue);
    if (!m || !safeEqual(m[2], state.n)) return callbackFailed('callback_rejected', 'nonce_mismatch', link, consumed);
    if (query.has('error')) return callbackFailed('callback_rejected', 'idp_error', link, consumed);
    const code = query.get('code');
    if (code === undefined || !CODE.test(code)) return callbackFailed('callback_rejected', 'no_code', link, consumed);

    let tokens: TokenSet;
    try {
      tokens = await requestTokens(fetchFn, client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: origin(req) + config.callbackPath,
        code_verifier: m[3],
      }, budget());
    } catch (err) {
      if (err instanceof OAuthRejectedError) return callbackFailed('callback_rejected', 'token_rejected', link, consumed);
      log.error('upstream_failed', { route: 'callback', upstream: 'token', status: 502, reason: errorCode(err) });
      return page(err instanceof UpstreamError && err.code === 'timeout' ? 'upstream_timeout' : 'upstream_failed', link, consumed);
    }
    let identity: Identity;
    try {
      identity = await verifier.verify(tokens.idToken);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return jwksUnavailable(req, 'callback', link);
      return callbackFailed('callback_rejected', errorCode(err), link, consumed);
    }
    // OIDC nonce: the login's nonce went to /oauth2/authorize; an id token that carries another
    // one was issued for a different login. (A token without one is left to PKCE and state.)
    if (identity.nonce !== undefined && !safeEqual(identity.nonce, m[2])) {
      return callbackFailed('callback_rejected', 'id_token_nonce', link, consumed);
    }
    log.info('callback_ok', { route: 'callback', status: 302 });
    return redirect(link, [...consumed, ...sessionCookies(tokens, identity, jar)]);
  }

  async function signOut(req: EdgeRequest, jar: ReadonlyMap<string, string>): Promise<EdgeResult> {
    const refreshToken = readSplitCookie(jar, names.refresh);
    if (refreshToken !== undefined) {
      try {
        await revokeToken(fetchFn, client, refreshToken, budget());
      } catch (err) {
        log.warn('revoke_failed', { route: 'signout', upstream: 'revoke', reason: errorCode(err) });
      }
    }
    const toExpire = new Set([names.id, names.refresh, names.attempts]);
    for (const name of jar.keys()) {
      if (toExpire.size >= 32) break;
      if (name.startsWith(names.prefix) && COOKIE_NAME.test(name)) toExpire.add(name);
    }
    log.info('signout', { route: 'signout', status: 302 });
    return redirect(logoutBase + encodeURIComponent(origin(req) + config.signOutLandingPath), [...toExpire].map((n) => cookies.expire(n)));
  }

  function badRequest(route: Route | undefined, reason: string): EdgeResult {
    log.warn('bad_request', { route, status: 400, reason });
    return page('bad_request');
  }

  async function handle(event: unknown): Promise<EdgeResult> {
    deadline = now() + INVOCATION_BUDGET_MS;
    const parsed = parseEvent(event, config.aliases);
    if (!parsed.ok) return badRequest(undefined, parsed.reason);
    const req = parsed.request;
    stripIdentityHeader(req.raw.headers);
    const jar = parseCookies(req.cookieHeaders);
    if (req.uri === config.callbackPath) return callback(req, jar);
    if (req.uri === config.signOutPath) return signOut(req, jar);
    return protectedRequest(req, jar);
  }

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
