/**
 * Responses the handler generates (CloudFront viewer-request result shape). Every one carries
 * `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and a small HTML-escaped (or JSON)
 * body, and redirects are 302. Bodies are fixed texts: no token, code, secret, cookie value, stack
 * trace, upstream text, client id or pool id can reach them; the only dynamic part is a
 * same-origin link, escaped.
 */
import type { CloudFrontHeaders, CloudFrontResultResponse } from 'aws-lambda';

/** Defined by scripts/bundle.ts for the edge bundles (false: Lambda@Edge mode only); undefined elsewhere. */
declare const __CEA_SESSION_MODE__: boolean | undefined;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

// Header values are shared, immutable-by-convention arrays; every response gets its own header
// object, written as a literal (the bench's login profile showed object spreads here at 14%).
const CACHE_CONTROL = [{ key: 'Cache-Control', value: 'no-store' }];
const REFERRER_POLICY = [{ key: 'Referrer-Policy', value: 'no-referrer' }];
const NOSNIFF = [{ key: 'X-Content-Type-Options', value: 'nosniff' }];
const HTML_TYPE = [{ key: 'Content-Type', value: 'text/html; charset=utf-8' }];
const HTML_CSP = [{ key: 'Content-Security-Policy', value: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" }];
const JSON_TYPE = [{ key: 'Content-Type', value: 'application/json' }];
/** Seconds a client should wait before retrying after a 503 (the token endpoint throttled or down). */
export const RETRY_AFTER_SECONDS = 5;
const RETRY_AFTER = [{ key: 'Retry-After', value: String(RETRY_AFTER_SECONDS) }];
/** The one small style every generated page shares (the CSP allows inline styles only). */
const STYLE = '<style>body{font:16px/1.5 sans-serif;max-width:36em;margin:4em auto;padding:0 1em}a{margin-right:1em}</style>';

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function setCookieHeader(headers: CloudFrontHeaders, setCookies: readonly string[]): CloudFrontHeaders {
  if (setCookies.length > 0) {
    const values = new Array<{ key: string; value: string }>(setCookies.length);
    for (let i = 0; i < setCookies.length; i++) values[i] = { key: 'Set-Cookie', value: setCookies[i] };
    headers['set-cookie'] = values;
  }
  return headers;
}

/** Headers of a generated page: the common ones, its content type, a CSP for HTML. */
function pageHeaders(contentType: typeof HTML_TYPE, setCookies: readonly string[], csp?: typeof HTML_CSP): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {
    'cache-control': CACHE_CONTROL,
    'referrer-policy': REFERRER_POLICY,
    'x-content-type-options': NOSNIFF,
    'content-type': contentType,
  };
  if (csp !== undefined) headers['content-security-policy'] = csp;
  return setCookieHeader(headers, setCookies);
}

/** 302 to `location` (already validated by the caller: hosted UI or https://<allowed host>/…). */
export function redirect(location: string, setCookies: readonly string[] = []): CloudFrontResultResponse {
  return {
    status: '302',
    statusDescription: STATUS_TEXT[302],
    headers: setCookieHeader({
      'cache-control': CACHE_CONTROL,
      'referrer-policy': REFERRER_POLICY,
      'x-content-type-options': NOSNIFF,
      'location': [{ key: 'Location', value: location }],
    }, setCookies),
  };
}

/** The pages the handler can show. Texts are fixed. */
export type PageKind =
  | 'bad_request' | 'forbidden' | 'upstream_failed' | 'upstream_timeout' | 'jwks_unavailable' | 'refresh_unavailable'
  | 'callback_failed' | 'login_loop' | 'session_too_large' | 'signed_out' | 'misconfigured' | 'internal'
  | 'cross_site' | 'not_found';

interface PageText { status: number; title: string; text: string; linkText?: string }

// Typed as complete: session mode's pages are missing only from the build without it, which never shows them.
const PAGES = {
  bad_request: { status: 400, title: 'Bad request', text: 'This request cannot be handled.' },
  forbidden: { status: 403, title: 'Access denied', text: 'You are signed in, but this account does not have access to this page.', linkText: 'Sign out' },
  upstream_failed: { status: 502, title: 'Sign-in service unavailable', text: 'The sign-in service could not complete your sign-in. Please try again.', linkText: 'Try again' },
  upstream_timeout: { status: 502, title: 'Sign-in service unavailable', text: 'The sign-in service did not answer in time. Please try again.', linkText: 'Try again' },
  jwks_unavailable: { status: 503, title: 'Temporarily unavailable', text: 'Your session cannot be checked right now. Please try again in a minute.', linkText: 'Try again' },
  refresh_unavailable: { status: 503, title: 'Temporarily unavailable', text: 'The sign-in service is not answering. You are still signed in: try again in a few seconds.', linkText: 'Try again' },
  callback_failed: { status: 400, title: 'Sign-in failed', text: 'Sign-in was not completed.', linkText: 'Try again' },
  login_loop: { status: 401, title: 'Sign-in did not complete', text: 'Your browser came back from sign-in without a session. Cookies may be blocked for this site.', linkText: 'Try again' },
  session_too_large: { status: 400, title: 'Session too large', text: 'Your session does not fit in this site\'s cookies. Remove the site\'s cookies and try again.', linkText: 'Home' },
  signed_out: { status: 200, title: 'Signed out', text: 'You are signed out.', linkText: 'Sign in again' },
  misconfigured: { status: 500, title: 'Not configured', text: 'Sign-in is not configured correctly for this site.' },
  internal: { status: 500, title: 'Error', text: 'Something went wrong. Please try again.' },
  // The pages of session mode's auth routes (session-routes.ts), in the build that carries them.
  ...(typeof __CEA_SESSION_MODE__ !== 'boolean' || __CEA_SESSION_MODE__ ? {
    cross_site: { status: 403, title: 'Request refused', text: 'This request came from another site and was not carried out.', linkText: 'Home' },
    not_found: { status: 404, title: 'Not found', text: 'There is nothing at this address.', linkText: 'Home' },
  } : {}),
} as Record<PageKind, PageText>;

function htmlPage(status: number, title: string, inner: string, setCookies: readonly string[]): CloudFrontResultResponse {
  const headers = pageHeaders(HTML_TYPE, setCookies, HTML_CSP);
  if (status === 503) headers['retry-after'] = RETRY_AFTER;
  return {
    status: String(status),
    statusDescription: STATUS_TEXT[status],
    headers,
    body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>${STYLE}</head>`
      + `<body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`,
  };
}

/** HTML page of `kind`, with an optional same-origin link (https://<allowed host>/… or a path). A 503 page carries `Retry-After`. */
export function page(kind: PageKind, link?: string, setCookies: readonly string[] = []): CloudFrontResultResponse {
  const p = PAGES[kind];
  const anchor = link !== undefined && p.linkText !== undefined ? `<p><a href="${escapeHtml(link)}">${escapeHtml(p.linkText)}</a></p>` : '';
  return htmlPage(p.status, p.title, `<p>${escapeHtml(p.text)}</p>${anchor}`, setCookies);
}

/**
 * The 403 page: who is signed in (escaped; at most 128 characters shown), and links to the
 * site's home and to sign-out (so another account can be used).
 */
export function forbiddenPage(username: string, home: string, signOut: string): CloudFrontResultResponse {
  const who = username.length > 128 ? `${username.slice(0, 128)}…` : username;
  return htmlPage(403, PAGES.forbidden.title,
    `<p>You are signed in as <strong>${escapeHtml(who)}</strong>, but this account does not have access to this page.</p>`
    + `<p><a href="${escapeHtml(home)}">Home</a><a href="${escapeHtml(signOut)}">Sign out</a></p>`, []);
}

/** 401 for fetch/XHR/non-GET requests without a session. */
export function unauthenticatedJson(setCookies: readonly string[] = []): CloudFrontResultResponse {
  return {
    status: '401',
    statusDescription: STATUS_TEXT[401],
    headers: pageHeaders(JSON_TYPE, setCookies),
    body: '{"error":"unauthenticated"}',
  };
}

/** 503 JSON for non-navigation requests when the key set or the token endpoint is unavailable; with `Retry-After`. */
export function unavailableJson(): CloudFrontResultResponse {
  const headers = pageHeaders(JSON_TYPE, []);
  headers['retry-after'] = RETRY_AFTER;
  return {
    status: '503',
    statusDescription: STATUS_TEXT[503],
    headers,
    body: '{"error":"unavailable"}',
  };
}
