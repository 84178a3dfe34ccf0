/** Unit tests of upstream.ts: time budget, bounded bodies, token response validation, Basic auth. */
import { hangingResponse, jsonResponse } from './helpers';
import { OAuthRejectedError, UpstreamError } from '../../lambda-src/edge-auth/errors';
import { callUpstream, MAX_RESPONSE_BYTES, requestTokens, revokeToken } from '../../lambda-src/edge-auth/upstream';

const client = { authDomain: 'https://auth.example.com', clientId: 'cid', clientSecret: 'se:cr/et' };
const JWT = 'aaa.bbb.ccc';

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UpstreamError || e instanceof OAuthRejectedError) return e.code;
    throw e;
  }
  return 'ok';
}

test('POST form with Basic auth (form-urlencoded id and secret), redirect manual, abort signal', async () => {
  const calls: Array<[string, RequestInit]> = [];
  const tokens = await requestTokens(async (u, i) => { calls.push([u, i]); return jsonResponse(200, { id_token: JWT, refresh_token: 'r.t' }); }, client, { grant_type: 'refresh_token', refresh_token: 'r.t' }, 1000);
  expect(tokens).toEqual({ idToken: JWT, refreshToken: 'r.t' });
  const [url, init] = calls[0];
  expect(url).toBe('https://auth.example.com/oauth2/token');
  expect(init.redirect).toBe('manual');
  expect(init.signal).toBeDefined();
  const headers = init.headers as Record<string, string>;
  expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(Buffer.from(headers.authorization.slice(6), 'base64').toString()).toBe('cid:se%3Acr%2Fet');
  expect(new URLSearchParams(init.body as string).get('client_id')).toBe('cid');
});

test.each<[string, () => Promise<Response>, string]>([
  ['400', async () => jsonResponse(400, { error: 'invalid_grant' }), 'oauth_rejected'],
  ['401', async () => jsonResponse(401, { error: 'invalid_client' }), 'oauth_rejected'],
  ['500', async () => new Response('x', { status: 500 }), 'status'],
  ['302', async () => new Response('', { status: 302, headers: { location: 'https://evil' } }), 'status'],
  ['invalid JSON', async () => new Response('{', { status: 200 }), 'invalid_response'],
  ['not UTF-8', async () => new Response(new Uint8Array([0xff, 0xfe]), { status: 200 }), 'invalid_response'],
  ['JSON array', async () => jsonResponse(200, []), 'invalid_response'],
  ['no id_token', async () => jsonResponse(200, { access_token: JWT }), 'invalid_response'],
  ['id_token not a JWT', async () => jsonResponse(200, { id_token: 'a\r\nb' }), 'invalid_response'],
  ['refresh_token with bad chars', async () => jsonResponse(200, { id_token: JWT, refresh_token: 'a;b' }), 'invalid_response'],
  ['oversized body', async () => new Response('x'.repeat(MAX_RESPONSE_BYTES + 1), { status: 200 }), 'too_large'],
  ['network error', async () => { throw new TypeError('fetch failed'); }, 'network'],
])('token endpoint %s → %s', async (_n, answer, expected) => {
  expect(await failure(requestTokens(answer, client, {}, 1000))).toBe(expected);
});

test('a hanging endpoint is cut at the budget', async () => {
  const t0 = Date.now();
  expect(await failure(callUpstream((_u, init) => hangingResponse(init), 'https://a.example.com/x', {}, 100))).toBe('timeout');
  // Cut at 100 ms; the bound only needs to be well inside the 5 s viewer-request limit (headroom for a loaded machine).
  expect(Date.now() - t0).toBeLessThan(4000);
});

test('a body that trickles past the budget is cut too', async () => {
  const slow = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array([123])); } });
  expect(await failure(callUpstream(async () => new Response(slow, { status: 200 }), 'https://a.example.com/x', {}, 100))).toBe('timeout');
});

test('no budget left → timeout without calling', async () => {
  const fetchFn = jest.fn();
  expect(await failure(callUpstream(fetchFn, 'https://a.example.com/x', {}, 0))).toBe('timeout');
  expect(fetchFn).not.toHaveBeenCalled();
});

test('revoke: token + client_id, 200 ok, errors typed', async () => {
  let body = '';
  await revokeToken(async (_u, i) => { body = i.body as string; return new Response('', { status: 200 }); }, { authDomain: 'https://a', clientId: 'cid' }, 'r.t', 1000);
  expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ token: 'r.t', client_id: 'cid' });
  expect(await failure(revokeToken(async () => jsonResponse(400, { error: 'unsupported_token_type' }), client, 'r', 1000))).toBe('oauth_rejected');
  expect(await failure(revokeToken(async () => new Response('', { status: 503 }), client, 'r', 1000))).toBe('status');
});
