/**
 * Session mode in the bench (design §7, issue #13): the viewer function (CloudFront Functions,
 * assets/viewer-function/index.js) timed per signed-in request in the runtime-2.0 sandbox, its
 * code size against the platform's 10 KB, the Cookie-header bytes a signed-in request carries in
 * each mode, and the cost per million signed-in requests from list prices.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfEvent } from './events';
import { CLIENT_ID, ISSUER, KID, mintTokens, opaqueRefreshToken } from './jwt';
import { oursCookies, REPO, theirsCookies } from './sides';
import type { Summary } from './stats';
import type { ResolvedCookieConfig } from '../../lambda-src/edge-auth/config';
import { CookieWriter } from '../../lambda-src/edge-auth/cookies';
import { mintSessionCookie, rulesHash, sessionGroups, sessionKeyName, SessionRules } from '../../lambda-src/shared/session-cookie';
import { buildViewerConfig, injectViewerConfig, VIEWER_FUNCTION_MAX_BYTES } from '../../lambda-src/shared/viewer-config';
import { signJwt } from '../../playground/jwt';

/**
 * List prices used for the cost table, as read on PRICES_READ_ON (US East; the free tiers left out):
 * - Lambda@Edge: $0.60 per million requests and $0.00005001 per GB-second, duration billed in
 *   1 ms steps per invocation (AWS "What's New", 2021-03-31: "from 50 ms to 1 ms"); the edge
 *   function has 128 MB.
 * - CloudFront Functions: $0.10 per million invocations (no duration charge).
 * - CloudFront KeyValueStore: $0.03 per million reads (one per signed-in request in session mode).
 */
export const PRICES = {
  readOn: '2026-12-02',
  lambdaEdgePerMillionRequests: 0.60,
  lambdaEdgePerGbSecond: 0.00005001,
  lambdaEdgeBillingStepMs: 1,
  lambdaEdgeMemoryGb: 128 / 1024,
  cloudFrontFunctionsPerMillion: 0.10,
  keyValueStorePerMillionReads: 0.03,
} as const;

/** Cost of one million requests on Lambda@Edge whose handler takes `medianUs` µs (billed duration rounded up). */
export function lambdaEdgeCostPerMillion(medianUs: number): { billedMs: number; requests: number; duration: number; total: number } {
  const step = PRICES.lambdaEdgeBillingStepMs;
  const billedMs = Math.max(step, Math.ceil(medianUs / 1000 / step) * step);
  const duration = 1e6 * (billedMs / 1000) * PRICES.lambdaEdgeMemoryGb * PRICES.lambdaEdgePerGbSecond;
  return { billedMs, requests: PRICES.lambdaEdgePerMillionRequests, duration, total: PRICES.lambdaEdgePerMillionRequests + duration };
}

/** Cost of one million signed-in requests in session mode: one function invocation and one store read each. */
export function sessionCostPerMillion(): { functions: number; reads: number; total: number } {
  return {
    functions: PRICES.cloudFrontFunctionsPerMillion,
    reads: PRICES.keyValueStorePerMillionReads,
    total: PRICES.cloudFrontFunctionsPerMillion + PRICES.keyValueStorePerMillionReads,
  };
}

const SESSION_KID = 'k1';
const SESSION_KEY = randomBytes(32).toString('base64url');
/** The KeyValueStore as the deploy-time custom resource fills it. */
export const SESSION_STORE: Record<string, string> = { [sessionKeyName(SESSION_KID)]: SESSION_KEY };

/** A runtime-2.0 function that does nothing but let the request through: the sandbox's own cost. */
export const EMPTY_VIEWER_FUNCTION = 'async function handler(event){return event.request}\n';

/** The built viewer function (assets/), or a fresh build when the asset is missing. */
export async function viewerFunctionCode(): Promise<{ code: string; from: string }> {
  const asset = join(REPO, 'assets', 'viewer-function', 'index.js');
  if (existsSync(asset)) return { code: readFileSync(asset, 'utf8'), from: 'assets/viewer-function/index.js' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildViewerFunction } = require('../../scripts/bundle') as typeof import('../../scripts/bundle');
  return { code: await buildViewerFunction(), from: 'a fresh build of lambda-src/viewer-function' };
}

/** The session cookie the auth routes would mint for a user with `groups`, under `rules`. */
export function sessionCookieFor(username: string, groups: readonly string[], rules: SessionRules, nowSeconds: number): string {
  return mintSessionCookie(
    { sub: randomUUID(), username, groups: sessionGroups(groups, rules), exp: nowSeconds + 3600 },
    { kid: SESSION_KID, key: SESSION_KEY, rulesHash: rulesHash(rules), now: nowSeconds },
  );
}

/** The bench's signed-in navigation (bench/lib/events.ts `viewerRequest`) as a CloudFront Functions event. */
export function functionsEvent(lambdaEvent: CfEvent): Record<string, unknown> {
  const r = lambdaEvent.Records[0].cf.request;
  const headers: Record<string, { value: string }> = {};
  const cookies: Record<string, { value: string }> = {};
  for (const [name, values] of Object.entries(r.headers)) {
    if (name === 'cookie') {
      for (const pair of (values ?? []).map((v) => v.value).join('; ').split(/;\s*/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) cookies[pair.slice(0, eq)] = { value: pair.slice(eq + 1) };
      }
    } else if (values && values.length > 0) {
      headers[name] = { value: values[0].value };
    }
  }
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'bench' },
    viewer: { ip: r.clientIp },
    request: { method: r.method, uri: r.uri, querystring: {}, headers, cookies },
  };
}

/** What the warm child needs to time the viewer function (see bench/child/warm.ts). */
export interface ViewerWarmSpec {
  code: string;
  emptyCode: string;
  store: Record<string, string>;
  event: Record<string, unknown>;
  nowMs: number;
  warmup: number;
  calls: number;
}

/** The bench's configuration in session mode: the same settings as ours' config.json (no group rules). */
export const BENCH_RULES: SessionRules = {};

export function configuredViewer(code: string): string {
  return injectViewerConfig(code, buildViewerConfig(BENCH_RULES));
}

export interface CodeSize { built: number; configured: number; withRules: number; limit: number }

export function viewerCodeSize(code: string): CodeSize {
  const rules = Array.from({ length: 20 }, (_, i) => ({ pathPattern: `/area-${i}/*`, requiredGroups: [`group-${i}`, 'admins'] }));
  return {
    built: Buffer.byteLength(code),
    configured: Buffer.byteLength(configuredViewer(code)),
    withRules: Buffer.byteLength(injectViewerConfig(code, buildViewerConfig({ requiredGroups: ['staff'], pathRules: rules, publicPaths: ['/robots.txt', '/assets/*'] }))),
    limit: VIEWER_FUNCTION_MAX_BYTES,
  };
}

// ---------------------------------------------------------------- Cookie header bytes

/** Today's mode writes the id token with the handler's own splitting (lambda-src/edge-auth/cookies.ts). */
const WRITER = new CookieWriter({ path: '/', sameSite: 'Lax' } as ResolvedCookieConfig);

function pairsOf(setCookies: string[]): string[] {
  return setCookies.map((c) => c.split(';')[0]);
}

export interface CookieRow { user: string; idToken: number; lambdaEdge: number; lambdaEdgeCookies: number; session: number; theirs: number }

/**
 * Bytes of the library's part of the Cookie header on an ordinary signed-in request (the other
 * cookies of the site left out), per mode: today's (id token, split above 3,800 characters, and
 * the refresh token: both `Path=/`), session mode (the session cookie only: the refresh cookie
 * is `Path=/_auth/`), and cognito-at-edge (its five cookies).
 */
export function cookieHeaderRows(privateKey: KeyObject): CookieRow[] {
  const now = Math.floor(Date.now() / 1000);
  const refresh = opaqueRefreshToken();
  const rows: CookieRow[] = [];
  const plain = mintTokens(privateKey, { refreshToken: refresh });
  const entra = entraTokens(privateKey, now);
  const users: Array<{ user: string; id: string; access: string; username: string; groups: string[]; rules: SessionRules }> = [
    { user: 'the bench user (Cognito user, one group)', id: plain.idToken, access: plain.accessToken, username: 'bench-user', groups: ['readers'], rules: BENCH_RULES },
    {
      user: 'an Entra ID user in 150 groups, two of them named by path rules',
      id: entra.idToken,
      access: entra.accessToken,
      username: entra.username,
      groups: entra.groups,
      rules: { requiredGroups: [entra.groups[3]], pathRules: [{ pathPattern: '/admin/*', requiredGroups: [entra.groups[7]] }] },
    },
  ];
  for (const u of users) {
    const today = pairsOf([...WRITER.setSplit('__Host-CognitoEdgeAuth-id', u.id, 3600, new Map()), WRITER.set('__Host-CognitoEdgeAuth-refresh', refresh, 86400)]);
    const session = `__Host-CognitoEdgeAuth-s=${sessionCookieFor(u.username, u.groups, u.rules, now)}`;
    const theirs = theirsCookies({ id: u.id, access: u.access, refresh }) ?? '';
    rows.push({
      user: u.user,
      idToken: u.id.length,
      lambdaEdge: Buffer.byteLength(today.join('; ')),
      lambdaEdgeCookies: today.length,
      session: Buffer.byteLength(session),
      theirs: Buffer.byteLength(theirs),
    });
  }
  // Check: the bench's own layout for ours agrees with the handler's writer for the small token.
  const layout = oursCookies({ id: plain.idToken, refresh });
  if (layout === undefined || Buffer.byteLength(layout) !== rows[0].lambdaEdge) throw new Error('cookie sizes: the bench layout and the handler writer disagree');
  return rows;
}

/**
 * Id and access tokens of a user federated from Entra ID through Cognito, in 150 groups (object
 * ids) mapped to `custom:groups`: the case where today's mode splits the id token.
 */
function entraTokens(privateKey: KeyObject, now: number): { idToken: string; accessToken: string; username: string; groups: string[] } {
  const groups = Array.from({ length: 150 }, () => randomUUID());
  const oid = randomUUID();
  const username = `EntraID_${oid}`;
  const common = {
    sub: randomUUID(), iss: ISSUER, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: now, exp: now + 3600, iat: now, jti: randomUUID(),
  };
  const idToken = signJwt({ kid: KID, privateKey }, {
    ...common,
    'aud': CLIENT_ID,
    'cognito:groups': ['eu-west-1_BenchPo0l1_EntraID'],
    'cognito:username': username,
    'custom:groups': `[${groups.join(', ')}]`,
    'identities': JSON.stringify([{ userId: oid, providerName: 'EntraID', providerType: 'SAML', issuer: null, primary: 'true', dateCreated: String(now * 1000) }]),
    'token_use': 'id',
    'email': 'someone@example.onmicrosoft.com',
    'name': 'Someone Example',
  });
  const accessToken = signJwt({ kid: KID, privateKey }, {
    ...common,
    'client_id': CLIENT_ID,
    'cognito:groups': ['eu-west-1_BenchPo0l1_EntraID'],
    'token_use': 'access',
    'scope': 'openid profile email',
    'username': username,
  });
  return { idToken, accessToken, username, groups };
}

// ---------------------------------------------------------------- results

export interface SessionResults {
  codeFrom: string;
  size: CodeSize;
  /** Per-call times (µs) in the sandbox: the viewer function and the empty function, same processes. */
  viewerUs: Summary;
  emptyUs: Summary;
  /** viewer − empty medians (µs): the function's own time per signed-in request. */
  ownUs: number;
  /** Per round: viewer median − empty median (µs). */
  roundOwnUs: number[];
  cookies: CookieRow[];
  cost: {
    lambdaEdge: ReturnType<typeof lambdaEdgeCostPerMillion> & { medianUs: number };
    theirs: ReturnType<typeof lambdaEdgeCostPerMillion> & { medianUs: number };
    session: ReturnType<typeof sessionCostPerMillion>;
  };
  valid: boolean;
}
