/**
 * Shared fixtures of the session-mode tests: keys, rules, the viewer function built with the
 * shipped settings and configured the way the construct will configure it, events in the
 * CloudFront Functions shape, and cookies minted with the shared module.
 */
import { randomBytes } from 'node:crypto';
import { mintSessionCookie, rulesHash, SessionRules, sessionKeyName } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig, ViewerConfig } from '../../lambda-src/shared/viewer-config';
import { buildViewerFunction } from '../../scripts/bundle';
import { loadCloudFrontFunction, Sandbox } from '../support/cloudfront-functions-sandbox';

export const NOW_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
export const NOW = NOW_MS / 1000;

export const CURRENT_KID = 'k2';
export const PREVIOUS_KID = 'k1';
export const CURRENT_KEY = randomBytes(32).toString('base64url');
export const PREVIOUS_KEY = randomBytes(32).toString('base64url');
/** A key the store does not hold (and an id it does not know). */
export const OTHER_KID = 'k9';
export const OTHER_KEY = randomBytes(32).toString('base64url');

export const RULES: SessionRules = {
  requiredGroups: ['staff'],
  pathRules: [
    { pathPattern: '/admin/*', requiredGroups: ['admins'] },
    { pathPattern: '/public/*', requiredGroups: [] },
    { pathPattern: '/reports/*.pdf', requiredGroups: ['finance', 'admins'] },
  ],
};
export const RULES_HASH = rulesHash(RULES);
/** Public paths of the test configuration (reachable without a session). */
export const PUBLIC_PATHS = ['/robots.txt', '/static/*'];
export const CONFIG: ViewerConfig = buildViewerConfig({ ...RULES, publicPaths: PUBLIC_PATHS });
export const SESSION = CONFIG.cookie;
export const GUARD = CONFIG.guard;

export const STORE: Record<string, string> = {
  [sessionKeyName(CURRENT_KID)]: CURRENT_KEY,
  [sessionKeyName(PREVIOUS_KID)]: PREVIOUS_KEY,
};

let built: Promise<string> | undefined;
/** The viewer function, freshly built with the shipped settings (once per test file). */
export function viewerCode(): Promise<string> {
  built ??= buildViewerFunction();
  return built;
}

/** A sandbox running the built function with `config` written in and the test store. */
export async function viewer(config: ViewerConfig = CONFIG, store: Record<string, string> = STORE): Promise<Sandbox> {
  return loadCloudFrontFunction(injectViewerConfig(await viewerCode(), config), { store });
}

export interface Mint {
  readonly kid?: string;
  readonly key?: string;
  readonly sub?: string;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly exp?: number;
  readonly now?: number;
  readonly rulesHash?: string;
}

/** A session cookie value minted with the shared module (defaults: current key, staff member, valid for an hour). */
export function mint(m: Mint = {}): string {
  return mintSessionCookie(
    { sub: m.sub ?? 'sub-1', username: m.username ?? 'alice', groups: m.groups ?? ['staff'], exp: m.exp ?? NOW + 3600 },
    { kid: m.kid ?? CURRENT_KID, key: m.key ?? CURRENT_KEY, rulesHash: m.rulesHash ?? RULES_HASH, now: m.now ?? NOW - 60 },
  );
}

export interface EventOptions {
  readonly method?: string;
  readonly uri?: string;
  readonly querystring?: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
  readonly headers?: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
  readonly cookies?: Record<string, { value: string; multiValue?: Array<{ value: string }> }>;
  /** Shortcut: a browser navigation (Sec-Fetch-Mode: navigate, Accept: text/html). */
  readonly nav?: boolean;
  /** Shortcut: the session cookie. */
  readonly session?: string;
}

/** A CloudFront Functions viewer-request event. */
export function cfEvent(o: EventOptions = {}): Record<string, unknown> {
  const headers: Record<string, unknown> = { host: { value: 'd111111abcdef8.cloudfront.net' } };
  if (o.nav) {
    headers['sec-fetch-mode'] = { value: 'navigate' };
    headers.accept = { value: 'text/html,application/xhtml+xml' };
  } else {
    headers['sec-fetch-mode'] = { value: 'cors' };
    headers.accept = { value: 'application/json' };
  }
  Object.assign(headers, o.headers ?? {});
  const cookies: Record<string, unknown> = { ...(o.cookies ?? {}) };
  if (o.session !== undefined) cookies[SESSION] = { value: o.session };
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r-1' },
    viewer: { ip: '198.51.100.11' },
    request: { method: o.method ?? 'GET', uri: o.uri ?? '/index.html', querystring: o.querystring ?? {}, headers, cookies },
  };
}

/** A generated response, as the tests read it. */
export interface Answer {
  statusCode: number;
  headers: Record<string, { value: string }>;
  cookies?: Record<string, { value: string; attributes?: string }>;
  body?: { encoding: string; data: string };
}

/** A forwarded request, as the tests read it. */
export interface Forwarded {
  method: string;
  uri: string;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
  querystring: Record<string, { value: string }>;
}

export function isAnswer(result: unknown): result is Answer {
  return typeof result === 'object' && result !== null && typeof (result as Answer).statusCode === 'number';
}

export function asAnswer(result: unknown): Answer {
  if (!isAnswer(result)) throw new Error(`expected a generated response, got ${JSON.stringify(result)}`);
  return result;
}

export function asForwarded(result: unknown): Forwarded {
  if (isAnswer(result) || typeof result !== 'object' || result === null) throw new Error(`expected the request to go on, got ${JSON.stringify(result)}`);
  return result as Forwarded;
}
