/**
 * `Custom::CognitoEdgeAuthConfig`: resolve the deploy-time values, write `config.json` into the
 * edge function's code, publish a version, wait until it is Active, return its ARN.
 *
 * The function is found by {@link locateFunction}. Every property change runs this again, and the
 * properties carry all that reaches the edge: the bundle (its S3 key is its hash), the settings,
 * the Cognito ids, and `FunctionFingerprint` (the function's and its role's CloudFormation
 * properties: runtime, memory, role...), so any of those changes publishes a new version.
 *
 * Physical id: the published version ARN, so a new version means a new physical id; CloudFormation
 * then sends a Delete for the old one, which does nothing (versions stay with the function, which
 * CloudFront may still be replicating).
 */
// The AWS SDK v3 clients are devDependencies on purpose: Lambda's Node.js runtime provides them (esbuild keeps them external).
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand, UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ResolvedValues, addConfigToBundle, buildEdgeConfig, ConfigResourceProperties, sessionCookieMaxAgeSecondsOf, sessionProperties,
  sessionTokenMaxAgeSecondsOf,
} from './build-config';
import { locateFunction } from './locate-function';
import { log } from './log';
import { pollUntil } from './poll';
import { ensureSessionKey, sessionKeyLifetimeSeconds, sessionKeyRetentionSeconds } from './session-keys';
import { regionOfUserPoolId } from '../../src/private/config-rules';
import { isRecord, JsonObject, nonEmptyString } from '../shared/assert';
import { ConfigError, configFail } from '../shared/config-error';
import { resolveConfig } from '../shared/resolve-config';
import { safeJsonParse } from '../shared/safe-json';

export interface ResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface ConfigEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly LogicalResourceId: string;
  readonly ResourceProperties: JsonObject;
}

const JWKS_ATTEMPTS = 3;
const JWKS_TIMEOUT_MS = 5_000;

export async function handleConfig(event: ConfigEvent): Promise<ResourceResult> {
  if (event.RequestType === 'Delete') {
    log('info', 'delete: nothing to undo; published versions stay with the function', {
      physicalResourceId: event.PhysicalResourceId,
    });
    return { PhysicalResourceId: event.PhysicalResourceId ?? event.LogicalResourceId };
  }

  const p = event.ResourceProperties;
  const property = (name: string) => nonEmptyString(p[name], configFail(name));
  const functionRegion = property('FunctionRegion');
  const functionName = await locateFunction(p, functionRegion);
  const bucket = property('BundleS3Bucket');
  const key = property('BundleS3Key');
  const userPoolId = property('UserPoolId');
  const clientId = property('ClientId');
  const stateSecretArn = property('StateSecretArn');
  const poolRegion = regionOfUserPool(userPoolId);

  const session = sessionProperties(p as ConfigResourceProperties);

  const client = await describeClient(poolRegion, userPoolId, clientId);
  assertCodeFlow(client, clientId);
  const clientRefreshTokenValiditySeconds = refreshTokenValiditySeconds(client);
  // Session mode: an old key is kept as long as a session cookie signed with it can arrive.
  const sessionCookieMaxAge = sessionCookieMaxAgeSecondsOf(p as ConfigResourceProperties, clientRefreshTokenValiditySeconds);
  const resolved: ResolvedValues = {
    clientSecret: client.ClientSecret,
    jwks: await fetchJwks(poolRegion, userPoolId),
    stateSecret: await readStateSecret(stateSecretArn),
    refreshTokenValiditySeconds: clientRefreshTokenValiditySeconds,
    // Session mode: the signing key comes from the KeyValueStore (written there first, if needed).
    sessionKey: session === undefined ? undefined : await ensureSessionKey({
      keyValueStoreArn: session.keyValueStoreArn,
      keyGeneration: session.keyGeneration,
      retentionSeconds: sessionKeyRetentionSeconds(sessionCookieMaxAge),
      // ...and usable only as long as a session signed with it can still be valid.
      lifetimeSeconds: sessionKeyLifetimeSeconds(sessionTokenMaxAgeSecondsOf(p as ConfigResourceProperties)),
    }),
  };
  const config = buildEdgeConfig(p as ConfigResourceProperties, resolved);
  // The same check the edge function runs at load (design §4.14): a configuration it would refuse
  // fails the deployment here, with the field and what it must be, before the function changes.
  const checked = resolveConfig(config);
  if (session !== undefined && checked.refreshTokenValiditySeconds !== sessionCookieMaxAge) {
    throw new Error(`the session cookie's Max-Age (${checked.refreshTokenValiditySeconds} s) differs from the one the session keys are kept for (${sessionCookieMaxAge} s)`);
  }
  log('info', 'config built', {
    fields: Object.keys(config).sort(),
    hasClientSecret: config.clientSecret !== undefined,
    jwksKeys: config.jwks?.keys.length ?? 0,
    sessionKeyId: config.session?.keyId,
  });

  const bundle = await downloadBundle(bucket, key);
  const zip = await addConfigToBundle(bundle, config);
  const versionArn = await publish(new LambdaClient({ region: functionRegion }), functionName, zip);
  return {
    PhysicalResourceId: versionArn,
    Data: { VersionArn: versionArn, Version: versionArn.split(':').pop() ?? '' },
  };
}

/** `eu-west-1_AbC123` → `eu-west-1`. */
export function regionOfUserPool(userPoolId: string): string {
  const region = regionOfUserPoolId(userPoolId);
  if (region === undefined) throw new ConfigError(`UserPoolId must look like <region>_<id> (e.g. eu-west-1_AbCdEf123), got ${JSON.stringify(userPoolId)}`);
  return region;
}

async function describeClient(region: string, userPoolId: string, clientId: string): Promise<UserPoolClientType> {
  const out = await new CognitoIdentityProviderClient({ region }).send(
    new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
  );
  if (!out.UserPoolClient) throw new Error(`DescribeUserPoolClient returned no client for ${clientId}`);
  return out.UserPoolClient;
}

function assertCodeFlow(client: UserPoolClientType, clientId: string): void {
  if (!client.AllowedOAuthFlowsUserPoolClient || !(client.AllowedOAuthFlows ?? []).includes('code')) {
    throw new ConfigError(
      `user pool client ${clientId} does not allow the OAuth authorization code grant: ` +
      'enable it on the client (CDK: oAuth: { flows: { authorizationCodeGrant: true } }; ' +
      'console: App client > Login pages > OAuth grant types > Authorization code grant)',
    );
  }
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The client's refresh-token validity in seconds (Cognito's unit default for it is days). */
export function refreshTokenValiditySeconds(client: UserPoolClientType): number | undefined {
  if (client.RefreshTokenValidity === undefined || client.RefreshTokenValidity === 0) return undefined;
  const unit = client.TokenValidityUnits?.RefreshToken ?? 'days';
  return client.RefreshTokenValidity * (UNIT_SECONDS[unit] ?? 86400);
}

/** The user pool's key set, validated as `{ keys: object[] }`; retried, then a clear failure. */
export async function fetchJwks(region: string, userPoolId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
  const url = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}/.well-known/jwks.json`;
  let lastProblem = '';
  for (let attempt = 1; attempt <= JWKS_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
      if (!response.ok) {
        lastProblem = `HTTP ${response.status}`;
      } else {
        const body = safeJsonParse(await response.text());
        if (!isRecord(body)) throw new ConfigError('JWKS must be a JSON object');
        const keys = body.keys;
        if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isRecord)) {
          throw new ConfigError('JWKS must have a non-empty "keys" array of objects');
        }
        return { keys: keys as Array<Record<string, unknown>> };
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      lastProblem = error instanceof Error ? error.name : 'error';
    }
    log('warn', 'JWKS fetch failed', { attempt, problem: lastProblem });
  }
  throw new Error(`could not fetch the user pool's JWKS from ${url} (${lastProblem})`);
}

async function readStateSecret(secretArn: string): Promise<string> {
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (typeof out.SecretString !== 'string' || out.SecretString.length < 32) {
    throw new ConfigError('the state secret must be a string of at least 32 characters');
  }
  return out.SecretString;
}

async function downloadBundle(bucket: string, key: string): Promise<Buffer> {
  const out = await new S3Client({}).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return Buffer.from(await out.Body.transformToByteArray());
}

/** Upload the zip to $LATEST, publish exactly that code, wait until the version is Active. */
async function publish(lambda: LambdaClient, functionName: string, zip: Buffer): Promise<string> {
  await waitForUpdate(lambda, functionName, 'the function to be ready for an update', false);
  const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: zip }));
  log('info', 'code updated', { functionName, zipBytes: zip.length, codeSha256: updated.CodeSha256 });
  await waitForUpdate(lambda, functionName, 'the code update to finish', true);

  const published = await lambda.send(new PublishVersionCommand({
    FunctionName: functionName,
    CodeSha256: updated.CodeSha256,
    Description: 'CognitoEdgeAuth: bundle + config.json',
  }));
  const versionArn = published.FunctionArn;
  if (!versionArn || !published.Version || published.Version === '$LATEST') {
    throw new Error(`PublishVersion returned no version for ${functionName}`);
  }
  await pollUntil(`version ${published.Version} of ${functionName} to be Active`, async () => {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: published.Version }));
    if (c.State === 'Failed') throw new Error(`version ${published.Version} of ${functionName} failed: ${c.StateReasonCode ?? 'unknown reason'}`);
    return c.State === 'Active' ? true : undefined;
  });
  log('info', 'version published', { functionName, version: published.Version });
  return versionArn;
}

/** Wait while an update is in progress; `failOnFailed` makes a failed (our own) update an error. */
async function waitForUpdate(lambda: LambdaClient, functionName: string, what: string, failOnFailed: boolean): Promise<void> {
  await pollUntil(what, async () => {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (failOnFailed && c.LastUpdateStatus === 'Failed') {
      throw new Error(`the last update of ${functionName} failed: ${c.LastUpdateStatusReasonCode ?? 'unknown reason'}`);
    }
    if (c.State === 'Failed') throw new Error(`${functionName} is in state Failed: ${c.StateReasonCode ?? 'unknown reason'}`);
    return c.LastUpdateStatus !== 'InProgress' && c.State !== 'Pending' ? true : undefined;
  });
}
