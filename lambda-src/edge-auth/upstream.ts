/**
 * Calls to the hosted UI (token, revoke) and the JWKS URI with Node's global `fetch`: a time
 * budget per call (AbortSignal.timeout), `redirect: 'manual'`, a bounded response body, and typed
 * failures. Nothing from an upstream body is ever passed on except validated token strings.
 */
import { OAuthRejectedError, UpstreamError } from './errors';
import { isRecord, ownProperty } from '../shared/assert';
import { safeJsonParse } from '../shared/safe-json';

/** The subset of `fetch` the handler uses (injectable in tests). */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** Largest response body read (token responses with 150 groups are ~25 KB). */
export const MAX_RESPONSE_BYTES = 128 * 1024;
/** Largest token accepted from the token endpoint or a cookie. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OPAQUE_TOKEN = /^[A-Za-z0-9._~-]+$/;
const OAUTH_ERROR = /^[a-z_]{1,40}$/;
/**
 * A Cognito refresh token: a JWE in compact serialisation (RFC 7516 §7.1), five base64url parts
 * (header, encrypted key, IV, ciphertext, tag), about 1.7 KB. Bounds are generous on purpose: a
 * cookie refused here ends the session without a call to Cognito (design §4.10), so the check
 * only filters what can never be a refresh token (wrong shape, a JWT, tiny or huge values).
 */
const JWE_COMPACT = /^[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{8,}$/;
const MIN_REFRESH_TOKEN_LENGTH = 128;
const MAX_REFRESH_TOKEN_LENGTH = 8 * 1024;

/**
 * Could `value` be a Cognito refresh token? Shape and size only, plus a JWE header that names
 * `alg` and `enc` (decoded only when the shape fits). Never throws.
 */
export function isRefreshTokenShape(value: string): boolean {
  if (value.length < MIN_REFRESH_TOKEN_LENGTH || value.length > MAX_REFRESH_TOKEN_LENGTH || !JWE_COMPACT.test(value)) return false;
  const header = safeJsonParse(Buffer.from(value.slice(0, value.indexOf('.')), 'base64url').toString('utf8'));
  return isRecord(header) && typeof ownProperty(header, 'alg') === 'string' && typeof ownProperty(header, 'enc') === 'string';
}

export interface UpstreamResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

/** Read a response body up to `maxBytes`; larger bodies fail with `too_large`; stops when `deadline` rejects. */
async function readBounded(response: Response, maxBytes: number, deadline: Promise<never>): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamError('too_large', response.status);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await Promise.race([reader.read(), deadline]);
    } catch (err) {
      reader.cancel().catch(() => undefined);
      throw err;
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new UpstreamError('too_large', response.status);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** One request with a time budget covering connect, headers and body. */
export async function callUpstream(
  fetchFn: FetchFn, url: string, init: RequestInit, timeoutMs: number, maxBytes = MAX_RESPONSE_BYTES,
): Promise<UpstreamResponse> {
  if (timeoutMs <= 0) throw new UpstreamError('timeout');
  const signal = AbortSignal.timeout(timeoutMs);
  // Enforced here too, so neither a fetch nor a body stream that ignores the signal can hang us.
  const deadline = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(new UpstreamError('timeout')), { once: true });
  });
  deadline.catch(() => undefined);
  try {
    const response = await Promise.race([fetchFn(url, { ...init, redirect: 'manual', signal }), deadline]);
    const body = await readBounded(response, maxBytes, deadline);
    return { status: response.status, body };
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    if (signal.aborted) throw new UpstreamError('timeout');
    throw new UpstreamError('network');
  }
}

/** Tokens from the token endpoint, validated for shape (not yet verified). */
export interface TokenSet {
  readonly idToken: string;
  /** Present on the code grant; on refresh only when refresh-token rotation is on. */
  readonly refreshToken?: string;
}

/** Settings of the hosted-UI client. */
export interface OAuthClient {
  readonly authDomain: string;
  readonly clientId: string;
  readonly clientSecret?: string;
}

function basicAuth(client: OAuthClient): Record<string, string> {
  if (client.clientSecret === undefined) return {};
  // RFC 6749 §2.3.1: form-urlencode id and secret, then base64 "id:secret".
  const id = encodeURIComponent(client.clientId);
  const secret = encodeURIComponent(client.clientSecret);
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}` };
}

function parseJsonBody(response: UpstreamResponse): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(response.body);
  } catch {
    return undefined;
  }
  return safeJsonParse(text);
}

/**
 * An OAuth error answer (400 or 401 with a JSON body carrying `error`) becomes an
 * OAuthRejectedError with the parsed code; 429, other 4xx, 5xx and 4xx bodies that are not an
 * OAuth error (a WAF page, a proxy) are UpstreamErrors: transient or not ours to judge.
 */
function rejectionOf(response: UpstreamResponse): OAuthRejectedError | UpstreamError {
  if (response.status === 400 || response.status === 401) {
    const json = parseJsonBody(response);
    const error = isRecord(json) ? ownProperty(json, 'error') : undefined;
    if (typeof error === 'string') return new OAuthRejectedError(response.status, OAUTH_ERROR.test(error) ? error : 'unknown');
  }
  return new UpstreamError('status', response.status);
}

function parseTokenResponse(response: UpstreamResponse): TokenSet {
  if (response.status !== 200) throw rejectionOf(response);
  const json = parseJsonBody(response);
  if (!isRecord(json)) throw new UpstreamError('invalid_response', response.status);
  const idToken = ownProperty(json, 'id_token');
  const refreshToken = ownProperty(json, 'refresh_token');
  if (typeof idToken !== 'string' || idToken.length > MAX_TOKEN_LENGTH || !JWT.test(idToken)) {
    throw new UpstreamError('invalid_response', response.status);
  }
  if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken.length > MAX_TOKEN_LENGTH || !OPAQUE_TOKEN.test(refreshToken))) {
    throw new UpstreamError('invalid_response', response.status);
  }
  return { idToken, refreshToken };
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'application/json' };

/** POST /oauth2/token. @throws OAuthRejectedError on an OAuth error answer, UpstreamError otherwise. */
export async function requestTokens(fetchFn: FetchFn, client: OAuthClient, params: Record<string, string>, timeoutMs: number): Promise<TokenSet> {
  const body = new URLSearchParams({ ...params, client_id: client.clientId }).toString();
  const response = await callUpstream(fetchFn, `${client.authDomain}/oauth2/token`, {
    method: 'POST',
    headers: { ...FORM_HEADERS, ...basicAuth(client) },
    body,
  }, timeoutMs);
  return parseTokenResponse(response);
}

/** POST /oauth2/revoke. @throws OAuthRejectedError / UpstreamError (callers ignore failures). */
export async function revokeToken(fetchFn: FetchFn, client: OAuthClient, refreshToken: string, timeoutMs: number): Promise<void> {
  const body = new URLSearchParams({ token: refreshToken, client_id: client.clientId }).toString();
  const response = await callUpstream(fetchFn, `${client.authDomain}/oauth2/revoke`, {
    method: 'POST',
    headers: { ...FORM_HEADERS, ...basicAuth(client) },
    body,
  }, timeoutMs, 16 * 1024);
  if (response.status !== 200) throw rejectionOf(response);
}
