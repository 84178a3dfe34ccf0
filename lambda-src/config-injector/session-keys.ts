/**
 * Session mode's signing keys (design §7) in the CloudFront KeyValueStore that the construct
 * creates: the viewer function reads `session-key.<kid>`, the Lambda@Edge function gets the
 * signing key in `config.json`. Only this module writes the store, once per deployment.
 *
 * Bookkeeping lives beside the keys in the entry {@link SESSION_KEY_STATE_NAME} (JSON without key
 * values; the viewer function never reads it), so the custom resource needs no other storage.
 * Rules (applied by {@link planSessionKeys}, a pure function):
 * - no state yet: one key, signing at once (nothing can hold a session cookie yet);
 * - `KeyGeneration` raised: a new key is written verify-only (the viewer function accepts it,
 *   nothing signs with it) and the current key keeps signing;
 * - the next deployment (any, `KeyGeneration` unchanged) makes the verify-only key the signing key;
 *   KeyValueStore writes and new Lambda@Edge versions reach edge locations over seconds to
 *   minutes, so a key is in the store one deployment before any version signs with it;
 * - a key that stopped signing is deleted at the first deployment at least its retention later: as
 *   long as a session cookie signed with it can still arrive. The cookie's `Max-Age` is the refresh
 *   token validity (30 days by default, up to 10 years), not the session's 24-hour lifetime: an
 *   expired session cookie is still sent, and the viewer function sends it to the refresh route only
 *   while it knows the key (an unknown key id gets 503). Each key records the longest retention
 *   ({@link sessionKeyRetentionSeconds}) of the deployments that signed with it, so lowering the
 *   refresh token validity does not delete a key that signed cookies with a longer `Max-Age`.
 *   Until then the key cannot stay usable: whoever has it (the reason keys are rotated) could
 *   forge sessions with any `exp`. So once no session signed with it can still be valid (the
 *   session lifetime bound {@link sessionKeyLifetimeSeconds}: the id token's lifetime, at most
 *   24 h, plus an hour; about a day after it stopped signing), its value in the store is replaced
 *   by the marker `SESSION_KEY_RETIRED` and the state records `retired` (the time) instead of
 *   `signing`: the viewer function sends a cookie naming a retired key to the refresh route
 *   without verifying anything. The marker entry is deleted at the retention above.
 *   The state holds at most {@link MAX_SESSION_KEYS} keys, so a raise that would keep more (many
 *   rotations within one retention) fails the deployment with the date from which it is accepted;
 * - `KeyGeneration` lower than the newest one in the state (CloudFormation's rollback `Update`
 *   with the old properties, or a user lowering it): no key is written or deleted, the current
 *   signing key keeps signing (only its retention may grow, if the rolled-back version's cookies
 *   last longer).
 *
 * Writes go through `UpdateKeys` with the store's ETag (`IfMatch`); a stale ETag (someone else
 * wrote in between) reads and plans again. Key values never appear in a log line or an error
 * message: errors name the store, the operation and the key name.
 */
import { randomBytes } from 'node:crypto';
import {
  CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, GetKeyCommand, UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
// The KeyValueStore API is signed with SigV4A. The client's signer looks for an implementation
// that a package registers when it is loaded; Lambda's runtime SDK carries none, so this one is
// bundled into the custom resource's code (scripts/bundle.ts) and referenced below, so that no
// bundler can drop it as unused.
import { SignatureV4a } from '@aws-sdk/signature-v4a';
import { log } from './log';
import { isRecord } from '../shared/assert';
import { ConfigError } from '../shared/config-error';
import { safeJsonParse } from '../shared/safe-json';
import { isSessionKey, SESSION_KEY_ID, SESSION_KEY_RETIRED, sessionKeyName } from '../shared/session-cookie';

/** The store entry with the bookkeeping (never read by the viewer function; no key values in it). */
export const SESSION_KEY_STATE_NAME = 'session-key-state';
/** The KeyValueStore API is global; its client still needs a region, and signs for all (`*`). */
export const KEY_VALUE_STORE_CLIENT_REGION = 'us-east-1';
/**
 * Added to the session cookie's `Max-Age` before a key that stopped signing is deleted: the
 * Lambda@Edge version that signed with it may still answer (and mint cookies) at some edge
 * locations for a while after the deployment that replaced it.
 */
export const SESSION_KEY_REPLICATION_MARGIN_SECONDS = 3600;
/** The longest session lifetime: the id token's (`tokenMaxAgeSeconds` caps it), at most 24 h. */
export const MAX_SESSION_LIFETIME_SECONDS = 24 * 3600;
/**
 * At most this many keys at once (signing, verify-only, stopped): the state must fit one store
 * value (1 KB); seven records with the largest values take 967 bytes.
 */
export const MAX_SESSION_KEYS = 7;
/** The largest value the KeyValueStore accepts, in bytes. */
export const MAX_STORE_VALUE_BYTES = 1024;
const UPDATE_ATTEMPTS = 4;

/** One key in the state. Times are seconds since the epoch. */
export interface SessionKeyRecord {
  /** Key id (`SESSION_KEY_ID`); the key is the store entry `session-key.<kid>`. */
  readonly kid: string;
  /** The `KeyGeneration` it was written for. */
  readonly generation: number;
  /** When it was written. */
  readonly written: number;
  /** Since when `config.json` signs with it (absent: verify-only, or retired). */
  readonly signing?: number;
  /** Since when it no longer signs (absent: it signs, or never did). */
  readonly stopped?: number;
  /**
   * Seconds it is kept after it stops signing: the longest {@link sessionKeyRetentionSeconds} of
   * the deployments that signed with it (absent: it never signed; a stopped key without it is kept
   * for the current deployment's retention).
   */
  readonly retention?: number;
  /**
   * Since when its store entry holds `SESSION_KEY_RETIRED` instead of the key (then `signing` is
   * dropped, which keeps the largest state within one store value).
   */
  readonly retired?: number;
}

/** The content of {@link SESSION_KEY_STATE_NAME}. */
export interface SessionKeyState {
  readonly version: 1;
  readonly keys: readonly SessionKeyRecord[];
}

/** What one deployment does to the store. */
export interface SessionKeyPlan {
  /** The state after this deployment (unchanged when nothing is written). */
  readonly state: SessionKeyState;
  /** The key that signs in this deployment's `config.json`. */
  readonly signingKid: string;
  /** New keys to write (their values are made by the caller). */
  readonly create: readonly string[];
  /** Key ids whose entries are deleted. */
  readonly delete: readonly string[];
  /** Key ids whose values are replaced by `SESSION_KEY_RETIRED`. */
  readonly retire: readonly string[];
  /** Whether the state entry changes (then it is written with the keys, in one `UpdateKeys`). */
  readonly writeState: boolean;
  /** Why nothing was written although something was asked for (logged). */
  readonly note?: 'lower-generation';
}

/** Input of {@link ensureSessionKey}. */
export interface SessionKeyRequest {
  /** ARN of the KeyValueStore (`Session.KeyValueStoreArn`). */
  readonly keyValueStoreArn: string;
  /** `Session.KeyGeneration`, a positive integer. */
  readonly keyGeneration: number;
  /**
   * How long after a key stops signing it must be kept, for the cookies this deployment's version
   * mints, in seconds ({@link sessionKeyRetentionSeconds} of the session cookie's `Max-Age`).
   */
  readonly retentionSeconds: number;
  /**
   * How long after a key stops signing a session signed with it can still be valid, in seconds
   * ({@link sessionKeyLifetimeSeconds}); then its value is replaced by the retired marker.
   * @default - sessionKeyLifetimeSeconds() (25 h)
   */
  readonly lifetimeSeconds?: number;
  /** Seconds since the epoch. @default - the current time */
  readonly now?: number;
}

/** The signing key for `config.json`. `key` is secret. */
export interface SigningKey {
  readonly keyId: string;
  readonly key: string;
}

/**
 * How long a key that stopped signing is kept: as long as a browser can still send a session
 * cookie signed with it, i.e. the cookie's `Max-Age` (`refreshTokenValiditySeconds` in
 * `config.json`; the session inside expires much earlier, but the expired cookie is what sends the
 * browser to the refresh route), plus the replication margin.
 */
export function sessionKeyRetentionSeconds(sessionCookieMaxAgeSeconds: number): number {
  if (!Number.isFinite(sessionCookieMaxAgeSeconds) || sessionCookieMaxAgeSeconds < 0) {
    throw new Error(`the session cookie's Max-Age must be a non-negative number of seconds, got ${sessionCookieMaxAgeSeconds}`);
  }
  return Math.ceil(sessionCookieMaxAgeSeconds) + SESSION_KEY_REPLICATION_MARGIN_SECONDS;
}

/**
 * How long after a key stops signing a session signed with it can still be valid: a session's
 * `exp` is at most the id token's lifetime (`tokenMaxAgeSeconds`, at most 24 h) after it was
 * minted, plus the replication margin (a replaced version may still mint for a while).
 */
export function sessionKeyLifetimeSeconds(tokenMaxAgeSeconds?: number): number {
  if (tokenMaxAgeSeconds !== undefined && (!Number.isFinite(tokenMaxAgeSeconds) || tokenMaxAgeSeconds < 0)) {
    throw new Error(`tokenMaxAgeSeconds must be a non-negative number of seconds, got ${tokenMaxAgeSeconds}`);
  }
  const lifetime = Math.min(Math.ceil(tokenMaxAgeSeconds ?? MAX_SESSION_LIFETIME_SECONDS), MAX_SESSION_LIFETIME_SECONDS);
  return lifetime + SESSION_KEY_REPLICATION_MARGIN_SECONDS;
}

/** A new key id: 9 random bytes as 12 base64url characters. */
export function newKeyId(): string {
  return randomBytes(9).toString('base64url');
}

/** A new key: 32 random bytes as 43 base64url characters (`SESSION_KEY`). */
export function newSessionKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Decide what a deployment does, from the stored state (undefined: none yet), the requested
 * generation and the time. Pure: `makeKid` supplies ids for new keys.
 */
export function planSessionKeys(
  state: SessionKeyState | undefined, generation: number, now: number, retentionSeconds: number, makeKid: () => string = newKeyId,
  lifetimeSeconds: number = sessionKeyLifetimeSeconds(),
): SessionKeyPlan {
  if (state === undefined || state.keys.length === 0) {
    const kid = makeKid();
    return {
      state: { version: 1, keys: [{ kid, generation, written: now, signing: now, retention: retentionSeconds }] },
      signingKid: kid,
      create: [kid],
      delete: [],
      retire: [],
      writeState: true,
    };
  }
  const signing = currentSigningKey(state);
  const newest = Math.max(...state.keys.map((k) => k.generation));
  if (generation < newest) {
    // The rolled-back version signs with the current key: only its retention may grow.
    const kept = keepLongEnough(state.keys, signing.kid, retentionSeconds);
    return {
      state: kept === undefined ? state : { version: 1, keys: kept },
      signingKid: signing.kid,
      create: [],
      delete: [],
      retire: [],
      writeState: kept !== undefined,
      note: 'lower-generation',
    };
  }

  let keys: SessionKeyRecord[] = [...state.keys];
  let signingKid = signing.kid;
  const create: string[] = [];
  // A verify-only key written by an earlier deployment starts signing now.
  const waiting = keys.find((k) => k.signing === undefined && k.stopped === undefined);
  if (waiting !== undefined) {
    keys = keys.map((k) => {
      if (k.kid === waiting.kid) return { ...k, signing: now };
      if (k.kid === signing.kid) return { ...k, stopped: now };
      return k;
    });
    signingKid = waiting.kid;
  }
  const kept = keepLongEnough(keys, signingKid, retentionSeconds);
  if (kept !== undefined) keys = kept;
  if (generation > newest) {
    const kid = makeKid();
    keys.push({ kid, generation, written: now });
    create.push(kid);
  }
  const deleteAt = (k: SessionKeyRecord) => (k.stopped === undefined ? Infinity : k.stopped + (k.retention ?? retentionSeconds));
  const expired = keys.filter((k) => now >= deleteAt(k)).map((k) => k.kid);
  keys = keys.filter((k) => !expired.includes(k.kid));
  // No session signed with a key retired here can still be valid: its value gives way to the marker.
  const retire = keys.filter((k) => k.stopped !== undefined && k.retired === undefined && now >= k.stopped + lifetimeSeconds).map((k) => k.kid);
  keys = keys.map((k) => (retire.includes(k.kid) ? dropUndefined({ ...k, signing: undefined, retired: now }) : k));
  if (keys.length > MAX_SESSION_KEYS) {
    const next = Math.min(...keys.map(deleteAt));
    throw new ConfigError(
      `sessionKeyGeneration was raised while ${keys.length - create.length} session keys are kept (at most ${MAX_SESSION_KEYS - 1} before a raise): ` +
      'a key that stopped signing is kept as long as a session cookie signed with it can arrive ' +
      '(the cookie\'s Max-Age, which is the refresh token validity, plus an hour); ' +
      `deploy without raising sessionKeyGeneration until ${new Date(next * 1000).toISOString()}: ` +
      'the first deploy from then on deletes the oldest stopped key, and a raise is accepted again',
    );
  }
  const writeState = waiting !== undefined || kept !== undefined || create.length > 0 || expired.length > 0 || retire.length > 0;
  if (writeState && Buffer.byteLength(JSON.stringify({ version: 1, keys })) > MAX_STORE_VALUE_BYTES) {
    throw new Error(`the session key state ${SESSION_KEY_STATE_NAME} would exceed the store's ${MAX_STORE_VALUE_BYTES}-byte value limit`);
  }
  return { state: writeState ? { version: 1, keys } : state, signingKid, create, delete: expired, retire, writeState };
}

/**
 * The keys with `kid`'s retention raised to `retentionSeconds` (the key signs the cookies of a
 * version that sets this deployment's `Max-Age`); undefined when it is already that long.
 */
function keepLongEnough(keys: readonly SessionKeyRecord[], kid: string, retentionSeconds: number): SessionKeyRecord[] | undefined {
  const key = keys.find((k) => k.kid === kid);
  if (key === undefined || (key.retention !== undefined && key.retention >= retentionSeconds)) return undefined;
  return keys.map((k) => (k.kid === kid ? { ...k, retention: retentionSeconds } : k));
}

function currentSigningKey(state: SessionKeyState): SessionKeyRecord {
  const signing = state.keys.filter((k) => k.signing !== undefined && k.stopped === undefined);
  if (signing.length !== 1) {
    throw new Error(`the session key state ${SESSION_KEY_STATE_NAME} has ${signing.length} signing keys instead of one`);
  }
  return signing[0];
}

/** Parse and check the state entry's value (it comes from the store: `unknown` until checked). */
export function parseSessionKeyState(value: string): SessionKeyState {
  const parsed = safeJsonParse(value);
  const bad = () => new Error(`the KeyValueStore entry ${SESSION_KEY_STATE_NAME} is not a valid session key state`);
  if (!isRecord(parsed) || parsed.version !== 1 || !Array.isArray(parsed.keys)) throw bad();
  const time = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const keys = parsed.keys.map((k: unknown): SessionKeyRecord => {
    if (!isRecord(k) || typeof k.kid !== 'string' || !SESSION_KEY_ID.test(k.kid) || !time(k.generation) || !time(k.written)
      || (k.signing !== undefined && !time(k.signing)) || (k.stopped !== undefined && !time(k.stopped))
      || (k.retention !== undefined && !time(k.retention)) || (k.retired !== undefined && !time(k.retired))) {
      throw bad();
    }
    return dropUndefined({
      kid: k.kid,
      generation: k.generation as number,
      written: k.written as number,
      signing: k.signing as number | undefined,
      stopped: k.stopped as number | undefined,
      retention: k.retention as number | undefined,
      retired: k.retired as number | undefined,
    });
  });
  return { version: 1, keys };
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** The store failed: the message names the store and the operation, and is scrubbed of key values. */
export class SessionKeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionKeyStoreError';
  }
}

/**
 * Bring the store in line with the rules above and return the key `config.json` signs with.
 * Stale ETags are retried; any other store error fails with a {@link SessionKeyStoreError}.
 */
export async function ensureSessionKey(
  request: SessionKeyRequest, client: CloudFrontKeyValueStoreClient = keyValueStoreClient(),
): Promise<SigningKey> {
  const arn = request.keyValueStoreArn;
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const secrets: string[] = [];
  const call = async <T>(operation: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw storeError(error, arn, operation, secrets);
    }
  };

  for (let attempt = 1; ; attempt++) {
    const described = await call('DescribeKeyValueStore', () => client.send(new DescribeKeyValueStoreCommand({ KvsARN: arn })));
    const etag = described.ETag;
    if (typeof etag !== 'string' || etag === '') throw new SessionKeyStoreError(`the KeyValueStore ${arn} returned no ETag`);
    const stored = await call(`GetKey ${SESSION_KEY_STATE_NAME}`, () => getValue(client, arn, SESSION_KEY_STATE_NAME));
    const state = stored === undefined ? undefined : parseSessionKeyState(stored);
    const plan = planSessionKeys(state, request.keyGeneration, now, request.retentionSeconds, newKeyId, request.lifetimeSeconds);
    if (plan.note === 'lower-generation') {
      log('warn', 'session keys: KeyGeneration is lower than the newest key\'s (a rollback, or it was lowered): no key written or deleted', {
        keyGeneration: request.keyGeneration, signingKid: plan.signingKid,
      });
    }

    const created = new Map(plan.create.map((kid) => [kid, newSessionKey()]));
    for (const value of created.values()) secrets.push(value);
    if (plan.writeState) {
      try {
        await client.send(new UpdateKeysCommand({
          KvsARN: arn,
          IfMatch: etag,
          Puts: [
            ...[...created].map(([kid, value]) => ({ Key: sessionKeyName(kid), Value: value })),
            ...plan.retire.map((kid) => ({ Key: sessionKeyName(kid), Value: SESSION_KEY_RETIRED })),
            { Key: SESSION_KEY_STATE_NAME, Value: JSON.stringify(plan.state) },
          ],
          Deletes: plan.delete.length > 0 ? plan.delete.map((kid) => ({ Key: sessionKeyName(kid) })) : undefined,
        }));
      } catch (error) {
        if (isStaleEtag(error) && attempt < UPDATE_ATTEMPTS) {
          log('warn', 'session keys: the store changed meanwhile (stale ETag); reading it again', { attempt });
          continue;
        }
        throw storeError(error, arn, 'UpdateKeys', secrets);
      }
      log('info', 'session keys written', {
        created: [...plan.create],
        retired: [...plan.retire],
        deleted: [...plan.delete],
        signingKid: plan.signingKid,
        keyGeneration: request.keyGeneration,
      });
    } else {
      log('info', 'session keys unchanged', { signingKid: plan.signingKid, keyGeneration: request.keyGeneration });
    }

    const fresh = created.get(plan.signingKid);
    if (fresh !== undefined) return { keyId: plan.signingKid, key: fresh };
    const name = sessionKeyName(plan.signingKid);
    const key = await call(`GetKey ${name}`, () => getValue(client, arn, name));
    if (key !== undefined) secrets.push(key);
    if (!isSessionKey(key)) {
      throw new SessionKeyStoreError(`the KeyValueStore ${arn} has no valid signing key ${name} (missing or malformed)`);
    }
    return { keyId: plan.signingKid, key };
  }
}

/** The entry's value, or undefined when the store has no such key. */
async function getValue(client: CloudFrontKeyValueStoreClient, arn: string, name: string): Promise<string | undefined> {
  try {
    return (await client.send(new GetKeyCommand({ KvsARN: arn, Key: name }))).Value;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function keyValueStoreClient(): CloudFrontKeyValueStoreClient {
  if (typeof SignatureV4a !== 'function') throw new Error('the SigV4A signer is not bundled');
  return new CloudFrontKeyValueStoreClient({ region: KEY_VALUE_STORE_CLIENT_REGION });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'error';
}

/** A write refused because the ETag no longer matches (someone wrote in between). */
function isStaleEtag(error: unknown): boolean {
  const name = errorName(error);
  return name === 'ConflictException' || name === 'PreconditionFailed'
    || (name === 'ValidationException' && error instanceof Error && /etag|if-?match/i.test(error.message));
}

function storeError(error: unknown, arn: string, operation: string, secrets: readonly string[]): Error {
  if (error instanceof SessionKeyStoreError || error instanceof ConfigError) return error;
  let detail = error instanceof Error ? error.message : '';
  for (const secret of secrets) detail = detail.split(secret).join('[key]');
  return new SessionKeyStoreError(`the KeyValueStore ${arn} failed ${operation}: ${errorName(error)}${detail ? `: ${detail}` : ''}`.slice(0, 600));
}
