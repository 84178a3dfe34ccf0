/**
 * `Custom::CognitoEdgeAuthCallbackUrls`: add the distribution's callback and sign-out URLs to a
 * user pool client, keeping every URL (and every other setting) that is already there.
 *
 * UpdateUserPoolClient resets every field it is not given, so the update passes back every
 * updatable field read by DescribeUserPoolClient ({@link UPDATABLE_FIELDS}).
 *
 * - Create: add our URLs.
 * - Update, same client: remove the URLs we registered before and no longer want, add the new ones.
 *   Another client: add to the new one; the physical id changes, so CloudFormation then sends a
 *   Delete for the old client.
 * - Delete: remove our URLs (only ours). A client or pool that is already gone is not an error,
 *   nor is a Cognito refusal (logged): a delete must not block the stack's deletion.
 */
// The AWS SDK v3 clients are devDependencies on purpose: Lambda's Node.js runtime provides them (esbuild keeps them external).
import {
  CognitoIdentityProviderClient, DescribeUserPoolClientCommand, ResourceNotFoundException,
  UpdateUserPoolClientCommand, UpdateUserPoolClientCommandInput, UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { regionOfUserPool, ResourceResult } from './config-resource';
import { log } from './log';
import { JsonObject, nonEmptyString } from '../shared/assert';
import { ConfigError, configFail } from '../shared/config-error';

export interface CallbackUrlsEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly LogicalResourceId: string;
  readonly ResourceProperties: JsonObject;
  readonly OldResourceProperties?: JsonObject;
}

/** Every field of UpdateUserPoolClient's input that DescribeUserPoolClient returns. */
const UPDATABLE_FIELDS = [
  'ClientName', 'RefreshTokenValidity', 'AccessTokenValidity', 'IdTokenValidity', 'TokenValidityUnits',
  'ReadAttributes', 'WriteAttributes', 'ExplicitAuthFlows', 'SupportedIdentityProviders',
  'CallbackURLs', 'LogoutURLs', 'DefaultRedirectURI', 'AllowedOAuthFlows', 'AllowedOAuthScopes',
  'AllowedOAuthFlowsUserPoolClient', 'AnalyticsConfiguration', 'PreventUserExistenceErrors',
  'EnableTokenRevocation', 'EnablePropagateAdditionalUserContextData', 'AuthSessionValidity',
  'RefreshTokenRotation',
] as const satisfies ReadonlyArray<keyof UpdateUserPoolClientCommandInput & keyof UserPoolClientType>;

interface Target {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly callbackUrls: string[];
  readonly logoutUrls: string[];
}

function target(props: JsonObject, what: string): Target {
  return {
    userPoolId: nonEmptyString(props.UserPoolId, configFail(`${what}.UserPoolId`)),
    clientId: nonEmptyString(props.ClientId, configFail(`${what}.ClientId`)),
    callbackUrls: urlList(props.CallbackUrls, `${what}.CallbackUrls`),
    logoutUrls: urlList(props.LogoutUrls, `${what}.LogoutUrls`),
  };
}

function urlList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^https:\/\/[^\s]+$/.test(v))) {
    throw new ConfigError(`${what} must be a list of https URLs`);
  }
  return value as string[];
}

function physicalId(t: Target): string {
  return `${t.userPoolId}/${t.clientId}/callback-urls`;
}

export async function handleCallbackUrls(event: CallbackUrlsEvent): Promise<ResourceResult> {
  const next = target(event.ResourceProperties, 'ResourceProperties');
  switch (event.RequestType) {
    case 'Create':
      await change(next, { add: next, remove: undefined });
      return { PhysicalResourceId: physicalId(next) };
    case 'Update': {
      const old = target(event.OldResourceProperties ?? {}, 'OldResourceProperties');
      const sameClient = old.userPoolId === next.userPoolId && old.clientId === next.clientId;
      await change(next, { add: next, remove: sameClient ? old : undefined });
      return { PhysicalResourceId: physicalId(next) };
    }
    case 'Delete': {
      try {
        await change(next, { add: undefined, remove: next });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'error';
        log('warn', 'could not remove the registered URLs; remove them from the client by hand if it still exists', {
          clientId: next.clientId, error: name,
        });
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(next) };
    }
  }
}

/** Pure: the client's URL lists after removing `remove`'s URLs (unless also in `add`) and adding `add`'s. */
function mergeUrls(existing: readonly string[] | undefined, add: readonly string[], remove: readonly string[]): string[] {
  const keep = new Set(add);
  const result = (existing ?? []).filter((u) => keep.has(u) || !remove.includes(u));
  for (const u of add) if (!result.includes(u)) result.push(u);
  return result;
}

async function change(t: Target, what: { add?: Target; remove?: Target }): Promise<void> {
  const cognito = new CognitoIdentityProviderClient({ region: regionOfUserPool(t.userPoolId) });
  let client: UserPoolClientType | undefined;
  try {
    client = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: t.userPoolId, ClientId: t.clientId }))).UserPoolClient;
  } catch (error) {
    if (error instanceof ResourceNotFoundException && !what.add) {
      log('info', 'client or pool already gone; nothing to remove', { clientId: t.clientId });
      return;
    }
    throw error;
  }
  if (!client) throw new Error(`DescribeUserPoolClient returned no client for ${t.clientId}`);

  const callbackUrls = mergeUrls(client.CallbackURLs, what.add?.callbackUrls ?? [], what.remove?.callbackUrls ?? []);
  const logoutUrls = mergeUrls(client.LogoutURLs, what.add?.logoutUrls ?? [], what.remove?.logoutUrls ?? []);
  if (sameList(callbackUrls, client.CallbackURLs) && sameList(logoutUrls, client.LogoutURLs)) {
    log('info', 'client already has the wanted URLs', { clientId: t.clientId });
    return;
  }

  const input: Record<string, unknown> = { UserPoolId: t.userPoolId, ClientId: t.clientId };
  for (const field of UPDATABLE_FIELDS) {
    if (client[field] !== undefined) input[field] = client[field];
  }
  input.CallbackURLs = callbackUrls;
  input.LogoutURLs = logoutUrls;
  if (typeof client.DefaultRedirectURI === 'string' && !callbackUrls.includes(client.DefaultRedirectURI)) {
    delete input.DefaultRedirectURI; // it must be one of CallbackURLs
  }
  await cognito.send(new UpdateUserPoolClientCommand(input as unknown as UpdateUserPoolClientCommandInput));
  log('info', 'client URLs updated', {
    clientId: t.clientId, callbackUrls: callbackUrls.length, logoutUrls: logoutUrls.length,
  });
}

function sameList(a: readonly string[], b: readonly string[] | undefined): boolean {
  const bb = b ?? [];
  return a.length === bb.length && a.every((x, i) => x === bb[i]);
}
