/**
 * Starts the whole local stack: the local Cognito hosted UI, the sample origin and the local
 * edge running the built `assets/edge-auth/index.js` (in session mode
 * `assets/edge-auth-session/index.js`, as the construct pairs them) with a `config.json` written
 * beside it by the custom resource's code path. Used by `playground/main.ts` (the README's main command) and by
 * the end-to-end tests.
 *
 * Two modes, as the construct's `viewerCheck`: `lambda-edge` (the Lambda@Edge function checks
 * every request) and `session` (design §7: the Lambda@Edge function answers only the auth routes
 * under `/_auth/`, with a `session` block in its config.json holding a signing key made for this
 * run; every other request runs the built `assets/viewer-function/index.js`, configured by
 * `injectViewerConfig(buildViewerConfig(...))` as the construct configures it, in the CloudFront
 * Functions sandbox, whose KeyValueStore holds `session-key.<kid>` with the same key).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildLocalEdgeConfig, EdgeConfigResult, findEdgeConfigResource } from './edge-config';
import { LocalCognito, LocalUser, startLocalCognito } from './local-cognito';
import { EdgeDecision, LocalEdge, maskUrl, startLocalEdge, ViewerFunction, ViewerRequestHandler } from './local-edge';
import { Origin, startOrigin } from './origin';
import type { EdgeAuthConfig } from '../lambda-src/shared/edge-config';
import { sessionKeyName } from '../lambda-src/shared/session-cookie';
import { signedOutPathFor } from '../lambda-src/shared/signed-out-path';
import { buildViewerConfig, injectViewerConfig, ViewerConfigInput } from '../lambda-src/shared/viewer-config';
import { loadCloudFrontFunction, Sandbox } from '../test/support/cloudfront-functions-sandbox';

export const REPO_ROOT = path.join(__dirname, '..');
export const DEFAULT_BUNDLE = path.join(REPO_ROOT, 'assets', 'edge-auth', 'index.js');
/** The Lambda@Edge bundle built with session mode (the construct ships it in session mode). */
export const DEFAULT_SESSION_BUNDLE = path.join(REPO_ROOT, 'assets', 'edge-auth-session', 'index.js');
export const DEFAULT_VIEWER_FUNCTION = path.join(REPO_ROOT, 'assets', 'viewer-function', 'index.js');
export const DEFAULT_CDK_OUT = path.join(REPO_ROOT, 'example', 'cdk.out');
export const DEFAULT_USERS_FILE = path.join(__dirname, 'users.json');
/** App client id of the local pool (Cognito ids are 26 lower-case alphanumerics). */
export const LOCAL_CLIENT_ID = 'localplaygroundclient00001';

/** How signed-in requests are checked (the construct's `viewerCheck`). */
export type PlaygroundMode = 'lambda-edge' | 'session';
export const PLAYGROUND_MODES: readonly PlaygroundMode[] = ['lambda-edge', 'session'];
/** The auth route prefix of session mode (the construct's default `authPathPrefix`). */
export const AUTH_PATH_PREFIX = '/_auth/';

export interface PlaygroundOptions {
  /** `lambda-edge`: the Lambda@Edge function checks every request; `session`: a CloudFront Function checks the session cookie. @default 'lambda-edge' */
  mode?: PlaygroundMode;
  /** HTTPS port of the local edge (the site). @default 0 (ephemeral) */
  edgePort?: number;
  /** Port of the local hosted UI. @default 0 */
  hostedUiPort?: number;
  /** Port of the sample origin. @default 0 */
  originPort?: number;
  /** @default playground/users.json */
  users?: LocalUser[];
  /** Lifetimes of the local pool's tokens. */
  idTokenTtlSeconds?: number;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** @default assets/edge-auth/index.js, in session mode assets/edge-auth-session/index.js */
  bundleFile?: string;
  /** Session mode: the built viewer function. @default assets/viewer-function/index.js */
  viewerFunctionFile?: string;
  /** @default example/cdk.out */
  cdkOutDir?: string;
  /** Applied on top of the built config (tests). */
  configOverrides?: Partial<EdgeAuthConfig>;
  /** Give the local client a secret even when the example's client has none. */
  clientSecret?: string;
  /** Viewer-request time limit. @default 5000 */
  edgeTimeoutMs?: number;
  onDecision?: (d: EdgeDecision, summary: string) => void;
}

export interface Playground {
  readonly mode: PlaygroundMode;
  /** `https://localhost:PORT`: open this. */
  readonly url: string;
  readonly hostedUiUrl: string;
  readonly originUrl: string;
  readonly cognito: LocalCognito;
  readonly origin: Origin;
  readonly edge: LocalEdge;
  readonly config: EdgeAuthConfig;
  readonly configSource: EdgeConfigResult['source'];
  readonly configDetail: string;
  readonly users: LocalUser[];
  /** Directory holding the copied bundle and its config.json. */
  readonly functionDir: string;
  /** Session mode: the viewer function's sandbox (its KeyValueStore holds the session key). */
  readonly viewerFunction?: Sandbox;
  close(): Promise<void>;
}

interface UsersFile {
  users: Array<LocalUser & { generatedGroups?: { prefix: string; count: number } }>;
}

/** Reads the sample users; `generatedGroups` expands to `<prefix>1..count`. */
export function loadUsers(file = DEFAULT_USERS_FILE): LocalUser[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as UsersFile;
  return parsed.users.map(({ generatedGroups, ...u }) => ({
    ...u,
    groups: [
      ...(u.groups ?? []),
      ...(generatedGroups ? Array.from({ length: generatedGroups.count }, (_, i) => `${generatedGroups.prefix}${i + 1}`) : []),
    ],
  }));
}

/** Copies the bundle into a fresh directory with `config.json` beside it and loads it. */
export function loadEdgeFunction(bundleFile: string, config: EdgeAuthConfig): { dir: string; handler: ViewerRequestHandler } {
  if (!fs.existsSync(bundleFile)) {
    throw new Error(`${path.relative(process.cwd(), bundleFile)} is missing: run \`npx projen bundle\` first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-auth-'));
  fs.copyFileSync(bundleFile, path.join(dir, 'index.js'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(dir, 'index.js')) as { handler?: ViewerRequestHandler };
  if (typeof mod.handler !== 'function') throw new Error('the edge bundle does not export handler(event)');
  return { dir, handler: mod.handler };
}

/**
 * Session mode: the built viewer function configured as the construct configures it (rules, cookie
 * prefix, auth prefix and identity header of `config`), in the CloudFront Functions sandbox with a
 * KeyValueStore holding the signing key of `config.session`.
 */
export function loadViewerFunction(file: string, config: EdgeAuthConfig): Sandbox & ViewerFunction {
  const session = config.session;
  if (!session) throw new Error('loadViewerFunction: the config has no session block');
  if (!fs.existsSync(file)) {
    throw new Error(`${path.relative(process.cwd(), file)} is missing: run \`npx projen bundle\` first`);
  }
  // Public paths as the construct passes them (a viewer function without public paths ignores them).
  const input: ViewerConfigInput & { readonly publicPaths?: readonly string[] } = {
    authPrefix: session.authPathPrefix,
    cookieNamePrefix: config.cookies?.namePrefix,
    signOutPath: config.signOutPath,
    identityHeader: session.identityHeader,
    requiredGroups: config.requiredGroups,
    pathRules: config.pathRules,
    publicPaths: config.publicPaths,
  };
  const viewerConfig = buildViewerConfig(input);
  const sandbox = loadCloudFrontFunction(injectViewerConfig(fs.readFileSync(file, 'utf8'), viewerConfig), {
    store: { [sessionKeyName(session.keyId)]: session.key },
  });
  return Object.assign(sandbox, { authPrefix: session.authPathPrefix });
}

/** One readable line for an edge decision; never a token, code, cookie value or secret. */
export function describeDecision(d: EdgeDecision, config: EdgeAuthConfig): string {
  const callbackPath = config.callbackPath ?? '/_auth/callback';
  const signOutPath = config.signOutPath ?? '/_auth/signout';
  const pathOnly = d.target.split('?')[0];
  const prefix = config.session?.authPathPrefix;
  let what: string;
  if (d.kind === 'error') {
    what = `EDGE ERROR ${d.status}: ${d.problem ?? 'unknown'}`;
  } else if (d.kind === 'forwarded') {
    what = `allowed → origin answered ${d.status}`;
  } else {
    const loc = d.location ?? '';
    const toHostedUi = loc.startsWith(config.authDomain);
    if (d.status === 302 && toHostedUi && loc.startsWith(`${config.authDomain}/oauth2/authorize`)) what = 'redirected to login (hosted UI)';
    else if (prefix && d.status === 302 && loc.startsWith(`${prefix}login?`)) what = `no session → ${pathOf(loc)}`;
    else if (prefix && d.status === 302 && loc.startsWith(`${prefix}refresh?`)) what = `session expired → ${pathOf(loc)}`;
    else if (prefix && d.status === 302 && pathOnly === `${prefix}refresh` && d.setCookieNames.length > 0) what = `refreshed session → ${pathOf(loc)}`;
    else if (d.status === 302 && toHostedUi && loc.startsWith(`${config.authDomain}/logout`)) what = 'signed out → hosted-UI logout';
    else if (d.status === 302 && pathOnly === callbackPath) what = `signed in → ${pathOf(loc)}`;
    else if (d.status === 302 && pathOnly === signOutPath) what = `signed out → ${pathOf(loc)}`;
    else if (d.status === 302 && d.setCookieNames.length > 0 && pathOf(loc) === d.target) what = 'refreshed tokens → same URL';
    else if (d.status >= 300 && d.status < 400) what = `redirect ${d.status} → ${pathOf(loc)}`;
    else if (d.status === 401) what = 'denied 401 (no session; not a browser navigation)';
    else if (d.status === 403) what = 'denied 403 (not in a required group)';
    else if (pathOnly === callbackPath) what = `callback answered ${d.status}`;
    else if (d.status >= 500) what = `upstream failure page ${d.status}`;
    else what = `answered ${d.status}`;
  }
  const by = prefix ? (d.by === 'cloudfront-function' ? ' [viewer function]' : ' [Lambda@Edge]') : '';
  return `${d.method} ${d.target} → ${what} (${d.durationMs} ms)${by}`;
}

function pathOf(location: string): string {
  try {
    const u = new URL(location, 'https://site.invalid');
    return u.origin === 'https://site.invalid' ? maskUrl(u.pathname + u.search) : maskUrl(location.replace(/^https:\/\/[^/]+/, ''));
  } catch {
    return '(unparseable location)';
  }
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const origin = await startOrigin({ port: options.originPort ?? 0, signOutPath: options.configOverrides?.signOutPath });
    closers.push(() => origin.close());

    let config: EdgeAuthConfig | undefined;
    const edge = await startLocalEdge({
      port: options.edgePort ?? 0,
      originUrl: origin.url,
      timeoutMs: options.edgeTimeoutMs,
      onDecision: (d) => options.onDecision?.(d, config ? describeDecision(d, config) : `${d.method} ${d.target} → ${d.status}`),
    });
    closers.push(() => edge.close());

    const users = options.users ?? loadUsers();
    const cdkOutDir = options.cdkOutDir ?? DEFAULT_CDK_OUT;
    // Mirror the example: a client with a secret gets a (random) secret locally too, and the local
    // pool lives in the example stack's region (the region is part of the pool id and the issuer).
    const example = findEdgeConfigResource(cdkOutDir);
    const clientSecret = options.clientSecret ?? (example?.clientHasSecret ? randomBytes(33).toString('base64url') : undefined);
    const userPoolId = `${example?.region ?? 'us-east-1'}_LocalPlay1`;
    const cbPath = options.configOverrides?.callbackPath ?? '/_auth/callback';
    // Where sign-out lands, as the construct registers it: signOutRedirectPath when set, else the
    // signed-out page the edge function serves beside the sign-out path.
    const landing = options.configOverrides?.signOutLandingPath
      ?? signedOutPathFor(options.configOverrides?.signOutPath ?? '/_auth/signout', cbPath);
    const cognito = await startLocalCognito({
      port: options.hostedUiPort ?? 0,
      userPoolId,
      clients: [{
        clientId: LOCAL_CLIENT_ID,
        clientSecret,
        // What the callback registration would add for this distribution.
        callbackUrls: [`${edge.url}${cbPath}`],
        logoutUrls: [`${edge.url}${landing}`],
      }],
      users,
      idTokenTtlSeconds: options.idTokenTtlSeconds,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
    });
    closers.push(() => cognito.close());

    const built = buildLocalEdgeConfig(cdkOutDir, {
      userPoolId: cognito.userPoolId,
      clientId: LOCAL_CLIENT_ID,
      clientSecret,
      authDomain: cognito.url,
      distributionDomainName: edge.distributionDomainName,
      jwks: cognito.jwks,
      stateSecret: randomBytes(32).toString('base64'),
      refreshTokenValiditySeconds: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    });
    const mode = options.mode ?? 'lambda-edge';
    // Session mode: a signing key made for this run, as the config injector would write it
    // (config.json) and store it (the KeyValueStore entry the viewer function reads).
    const session = mode === 'session'
      ? { session: { authPathPrefix: AUTH_PATH_PREFIX, keyId: 'local1', key: randomBytes(32).toString('base64url') } }
      : {};
    config = { ...built.config, ...session, ...options.configOverrides };
    const fn = loadEdgeFunction(options.bundleFile ?? (mode === 'session' ? DEFAULT_SESSION_BUNDLE : DEFAULT_BUNDLE), config);
    closers.push(async () => fs.rmSync(fn.dir, { recursive: true, force: true }));
    edge.setHandler(fn.handler);
    const viewerFunction = mode === 'session' ? loadViewerFunction(options.viewerFunctionFile ?? DEFAULT_VIEWER_FUNCTION, config) : undefined;
    edge.setViewerFunction(viewerFunction);

    return {
      mode,
      url: edge.url,
      hostedUiUrl: cognito.url,
      originUrl: origin.url,
      cognito,
      origin,
      edge,
      config,
      configSource: built.source,
      configDetail: built.detail,
      users,
      functionDir: fn.dir,
      viewerFunction,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
