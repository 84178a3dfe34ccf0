/**
 * CloudFront viewer-request events, the cookie layouts of both sides, and a classifier that
 * tells what kind of response a handler produced (so the bench can refuse to time error paths).
 * Imported by the parent (ts-node) and bundled into the child scripts (esbuild): node built-ins only
 * (the event types come from the local CloudFront emulation, as types only).
 */
import type { CfHeaders, ViewerRequestEvent } from '../../playground/local-edge';

export const DIST_DOMAIN = 'd111111abcdef8.cloudfront.net';
export const URI = '/index.html';

/** A viewer-request event, as the local CloudFront emulation declares it. */
export type CfEvent = ViewerRequestEvent;

/** Cookies a real browser would also send (analytics, preferences). */
export const OTHER_COOKIES = '_ga=GA1.1.1234567890.1700000000; theme=dark';

export function viewerRequest(cookie: string | undefined, uri = URI, querystring = ''): CfEvent {
  const headers: CfHeaders = {
    'host': [{ key: 'Host', value: DIST_DOMAIN }],
    'user-agent': [{ key: 'User-Agent', value: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' }],
    'accept': [{ key: 'Accept', value: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }],
    'accept-language': [{ key: 'Accept-Language', value: 'en-GB,en;q=0.9' }],
    'sec-fetch-mode': [{ key: 'Sec-Fetch-Mode', value: 'navigate' }],
    'sec-fetch-dest': [{ key: 'Sec-Fetch-Dest', value: 'document' }],
    'sec-fetch-site': [{ key: 'Sec-Fetch-Site', value: 'none' }],
  };
  if (cookie !== undefined) headers.cookie = [{ key: 'Cookie', value: cookie }];
  return {
    Records: [{
      cf: {
        config: {
          distributionDomainName: DIST_DOMAIN,
          distributionId: 'EDFDVBD6EXAMPLE',
          eventType: 'viewer-request',
          requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
        },
        request: { clientIp: '203.0.113.178', headers, method: 'GET', querystring, uri },
      },
    }],
  };
}

export interface TokenCookies { id?: string; access?: string; refresh?: string }

/** How a side names its cookies: returns the `Cookie` header value a browser would send after that side's login. */
export type CookieLayout = (t: TokenCookies) => string | undefined;

export type Kind = 'pass' | 'login' | 'refresh';

export interface ClassifyContext {
  clientId: string;
  /** Every id token the local token endpoint hands out (a refresh response must set one of these). */
  freshIdTokens?: ReadonlySet<string>;
}

interface MaybeResponse {
  status?: unknown;
  uri?: unknown;
  headers?: Record<string, Array<{ key?: string; value: string }> | undefined>;
}

/** What a handler's result is: the request passed through, a login redirect, a refresh (fresh tokens set), or other (described). */
const AUTHORIZE = /^https:\/\/[^/?#]+(?:\/[^?#]*)?\/authorize\?/;

/** Does `url`'s query have `name=value` (as written, between `?`/`&` and `&`/`#`/end)? */
function hasParam(url: string, name: string, value: string): boolean {
  const needle = `${name}=${value}`;
  for (let i = url.indexOf(needle); i > 0; i = url.indexOf(needle, i + 1)) {
    const before = url[i - 1];
    const after = url[i + needle.length];
    if ((before === '?' || before === '&') && (after === undefined || after === '&' || after === '#')) return true;
  }
  return false;
}

export function classify(result: unknown, ctx: ClassifyContext): Kind | string {
  const r = (result ?? {}) as MaybeResponse;
  if (r.status === undefined && typeof r.uri === 'string') return 'pass';
  const status = String(r.status);
  const location = r.headers?.location?.[0]?.value;
  if (status === '302' && location) {
    // String tests, not `new URL`: this runs after every timed call, and the garbage a URL parse
    // leaves would be collected inside a later timed call (more of it for the longer Location).
    if (AUTHORIZE.test(location) && hasParam(location, 'client_id', ctx.clientId) && hasParam(location, 'response_type', 'code')) {
      return 'login';
    }
    const cookies = (r.headers?.['set-cookie'] ?? []).map((c) => c.value);
    if (ctx.freshIdTokens && cookies.some((c) => {
      const v = c.slice(c.indexOf('=') + 1).split(';')[0];
      return ctx.freshIdTokens!.has(v) || ctx.freshIdTokens!.has(decodeURIComponent(v));
    })) {
      return 'refresh';
    }
    let where = location;
    try {
      const u = new URL(location, `https://${DIST_DOMAIN}`);
      where = u.origin + u.pathname;
    } catch { /* keep it as is */ }
    return `other: 302 to ${where}, ${cookies.length} set-cookie`;
  }
  return `other: status ${status}`;
}

/** A minimal Lambda context (neither side is expected to use it). */
export const LAMBDA_CONTEXT = {
  functionName: 'us-east-1.bench-edge-auth',
  functionVersion: '1',
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
  getRemainingTimeInMillis: (): number => 5000,
};

export type Handler = (event: CfEvent, context: typeof LAMBDA_CONTEXT) => Promise<unknown>;

/** Loads a deployable's `index.js` and returns its `handler`, refusing callback-style handlers. */
export function handlerOf(mod: unknown): Handler {
  const h = (mod as { handler?: unknown }).handler;
  if (typeof h !== 'function') throw new Error('index.js exports no handler function');
  return h as Handler;
}
