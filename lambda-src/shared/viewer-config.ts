/**
 * The viewer function's configuration, and how it gets into the function.
 *
 * CloudFront Functions have no environment, no files and a 10 KB code limit, and a second
 * KeyValueStore read per request would double the store's cost. The configuration is therefore
 * written into the code when the function is created: the built bundle
 * (assets/viewer-function/index.js) contains the global identifier `VIEWER_CONFIG_PLACEHOLDER`
 * exactly once, and `injectViewerConfig()` replaces it with the JSON of `buildViewerConfig()`.
 * Everything in it is known at synth time and none of it is secret (the signing keys are in the
 * KeyValueStore, never in code), so the construct can do this at synth and put the result into
 * the function's inline code; the same code path serves the tests and the local playground.
 *
 * Field names are short because they count against the 10 KB limit twice (here and where the
 * function reads them); each is documented below.
 */
import { rulesHash, SESSION_KEY_NAME_PREFIX, SessionRules } from './session-cookie';
import { publicPathProblem } from '../../src/private/config-rules';

/** The identifier the built viewer function reads its configuration from. */
export const VIEWER_CONFIG_PLACEHOLDER = '__CEA_VIEWER_CONFIG__';
/** The platform's limit on a CloudFront Function's code (bytes). */
export const VIEWER_FUNCTION_MAX_BYTES = 10 * 1024;

/** Configuration of the viewer function (after `buildViewerConfig`). */
export interface ViewerConfig {
  /** Auth route prefix with trailing slash, e.g. `/_auth/`: the function answers 500 below it and never redirects there except to `login`/`refresh`. */
  readonly authPrefix: string;
  /** Login route (under the prefix): navigations without a session go there. */
  readonly login: string;
  /** Refresh route (under the prefix): expired sessions go there. */
  readonly refresh: string;
  /** Sign-out route (linked from the 403 page). */
  readonly signOut: string;
  /** Session cookie name. */
  readonly cookie: string;
  /** Refresh-loop guard cookie name (host-only, Path=/, 60 s). */
  readonly guard: string;
  /** Cookie names starting with one of these are the library's: removed before the origin sees the request. */
  readonly strip: readonly string[];
  /** Identity header (lower case): always removed from the inbound request, set to the username on an allow. */
  readonly header: string;
  /** `rulesHash()` of the rules below: a cookie minted under another hash counts as expired. */
  readonly rulesHash: string;
  /** Fallback required groups (any-of; empty: any signed-in user). */
  readonly groups: readonly string[];
  /** Path rules, first match wins: `p` a CloudFront-style pattern, `g` its any-of groups. */
  readonly rules: ReadonlyArray<{ readonly p: string; readonly g: readonly string[] }>;
  /**
   * Public paths (CloudFront-style patterns, matched against the canonical path): such a request
   * goes on without a session (and without a store read), with the library's cookies and the
   * identity header removed. Empty: every path needs a session.
   */
  readonly pub: readonly string[];
  /** KeyValueStore key name prefix of the session keys (the key id follows). */
  readonly keyPrefix: string;
}

/** What `buildViewerConfig` takes; every field but the rules has the library's default. */
export interface ViewerConfigInput extends SessionRules {
  /** @default '/_auth/' */
  readonly authPrefix?: string;
  /** Cookie name prefix without `__Host-`/`__Secure-`. @default 'CognitoEdgeAuth' */
  readonly cookieNamePrefix?: string;
  /** Full base of the session cookie's name (`__Host-<prefix>` or `__Secure-<prefix>`). @default `__Host-<cookieNamePrefix>` */
  readonly cookieBaseName?: string;
  /** @default `<authPrefix>signout` */
  readonly signOutPath?: string;
  /** @default 'x-cognito-edge-auth-user' */
  readonly identityHeader?: string;
  /** Paths reachable without a session (the construct's `publicPaths`). @default - none */
  readonly publicPaths?: readonly string[];
}

const PREFIX = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,62}\/$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const COOKIE_NAME = /^(__Host-|__Secure-)?[A-Za-z0-9_.-]{1,64}$/;
const HEADER = /^[a-z0-9-]{1,64}$/;

/**
 * Resolve the viewer function's configuration.
 * @throws Error naming the field when a value cannot be used.
 */
export function buildViewerConfig(input: ViewerConfigInput): ViewerConfig {
  const authPrefix = input.authPrefix ?? '/_auth/';
  if (!PREFIX.test(authPrefix) || authPrefix.startsWith('//')) throw new Error('viewer config: authPrefix must be an absolute path ending in "/", e.g. /_auth/');
  const prefix = input.cookieNamePrefix ?? 'CognitoEdgeAuth';
  if (!NAME.test(prefix)) throw new Error('viewer config: cookieNamePrefix must be letters, digits, "_", "." or "-"');
  const base = input.cookieBaseName ?? `__Host-${prefix}`;
  if (!COOKIE_NAME.test(base)) throw new Error('viewer config: cookieBaseName is not a cookie name');
  const signOut = input.signOutPath ?? `${authPrefix}signout`;
  if (!signOut.startsWith(authPrefix)) throw new Error('viewer config: signOutPath must lie under authPrefix');
  const header = input.identityHeader ?? 'x-cognito-edge-auth-user';
  if (!HEADER.test(header)) throw new Error('viewer config: identityHeader must be a lower-case header name');
  const pathRules = input.pathRules ?? [];
  const publicPaths = input.publicPaths ?? [];
  publicPaths.forEach((p, i) => {
    const problem = publicPathProblem(p);
    if (problem !== undefined) throw new Error(`viewer config: publicPaths[${i}] must be ${problem}`);
  });
  return {
    authPrefix,
    login: `${authPrefix}login`,
    refresh: `${authPrefix}refresh`,
    signOut,
    cookie: `${base}-s`,
    guard: `__Host-${prefix}-rg`,
    strip: [`__Host-${prefix}-`, `__Secure-${prefix}-`],
    header,
    rulesHash: rulesHash(input),
    groups: [...(input.requiredGroups ?? [])],
    rules: pathRules.map((r) => ({ p: r.pathPattern, g: [...r.requiredGroups] })),
    pub: [...publicPaths],
    keyPrefix: SESSION_KEY_NAME_PREFIX,
  };
}

/**
 * Write `config` into the built viewer function's code in place of `VIEWER_CONFIG_PLACEHOLDER`.
 * @throws Error when the placeholder is not there exactly once.
 */
export function injectViewerConfig(code: string, config: ViewerConfig): string {
  const parts = code.split(VIEWER_CONFIG_PLACEHOLDER);
  if (parts.length !== 2) throw new Error(`viewer function: expected the configuration placeholder exactly once, found it ${parts.length - 1} times`);
  // JSON is a JavaScript expression; U+2028/U+2029 are escaped for older parsers.
  const json = JSON.stringify(config).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return parts[0] + json + parts[1];
}
