/**
 * A local stand-in for an Amazon Cognito user pool's hosted UI (managed login) and OAuth 2.0
 * endpoints, on 127.0.0.1, for flow tests, the browser suite and the playground.
 *
 * It follows what Cognito documents for these endpoints, and is strict where Cognito is:
 * - `GET /oauth2/authorize`: `client_id` must exist and `redirect_uri` must be one of the client's
 *   callback URLs exactly (else Cognito's `/error?error=redirect_mismatch` page, no redirect);
 *   `response_type=code`, known scopes, `code_challenge_method=S256` when a challenge is sent
 *   (else a redirect to `redirect_uri` with `error=` and `state`). With `identity_provider` it shows
 *   that IdP's sign-in form (an unknown provider is refused like Cognito does, with
 *   `error=invalid_request` on the redirect URI); without it, the pool's own sign-in form. A valid
 *   hosted-UI session cookie skips the form. An OIDC `nonce` is echoed in the id token that the
 *   code exchange returns (refreshed id tokens carry none).
 * - `POST /login` (the form): on success sets the hosted-UI session cookie and answers 302 to
 *   `redirect_uri?code=…&state=…`.
 * - `POST /oauth2/token`: `application/x-www-form-urlencoded` only; grants `authorization_code`
 *   (single-use code, short life, exact `redirect_uri`, PKCE S256 enforced) and `refresh_token`;
 *   a client with a secret authenticates the way it is registered for (`authMethod`: HTTP Basic by
 *   default, or `client_secret` in the body; Cognito accepts either, this stand-in holds each client
 *   to one so that a test shows which one the caller uses);
 *   errors are `{"error":"…"}` bodies with status 400.
 *   With `refreshTokenRotation`, a refresh grant also returns a new refresh token and the one
 *   presented stops working after the grace period (0: at once; Cognito's RefreshTokenRotation).
 * - `POST /oauth2/revoke`: revokes a refresh token (200, empty body), `unsupported_token_type` for
 *   anything that is not a refresh token of this pool.
 * - `GET /logout`: `client_id` and a registered `logout_uri`; ends the hosted-UI session and
 *   redirects to `logout_uri`.
 * - `GET /.well-known/jwks.json` and `GET /<poolId>/.well-known/jwks.json` (the issuer's path).
 *
 * Tokens are RS256 JWTs shaped like Cognito's id and access tokens; refresh tokens are opaque,
 * JWE-shaped strings (as Cognito's are) that the server remembers. The issuer is the real
 * `https://cognito-idp.<region>.amazonaws.com/<poolId>` so that `aws-jwt-verify` accepts them, and
 * nothing here ever contacts that host: the key set travels in the edge config.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { b64url, opaqueRefreshToken, rsaSigningKey, signJwt as signWith } from './jwt';

export interface LocalUser {
  username: string;
  password: string;
  email?: string;
  groups?: string[];
  /**
   * More id-token claims, as Cognito writes mapped IdP attributes (e.g. Entra app roles mapped to
   * `custom:roles` arrive as the string `[Reports.Read, Reports.Write]`).
   */
  claims?: Record<string, unknown>;
}

export interface LocalClient {
  clientId: string;
  clientSecret?: string;
  /**
   * How a client with a secret must send it to the token and revoke endpoints: HTTP Basic
   * (`client_secret_basic`) or `client_secret` in the form (`client_secret_post`); the other way
   * is `invalid_client`. @default 'client_secret_basic'
   */
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  callbackUrls: string[];
  logoutUrls: string[];
}

export interface LocalCognitoOptions {
  /** Port on 127.0.0.1. @default 0 (ephemeral) */
  port?: number;
  /** @default 'us-east-1_LocalTest1' */
  userPoolId?: string;
  clients: LocalClient[];
  users: LocalUser[];
  /** Federated identity providers configured in the pool. @default ['EntraID'] */
  identityProviders?: string[];
  /** @default 3600 */
  idTokenTtlSeconds?: number;
  /** @default 3600 */
  accessTokenTtlSeconds?: number;
  /** @default 2592000 (30 days) */
  refreshTokenTtlSeconds?: number;
  /** Life of an authorization code. @default 300 (Cognito's) */
  codeTtlSeconds?: number;
  /** Refresh-token rotation with this grace period in seconds (0: a used refresh token is refused at once). @default - no rotation */
  refreshTokenRotation?: { gracePeriodSeconds: number };
}

export type LocalCognitoFailureMode = 'none' | '503' | '429' | 'reset' | 'hang' | 'invalid-json';

export interface IssueCodeParams {
  clientId: string;
  redirectUri: string;
  username: string;
  codeChallenge: string;
  codeChallengeMethod?: 'S256';
  scope?: string;
  /** Sign the user in through this federated provider (adds `identities`). @default - a native pool user */
  identityProvider?: string;
  /** OIDC nonce the id token of the code exchange carries. @default - none */
  nonce?: string;
}

export interface MintTokensParams {
  clientId: string;
  username: string;
  idTokenTtlSeconds?: number;
  accessTokenTtlSeconds?: number;
  scope?: string;
  identityProvider?: string;
}

export interface LocalCognito {
  /** `http://127.0.0.1:PORT`: the edge config's `authDomain`. */
  readonly url: string;
  readonly userPoolId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` (what aws-jwt-verify expects). */
  readonly issuer: string;
  readonly jwks: { keys: object[] };
  /** Method and path of every request received (no query, no bodies). */
  readonly requests: ReadonlyArray<{ method: string; path: string }>;
  /** An authorization code as if the user had just signed in (no UI). */
  issueCode(p: IssueCodeParams): string;
  mintTokens(p: MintTokensParams): { idToken: string; accessToken: string; refreshToken: string };
  /** Signs any payload with the pool's RSA key (header `{ kid, alg: 'RS256' }`, `header` merged over it); for hostile-token tests. */
  signJwt(payload: object, header?: object): string;
  /** Revokes every refresh token of a user, as AdminUserGlobalSignOut does; returns how many. */
  globalSignOut(username: string): number;
  /** false: every endpoint answers 503. */
  setAvailable(up: boolean): void;
  /** How the token and revoke endpoints misbehave. */
  setFailureMode(mode: LocalCognitoFailureMode): void;
  /** Turn refresh-token rotation on (with a grace period in seconds) or off (`undefined`). */
  setRefreshTokenRotation(rotation: { gracePeriodSeconds: number } | undefined): void;
  close(): Promise<void>;
}

/** Scopes Cognito knows without a resource server. */
const KNOWN_SCOPES = new Set(['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin']);
/** Name of the hosted UI's session cookie (Cognito's is `cognito`). */
const SESSION_COOKIE = 'cognito';
/** The hosted UI's icon (a padlock), inline so that no request is needed for it. */
const FAVICON = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
  + '<rect width="16" height="16" rx="3" fill="#146eb4"/><path d="M5 7V5a3 3 0 0 1 6 0v2" stroke="#fff" stroke-width="1.6" fill="none"/>'
  + '<rect x="3.5" y="7" width="9" height="6.5" rx="1" fill="#fff"/></svg>');
const SESSION_TTL_SECONDS = 3600;
const MAX_BODY_BYTES = 64 * 1024;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  username: string;
  codeChallenge?: string;
  scope: string;
  identityProvider?: string;
  nonce?: string;
  authTime: number;
  expiresAt: number;
}

/** One sign-in, as its tokens carry it: what mints an id and access token pair and what a refresh token remembers. */
interface SignIn {
  clientId: string;
  username: string;
  scope: string;
  identityProvider?: string;
  authTime: number;
  /** The tokens' `origin_jti`: the same for every token of one sign-in. */
  originJti: string;
}

interface RefreshRecord extends SignIn {
  expiresAt: number;
  revoked: boolean;
  /** When rotation replaced it (seconds); usable for the grace period after that. */
  rotatedAt?: number;
}

interface HostedSession {
  username: string;
  identityProvider?: string;
  authTime: number;
  expiresAt: number;
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state?: string;
  scope: string;
  codeChallenge?: string;
  identityProvider?: string;
  /** OIDC `nonce`, echoed in the id token of the code exchange (not in refreshed ones). */
  nonce?: string;
}

class OAuthError extends Error {
  constructor(readonly error: string, readonly status = 400) {
    super(error);
  }
}

const now = (): number => Math.floor(Date.now() / 1000);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function regionOf(userPoolId: string): string {
  const i = userPoolId.indexOf('_');
  return i > 0 ? userPoolId.slice(0, i) : 'us-east-1';
}

/** A stable, UUID-shaped `sub` for a username. */
function subFor(userPoolId: string, username: string): string {
  const h = createHash('sha256').update(`${userPoolId}/${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new OAuthError('invalid_request');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const userPoolId = options.userPoolId ?? 'us-east-1_LocalTest1';
  const region = regionOf(userPoolId);
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const identityProviders = options.identityProviders ?? ['EntraID'];
  const ttl = {
    id: options.idTokenTtlSeconds ?? 3600,
    access: options.accessTokenTtlSeconds ?? 3600,
    refresh: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    code: options.codeTtlSeconds ?? 300,
  };
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const users = new Map(options.users.map((u) => [u.username, u]));

  const key = rsaSigningKey();
  const jwks = { keys: [key.jwk] };

  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const sessions = new Map<string, HostedSession>();
  const pendingAuthorize = new Map<string, AuthorizeRequest & { expiresAt: number }>();
  const requests: Array<{ method: string; path: string }> = [];
  let available = true;
  let failureMode: LocalCognitoFailureMode = 'none';
  let rotation = options.refreshTokenRotation;

  function signJwt(payload: object, header?: object): string {
    return signWith(key, payload, header);
  }

  function userOrThrow(username: string): LocalUser {
    const user = users.get(username);
    if (!user) throw new Error(`local-cognito: no user ${username}`);
    return user;
  }

  interface MintInput extends SignIn {
    idTtl?: number;
    accessTtl?: number;
    /** OIDC nonce of the authorize request (code exchange only). */
    nonce?: string;
  }

  function mintJwts(p: MintInput): { idToken: string; accessToken: string } {
    const user = userOrThrow(p.username);
    const iat = now();
    const sub = subFor(userPoolId, user.username);
    // Federated users get Cognito's `<provider>_<id>` username and its automatic group.
    const cognitoUsername = p.identityProvider ? `${p.identityProvider}_${user.username}` : user.username;
    const groups = [...(user.groups ?? [])];
    if (p.identityProvider) groups.push(`${userPoolId}_${p.identityProvider}`);
    const groupClaim = groups.length > 0 ? { 'cognito:groups': groups } : {};
    const eventId = randomUUID();
    const idToken = signJwt({
      'sub': sub,
      ...groupClaim,
      ...(user.email ? { email_verified: true } : {}),
      'iss': issuer,
      'cognito:username': cognitoUsername,
      'origin_jti': p.originJti,
      'aud': p.clientId,
      ...(p.identityProvider ? {
        identities: [{
          dateCreated: String(p.authTime * 1000),
          userId: user.username,
          providerName: p.identityProvider,
          providerType: 'OIDC',
          issuer: null,
          primary: 'true',
        }],
      } : {}),
      'event_id': eventId,
      'token_use': 'id',
      'auth_time': p.authTime,
      'exp': iat + (p.idTtl ?? ttl.id),
      'iat': iat,
      'jti': randomUUID(),
      ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
      ...(user.email ? { email: user.email } : {}),
      ...user.claims,
    });
    const accessToken = signJwt({
      sub,
      ...groupClaim,
      iss: issuer,
      version: 2,
      client_id: p.clientId,
      origin_jti: p.originJti,
      event_id: eventId,
      token_use: 'access',
      scope: p.scope,
      auth_time: p.authTime,
      exp: iat + (p.accessTtl ?? ttl.access),
      iat,
      jti: randomUUID(),
      username: cognitoUsername,
    });
    return { idToken, accessToken };
  }

  /** An opaque refresh token shaped like Cognito's (a five-part JWE, about 1.7 KB). */
  function newRefreshToken(rec: SignIn): string {
    const token = opaqueRefreshToken();
    refreshTokens.set(token, { ...rec, revoked: false, expiresAt: now() + ttl.refresh });
    return token;
  }

  function newCode(p: Omit<PendingCode, 'expiresAt'>): string {
    const code = randomUUID();
    codes.set(code, { ...p, expiresAt: now() + ttl.code });
    return code;
  }

  // ---------------------------------------------------------------- HTTP

  function send(res: http.ServerResponse, status: number, headers: Record<string, string | string[]>, body = ''): void {
    res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
    res.end(body);
  }
  function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    send(res, status, { 'Content-Type': 'application/json;charset=UTF-8' }, JSON.stringify(value));
  }
  function sendHtml(res: http.ServerResponse, status: number, title: string, inner: string, extra: Record<string, string | string[]> = {}): void {
    const page = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
      + '<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}'
      + 'label{display:block;margin:.6rem 0}input{width:100%;padding:.4rem}button{padding:.5rem 1rem}'
      + '.err{color:#b00}.note{color:#666;font-size:.9rem}</style>'
      // An inline icon: the browser asks for /favicon.ico otherwise (a 404 in its console).
      + `<link rel="icon" href="${FAVICON}"></head>`
      + `<body>${inner}</body></html>`;
    send(res, status, { 'Content-Type': 'text/html; charset=utf-8', ...extra }, page);
  }
  function redirect(res: http.ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
    send(res, 302, { Location: location, ...extra });
  }
  function errorPage(res: http.ServerResponse, error: string): void {
    // Cognito answers unusable authorize/logout requests with a redirect to its own error page.
    redirect(res, `/error?error=${encodeURIComponent(error)}`);
  }
  function redirectWithError(res: http.ServerResponse, redirectUri: string, error: string, state?: string, description?: string): void {
    const u = new URL(redirectUri);
    if (description) u.searchParams.set('error_description', description);
    u.searchParams.set('error', error);
    if (state !== undefined) u.searchParams.set('state', state);
    redirect(res, u.toString());
  }

  function currentSession(req: http.IncomingMessage): HostedSession | undefined {
    const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (!id) return undefined;
    const s = sessions.get(id);
    if (!s || s.expiresAt <= now()) return undefined;
    return s;
  }

  function completeAuthorize(res: http.ServerResponse, a: AuthorizeRequest, s: HostedSession, extra: Record<string, string | string[]> = {}): void {
    const code = newCode({
      clientId: a.clientId,
      redirectUri: a.redirectUri,
      username: s.username,
      codeChallenge: a.codeChallenge,
      scope: a.scope,
      identityProvider: s.identityProvider,
      nonce: a.nonce,
      authTime: s.authTime,
    });
    const u = new URL(a.redirectUri);
    u.searchParams.set('code', code);
    if (a.state !== undefined) u.searchParams.set('state', a.state);
    redirect(res, u.toString(), extra);
  }

  function signInForm(res: http.ServerResponse, requestId: string, a: AuthorizeRequest, message?: string, username = ''): void {
    const who = a.identityProvider ? `Sign in with ${a.identityProvider}` : 'Sign in with your username and password';
    const inner = `<h1>${escapeHtml(who)}</h1>`
      + (a.identityProvider ? `<p class="note">Local stand-in for the ${escapeHtml(a.identityProvider)} identity provider.</p>` : '')
      + (message ? `<p class="err" role="alert">${escapeHtml(message)}</p>` : '')
      + '<form method="post" action="/login">'
      + `<input type="hidden" name="request" value="${escapeHtml(requestId)}">`
      // After a wrong password the username stays filled in and the password field has the focus.
      + `<label>Username <input name="username" autocomplete="username" value="${escapeHtml(username)}"${username ? '' : ' autofocus'}></label>`
      + `<label>Password <input name="password" type="password" autocomplete="current-password"${username ? ' autofocus' : ''}></label>`
      + '<button type="submit">Sign in</button></form>';
    sendHtml(res, 200, who, inner);
  }

  function handleAuthorize(req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    const client = clients.get(clientId);
    if (!client) return errorPage(res, 'invalid_request');
    if (!client.callbackUrls.includes(redirectUri)) return errorPage(res, 'redirect_mismatch');
    const state = q.get('state') ?? undefined;
    if (q.get('response_type') !== 'code') return redirectWithError(res, redirectUri, 'unsupported_response_type', state);
    const scope = (q.get('scope') ?? 'openid email profile phone aws.cognito.signin.user.admin').trim();
    const scopes = scope.split(/[ +]+/).filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.has(s))) return redirectWithError(res, redirectUri, 'invalid_scope', state);
    const codeChallenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method');
    if (codeChallenge !== undefined && method !== 'S256') return redirectWithError(res, redirectUri, 'invalid_request', state, 'code_challenge_method must be S256');
    if (codeChallenge === undefined && method !== null) return redirectWithError(res, redirectUri, 'invalid_request', state);
    if (codeChallenge !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(codeChallenge)) return redirectWithError(res, redirectUri, 'invalid_request', state);
    const identityProvider = q.get('identity_provider') ?? undefined;
    if (identityProvider !== undefined && !identityProviders.includes(identityProvider)) {
      return redirectWithError(res, redirectUri, 'invalid_request', state, 'identity provider does not exist for the user pool');
    }
    const nonce = q.get('nonce') ?? undefined;
    const a: AuthorizeRequest = { clientId, redirectUri, state, scope: scopes.join(' '), codeChallenge, identityProvider, nonce };
    const session = currentSession(req);
    if (session && (identityProvider === undefined || session.identityProvider === identityProvider)) {
      return completeAuthorize(res, a, session);
    }
    const requestId = randomUUID();
    pendingAuthorize.set(requestId, { ...a, expiresAt: now() + 900 });
    signInForm(res, requestId, a);
  }

  async function handleLogin(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const requestId = form.get('request') ?? '';
    const a = pendingAuthorize.get(requestId);
    if (!a || a.expiresAt <= now()) return errorPage(res, 'invalid_request');
    const user = users.get(form.get('username') ?? '');
    if (!user || !safeEqual(user.password, form.get('password') ?? '')) {
      return signInForm(res, requestId, a, 'Incorrect username or password.', form.get('username') ?? '');
    }
    pendingAuthorize.delete(requestId);
    const sid = b64url(randomBytes(24));
    const session: HostedSession = {
      username: user.username,
      identityProvider: a.identityProvider,
      authTime: now(),
      expiresAt: now() + SESSION_TTL_SECONDS,
    };
    sessions.set(sid, session);
    completeAuthorize(res, a, session, {
      'Set-Cookie': `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_SECONDS}`,
    });
  }

  function handleLogout(req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
    const client = clients.get(q.get('client_id') ?? '');
    if (!client) return errorPage(res, 'invalid_request');
    const logoutUri = q.get('logout_uri');
    if (logoutUri === null || !client.logoutUrls.includes(logoutUri)) return errorPage(res, 'redirect_mismatch');
    const sid = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (sid) sessions.delete(sid);
    redirect(res, logoutUri, { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
  }

  /** Client authentication for token and revoke: HTTP Basic, or client_id (+ client_secret) in the body, as the client is registered. */
  function authenticateClient(req: http.IncomingMessage, form: URLSearchParams): LocalClient {
    let id = form.get('client_id') ?? undefined;
    const bodySecret = form.get('client_secret') ?? undefined;
    let secret = bodySecret;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth);
      if (!m) throw new OAuthError('invalid_client');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i < 0) throw new OAuthError('invalid_client');
      const basicId = decodeURIComponent(decoded.slice(0, i));
      if (id !== undefined && id !== basicId) throw new OAuthError('invalid_client');
      id = basicId;
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
    if (id === undefined) throw new OAuthError('invalid_request');
    const client = clients.get(id);
    if (!client) throw new OAuthError('invalid_client');
    if (client.clientSecret !== undefined) {
      const basic = (client.authMethod ?? 'client_secret_basic') === 'client_secret_basic';
      // Only the registered way: Basic and no secret in the body, or the body and no Basic.
      if (basic ? auth === undefined || bodySecret !== undefined : auth !== undefined) throw new OAuthError('invalid_client');
      if (secret === undefined || !safeEqual(secret, client.clientSecret)) throw new OAuthError('invalid_client');
    } else if (secret !== undefined && secret !== '') {
      throw new OAuthError('invalid_client');
    }
    return client;
  }

  function requireForm(req: http.IncomingMessage): void {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new OAuthError('invalid_request');
  }

  async function handleToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    requireForm(req);
    const form = new URLSearchParams(await readBody(req));
    const client = authenticateClient(req, form);
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code');
      const redirectUri = form.get('redirect_uri');
      if (!code || !redirectUri) throw new OAuthError('invalid_request');
      const pending = codes.get(code);
      // Single use: a code is spent by any presentation, successful or not.
      codes.delete(code);
      if (!pending || pending.expiresAt <= now() || pending.clientId !== client.clientId) throw new OAuthError('invalid_grant');
      if (pending.redirectUri !== redirectUri) throw new OAuthError('invalid_grant');
      if (pending.codeChallenge !== undefined) {
        const verifier = form.get('code_verifier');
        if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) throw new OAuthError('invalid_grant');
        const computed = b64url(createHash('sha256').update(verifier).digest());
        if (!safeEqual(computed, pending.codeChallenge)) throw new OAuthError('invalid_grant');
      }
      const originJti = randomUUID();
      const { idToken, accessToken } = mintJwts({ ...pending, originJti });
      const refreshToken = newRefreshToken({
        clientId: client.clientId,
        username: pending.username,
        scope: pending.scope,
        identityProvider: pending.identityProvider,
        authTime: pending.authTime,
        originJti,
      });
      return sendJson(res, 200, { id_token: idToken, access_token: accessToken, refresh_token: refreshToken, expires_in: ttl.access, token_type: 'Bearer' });
    }
    if (grant === 'refresh_token') {
      const token = form.get('refresh_token');
      if (!token) throw new OAuthError('invalid_request');
      const rec = refreshTokens.get(token);
      if (!rec || rec.revoked || rec.expiresAt <= now() || rec.clientId !== client.clientId) throw new OAuthError('invalid_grant');
      if (rec.rotatedAt !== undefined && (rotation === undefined || Date.now() / 1000 >= rec.rotatedAt + rotation.gracePeriodSeconds)) {
        throw new OAuthError('invalid_grant');
      }
      const { idToken, accessToken } = mintJwts(rec);
      // Cognito does not rotate refresh tokens unless rotation is turned on: no refresh_token then.
      if (rotation === undefined) return sendJson(res, 200, { id_token: idToken, access_token: accessToken, expires_in: ttl.access, token_type: 'Bearer' });
      rec.rotatedAt ??= Date.now() / 1000;
      const { clientId, username, scope, identityProvider, authTime, originJti } = rec;
      const refreshToken = newRefreshToken({ clientId, username, scope, identityProvider, authTime, originJti });
      return sendJson(res, 200, { id_token: idToken, access_token: accessToken, refresh_token: refreshToken, expires_in: ttl.access, token_type: 'Bearer' });
    }
    if (grant === 'client_credentials') throw new OAuthError('unauthorized_client');
    throw new OAuthError(grant ? 'unsupported_grant_type' : 'invalid_request');
  }

  async function handleRevoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    requireForm(req);
    const form = new URLSearchParams(await readBody(req));
    const client = authenticateClient(req, form);
    const token = form.get('token');
    if (!token) throw new OAuthError('invalid_request');
    const rec = refreshTokens.get(token);
    if (!rec) {
      // A JWT (id/access token) or anything else that is not one of our refresh tokens.
      throw new OAuthError('unsupported_token_type');
    }
    if (rec.clientId !== client.clientId) throw new OAuthError('invalid_request');
    rec.revoked = true;
    send(res, 200, {});
  }

  /** Returns true when the failure mode took the request over. */
  function misbehave(res: http.ServerResponse): boolean {
    switch (failureMode) {
      case '503':
        sendJson(res, 503, { message: 'Service Unavailable' });
        return true;
      case '429':
        sendJson(res, 429, { message: 'Too many requests' });
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'hang':
        return true; // never answered; close() ends the socket
      case 'invalid-json':
        send(res, 200, { 'Content-Type': 'application/json;charset=UTF-8' }, '{"id_token":"eyJ');
        return true;
      default:
        return false;
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    requests.push({ method, path });
    if (!available) return sendHtml(res, 503, 'Service Unavailable', '<h1>503 Service Unavailable</h1>');
    try {
      if (path === '/oauth2/token' || path === '/oauth2/revoke') {
        if (method !== 'POST') return send(res, 405, { Allow: 'POST' });
        if (misbehave(res)) return;
        return path === '/oauth2/token' ? await handleToken(req, res) : await handleRevoke(req, res);
      }
      if (path === '/oauth2/authorize' && method === 'GET') return handleAuthorize(req, res, url.searchParams);
      if (path === '/login' && method === 'POST') return await handleLogin(req, res);
      if (path === '/logout' && method === 'GET') return handleLogout(req, res, url.searchParams);
      if (method === 'GET' && (path === '/.well-known/jwks.json' || path === `/${userPoolId}/.well-known/jwks.json`)) return sendJson(res, 200, jwks);
      if (method === 'GET' && path === `/${userPoolId}/.well-known/openid-configuration`) {
        return sendJson(res, 200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, authorization_endpoint: `${baseUrl}/oauth2/authorize`, token_endpoint: `${baseUrl}/oauth2/token`, revocation_endpoint: `${baseUrl}/oauth2/revoke`, id_token_signing_alg_values_supported: ['RS256'] });
      }
      if (path === '/error' && method === 'GET') {
        const error = url.searchParams.get('error') ?? 'unknown';
        return sendHtml(res, 400, 'Error', `<h1>An error was encountered with the requested page.</h1><p class="err">${escapeHtml(error)}</p>`);
      }
      return sendHtml(res, 404, 'Not found', '<h1>Not found</h1>');
    } catch (e) {
      if (e instanceof OAuthError) return sendJson(res, e.status, { error: e.error });
      return sendJson(res, 500, { error: 'server_error' });
    }
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    userPoolId,
    issuer,
    jwks,
    issueCode(p) {
      userOrThrow(p.username);
      if (p.codeChallengeMethod !== undefined && p.codeChallengeMethod !== 'S256') throw new Error('local-cognito: only S256');
      return newCode({ clientId: p.clientId, redirectUri: p.redirectUri, username: p.username, codeChallenge: p.codeChallenge, scope: p.scope ?? 'openid email profile', identityProvider: p.identityProvider, nonce: p.nonce, authTime: now() });
    },
    mintTokens(p) {
      const originJti = randomUUID();
      const authTime = now();
      const scope = p.scope ?? 'openid email profile';
      const base = { clientId: p.clientId, username: p.username, scope, identityProvider: p.identityProvider, authTime, originJti };
      const { idToken, accessToken } = mintJwts({ ...base, idTtl: p.idTokenTtlSeconds, accessTtl: p.accessTokenTtlSeconds });
      const refreshToken = newRefreshToken(base);
      return { idToken, accessToken, refreshToken };
    },
    signJwt,
    globalSignOut(username) {
      let n = 0;
      for (const rec of refreshTokens.values()) {
        if (rec.username === username && !rec.revoked) {
          rec.revoked = true;
          n++;
        }
      }
      return n;
    },
    setAvailable(up) {
      available = up;
    },
    setFailureMode(mode) {
      failureMode = mode;
    },
    setRefreshTokenRotation(r) {
      rotation = r;
    },
    requests,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
