/**
 * The playground's local edge (CloudFront stand-in): the viewer-request event it builds, how it
 * writes generated responses and forwards requests, and CloudFront's error answers for a
 * misbehaving function.
 */
import * as https from 'node:https';
import {
  CffEvent, EdgeDecision, LocalEdge, maskUrl, startLocalEdge, toFunctionEvent, ViewerRequestEvent, ViewerRequestHandler,
} from '../../playground/local-edge';
import { Origin, startOrigin } from '../../playground/origin';
import { describeDecision } from '../../playground/start';

let origin: Origin;
let edge: LocalEdge;
const decisions: EdgeDecision[] = [];

beforeAll(async () => {
  origin = await startOrigin();
  edge = await startLocalEdge({ originUrl: origin.url, timeoutMs: 300, onDecision: (d) => decisions.push(d) });
});
afterAll(async () => {
  await edge.close();
  await origin.close();
});
beforeEach(() => {
  decisions.length = 0;
});

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; rawHeaders: string[]; body: Buffer }

/** One request to the edge on 127.0.0.1, with raw header lines as given (duplicates allowed). */
function request(path: string, headers: Array<[string, string]> = [], method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1',
      port: edge.port,
      path,
      method,
      rejectUnauthorized: false,
      servername: 'localhost',
      headers: [['Host', edge.distributionDomainName], ...headers].flat(),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function use(handler: ViewerRequestHandler): void {
  edge.setHandler(handler);
}

test('builds the viewer-request event as CloudFront does', async () => {
  let seen: ViewerRequestEvent | undefined;
  use(async (event) => {
    seen = event;
    return { status: '204' };
  });
  await request('/reports/2026?tab=q3&x=%20y', [['Accept', 'text/html'], ['X-Dup', 'one'], ['x-dup', 'two'], ['Cookie', 'a=1'], ['Connection', 'keep-alive']]);
  const cf = seen!.Records[0].cf;
  expect(cf.config).toEqual({
    distributionDomainName: edge.distributionDomainName,
    distributionId: expect.stringMatching(/^E[A-Z0-9]+$/),
    eventType: 'viewer-request',
    requestId: expect.any(String),
  });
  expect(edge.distributionDomainName).toBe(`localhost:${edge.port}`);
  expect(cf.request).toMatchObject({ clientIp: '127.0.0.1', method: 'GET', uri: '/reports/2026', querystring: 'tab=q3&x=%20y' });
  expect(cf.request.headers.host).toEqual([{ key: 'Host', value: edge.distributionDomainName }]);
  expect(cf.request.headers.accept).toEqual([{ key: 'Accept', value: 'text/html' }]);
  expect(cf.request.headers['x-dup']).toEqual([{ key: 'X-Dup', value: 'one' }, { key: 'x-dup', value: 'two' }]);
  expect(cf.request.headers.cookie).toEqual([{ key: 'Cookie', value: 'a=1' }]);
  expect(cf.request.headers.connection).toBeUndefined();
});

test('writes a generated response: several Set-Cookie lines, base64 body', async () => {
  use(async () => ({
    status: '302',
    statusDescription: 'Found',
    headers: {
      'location': [{ key: 'Location', value: 'https://auth.example/oauth2/authorize?code_challenge=abc&state=secret' }],
      'set-cookie': [{ key: 'Set-Cookie', value: 'a=1; Secure' }, { key: 'Set-Cookie', value: 'b=2; Secure' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
    },
    body: Buffer.from('hello').toString('base64'),
    bodyEncoding: 'base64',
  }));
  const res = await request('/');
  expect(res.status).toBe(302);
  expect(res.headers['set-cookie']).toEqual(['a=1; Secure', 'b=2; Secure']);
  expect(res.body.toString()).toBe('hello');
  expect(decisions[0]).toMatchObject({
    kind: 'generated',
    status: 302,
    setCookieNames: ['a', 'b'],
    location: 'https://auth.example/oauth2/authorize?code_challenge=…&state=…',
  });
});

test('forwards the (modified) request to the origin, query intact, one Cookie header', async () => {
  use(async (event) => {
    const r = event.Records[0].cf.request;
    r.headers['x-cognito-edge-auth-user'] = [{ key: 'X-Cognito-Edge-Auth-User', value: 'EntraID_alice' }];
    r.headers.cookie = [{ key: 'Cookie', value: 'keep=1' }, { key: 'Cookie', value: 'also=2' }];
    return r;
  });
  const res = await request('/reports/2026?tab=q3', [['Cookie', 'x=1']]);
  expect(res.status).toBe(200);
  const last = origin.requests[origin.requests.length - 1];
  expect(last).toMatchObject({ url: '/reports/2026?tab=q3', identity: { 'x-cognito-edge-auth-user': 'EntraID_alice' }, cookieNames: ['keep', 'also'] });
  expect(res.body.toString()).toContain('EntraID_alice');
  expect(decisions[0]).toMatchObject({ kind: 'forwarded', status: 200 });
});

test.each<[string, ViewerRequestHandler, number, RegExp]>([
  ['the function throws', async () => {
    throw new Error('boom');
  }, 503, /function threw/],
  ['the function runs past the limit', () => new Promise(() => undefined), 503, /viewer-request limit/],
  ['a generated response has a read-only header', async () => ({ status: 200, headers: { via: [{ key: 'Via', value: 'x' }] } }), 502, /disallowed header via/],
  ['a generated body is over 40 KB', async () => ({ status: 200, body: 'x'.repeat(41 * 1024) }), 502, /over 40960 bytes/],
  ['header names are not lower case', async () => ({ status: 200, headers: { Location: [{ key: 'Location', value: '/' }] } }), 502, /not lower case/],
  ['a header value has CR/LF', async () => ({ status: 302, headers: { location: [{ key: 'Location', value: '/\r\nX: y' }] } }), 502, /CR\/LF/],
  ['the Host header of the request is changed', async (event) => {
    const r = event.Records[0].cf.request;
    r.headers.host = [{ key: 'Host', value: 'evil.example' }];
    return r;
  }, 502, /read-only header host/],
  ['nothing usable is returned', async () => ({}) as never, 502, /uri must start with/],
])('CloudFront\'s error when %s', async (_name, handler, status, problem) => {
  use(handler);
  const res = await request('/');
  expect(res.status).toBe(status);
  expect(res.body.toString()).toContain('The request could not be satisfied');
  expect(decisions[0]).toMatchObject({ kind: 'error', status, problem: expect.stringMatching(problem) });
});

test('maskUrl hides sensitive query values only', () => {
  expect(maskUrl('/_auth/callback?code=abc&state=def&x=1')).toBe('/_auth/callback?code=…&state=…&x=1');
  expect(maskUrl('/reports/2026?tab=q3')).toBe('/reports/2026?tab=q3');
});

test('describeDecision names what the edge did, without values', () => {
  const config = { userPoolId: 'us-east-1_X', clientId: 'c', authDomain: 'http://127.0.0.1:1' };
  const d = (x: Partial<EdgeDecision>): EdgeDecision => ({ method: 'GET', target: '/a?b=1', kind: 'generated', status: 302, setCookieNames: [], durationMs: 3, by: 'lambda-edge', ...x });
  expect(describeDecision(d({ location: 'http://127.0.0.1:1/oauth2/authorize?state=…' }), config)).toBe('GET /a?b=1 → redirected to login (hosted UI) (3 ms)');
  expect(describeDecision(d({ target: '/_auth/callback?code=…&state=…', location: 'https://localhost:9/a?b=1', setCookieNames: ['id'] }), config))
    .toBe('GET /_auth/callback?code=…&state=… → signed in → /a?b=1 (3 ms)');
  expect(describeDecision(d({ location: 'https://localhost:9/a?b=1', setCookieNames: ['id'] }), config)).toBe('GET /a?b=1 → refreshed tokens → same URL (3 ms)');
  expect(describeDecision(d({ target: '/_auth/signout', location: 'http://127.0.0.1:1/logout?client_id=c' }), config)).toBe('GET /_auth/signout → signed out → hosted-UI logout (3 ms)');
  expect(describeDecision(d({ status: 403 }), config)).toMatch(/denied 403/);
  expect(describeDecision(d({ status: 401 }), config)).toMatch(/denied 401/);
  expect(describeDecision(d({ kind: 'forwarded', status: 200 }), config)).toMatch(/allowed → origin answered 200/);
});

describe('session mode: outside the auth prefix, the viewer function (CloudFront Functions event shape)', () => {
  let seen: CffEvent[] = [];
  let answer: (event: CffEvent) => unknown = (event) => event.request;
  const lambdaPaths: string[] = [];
  beforeEach(() => {
    seen = [];
    lambdaPaths.length = 0;
    answer = (event) => event.request;
    use(async (event) => {
      lambdaPaths.push(event.Records[0].cf.request.uri);
      return { status: '204' };
    });
    edge.setViewerFunction({
      authPrefix: '/_auth/',
      invoke: async (event) => {
        seen.push(JSON.parse(JSON.stringify(event)) as CffEvent);
        return answer(event);
      },
    });
  });
  afterAll(() => edge.setViewerFunction(undefined));

  test('builds the event: lower-cased headers with multiValue, cookies parsed out of the headers, query values as sent', async () => {
    await request('/reports/2026?tab=q3&x=%20y&x=2&flag', [
      ['Accept', 'text/html'], ['X-Dup', 'one'], ['x-dup', 'two'], ['Cookie', 'a=1; b=x=y'], ['Cookie', 'a=3'], ['Connection', 'keep-alive'],
    ]);
    expect(lambdaPaths).toEqual([]);
    expect(seen).toHaveLength(1);
    const e = seen[0];
    expect(e.version).toBe('1.0');
    expect(e.context).toEqual({ distributionDomainName: edge.distributionDomainName, distributionId: expect.stringMatching(/^E[A-Z0-9]+$/), eventType: 'viewer-request', requestId: expect.any(String) });
    expect(e.viewer).toEqual({ ip: '127.0.0.1' });
    expect(e.request.method).toBe('GET');
    expect(e.request.uri).toBe('/reports/2026');
    expect(e.request.querystring).toEqual({ tab: { value: 'q3' }, x: { value: '%20y', multiValue: [{ value: '%20y' }, { value: '2' }] }, flag: { value: '' } });
    expect(e.request.headers.host).toEqual({ value: edge.distributionDomainName });
    expect(e.request.headers.accept).toEqual({ value: 'text/html' });
    expect(e.request.headers['x-dup']).toEqual({ value: 'one', multiValue: [{ value: 'one' }, { value: 'two' }] });
    expect(e.request.headers.cookie).toBeUndefined();
    expect(e.request.headers.connection).toBeUndefined();
    expect(e.request.cookies).toEqual({ a: { value: '1', multiValue: [{ value: '1' }, { value: '3' }] }, b: { value: 'x=y' } });
  });

  test('paths under the auth prefix go to the Lambda@Edge function, every other path to the viewer function', async () => {
    expect((await request('/_auth/login?return=%2F')).status).toBe(204);
    expect((await request('/_auth')).status).toBe(200); // not under the prefix "/_auth/": the viewer function's
    expect(lambdaPaths).toEqual(['/_auth/login']);
    expect(seen.map((e) => e.request.uri)).toEqual(['/_auth']);
    expect(decisions.map((d) => d.by)).toEqual(['lambda-edge', 'cloudfront-function']);
  });

  test('a returned request goes to the origin with its headers, its cookies as one Cookie header and its query', async () => {
    answer = (event) => {
      const r = event.request;
      delete r.cookies.secret;
      r.headers['x-cognito-edge-auth-user'] = { value: 'EntraID_alice' };
      r.querystring.added = { value: 'a%20b' };
      return r;
    };
    const res = await request('/reports/2026?tab=q3', [['Cookie', 'keep=1; secret=2'], ['Cookie', 'also=3'], ['X-Cognito-Edge-Auth-User', 'mallory']]);
    expect(res.status).toBe(200);
    const last = origin.requests[origin.requests.length - 1];
    expect(last).toMatchObject({ url: '/reports/2026?tab=q3&added=a%20b', identity: { 'x-cognito-edge-auth-user': 'EntraID_alice' }, cookieNames: ['keep', 'also'] });
    expect(decisions[0]).toMatchObject({ kind: 'forwarded', status: 200, by: 'cloudfront-function' });
  });

  test('a returned response is written with its headers, its cookies as Set-Cookie lines and its text body', async () => {
    answer = () => ({
      statusCode: 302,
      headers: { 'location': { value: '/_auth/refresh?return=%2Fa' }, 'cache-control': { value: 'no-store' } },
      cookies: { '__Host-CognitoEdgeAuth-rg': { value: '1', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60' }, 'two': { value: 'a', multiValue: [{ value: 'a', attributes: 'Path=/' }, { value: 'b' }] } },
      body: { encoding: 'text', data: 'moved' },
    });
    const res = await request('/a');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/_auth/refresh?return=%2Fa');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['set-cookie']).toEqual(['__Host-CognitoEdgeAuth-rg=1; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60', 'two=a; Path=/', 'two=b']);
    expect(res.body.toString()).toBe('moved');
    expect(decisions[0]).toMatchObject({ kind: 'generated', status: 302, location: '/_auth/refresh?return=%2Fa', setCookieNames: ['__Host-CognitoEdgeAuth-rg', 'two', 'two'], by: 'cloudfront-function' });
  });

  test.each<[string, (event: CffEvent) => unknown, number, RegExp]>([
    ['the function throws', () => {
      throw new Error('boom');
    }, 503, /viewer function threw/],
    ['nothing is returned', () => undefined, 502, /returned undefined/],
    ['the status is out of range', () => ({ statusCode: 99 }), 502, /invalid statusCode/],
    ['a header is not a { value }', () => ({ statusCode: 200, headers: { location: [{ key: 'Location', value: '/' }] } }), 502, /malformed headers/],
    ['a response header is disallowed', () => ({ statusCode: 200, headers: { via: { value: 'x' } } }), 502, /disallowed header via/],
    ['the request changes Host', (event) => ({ ...event.request, headers: { ...event.request.headers, host: { value: 'evil.example' } } }), 502, /host header was changed/],
  ])('CloudFront\'s error when %s', async (_name, fn, status, problem) => {
    answer = fn;
    const res = await request('/a');
    expect(res.status).toBe(status);
    expect(res.headers['x-cache']).toMatch(status === 503 ? /^FunctionExecutionError/ : /^FunctionValidationError/);
    expect(decisions[0]).toMatchObject({ kind: 'error', status, by: 'cloudfront-function', problem: expect.stringMatching(problem) });
    expect(lambdaPaths).toEqual([]);
  });

  test('toFunctionEvent: an empty query and no cookies give empty maps', () => {
    const e = toFunctionEvent({ clientIp: '192.0.2.1', method: 'HEAD', uri: '/', querystring: '', headers: { host: [{ key: 'Host', value: 'h' }] } }, { distributionDomainName: 'h', distributionId: 'E1', requestId: 'r' });
    expect(e.request).toEqual({ method: 'HEAD', uri: '/', querystring: {}, headers: { host: { value: 'h' } }, cookies: {} });
    expect(e.viewer).toEqual({ ip: '192.0.2.1' });
  });
});

test('describeDecision in session mode names the viewer function\'s redirects and which function decided', () => {
  const config = { userPoolId: 'us-east-1_X', clientId: 'c', authDomain: 'http://127.0.0.1:1', session: { authPathPrefix: '/_auth/', keyId: 'k', key: 'x'.repeat(43) } };
  const d = (x: Partial<EdgeDecision>): EdgeDecision => ({ method: 'GET', target: '/a?b=1', kind: 'generated', status: 302, setCookieNames: [], durationMs: 3, by: 'cloudfront-function', ...x });
  expect(describeDecision(d({ location: '/_auth/login?return=%2Fa%3Fb%3D1' }), config)).toBe('GET /a?b=1 → no session → /_auth/login?return=%2Fa%3Fb%3D1 (3 ms) [viewer function]');
  expect(describeDecision(d({ location: '/_auth/refresh?return=%2Fa', setCookieNames: ['rg'] }), config)).toBe('GET /a?b=1 → session expired → /_auth/refresh?return=%2Fa (3 ms) [viewer function]');
  expect(describeDecision(d({ by: 'lambda-edge', target: '/_auth/refresh?return=%2Fa', location: '/a', setCookieNames: ['s'] }), config)).toBe('GET /_auth/refresh?return=%2Fa → refreshed session → /a (3 ms) [Lambda@Edge]');
  expect(describeDecision(d({ kind: 'forwarded', status: 200 }), config)).toBe('GET /a?b=1 → allowed → origin answered 200 (3 ms) [viewer function]');
});
