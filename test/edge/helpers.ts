/**
 * Test helpers for the edge handler: locally generated RSA keys (playground/jwt.ts), Cognito-shaped tokens,
 * CloudFront viewer-request events, a scripted fake `fetch`, and response inspection.
 */
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { rsaSigningKey, SigningKey, signJwt } from '../../playground/jwt';

export const REGION = 'us-east-1';
export const POOL_ID = 'us-east-1_UnitTest1';
export const CLIENT_ID = 'unitclient0123456789abcdef';
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
export const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
export const AUTH_DOMAIN = 'https://auth.example.com';
export const DIST_DOMAIN = 'd111111abcdef8.cloudfront.net';
export const COOKIE_PREFIX = '__Host-CognitoEdgeAuth-';

export type TestKey = SigningKey;

const keys = new Map<string, TestKey>();

/** An RSA key pair (cached per kid: generation is slow). */
export function testKey(kid = 'unit-kid-1'): TestKey {
  let key = keys.get(kid);
  if (!key) {
    key = rsaSigningKey(kid);
    keys.set(kid, key);
  }
  return key;
}

export function jwksOf(...ks: TestKey[]): { keys: Array<Record<string, string>> } {
  return { keys: ks.map((k) => k.jwk) };
}

/** Sign a JWT with RS256 (header defaults to the key's kid). */
export { signJwt };

/** A Cognito id token payload, valid for an hour. */
export function idPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    'sub': 'aaaaaaaa-bbbb-4ccc-addd-eeeeeeeeeeee',
    'cognito:groups': ['readers'],
    'email_verified': true,
    'iss': ISSUER,
    'cognito:username': 'alice',
    'origin_jti': 'ffffffff-0000-4000-8000-000000000000',
    'aud': CLIENT_ID,
    'event_id': '11111111-2222-4333-8444-555555555555',
    'token_use': 'id',
    'auth_time': now,
    'exp': now + 3600,
    'iat': now,
    'jti': '99999999-8888-4777-8666-555555555555',
    'email': 'alice@example.com',
    ...overrides,
  };
}

/** A signed id token (overrides merged into a valid payload; `undefined` values delete claims). */
export function idToken(overrides: Record<string, unknown> = {}, key = testKey(), header: object = {}): string {
  const payload = idPayload(overrides);
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete payload[k];
  return signJwt(key, payload, header);
}

/** Minimal edge config for unit tests. */
export function baseConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userPoolId: POOL_ID, clientId: CLIENT_ID, authDomain: AUTH_DOMAIN, jwks: jwksOf(testKey()), logLevel: 'debug', ...overrides };
}

export interface EventOptions {
  uri?: string;
  querystring?: string;
  method?: string;
  host?: string | string[] | null;
  /** Cookie header values (each one header). */
  cookies?: string[];
  headers?: Record<string, string | string[]>;
  /** Browser navigation headers (default true). */
  navigation?: boolean;
  distributionDomainName?: string;
}

/** A CloudFront viewer-request event. */
export function cfEvent(o: EventOptions = {}): { Records: Array<{ cf: { config: Record<string, string>; request: CloudFrontRequest } }> } {
  const headers: CloudFrontRequest['headers'] = {};
  const hosts = o.host === null ? [] : Array.isArray(o.host) ? o.host : [o.host ?? DIST_DOMAIN];
  if (hosts.length > 0) headers.host = hosts.map((value) => ({ key: 'Host', value }));
  if (o.navigation ?? true) {
    headers.accept = [{ key: 'Accept', value: 'text/html,application/xhtml+xml,*/*;q=0.8' }];
    headers['sec-fetch-mode'] = [{ key: 'Sec-Fetch-Mode', value: 'navigate' }];
  }
  if (o.cookies && o.cookies.length > 0) headers.cookie = o.cookies.map((value) => ({ key: 'Cookie', value }));
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    headers[name.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key: name, value: v }));
  }
  return {
    Records: [{
      cf: {
        config: { distributionDomainName: o.distributionDomainName ?? DIST_DOMAIN, distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r' },
        request: { clientIp: '203.0.113.178', method: o.method ?? 'GET', uri: o.uri ?? '/', querystring: o.querystring ?? '', headers },
      },
    }],
  };
}

export type Result = CloudFrontRequest | CloudFrontResultResponse;

export function isResponse(r: Result): r is CloudFrontResultResponse {
  return 'status' in r;
}

export function asResponse(r: Result): CloudFrontResultResponse {
  if (!isResponse(r)) throw new Error(`expected a generated response, got the request for ${r.uri}`);
  return r;
}

export function asRequest(r: Result): CloudFrontRequest {
  if (isResponse(r)) throw new Error(`expected a pass-through, got ${r.status} ${r.body ?? ''}`);
  return r;
}

export function location(r: Result): string {
  const loc = asResponse(r).headers?.location?.[0]?.value;
  if (loc === undefined) throw new Error(`no Location (status ${asResponse(r).status})`);
  return loc;
}

export function setCookies(r: Result): string[] {
  return (asResponse(r).headers?.['set-cookie'] ?? []).map((h) => h.value);
}

/** Cookies a browser would keep from Set-Cookie values: name → value (Max-Age=0 deletes). */
export function applySetCookies(jar: Map<string, string>, values: string[]): Map<string, string> {
  for (const v of values) {
    const first = v.split(';')[0];
    const eq = first.indexOf('=');
    const name = first.slice(0, eq);
    const value = first.slice(eq + 1);
    if (/;\s*Max-Age=0(;|$)/.test(v)) jar.delete(name);
    else jar.set(name, value);
  }
  return jar;
}

export function cookieHeader(jar: Map<string, string>): string[] {
  return jar.size === 0 ? [] : [[...jar].map(([k, v]) => `${k}=${v}`).join('; ')];
}

/** A scripted fetch: answers by URL path with a function; records calls. */
export interface FakeFetch {
  (input: string, init: RequestInit): Promise<Response>;
  calls: Array<{ url: string; init: RequestInit; body: string }>;
}

export function fakeFetch(routes: Record<string, (body: URLSearchParams, init: RequestInit) => Response | Promise<Response>>): FakeFetch {
  const calls: FakeFetch['calls'] = [];
  const fn = (async (input: string, init: RequestInit) => {
    const body = typeof init.body === 'string' ? init.body : '';
    calls.push({ url: input, init, body });
    const path = new URL(input).pathname;
    const route = routes[path];
    if (!route) throw new TypeError('fetch failed');
    return route(new URLSearchParams(body), init);
  }) as FakeFetch;
  fn.calls = calls;
  return fn;
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A fetch that never answers until aborted. */
export function hangingResponse(init: RequestInit): Promise<Response> {
  return new Promise((_, reject) => {
    init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'TimeoutError')));
  });
}
