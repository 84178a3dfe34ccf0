/**
 * `Custom::CognitoEdgeAuthCallbackUrls`: add the distribution's callback and sign-out URLs to a
 * user pool client, keeping every URL (and every other setting) that is already there.
 *
 * UpdateUserPoolClient resets every field it is not given, so the update passes back every field
 * DescribeUserPoolClient returns except the read-only ones ({@link DESCRIBE_ONLY_FIELDS}); a
 * compile-time check ({@link FIELDS_MATCH}) fails the build when the SDK's two types stop agreeing,
 * and a field newer than the SDK we build with still goes back (the runtime's SDK knows it).
 *
 * - Create: add our URLs.
 * - Update, same client: remove the URLs we registered before and no longer want, add the new ones.
 *   Another client: add to the new one; the physical id changes, so CloudFormation then sends a
 *   Delete for the old client.
 * - Delete: remove our URLs. A client or pool that is already gone is not an error, nor is a
 *   Cognito refusal (logged): a delete must not block the stack's deletion.
 *
 * Only URLs this resource added are ever removed: never one listed on the client in the template
 * (`ClientCallbackUrls`, `ClientLogoutUrls`), nor one that was on the client before the resource
 * added it (recorded, as short hashes, in the physical id when the resource is created or moves to
 * another client).
 *
 * The read-modify-write is not atomic: after each update the client is read again, and when
 * another writer changed it in between (a registration of another stack, a console edit), the
 * change is made again on the fresh state, a few times with a growing pause.
 */
import * as crypto from 'node:crypto';
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

/** Fields DescribeUserPoolClient returns that UpdateUserPoolClient does not take (or takes as the key). */
export const DESCRIBE_ONLY_FIELDS = ['UserPoolId', 'ClientId', 'ClientSecret', 'LastModifiedDate', 'CreationDate', 'ClientType'] as const;

type Updatable = Exclude<keyof UpdateUserPoolClientCommandInput, 'UserPoolId' | 'ClientId'>;
type Described = Exclude<keyof UserPoolClientType, (typeof DESCRIBE_ONLY_FIELDS)[number]>;
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compile-time check: what DescribeUserPoolClient returns, less {@link DESCRIBE_ONLY_FIELDS}, is
 * exactly what UpdateUserPoolClient takes. When an SDK upgrade adds a field to one type only,
 * this line stops compiling: decide whether it is read-only (add it to DESCRIBE_ONLY_FIELDS).
 */
export const FIELDS_MATCH: SameKeys<Updatable, Described> = true;

/** Retries of the read-modify-write when another writer changed the client in between. */
export const retry = {
  attempts: 5,
  /** Pause before attempt n (n >= 2): n-1 times this, plus up to as much again at random. */
  pauseMs: 1_000,
};

interface Target {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly callbackUrls: string[];
  readonly logoutUrls: string[];
  /** URLs listed on the client itself in the template: never removed. */
  readonly clientCallbackUrls: string[];
  readonly clientLogoutUrls: string[];
}

function target(props: JsonObject, what: string): Target {
  return {
    userPoolId: nonEmptyString(props.UserPoolId, configFail(`${what}.UserPoolId`)),
    clientId: nonEmptyString(props.ClientId, configFail(`${what}.ClientId`)),
    callbackUrls: urlList(props.CallbackUrls, `${what}.CallbackUrls`),
    logoutUrls: urlList(props.LogoutUrls, `${what}.LogoutUrls`),
    clientCallbackUrls: stringList(props.ClientCallbackUrls, `${what}.ClientCallbackUrls`),
    clientLogoutUrls: stringList(props.ClientLogoutUrls, `${what}.ClientLogoutUrls`),
  };
}

function urlList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^https:\/\/[^\s]+$/.test(v))) {
    throw new ConfigError(`${what} must be a list of https URLs`);
  }
  return value as string[];
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(`${what} must be a list of strings`);
  }
  return value as string[];
}

const KEPT_MARK = '/kept-';
const MAX_KEPT = 60;

/** Short hash of a URL, as recorded in the physical id. */
export function urlHash(url: string): string {
  return crypto.createHash('sha256').update(url).digest('hex').slice(0, 8);
}

/** `<pool>/<client>/callback-urls`, then `/kept-<hash>.<hash>...` for URLs that were there before us. */
function physicalId(t: Target, kept: readonly string[]): string {
  const base = `${t.userPoolId}/${t.clientId}/callback-urls`;
  return kept.length === 0 ? base : `${base}${KEPT_MARK}${kept.slice(0, MAX_KEPT).map(urlHash).join('.')}`;
}

/** The hashes recorded in a physical id (none in ids of earlier releases). */
function keptHashes(id: string | undefined): Set<string> {
  const i = id?.indexOf(KEPT_MARK) ?? -1;
  return new Set(i < 0 ? [] : id!.slice(i + KEPT_MARK.length).split('.'));
}

export async function handleCallbackUrls(event: CallbackUrlsEvent): Promise<ResourceResult> {
  const next = target(event.ResourceProperties, 'ResourceProperties');
  switch (event.RequestType) {
    case 'Create': {
      const kept = await change(next, { add: next });
      return { PhysicalResourceId: physicalId(next, kept) };
    }
    case 'Update': {
      const old = target(event.OldResourceProperties ?? {}, 'OldResourceProperties');
      const sameClient = old.userPoolId === next.userPoolId && old.clientId === next.clientId;
      if (!sameClient) {
        const kept = await change(next, { add: next });
        return { PhysicalResourceId: physicalId(next, kept) };
      }
      await change(next, { add: next, remove: old, keep: keptHashes(event.PhysicalResourceId) });
      // the same physical id: CloudFormation must not send a Delete for this client
      return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(next, []) };
    }
    case 'Delete': {
      try {
        await change(next, { remove: next, keep: keptHashes(event.PhysicalResourceId) });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'error';
        log('warn', 'could not remove the registered URLs; remove them from the client by hand if it still exists', {
          clientId: next.clientId, error: name,
        });
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(next, []) };
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

interface Change {
  /** Add these URLs. */
  readonly add?: Target;
  /** Remove these URLs, less the client's own and those whose hash is in `keep`. */
  readonly remove?: Target;
  readonly keep?: ReadonlySet<string>;
}

/**
 * Make the change on the client's current state; read it back and do it again when someone
 * else's write got in between. Returns the URLs of `add` that were on the client before.
 */
async function change(t: Target, what: Change): Promise<string[]> {
  const cognito = new CognitoIdentityProviderClient({ region: regionOfUserPool(t.userPoolId) });
  const removable = (urls: readonly string[] | undefined, own: readonly string[]) => (urls ?? [])
    .filter((u) => !own.includes(u) && !(what.keep?.has(urlHash(u)) ?? false));
  const removeCallbacks = removable(what.remove?.callbackUrls, [...t.clientCallbackUrls, ...(what.remove?.clientCallbackUrls ?? [])]);
  const removeLogouts = removable(what.remove?.logoutUrls, [...t.clientLogoutUrls, ...(what.remove?.clientLogoutUrls ?? [])]);
  const addCallbacks = what.add?.callbackUrls ?? [];
  const addLogouts = what.add?.logoutUrls ?? [];

  let client = await describe(cognito, t, what.add === undefined);
  if (!client) return [];
  const before = new Set([...(client.CallbackURLs ?? []), ...(client.LogoutURLs ?? [])]);
  const kept = [...addCallbacks, ...addLogouts].filter((u) => before.has(u));

  for (let attempt = 1; ; attempt++) {
    const callbackUrls = mergeUrls(client.CallbackURLs, addCallbacks, removeCallbacks);
    const logoutUrls = mergeUrls(client.LogoutURLs, addLogouts, removeLogouts);
    if (sameList(callbackUrls, client.CallbackURLs) && sameList(logoutUrls, client.LogoutURLs)) {
      log('info', attempt === 1 ? 'client already has the wanted URLs' : 'client URLs updated', { clientId: t.clientId, attempt });
      return kept;
    }
    if (attempt > retry.attempts) {
      throw new Error(`the URLs of user pool client ${t.clientId} were changed by another writer on each of ${retry.attempts} attempts; deploy again`);
    }
    if (attempt > 1) {
      log('warn', 'the client changed between our update and the read-back (another writer); updating again', { clientId: t.clientId, attempt });
      await new Promise((resolve) => setTimeout(resolve, retry.pauseMs * (attempt - 1) * (1 + Math.random())));
    }
    await cognito.send(new UpdateUserPoolClientCommand(updateInput(t, client, callbackUrls, logoutUrls)));
    log('info', 'client updated', { clientId: t.clientId, callbackUrls: callbackUrls.length, logoutUrls: logoutUrls.length });
    client = await describe(cognito, t, false);
    if (!client) throw new Error(`user pool client ${t.clientId} disappeared during the update`);
  }
}

async function describe(cognito: CognitoIdentityProviderClient, t: Target, goneIsFine: boolean): Promise<UserPoolClientType | undefined> {
  try {
    const client = (await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: t.userPoolId, ClientId: t.clientId }))).UserPoolClient;
    if (!client) throw new Error(`DescribeUserPoolClient returned no client for ${t.clientId}`);
    return client;
  } catch (error) {
    if (error instanceof ResourceNotFoundException && goneIsFine) {
      log('info', 'client or pool already gone; nothing to remove', { clientId: t.clientId });
      return undefined;
    }
    throw error;
  }
}

/** Every updatable field as described (so nothing is reset), with the new URL lists. */
export function updateInput(t: Target, client: UserPoolClientType, callbackUrls: string[], logoutUrls: string[]): UpdateUserPoolClientCommandInput {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(client)) {
    if (value !== undefined && !(DESCRIBE_ONLY_FIELDS as readonly string[]).includes(field)) input[field] = value;
  }
  input.UserPoolId = t.userPoolId;
  input.ClientId = t.clientId;
  input.CallbackURLs = callbackUrls;
  input.LogoutURLs = logoutUrls;
  if (typeof client.DefaultRedirectURI === 'string' && !callbackUrls.includes(client.DefaultRedirectURI)) {
    delete input.DefaultRedirectURI; // it must be one of CallbackURLs
  }
  return input as unknown as UpdateUserPoolClientCommandInput;
}

function sameList(a: readonly string[], b: readonly string[] | undefined): boolean {
  const bb = b ?? [];
  return a.length === bb.length && a.every((x, i) => x === bb[i]);
}
