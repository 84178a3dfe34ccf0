/**
 * Pure functions of the config injector: turn the custom resource's properties plus the values
 * resolved at deploy time into the edge function's `config.json`, and put that file into the
 * bundle zip. No AWS calls here, so tools (tests, the playground) can build exactly the
 * `config.json` a deployment would write, from a synthesised template.
 */
import JSZip from 'jszip';
import { authDomainProblem, userPoolIdProblem } from '../../src/private/config-rules';
import { assertRecord, assertStringArray, JsonObject, nonEmptyString, ownProperty } from '../shared/assert';
import { ConfigError, configFail } from '../shared/config-error';
import type { EdgeAuthConfig, EdgeCookieConfig, EdgePathRule, EdgeSessionConfig } from '../shared/edge-config';
import { DEFAULTS } from '../shared/resolve-config';
import { safeJsonParse } from '../shared/safe-json';
import { isSessionKey, SESSION_KEY_ID } from '../shared/session-cookie';

/** Name of the configuration file inside the edge function's code (beside `index.js`). */
const CONFIG_FILE_NAME = 'config.json';

/**
 * The properties of a `Custom::CognitoEdgeAuthConfig` resource, as CloudFormation passes them
 * (every value a string) and as they appear, token-resolved, in the synthesised template.
 *
 * - `UserPoolId`, `ClientId`: the Cognito user pool and app client.
 * - `AuthDomain`: hosted-UI base URL with scheme, no trailing slash (e.g. `https://x.auth.eu-west-1.amazoncognito.com`).
 * - `EdgeConfig`: a JSON object string with the remaining settings, all optional:
 *   `identityProvider`, `callbackPath`, `signOutPath`, `signOutLandingPath`, `scopes`,
 *   `requiredGroups`, `pathRules`, `aliases`, `cookies`, `forwardAuthCookies`, `logLevel`, `publicPaths`, `groupsClaim`,
 *   `refreshTokenValiditySeconds` (named and typed as in {@link EdgeAuthConfig}).
 * - `Session` (session mode only): `{ AuthPathPrefix, KeyValueStoreArn, KeyGeneration, IdentityHeader }`
 *   (see {@link SessionResourceProperties}); `config.json` then gets `session` with the signing key.
 * - The rest (`FunctionName`, `FunctionRegion`, `BundleS3Bucket`, `BundleS3Key`, `StateSecretArn`,
 *   `ClientFingerprint`, `ServiceToken`) tell the deploy-time handler where things are; they do not
 *   reach `config.json` and are ignored here.
 */
export interface ConfigResourceProperties {
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly AuthDomain: string;
  readonly EdgeConfig?: string;
  readonly Session?: unknown;
  readonly [key: string]: unknown;
}

/** The `Session` property of session mode, checked and typed. */
export interface SessionResourceProperties {
  /** Auth route prefix with leading and trailing slash, e.g. `/_auth/`. */
  readonly authPathPrefix: string;
  /** ARN of the KeyValueStore with the session keys. */
  readonly keyValueStoreArn: string;
  /** The construct's `sessionKeyGeneration` (a positive integer; raising it rotates the key). */
  readonly keyGeneration: number;
  /** Identity header the viewer function sets (lower case). */
  readonly identityHeader?: string;
}

/** Values the handler resolves at deploy time (all optional; the playground passes local ones). */
export interface ResolvedValues {
  /** The app client's secret, when it has one (DescribeUserPoolClient). */
  readonly clientSecret?: string;
  /** The user pool's key set (`https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`). */
  readonly jwks?: { readonly keys: ReadonlyArray<Record<string, unknown>> };
  /** The state-signing key (from the `StateSecret` Secrets Manager secret). */
  readonly stateSecret?: string;
  /** The client's refresh-token validity in seconds; used when `EdgeConfig` has none. */
  readonly refreshTokenValiditySeconds?: number;
  /** Session mode: the key that signs session cookies (from the KeyValueStore). Required when `Session` is present. */
  readonly sessionKey?: { readonly keyId: string; readonly key: string };
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
const SAME_SITE = ['Lax', 'Strict', 'None'] as const;

/**
 * Build the edge function's `config.json` content: the shapes CloudFormation passes (strings for
 * numbers and booleans) turned into the contract's types. Whether the values are acceptable is
 * decided by `resolveConfig` (lambda-src/shared/resolve-config.ts), which the custom resource runs
 * on the result before writing it.
 *
 * @param properties the `Custom::CognitoEdgeAuthConfig` properties (see {@link ConfigResourceProperties})
 * @param resolved values resolved at deploy time
 * @throws ConfigError when a property has the wrong shape (the message names the property, never a value of a secret)
 */
export function buildEdgeConfig(properties: ConfigResourceProperties, resolved: ResolvedValues = {}): EdgeAuthConfig {
  const userPoolId = requireString(properties.UserPoolId, 'UserPoolId');
  if (userPoolIdProblem(userPoolId)) {
    throw new ConfigError(`UserPoolId must look like <region>_<id> (e.g. eu-west-1_AbCdEf123), got ${JSON.stringify(userPoolId)}`);
  }
  const clientId = requireString(properties.ClientId, 'ClientId');
  const authDomain = requireString(properties.AuthDomain, 'AuthDomain').replace(/\/+$/, '');
  if (authDomainProblem(authDomain)) {
    throw new ConfigError(`AuthDomain must be a base URL such as https://auth.example.com, got ${JSON.stringify(authDomain)}`);
  }

  const edge = edgeConfigObject(properties);
  const field = (name: string): unknown => ownProperty(edge, name);

  const logLevel = optionalString(field('logLevel'), 'EdgeConfig.logLevel');
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`EdgeConfig.logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const refreshTokenValiditySeconds = configuredRefreshTokenValiditySeconds(edge) ?? resolved.refreshTokenValiditySeconds;

  const config: EdgeAuthConfig = {
    userPoolId,
    clientId,
    clientSecret: resolved.clientSecret || undefined,
    authDomain,
    identityProvider: optionalString(field('identityProvider'), 'EdgeConfig.identityProvider'),
    jwks: resolved.jwks,
    callbackPath: optionalString(field('callbackPath'), 'EdgeConfig.callbackPath'),
    signOutPath: optionalString(field('signOutPath'), 'EdgeConfig.signOutPath'),
    requiredGroups: optionalStringArray(field('requiredGroups'), 'EdgeConfig.requiredGroups'),
    aliases: optionalStringArray(field('aliases'), 'EdgeConfig.aliases'),
    signOutLandingPath: optionalString(field('signOutLandingPath'), 'EdgeConfig.signOutLandingPath'),
    scopes: optionalStringArray(field('scopes'), 'EdgeConfig.scopes'),
    stateSecret: resolved.stateSecret || undefined,
    pathRules: pathRules(field('pathRules')),
    cookies: cookies(field('cookies')),
    forwardAuthCookies: optionalBoolean(field('forwardAuthCookies'), 'EdgeConfig.forwardAuthCookies'),
    logLevel: logLevel as EdgeAuthConfig['logLevel'],
    refreshTokenValiditySeconds,
    publicPaths: optionalStringArray(edge.publicPaths, 'EdgeConfig.publicPaths'),
    groupsClaim: optionalString(edge.groupsClaim, 'EdgeConfig.groupsClaim'),
    session: session(properties, resolved),
  };
  return dropUndefined(config);
}

/** The `EdgeConfig` property parsed (an empty object when absent). */
function edgeConfigObject(properties: ConfigResourceProperties): JsonObject {
  if (properties.EdgeConfig === undefined || properties.EdgeConfig === '') return {};
  const parsed = safeJsonParse(requireString(properties.EdgeConfig, 'EdgeConfig'));
  if (parsed === undefined) throw new ConfigError('EdgeConfig is not valid JSON');
  assertRecord(parsed, () => new ConfigError('EdgeConfig must be a JSON object'));
  return parsed;
}

function configuredRefreshTokenValiditySeconds(edge: JsonObject): number | undefined {
  return optionalNumber(ownProperty(edge, 'refreshTokenValiditySeconds'), 'EdgeConfig.refreshTokenValiditySeconds');
}

/**
 * The session cookie's `Max-Age` in seconds, which decides how long an old session key is kept:
 * `refreshTokenValiditySeconds` as `config.json` gets it (`EdgeConfig`'s, else the client's) and
 * as the edge function resolves it (its default when neither has one).
 */
export function sessionCookieMaxAgeSecondsOf(properties: ConfigResourceProperties, clientRefreshTokenValiditySeconds: number | undefined): number {
  return configuredRefreshTokenValiditySeconds(edgeConfigObject(properties))
    ?? clientRefreshTokenValiditySeconds ?? DEFAULTS.refreshTokenValiditySeconds;
}

const KEY_VALUE_STORE_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]{1,64}$/;

/**
 * The `Session` property (session mode), checked; undefined in Lambda@Edge mode. CloudFormation
 * passes every value as a string.
 */
export function sessionProperties(properties: ConfigResourceProperties): SessionResourceProperties | undefined {
  const value = properties.Session;
  if (value === undefined || value === null || value === '') return undefined;
  assertRecord(value, configFail('Session'));
  const authPathPrefix = requireString(ownProperty(value, 'AuthPathPrefix'), 'Session.AuthPathPrefix');
  if (!authPathPrefix.startsWith('/') || !authPathPrefix.endsWith('/')) {
    throw new ConfigError(`Session.AuthPathPrefix must start and end with "/", got ${JSON.stringify(authPathPrefix)}`, 'session.authPathPrefix');
  }
  const keyValueStoreArn = requireString(ownProperty(value, 'KeyValueStoreArn'), 'Session.KeyValueStoreArn');
  if (!KEY_VALUE_STORE_ARN.test(keyValueStoreArn)) {
    throw new ConfigError(`Session.KeyValueStoreArn must be a CloudFront KeyValueStore ARN, got ${JSON.stringify(keyValueStoreArn)}`);
  }
  const generation = ownProperty(value, 'KeyGeneration');
  const keyGeneration = typeof generation === 'string' && /^[1-9]\d{0,8}$/.test(generation) ? Number(generation)
    : typeof generation === 'number' && Number.isInteger(generation) && generation >= 1 && generation < 1e9 ? generation : undefined;
  if (keyGeneration === undefined) throw configFail('Session.KeyGeneration')('a positive integer below 1000000000');
  const identityHeader = optionalString(ownProperty(value, 'IdentityHeader'), 'Session.IdentityHeader');
  return dropUndefined({ authPathPrefix, keyValueStoreArn, keyGeneration, identityHeader });
}

function session(properties: ConfigResourceProperties, resolved: ResolvedValues): EdgeSessionConfig | undefined {
  const props = sessionProperties(properties);
  if (props === undefined) return undefined;
  const signing = resolved.sessionKey;
  // Messages name the fields, never the key.
  if (signing === undefined) throw new ConfigError('session mode needs the signing key (from the KeyValueStore)', 'session.key');
  if (!SESSION_KEY_ID.test(signing.keyId)) throw new ConfigError('session.keyId must be 1 to 16 characters of A-Z a-z 0-9 _ -', 'session.keyId');
  if (!isSessionKey(signing.key)) throw new ConfigError('session.key must be 43 base64url characters', 'session.key');
  return dropUndefined({
    authPathPrefix: props.authPathPrefix,
    keyId: signing.keyId,
    key: signing.key,
    identityHeader: props.identityHeader,
  });
}

function pathRules(value: unknown): EdgePathRule[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ConfigError('EdgeConfig.pathRules must be an array');
  return value.map((rule: unknown, i) => {
    assertRecord(rule, configFail(`EdgeConfig.pathRules[${i}]`));
    return {
      pathPattern: requireString(ownProperty(rule, 'pathPattern'), `EdgeConfig.pathRules[${i}].pathPattern`),
      requiredGroups: optionalStringArray(ownProperty(rule, 'requiredGroups'), `EdgeConfig.pathRules[${i}].requiredGroups`) ?? [],
    };
  });
}

/**
 * `cookies.tokenMaxAgeSeconds` as `config.json` gets it (undefined: the token's own lifetime): it
 * bounds a session's lifetime, and so when a session key that stopped signing is retired.
 */
export function sessionTokenMaxAgeSecondsOf(properties: ConfigResourceProperties): number | undefined {
  return cookies(ownProperty(edgeConfigObject(properties), 'cookies'))?.tokenMaxAgeSeconds;
}

function cookies(value: unknown): EdgeCookieConfig | undefined {
  if (value === undefined || value === null) return undefined;
  assertRecord(value, configFail('EdgeConfig.cookies'));
  const sameSite = optionalString(ownProperty(value, 'sameSite'), 'EdgeConfig.cookies.sameSite');
  if (sameSite !== undefined && !(SAME_SITE as readonly string[]).includes(sameSite)) {
    throw new ConfigError(`EdgeConfig.cookies.sameSite must be one of ${SAME_SITE.join(', ')}, got ${JSON.stringify(sameSite)}`);
  }
  const result: EdgeCookieConfig = dropUndefined({
    namePrefix: optionalString(ownProperty(value, 'namePrefix'), 'EdgeConfig.cookies.namePrefix'),
    sameSite: sameSite as EdgeCookieConfig['sameSite'],
    domain: optionalString(ownProperty(value, 'domain'), 'EdgeConfig.cookies.domain'),
    path: optionalString(ownProperty(value, 'path'), 'EdgeConfig.cookies.path'),
    tokenMaxAgeSeconds: optionalNumber(ownProperty(value, 'tokenMaxAgeSeconds'), 'EdgeConfig.cookies.tokenMaxAgeSeconds'),
  });
  return Object.keys(result).length === 0 ? undefined : result;
}

// ---- CloudFormation shapes (every property value arrives as a string) ----

function requireString(value: unknown, what: string): string {
  return nonEmptyString(value, configFail(what));
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, what);
}

function optionalStringArray(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  assertStringArray(value, configFail(what));
  return [...value];
}

/** A number, also accepted as a decimal string. */
function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw configFail(what)('a non-negative number');
  return n;
}

/** A boolean, also accepted as 'true'/'false'. */
function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw configFail(what)('a boolean');
}

function dropUndefined<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/**
 * Return a copy of the bundle zip with `config.json` added (replacing any `config.json` already
 * in it). Every other entry is kept as it is.
 */
export async function addConfigToBundle(zip: Buffer, config: EdgeAuthConfig): Promise<Buffer> {
  const archive = await JSZip.loadAsync(zip);
  if (archive.file('index.js') === null) {
    throw new ConfigError('the edge bundle zip has no index.js at its root');
  }
  archive.file(CONFIG_FILE_NAME, JSON.stringify(config), {
    // A fixed date keeps the zip (and so CodeSha256) identical for identical inputs.
    date: new Date('1980-01-02T00:00:00Z'),
    unixPermissions: 0o644,
  });
  return archive.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
    platform: 'UNIX',
  });
}
