/**
 * A local stand-in for a CloudFront distribution with one viewer-request Lambda@Edge function.
 *
 * An HTTPS server (throwaway self-signed certificate, so `Secure` cookies, `__Host-` cookies and the
 * `https://…/_auth/callback` redirect URI behave as deployed) turns every request into the event
 * CloudFront builds for a viewer-request trigger (AWS: "Lambda@Edge event structure"), runs the
 * built bundle's `handler(event, context)`, and then, as CloudFront does, either answers with the
 * response the function generated or forwards the (possibly modified) request to the origin.
 *
 * What is emulated, and how:
 * - Event: `Records[0].cf.config` carries `distributionDomainName`, `distributionId`,
 *   `eventType: 'viewer-request'` and a `requestId`; `request` carries `clientIp`, `method`,
 *   `uri` (raw path), `querystring` (raw, without `?`) and `headers` keyed by lower-cased name,
 *   each a list of `{ key, value }` in arrival order (a header sent twice gives two entries).
 *   Hop-by-hop headers (Connection, Keep-Alive, …) are not passed, as CloudFront does not.
 * - Host: CloudFront's Host never carries a port, but a local server needs one. The emulation
 *   sets `distributionDomainName` to exactly the `Host` value the browser sends (`localhost:PORT`),
 *   so the handler's host check (Host must equal the distribution domain or an alias) and its
 *   `redirect_uri` (`https://<Host><callbackPath>`) work unchanged; the local client registers
 *   `https://localhost:PORT/_auth/callback` accordingly.
 * - Errors as CloudFront reports them: the function throwing or rejecting → 503
 *   (LambdaExecutionError); running past the 5 s viewer-request limit → 503; an invalid generated
 *   response (no status, malformed headers, a disallowed or read-only header, body over 40 KB) or a
 *   request whose read-only headers were changed → 502 (LambdaValidationError). Each is logged
 *   as a handler problem so that the e2e tests and the playground make it visible.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

/** One header entry of a CloudFront event. */
export interface CfHeader { key: string; value: string }
export type CfHeaders = Record<string, CfHeader[]>;

export interface CfRequest {
  clientIp: string;
  headers: CfHeaders;
  method: string;
  querystring: string;
  uri: string;
  body?: unknown;
}

export interface CfResponse {
  status: string | number;
  statusDescription?: string;
  headers?: CfHeaders;
  body?: string;
  bodyEncoding?: 'text' | 'base64';
}

export interface ViewerRequestEvent {
  Records: Array<{ cf: { config: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string }; request: CfRequest } }>;
}

export type ViewerRequestHandler = (event: ViewerRequestEvent, context: object) => Promise<CfRequest | CfResponse> | CfRequest | CfResponse;

/** What the edge did with one request, for logs and tests (never a token or a cookie value). */
export interface EdgeDecision {
  method: string;
  /** Path, with the query's values masked for sensitive parameters. */
  target: string;
  /** 'forwarded' (origin answered `status`), 'generated' (the function answered) or 'error' (the emulation answered). */
  kind: 'forwarded' | 'generated' | 'error';
  status: number;
  /** Where a generated redirect points (query masked), if any. */
  location?: string;
  /** Names (only) of the cookies the function set or expired. */
  setCookieNames: string[];
  /** Problem found with the function's behaviour (exception, timeout, invalid response). */
  problem?: string;
  durationMs: number;
}

export interface LocalEdgeOptions {
  /** Port on `host`. @default 0 (ephemeral) */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  listenHost?: string;
  /** Hostname the browser uses; with the port it forms the distribution domain. @default 'localhost' */
  hostname?: string;
  /** Base URL of the origin, e.g. `http://127.0.0.1:4000`. */
  originUrl: string;
  /** The viewer-request limit of Lambda@Edge. @default 5000 */
  timeoutMs?: number;
  onDecision?: (d: EdgeDecision) => void;
}

export interface LocalEdge {
  /** `https://localhost:PORT` */
  readonly url: string;
  readonly port: number;
  /** What the function sees as `distributionDomainName` and the browser sends as Host: `localhost:PORT`. */
  readonly distributionDomainName: string;
  /** Install (or replace) the viewer-request function; until then every request gets 503. */
  setHandler(handler: ViewerRequestHandler): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings']);
/** Headers a function may not add to a generated response (CloudFront "Disallowed headers"). */
const DISALLOWED_RESPONSE = /^(connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|upgrade|x-accel-.*|x-amz-cf-.*|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip|transfer-encoding|via)$/;
/** Viewer-request headers a function may not change (CloudFront "Read-only headers"). */
const READ_ONLY_REQUEST = ['content-length', 'host', 'transfer-encoding', 'via'];
/** Query parameters whose values are never logged. */
const SENSITIVE_PARAMS = /^(code|state|token|id_token|access_token|refresh_token|code_verifier|code_challenge|client_secret|error_description)$/i;
const GENERATED_BODY_LIMIT = 40 * 1024;

function maskQuery(query: string): string {
  if (!query) return '';
  return '?' + query.split('&').map((pair) => {
    const i = pair.indexOf('=');
    const name = i < 0 ? pair : pair.slice(0, i);
    return SENSITIVE_PARAMS.test(decodeURIComponentSafe(name)) && i >= 0 ? `${name}=…` : pair;
  }).join('&');
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Masks sensitive query values of a URL or path, for logs. */
export function maskUrl(u: string): string {
  const i = u.indexOf('?');
  return i < 0 ? u : u.slice(0, i) + maskQuery(u.slice(i + 1));
}

function cookieName(setCookie: string): string {
  const i = setCookie.indexOf('=');
  return (i < 0 ? setCookie : setCookie.slice(0, i)).trim();
}

function isResponse(x: unknown): x is CfResponse {
  return typeof x === 'object' && x !== null && 'status' in x;
}

function validateHeaders(headers: unknown, what: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return `${what}: headers is not an object`;
  for (const [name, list] of Object.entries(headers as Record<string, unknown>)) {
    if (name !== name.toLowerCase()) return `${what}: header name ${name} is not lower case`;
    if (!Array.isArray(list)) return `${what}: header ${name} is not a list`;
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null || typeof (entry as CfHeader).value !== 'string') return `${what}: header ${name} has an entry without a string value`;
      const key = (entry as CfHeader).key;
      if (key !== undefined && (typeof key !== 'string' || key.toLowerCase() !== name)) return `${what}: header ${name} has key ${String(key)}`;
      if (/[\r\n]/.test((entry as CfHeader).value)) return `${what}: header ${name} contains CR/LF`;
    }
  }
  return undefined;
}

/** Checks a generated response the way CloudFront does before sending it; returns the problem. */
export function validateGeneratedResponse(r: CfResponse): string | undefined {
  const status = Number(r.status);
  if (!Number.isInteger(status) || status < 100 || status > 599) return `generated response: invalid status ${String(r.status)}`;
  const h = validateHeaders(r.headers, 'generated response');
  if (h) return h;
  for (const name of Object.keys(r.headers ?? {})) {
    if (DISALLOWED_RESPONSE.test(name)) return `generated response: disallowed header ${name}`;
  }
  if (r.body !== undefined && typeof r.body !== 'string') return 'generated response: body is not a string';
  if (r.bodyEncoding !== undefined && r.bodyEncoding !== 'text' && r.bodyEncoding !== 'base64') return `generated response: bodyEncoding ${String(r.bodyEncoding)}`;
  if (Buffer.byteLength(r.body ?? '') > GENERATED_BODY_LIMIT) return `generated response: body over ${GENERATED_BODY_LIMIT} bytes`;
  return undefined;
}

function validateForwardedRequest(original: CfRequest, r: CfRequest): string | undefined {
  if (typeof r.uri !== 'string' || !r.uri.startsWith('/')) return 'forwarded request: uri must start with /';
  if (typeof r.querystring !== 'string') return 'forwarded request: querystring is not a string';
  const h = validateHeaders(r.headers, 'forwarded request');
  if (h) return h;
  for (const name of READ_ONLY_REQUEST) {
    if (JSON.stringify(original.headers[name] ?? null) !== JSON.stringify(r.headers[name] ?? null)) return `forwarded request: read-only header ${name} was changed`;
  }
  return undefined;
}

function cloudFrontErrorPage(status: number, title: string): string {
  return '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><html><head><title>ERROR: The request could not be satisfied</title></head>'
    + `<body><h1>${status} ERROR</h1><h2>The request could not be satisfied.</h2><p>${title}</p>`
    + '<p>Generated by the local edge (CloudFront stand-in).</p></body></html>';
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  // selfsigned is ESM-compatible CommonJS; its v5 API is async.
  // A devDependency: the playground is a development tool and never ships.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const selfsigned = require('selfsigned') as { generate: (attrs: unknown, opts: unknown) => Promise<{ private: string; cert: string }> };
  const hostname = options.hostname ?? 'localhost';
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const timeoutMs = options.timeoutMs ?? 5000;
  const distributionId = 'ELOCALEDGE' + randomBytes(3).toString('hex').toUpperCase();
  const origin = new URL(options.originUrl);
  let handler: ViewerRequestHandler | undefined;
  let distributionDomainName = '';

  function decide(d: Omit<EdgeDecision, 'durationMs'>, started: number): void {
    options.onDecision?.({ ...d, durationMs: Date.now() - started });
  }

  function buildRequest(req: http.IncomingMessage): CfRequest {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const headers: CfHeaders = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const key = req.rawHeaders[i];
      const name = key.toLowerCase();
      if (HOP_BY_HOP.has(name)) continue;
      (headers[name] ??= []).push({ key, value: req.rawHeaders[i + 1] });
    }
    return {
      clientIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      headers,
      method: req.method ?? 'GET',
      querystring: q < 0 ? '' : raw.slice(q + 1),
      uri: q < 0 ? raw : raw.slice(0, q),
    };
  }

  async function runHandler(event: ViewerRequestEvent): Promise<CfRequest | CfResponse> {
    const h = handler!;
    const deadline = Date.now() + timeoutMs;
    const context = {
      functionName: 'us-east-1.local-edge-auth',
      functionVersion: '1',
      awsRequestId: randomBytes(16).toString('hex'),
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(() => h(event, context)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  function writeGenerated(res: http.ServerResponse, r: CfResponse): void {
    const status = Number(r.status);
    const out: Array<[string, string]> = [];
    for (const list of Object.values(r.headers ?? {})) {
      for (const { key, value } of list) out.push([key, value]);
    }
    const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');
    res.statusCode = status;
    if (r.statusDescription) res.statusMessage = r.statusDescription.replace(/[^\x20-\x7e]/g, '');
    // Several entries under one name (e.g. set-cookie) are written as several header lines.
    const grouped = new Map<string, string[]>();
    for (const [k, v] of out) {
      const name = k;
      const existing = [...grouped.keys()].find((x) => x.toLowerCase() === name.toLowerCase());
      grouped.set(existing ?? name, [...(grouped.get(existing ?? name) ?? []), v]);
    }
    for (const [k, v] of grouped) res.setHeader(k, v.length === 1 ? v[0] : v);
    res.setHeader('Content-Length', body.length);
    res.setHeader('Via', `1.1 ${distributionId.toLowerCase()}.local-edge (CloudFront)`);
    res.end(body);
  }

  function errorResponse(res: http.ServerResponse, status: number, title: string): void {
    const body = cloudFrontErrorPage(status, title);
    res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body), 'X-Cache': 'LambdaExecutionError from cloudfront' });
    res.end(body);
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, r: CfRequest, started: number, target: string): void {
    const headers: Array<[string, string]> = [];
    for (const [name, list] of Object.entries(r.headers)) {
      if (name === 'host') continue;
      if (name === 'cookie') {
        // CloudFront sends the origin one Cookie header.
        headers.push(['Cookie', list.map((e) => e.value).join('; ')]);
        continue;
      }
      for (const { key, value } of list) headers.push([key ?? name, value]);
    }
    headers.push(['Host', origin.host]);
    headers.push(['X-Forwarded-For', r.clientIp]);
    headers.push(['Via', `1.1 ${distributionId.toLowerCase()}.local-edge (CloudFront)`]);
    const upstream = http.request({
      host: origin.hostname,
      port: origin.port,
      method: r.method,
      path: r.uri + (r.querystring ? `?${r.querystring}` : ''),
      headers: headers.reduce<Record<string, string | string[]>>((acc, [k, v]) => {
        const prev = acc[k];
        acc[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        return acc;
      }, {}),
      timeout: 30_000,
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      decide({ method: r.method, target, kind: 'forwarded', status: up.statusCode ?? 502, setCookieNames: [] }, started);
    });
    upstream.on('error', () => {
      if (!res.headersSent) errorResponse(res, 502, 'The origin could not be reached.');
      else res.destroy();
      decide({ method: r.method, target, kind: 'error', status: 502, setCookieNames: [], problem: 'origin unreachable' }, started);
    });
    req.pipe(upstream);
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const request = buildRequest(req);
    const target = request.uri + maskQuery(request.querystring);
    if (!handler) {
      errorResponse(res, 503, 'The viewer-request function is not loaded yet.');
      return;
    }
    const event: ViewerRequestEvent = {
      Records: [{
        cf: {
          config: {
            distributionDomainName,
            distributionId,
            eventType: 'viewer-request',
            requestId: randomBytes(42).toString('base64url') + '==',
          },
          // The function may mutate the request it is given; keep our own copy for validation.
          request: JSON.parse(JSON.stringify(request)) as CfRequest,
        },
      }],
    };
    let result: CfRequest | CfResponse;
    try {
      result = await runHandler(event);
    } catch (e) {
      const problem = e instanceof TimeoutError ? `function ran past the ${timeoutMs} ms viewer-request limit` : `function threw: ${e instanceof Error ? e.name : typeof e}`;
      errorResponse(res, 503, 'The Lambda function associated with the CloudFront distribution is invalid or doesn\'t have the required permissions.');
      decide({ method: request.method, target, kind: 'error', status: 503, setCookieNames: [], problem }, started);
      return;
    }
    if (isResponse(result)) {
      const problem = validateGeneratedResponse(result);
      if (problem) {
        errorResponse(res, 502, 'The Lambda function returned an invalid response to CloudFront.');
        decide({ method: request.method, target, kind: 'error', status: 502, setCookieNames: [], problem }, started);
        return;
      }
      writeGenerated(res, result);
      const location = result.headers?.location?.[0]?.value;
      decide({
        method: request.method,
        target,
        kind: 'generated',
        status: Number(result.status),
        location: location === undefined ? undefined : maskUrl(location),
        setCookieNames: (result.headers?.['set-cookie'] ?? []).map((c) => cookieName(c.value)),
      }, started);
      return;
    }
    if (typeof result !== 'object' || result === null) {
      errorResponse(res, 502, 'The Lambda function returned an invalid response to CloudFront.');
      decide({ method: request.method, target, kind: 'error', status: 502, setCookieNames: [], problem: `function returned ${result === null ? 'null' : typeof result}` }, started);
      return;
    }
    const problem = validateForwardedRequest(request, result);
    if (problem) {
      errorResponse(res, 502, 'The Lambda function returned an invalid request to CloudFront.');
      decide({ method: request.method, target, kind: 'error', status: 502, setCookieNames: [], problem }, started);
      return;
    }
    forward(req, res, result, started, target);
  }

  const listener: http.RequestListener = (req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) errorResponse(res, 500, 'Local edge failure.');
      else res.destroy();
    });
  };
  const tls = { key: pems.private, cert: pems.cert };
  const listenHost = options.listenHost ?? '127.0.0.1';
  const servers: https.Server[] = [https.createServer(tls, listener)];
  await listen(servers[0], options.port ?? 0, listenHost);
  const port = (servers[0].address() as AddressInfo).port;
  // `localhost` may resolve to ::1 first: answer there too, on the same port, when IPv6 loopback exists.
  if (listenHost === '127.0.0.1' && hostname === 'localhost') {
    const v6 = https.createServer(tls, listener);
    try {
      await listen(v6, port, '::1');
      servers.push(v6);
    } catch {
      // no IPv6 loopback here: browsers fall back to 127.0.0.1
    }
  }
  distributionDomainName = `${hostname}:${port}`;

  return {
    url: `https://${distributionDomainName}`,
    port,
    distributionDomainName,
    setHandler(h) {
      handler = h;
    },
    async close() {
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
    },
  };
}

function listen(server: https.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

class TimeoutError extends Error {}
