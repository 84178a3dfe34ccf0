/**
 * Calls to the hosted UI (token, revoke) and the JWKS URI with Node's global `fetch`: a time
 * budget per call (AbortSignal.timeout), `redirect: 'manual'`, a bounded response body, and typed
 * failures. Nothing from an upstream body is ever passed on except validated token strings.
 */
import { OAuthErrorCode, OAuthRejectedError, UpstreamError } from './errors';
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

/** RFC 6749 §5.2 error codes. */
const OAUTH_ERROR = /^(invalid_(request|client|grant|scope)|unauthorized_client|unsupported_grant_type)$/;

/** The RFC 6749 `error` code of a 4xx token-endpoint answer, if it has one. */
function oauthErrorOf(response: UpstreamResponse): OAuthErrorCode | undefined {
  const json = safeJsonParse(new TextDecoder().decode(response.body));
  const error = isRecord(json) ? ownProperty(json, 'error') : undefined;
  return typeof error === 'string' && OAUTH_ERROR.test(error) ? error as OAuthErrorCode : undefined;
}

function parseTokenResponse(response: UpstreamResponse): TokenSet {
  if (response.status >= 400 && response.status < 500) throw new OAuthRejectedError(response.status, oauthErrorOf(response));
  if (response.status !== 200) throw new UpstreamError('status', response.status);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(response.body);
  } catch {
    throw new UpstreamError('invalid_response', response.status);
  }
  const json = safeJsonParse(text);
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

/** POST /oauth2/token. @throws OAuthRejectedError on 4xx, UpstreamError otherwise. */
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
  if (response.status >= 400 && response.status < 500) throw new OAuthRejectedError(response.status);
  if (response.status !== 200) throw new UpstreamError('status', response.status);
}
