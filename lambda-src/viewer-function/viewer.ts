/**
 * The viewer function's decisions (design §7), for one CloudFront Functions viewer-request event.
 *
 * Order of work, cheapest first:
 * 1. the identity header is removed from the inbound request (always);
 * 2. the path is made canonical (design §4.9, lambda-src/shared/canonical-path.ts, the Lambda@Edge
 *    handler's own rule) and decided on in that form, as the Lambda@Edge handler does: with path
 *    rules or public paths, a path that is not canonical is never forwarded as sent (a navigation
 *    gets a 302 to the canonical spelling, anything else a 400); without either, every path has
 *    the same requirement, so such a path is decided on its canonical form and forwarded as sent.
 *    A path under the auth prefix is answered 500 (the auth behaviour serves it; reaching this
 *    function there is a misconfiguration, and a redirect would loop); a non-canonical spelling of
 *    one is sent to its canonical URL (which CloudFront routes to the auth behaviour) or refused;
 * 3. a public path goes on without a session (library cookies removed, no store read);
 * 4. the session cookie is parsed for shape only (one cookie of that name, length capped first);
 * 5. one KeyValueStore read fetches the key its key id names (a missing key or a store error is a
 *    503 with Retry-After, never a redirect: a new key reaches edge locations after a while);
 *    an entry holding the retired marker (`SESSION_KEY_RETIRED`) makes the cookie an expired
 *    session at once, with nothing verified: it can only go to the refresh route, never through;
 * 6. the tag is checked in constant time, then the payload, the rule-set hash and `exp`;
 * 7. the group rules decide on the canonical path: 403 for non-members, otherwise the request
 *    goes on without the library's cookies and with the identity header.
 * Without a valid session: a GET/HEAD with a validly signed but expired cookie gets a 302 to the
 * refresh route (fetch() follows it; at most twice a minute: the loop guard), a navigation gets a
 * 302 to the login route, anything else a 401 JSON naming the refresh route. Every Location is a
 * relative path (the auth routes, or the canonical spelling of the requested path), so no redirect
 * can leave the site. Generated responses carry `Cache-Control: no-store`.
 *
 * Written for CloudFront Functions JavaScript runtime 2.0: plain functions, the only async
 * function is `viewerRequest` (a top-level declaration: the runtime supports no async closures),
 * no classes, spread, destructuring, for-of, default parameters or optional chaining.
 */
import { canonicalPath } from '../shared/canonical-path';
import { compilePattern, compileRules, CompiledPathRule, requiredGroupsFor, satisfies } from '../shared/path-rules';
import { checkSession, isSessionKey, parseSessionCookie, SESSION_KEY_RETIRED, SessionCookieParts } from '../shared/session-cookie';
import type { ViewerConfig } from '../shared/viewer-config';

/** A query-string parameter, header or cookie in a CloudFront Functions event. */
export interface CfValue {
  value: string;
  multiValue?: CfValue[];
  attributes?: string;
}
export type CfMap = Record<string, CfValue>;

/** The request object of a CloudFront Functions event. */
export interface CfRequest {
  method: string;
  uri: string;
  querystring: CfMap;
  headers: CfMap;
  cookies: CfMap;
}

/** A generated response (`statusDescription` is optional there, and left out to save bytes). */
export interface CfResponse {
  statusCode: number;
  headers: CfMap;
  cookies?: CfMap;
  body?: { encoding: 'text'; data: string };
}

/** The KeyValueStore handle (`cf.kvs()`): `get` rejects for a missing key. */
export interface KeyStore {
  get(key: string): Promise<string>;
}

/** The configuration with its rules compiled (once per load). */
export interface Viewer {
  readonly c: ViewerConfig;
  readonly rules: CompiledPathRule[];
  /** Compiled public paths. */
  readonly pub: RegExp[];
  /** Path rules or public paths exist: a path that is not canonical is never forwarded as sent. */
  readonly strict: boolean;
  /** `authPrefix` without its trailing slash. */
  readonly authRoot: string;
}

/** A request that needs the key before it can be decided. */
interface Pending {
  readonly pending: true;
  readonly req: CfRequest;
  readonly path: string;
  readonly parts: SessionCookieParts;
  readonly nav: boolean;
}

/** Refresh redirects a browser may get within GUARD_SECONDS before the loop guard answers 401. */
export const MAX_REFRESH_REDIRECTS = 2;
export const GUARD_SECONDS = 60;
/** Seconds a client should wait after a 503. */
export const RETRY_AFTER_SECONDS = 10;
/** Longest return path carried to the auth routes (the query is dropped first). */
export const MAX_RETURN_PATH = 800;

const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,256}$/;
const PRINTABLE = /^[\x21-\x7e]*$/;

export function prepareViewer(config: ViewerConfig): Viewer {
  const rules: Array<{ pathPattern: string; requiredGroups: readonly string[] }> = [];
  for (let i = 0; i < config.rules.length; i++) rules.push({ pathPattern: config.rules[i].p, requiredGroups: config.rules[i].g });
  const pub: RegExp[] = [];
  for (let i = 0; i < config.pub.length; i++) pub.push(compilePattern(config.pub[i]));
  return { c: config, rules: compileRules(rules), pub: pub, strict: rules.length + pub.length > 0, authRoot: config.authPrefix.slice(0, -1) };
}

/** Decide one viewer-request event. Never rejects: an unexpected error is a 500. */
export async function viewerRequest(event: unknown, v: Viewer, store: KeyStore): Promise<CfRequest | CfResponse> {
  try {
    const step = beforeKey(event, v);
    if (!('pending' in step)) return step;
    let key: unknown;
    try {
      key = await store.get(v.c.keyPrefix + step.parts.kid);
    } catch (e) {
      return unavailable(step);
    }
    return afterKey(step, key, v);
  } catch (e) {
    return answer(500, false, 'internal', 'Error', 'Please try again.');
  }
}

function beforeKey(event: unknown, v: Viewer): Pending | CfRequest | CfResponse {
  const req = requestOf(event);
  if (req === undefined) return answer(400, false, 'bad_request', 'Bad request', 'This request cannot be handled.');
  delete req.headers[v.c.header];
  const nav = isNavigation(req);
  // Design §4.9: decide on the canonical path, as the Lambda@Edge handler does (see the top).
  let path = req.uri;
  const canonical = canonicalPath(path);
  if (canonical !== path) {
    if (v.strict || (canonical !== undefined && underAuth(canonical, v))) {
      // Never `//…` (canonical paths have no empty segment); checked anyway: the Location is relative.
      return nav && canonical !== undefined && canonical.charAt(1) !== '/' && canonical.length <= MAX_RETURN_PATH
        ? redirect(returnPath(canonical, req.querystring))
        : answer(400, nav, 'bad_request', 'Bad request', 'This request cannot be handled.');
    }
    if (canonical !== undefined) path = canonical;
  }
  if (underAuth(path, v)) return answer(500, nav, 'misconfigured', 'Not configured', 'This path belongs to the sign-in routes.');
  for (let i = 0; i < v.pub.length; i++) if (v.pub[i].test(path)) return stripCookies(req, v);
  const cookie = req.cookies[v.c.cookie];
  // §4.12: a cookie name that arrives twice means no session.
  const duplicated = cookie !== undefined && cookie.multiValue !== undefined && cookie.multiValue.length > 1;
  const parts = cookie === undefined || duplicated ? undefined : parseSessionCookie(cookie.value);
  if (parts === undefined) return noSession(req, path, nav, v);
  return { pending: true, req: req, path: path, parts: parts, nav: nav };
}

function afterKey(step: Pending, key: unknown, v: Viewer): CfRequest | CfResponse {
  // A retired key: an expired session, nothing checked (whoever has the old key could forge one).
  if (key === SESSION_KEY_RETIRED) return expired(step, v);
  // A missing or malformed key is the store's problem, not the user's: 503, not a new login.
  if (!isSessionKey(key)) return unavailable(step);
  const check = checkSession(step.parts, key, Math.floor(Date.now() / 1000), v.c.rulesHash);
  if (check.status === 'invalid') return noSession(step.req, step.path, step.nav, v);
  if (check.status === 'expired') return expired(step, v);
  if (!satisfies(check.session.groups, requiredGroupsFor(v.rules, v.c.groups, step.path))) {
    return answer(403, step.nav, 'forbidden', 'Access denied', 'Your account does not have access to this page.', v.c.signOut, 'Sign out');
  }
  const req = stripCookies(step.req, v);
  if (SAFE_HEADER_VALUE.test(check.session.username)) req.headers[v.c.header] = { value: check.session.username };
  return req;
}

/** The request without the library's cookies (the origin never sees them). */
function stripCookies(req: CfRequest, v: Viewer): CfRequest {
  for (const name in req.cookies) {
    for (let i = 0; i < v.c.strip.length; i++) {
      if (name.indexOf(v.c.strip[i]) === 0) {
        delete req.cookies[name];
        break;
      }
    }
  }
  return req;
}

/** Is `path` the auth prefix or under it? */
function underAuth(path: string, v: Viewer): boolean {
  return path === v.authRoot || path.indexOf(v.c.authPrefix) === 0;
}

function noSession(req: CfRequest, path: string, nav: boolean, v: Viewer): CfResponse {
  if (nav) return redirect(v.c.login + '?return=' + encodeURIComponent(returnPath(path, req.querystring)));
  return unauthenticated(v);
}

function expired(step: Pending, v: Viewer): CfResponse {
  const method = step.req.method;
  if (method !== 'GET' && method !== 'HEAD') return unauthenticated(v);
  const guard = step.req.cookies[v.c.guard];
  const count = guard !== undefined && /^[0-9]$/.test(guard.value) ? parseInt(guard.value, 10) : 0;
  const ret = returnPath(step.path, step.req.querystring);
  if (count >= MAX_REFRESH_REDIRECTS) {
    return answer(401, step.nav, 'unauthenticated', 'Sign-in needed', 'Your session could not be renewed.', v.c.login + '?return=' + encodeURIComponent(ret), 'Sign in again', v.c.refresh);
  }
  const response = redirect(v.c.refresh + '?return=' + encodeURIComponent(ret));
  const cookies: CfMap = {};
  cookies[v.c.guard] = { value: String(count + 1), attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=' + GUARD_SECONDS };
  response.cookies = cookies;
  return response;
}

function unauthenticated(v: Viewer): CfResponse {
  return answer(401, false, 'unauthenticated', '', '', undefined, undefined, v.c.refresh);
}

function unavailable(step: Pending): CfResponse {
  const response = answer(503, step.nav, 'unavailable', 'Temporarily unavailable', 'Please try again in a moment.', returnPath(step.path, step.req.querystring), 'Try again');
  response.headers['retry-after'] = { value: String(RETRY_AFTER_SECONDS) };
  return response;
}

/**
 * The same-origin path (and query, as the viewer sent it) to come back to: printable ASCII, at
 * most MAX_RETURN_PATH characters (the query is dropped first, then the path becomes "/").
 */
export function returnPath(path: string, querystring: CfMap): string {
  let query = '';
  for (const name in querystring) {
    const entry = querystring[name];
    const values = entry.multiValue !== undefined ? entry.multiValue : [entry];
    for (let i = 0; i < values.length; i++) {
      query += (query.length > 0 ? '&' : '') + name + (values[i].value === '' ? '' : '=' + values[i].value);
    }
  }
  const full = query.length > 0 ? path + '?' + query : path;
  if (full.length <= MAX_RETURN_PATH && PRINTABLE.test(full)) return full;
  return path.length <= MAX_RETURN_PATH ? path : '/';
}

function isNavigation(req: CfRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (allValues(req.headers['x-requested-with']).toLowerCase().indexOf('xmlhttprequest') >= 0) return false;
  const mode = req.headers['sec-fetch-mode'];
  if (mode !== undefined) return (mode.multiValue === undefined || mode.multiValue.length < 2) && mode.value.trim().toLowerCase() === 'navigate';
  return allValues(req.headers.accept).toLowerCase().indexOf('text/html') >= 0;
}

function allValues(entry: CfValue | undefined): string {
  if (entry === undefined) return '';
  if (entry.multiValue === undefined) return String(entry.value);
  const out: string[] = [];
  for (let i = 0; i < entry.multiValue.length; i++) out.push(String(entry.multiValue[i].value));
  return out.join(',');
}

/**
 * The event's request when it has the shape CloudFront gives it (`undefined` otherwise). Entries
 * of the maps are not checked one by one: CloudFront builds them, and anything malformed that
 * slipped through makes a property access throw, which `viewerRequest` answers with a 500.
 */
function requestOf(event: unknown): CfRequest | undefined {
  if (!isObject(event)) return undefined;
  const r = (event as Record<string, unknown>).request as Record<string, unknown>;
  if (!isObject(r) || typeof r.method !== 'string' || typeof r.uri !== 'string' || !isObject(r.headers) || !isObject(r.cookies) || !isObject(r.querystring)) return undefined;
  return r as unknown as CfRequest;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function baseHeaders(): CfMap {
  return {
    'cache-control': { value: 'no-store' },
    'referrer-policy': { value: 'no-referrer' },
    'x-content-type-options': { value: 'nosniff' },
  };
}

function redirect(location: string): CfResponse {
  const headers = baseHeaders();
  headers.location = { value: location };
  return { statusCode: 302, headers: headers };
}

/**
 * A generated answer: a small HTML page for a navigation (with an optional same-origin link), a
 * JSON `{"error": code}` otherwise (naming the refresh route when `refresh` is given).
 */
function answer(
  status: number, nav: boolean, code: string, title: string, text: string, link?: string, linkText?: string, refresh?: string,
): CfResponse {
  const headers = baseHeaders();
  let data: string;
  if (nav) {
    headers['content-type'] = { value: 'text/html; charset=utf-8' };
    headers['content-security-policy'] = { value: "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" };
    // A complete HTML5 document (html, head and body tags are optional), styled like the Lambda@Edge pages.
    data = '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>' + title + '</title>'
      + '<body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>' + title + '</h1><p>' + text + '</p>'
      + (link !== undefined ? '<p><a href="' + escapeHtml(link) + '">' + linkText + '</a>' : '');
  } else {
    headers['content-type'] = { value: 'application/json' };
    data = JSON.stringify(refresh !== undefined ? { error: code, refresh: refresh } : { error: code });
  }
  return { statusCode: status, headers: headers, body: { encoding: 'text', data: data } };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => '&#' + c.codePointAt(0) + ';');
}
