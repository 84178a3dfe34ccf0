/**
 * Pure functions of the config injector: turn the custom resource's properties plus the values
 * resolved at deploy time into the edge function's `config.json`, and put that file into the
 * bundle zip. No AWS calls here, so tools (tests, the playground) can build exactly the
 * `config.json` a deployment would write, from a synthesised template.
 */
import JSZip from 'jszip';
import { ConfigError, assertObject, optionalBoolean, optionalNumber, optionalString, optionalStringArray, requireString, safeJsonParse } from './assert';
import type { EdgeAuthConfig, EdgeCookieConfig, EdgePathRule } from '../shared/edge-config';

/** Name of the configuration file inside the edge function's code (beside `index.js`). */
export const CONFIG_FILE_NAME = 'config.json';

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
 * - The rest (`FunctionName`, `FunctionRegion`, `BundleS3Bucket`, `BundleS3Key`, `StateSecretArn`,
 *   `ClientFingerprint`, `ServiceToken`) tell the deploy-time handler where things are; they do not
 *   reach `config.json` and are ignored here.
 */
export interface ConfigResourceProperties {
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly AuthDomain: string;
  readonly EdgeConfig?: string;
  readonly [key: string]: unknown;
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
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
const SAME_SITE = ['Lax', 'Strict', 'None'] as const;
const USER_POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/;

/**
 * Build the edge function's `config.json` content.
 *
 * @param properties the `Custom::CognitoEdgeAuthConfig` properties (see {@link ConfigResourceProperties})
 * @param resolved values resolved at deploy time
 * @throws ConfigError when a property has the wrong shape (the message names the property, never a value of a secret)
 */
export function buildEdgeConfig(properties: ConfigResourceProperties, resolved: ResolvedValues = {}): EdgeAuthConfig {
  const userPoolId = requireString(properties.UserPoolId, 'UserPoolId');
  if (!USER_POOL_ID.test(userPoolId)) {
    throw new ConfigError(`UserPoolId must look like <region>_<id>, got ${JSON.stringify(userPoolId)}`);
  }
  const clientId = requireString(properties.ClientId, 'ClientId');
  const authDomain = requireString(properties.AuthDomain, 'AuthDomain').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+$/.test(authDomain)) {
    throw new ConfigError(`AuthDomain must be a base URL such as https://auth.example.com, got ${JSON.stringify(authDomain)}`);
  }

  const edge = properties.EdgeConfig === undefined || properties.EdgeConfig === ''
    ? {}
    : assertObject(safeJsonParse(requireString(properties.EdgeConfig, 'EdgeConfig'), 'EdgeConfig'), 'EdgeConfig');

  const logLevel = optionalString(edge.logLevel, 'EdgeConfig.logLevel');
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`EdgeConfig.logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  const refreshTokenValiditySeconds = optionalNumber(edge.refreshTokenValiditySeconds, 'EdgeConfig.refreshTokenValiditySeconds')
    ?? resolved.refreshTokenValiditySeconds;

  const config: EdgeAuthConfig = {
    userPoolId,
    clientId,
    clientSecret: resolved.clientSecret || undefined,
    authDomain,
    identityProvider: optionalString(edge.identityProvider, 'EdgeConfig.identityProvider'),
    jwks: resolved.jwks,
    callbackPath: optionalString(edge.callbackPath, 'EdgeConfig.callbackPath'),
    signOutPath: optionalString(edge.signOutPath, 'EdgeConfig.signOutPath'),
    requiredGroups: optionalStringArray(edge.requiredGroups, 'EdgeConfig.requiredGroups'),
    aliases: optionalStringArray(edge.aliases, 'EdgeConfig.aliases'),
    signOutLandingPath: optionalString(edge.signOutLandingPath, 'EdgeConfig.signOutLandingPath'),
    scopes: optionalStringArray(edge.scopes, 'EdgeConfig.scopes'),
    stateSecret: resolved.stateSecret || undefined,
    pathRules: pathRules(edge.pathRules),
    cookies: cookies(edge.cookies),
    forwardAuthCookies: optionalBoolean(edge.forwardAuthCookies, 'EdgeConfig.forwardAuthCookies'),
    logLevel: logLevel as EdgeAuthConfig['logLevel'],
    refreshTokenValiditySeconds,
    publicPaths: optionalStringArray(edge.publicPaths, 'EdgeConfig.publicPaths'),
    groupsClaim: optionalString(edge.groupsClaim, 'EdgeConfig.groupsClaim'),
  };
  return dropUndefined(config);
}

function pathRules(value: unknown): EdgePathRule[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new ConfigError('EdgeConfig.pathRules must be an array');
  return value.map((rule: unknown, i) => {
    const r = assertObject(rule, `EdgeConfig.pathRules[${i}]`);
    return {
      pathPattern: requireString(r.pathPattern, `EdgeConfig.pathRules[${i}].pathPattern`),
      requiredGroups: optionalStringArray(r.requiredGroups, `EdgeConfig.pathRules[${i}].requiredGroups`) ?? [],
    };
  });
}

function cookies(value: unknown): EdgeCookieConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const c = assertObject(value, 'EdgeConfig.cookies');
  const sameSite = optionalString(c.sameSite, 'EdgeConfig.cookies.sameSite');
  if (sameSite !== undefined && !(SAME_SITE as readonly string[]).includes(sameSite)) {
    throw new ConfigError(`EdgeConfig.cookies.sameSite must be one of ${SAME_SITE.join(', ')}, got ${JSON.stringify(sameSite)}`);
  }
  const result: EdgeCookieConfig = dropUndefined({
    namePrefix: optionalString(c.namePrefix, 'EdgeConfig.cookies.namePrefix'),
    sameSite: sameSite as EdgeCookieConfig['sameSite'],
    domain: optionalString(c.domain, 'EdgeConfig.cookies.domain'),
    path: optionalString(c.path, 'EdgeConfig.cookies.path'),
    tokenMaxAgeSeconds: optionalNumber(c.tokenMaxAgeSeconds, 'EdgeConfig.cookies.tokenMaxAgeSeconds'),
  });
  return Object.keys(result).length === 0 ? undefined : result;
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
