/**
 * Session mode's keys in the KeyValueStore (lambda-src/config-injector/session-keys.ts), against
 * an in-memory store behind a mocked KeyValueStore client (ETags included), and through the whole
 * custom resource with the other SDK clients mocked as in handler.test.ts: no network.
 */
import {
  CloudFrontKeyValueStoreClient, ConflictException, DescribeKeyValueStoreCommand, GetKeyCommand, ResourceNotFoundException,
  UpdateKeysCommand, UpdateKeysCommandInput, AccessDeniedException, ValidationException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CognitoIdentityProviderClient, DescribeUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import JSZip from 'jszip';
import { handler, onEvent } from '../../lambda-src/config-injector';
import { buildEdgeConfig } from '../../lambda-src/config-injector/build-config';
import { timing } from '../../lambda-src/config-injector/poll';
import {
  ensureSessionKey, MAX_SESSION_KEYS, MAX_STORE_VALUE_BYTES, parseSessionKeyState, planSessionKeys, SESSION_KEY_STATE_NAME,
  sessionKeyLifetimeSeconds, sessionKeyRetentionSeconds, SessionKeyState,
} from '../../lambda-src/config-injector/session-keys';
import { ConfigError } from '../../lambda-src/shared/config-error';
import { SESSION_KEY, SESSION_KEY_ID, SESSION_KEY_RETIRED } from '../../lambda-src/shared/session-cookie';

const kvsMock = mockClient(CloudFrontKeyValueStoreClient);
const lambdaMock = mockClient(LambdaClient);
const cognitoMock = mockClient(CognitoIdentityProviderClient);
const s3Mock = mockClient(S3Client);
const secretsMock = mockClient(SecretsManagerClient);

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6';
const HOUR = 3600;
const DAY = 24 * HOUR;
/** The session cookie's default Max-Age: the refresh token validity when Cognito reports none. */
const DEFAULT_COOKIE_MAX_AGE = 30 * DAY;
const RETENTION = sessionKeyRetentionSeconds(DEFAULT_COOKIE_MAX_AGE);
/** The retention before session keys were kept for the cookie's Max-Age: the session's 24 h plus an hour. */
const OLD_RETENTION = 25 * HOUR;
/** The session lifetime bound (the id token's 24 h plus an hour): a stopped key is retired then. */
const LIFETIME = sessionKeyLifetimeSeconds();
const T0 = 1_800_000_000;

/** The store behind the mocked client: items, and an ETag that changes with every write. */
let items: Map<string, string>;
let etagNumber: number;
/** Every value ever written under `session-key.*`: the scan looks for each of them. */
let writtenKeys: string[];
/** Every value ever written under `session-key.*`, the retired marker included. */
let writtenEntries: string[];
let logs: string[];
/** How many of the next UpdateKeys calls are refused as stale (as if someone wrote just before). */
let staleWrites: number;
/** Runs before each DescribeKeyValueStore answer (to simulate another writer). */
let beforeDescribe: ((n: number) => void) | undefined;

const etag = () => `E${etagNumber}`;

function fakeStore(): void {
  items = new Map();
  etagNumber = 1;
  writtenKeys = [];
  writtenEntries = [];
  staleWrites = 0;
  beforeDescribe = undefined;
  let describes = 0;
  kvsMock.reset();
  kvsMock.on(DescribeKeyValueStoreCommand).callsFake((input) => {
    expect(input).toStrictEqual({ KvsARN: ARN });
    beforeDescribe?.(++describes);
    return { KvsARN: ARN, ETag: etag(), ItemCount: items.size, TotalSizeInBytes: 0, Created: new Date(0) };
  });
  kvsMock.on(GetKeyCommand).callsFake((input) => {
    expect(input.KvsARN).toBe(ARN);
    const value = items.get(input.Key);
    if (value === undefined) throw new ResourceNotFoundException({ message: 'Key not found', $metadata: {} });
    return { Key: input.Key, Value: value, ItemCount: items.size, TotalSizeInBytes: 0 };
  });
  kvsMock.on(UpdateKeysCommand).callsFake((input: UpdateKeysCommandInput) => {
    expect(input.KvsARN).toBe(ARN);
    if (staleWrites > 0) {
      staleWrites--;
      etagNumber++;
    }
    if (input.IfMatch !== etag()) throw new ConflictException({ message: 'Pre-condition failed: ETag mismatch', $metadata: {} });
    for (const put of input.Puts ?? []) {
      items.set(put.Key!, put.Value!);
      if (put.Key!.startsWith('session-key.')) {
        writtenEntries.push(put.Value!);
        if (put.Value !== SESSION_KEY_RETIRED) writtenKeys.push(put.Value!);
      }
    }
    for (const del of input.Deletes ?? []) items.delete(del.Key!);
    etagNumber++;
    return { ETag: etag(), ItemCount: items.size, TotalSizeInBytes: 0 };
  });
}

/** The calls of the mocked KeyValueStore client: command name and complete input. */
function kvsCalls(): Array<[string, unknown]> {
  return kvsMock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
}

function storedState(): SessionKeyState {
  return parseSessionKeyState(items.get(SESSION_KEY_STATE_NAME)!);
}

function deploy(keyGeneration: number, now: number, retentionSeconds = RETENTION, lifetimeSeconds?: number) {
  return ensureSessionKey({ keyValueStoreArn: ARN, keyGeneration, retentionSeconds, lifetimeSeconds, now });
}

/** No key value anywhere in `text`. */
function expectNoKeyIn(text: string): void {
  expect(writtenKeys.length).toBeGreaterThan(0);
  for (const key of writtenKeys) expect(text).not.toContain(key);
}

beforeEach(() => {
  fakeStore();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(String(line)); });
});
afterEach(() => jest.restoreAllMocks());

describe('ensureSessionKey', () => {
  test('first deploy: one key, signing at once, written with the state in one UpdateKeys with the ETag', async () => {
    const signing = await deploy(1, T0);

    expect(signing.keyId).toMatch(SESSION_KEY_ID);
    expect(signing.key).toMatch(SESSION_KEY);
    expect(items.get(`session-key.${signing.keyId}`)).toBe(signing.key);
    expect(storedState()).toEqual({ version: 1, keys: [{ kid: signing.keyId, generation: 1, written: T0, signing: T0, retention: RETENTION }] });
    expect(kvsCalls()).toStrictEqual([
      ['DescribeKeyValueStoreCommand', { KvsARN: ARN }],
      ['GetKeyCommand', { KvsARN: ARN, Key: SESSION_KEY_STATE_NAME }],
      ['UpdateKeysCommand', {
        KvsARN: ARN,
        IfMatch: 'E1',
        Puts: [
          { Key: `session-key.${signing.keyId}`, Value: signing.key },
          { Key: SESSION_KEY_STATE_NAME, Value: items.get(SESSION_KEY_STATE_NAME) },
        ],
        Deletes: undefined,
      }],
    ]);
    // The client is the global API's, signing for us-east-1's endpoint set.
    const regions = await Promise.all(kvsMock.calls().map((c) => (c.thisValue as { config: { region: () => Promise<string> } }).config.region()));
    expect(new Set(regions)).toEqual(new Set(['us-east-1']));
    expectNoKeyIn(items.get(SESSION_KEY_STATE_NAME)! + logs.join('\n'));
  });

  test('two first deploys make different keys and key ids', async () => {
    const a = await deploy(1, T0);
    fakeStore();
    const b = await deploy(1, T0);
    expect(b.keyId).not.toBe(a.keyId);
    expect(b.key).not.toBe(a.key);
  });

  test('plain redeploy: no write, the same signing key read back from the store', async () => {
    const first = await deploy(1, T0);
    kvsMock.resetHistory();

    const again = await deploy(1, T0 + DAY);

    expect(again).toEqual(first);
    expect(kvsCalls()).toStrictEqual([
      ['DescribeKeyValueStoreCommand', { KvsARN: ARN }],
      ['GetKeyCommand', { KvsARN: ARN, Key: SESSION_KEY_STATE_NAME }],
      ['GetKeyCommand', { KvsARN: ARN, Key: `session-key.${first.keyId}` }],
    ]);
    expect(etag()).toBe('E2');
  });

  test('rotation over two deploys: the raised generation writes a verify-only key, the next deploy signs with it', async () => {
    const k1 = await deploy(1, T0);

    // deploy N: KeyGeneration raised → new key in the store, the old one still signs
    kvsMock.resetHistory();
    const afterRaise = await deploy(2, T0 + HOUR);
    expect(afterRaise).toEqual(k1);
    const k2 = storedState().keys.find((k) => k.generation === 2)!;
    expect(k2).toEqual({ kid: expect.stringMatching(SESSION_KEY_ID), generation: 2, written: T0 + HOUR });
    const k2Value = items.get(`session-key.${k2.kid}`)!;
    expect(k2Value).toMatch(SESSION_KEY);
    expect(k2Value).not.toBe(k1.key);
    expect(kvsCalls()[2]).toStrictEqual(['UpdateKeysCommand', {
      KvsARN: ARN,
      IfMatch: 'E2',
      Puts: [{ Key: `session-key.${k2.kid}`, Value: k2Value }, { Key: SESSION_KEY_STATE_NAME, Value: items.get(SESSION_KEY_STATE_NAME) }],
      Deletes: undefined,
    }]);

    // deploy N+1 (KeyGeneration unchanged): the new key signs, the old one stops; no key written
    kvsMock.resetHistory();
    const afterNext = await deploy(2, T0 + 2 * HOUR);
    expect(afterNext).toEqual({ keyId: k2.kid, key: k2Value });
    expect(storedState().keys).toEqual([
      { kid: k1.keyId, generation: 1, written: T0, signing: T0, stopped: T0 + 2 * HOUR, retention: RETENTION },
      { kid: k2.kid, generation: 2, written: T0 + HOUR, signing: T0 + 2 * HOUR, retention: RETENTION },
    ]);
    const update = kvsCalls().find(([name]) => name === 'UpdateKeysCommand')![1] as UpdateKeysCommandInput;
    expect(update.Puts!.map((p) => p.Key)).toEqual([SESSION_KEY_STATE_NAME]);
    expect(update.Deletes).toBeUndefined();
    // both keys stay readable by the viewer function
    expect(items.get(`session-key.${k1.keyId}`)).toBe(k1.key);
  });

  test('a key that stopped signing is deleted at the first deploy at least the retention later, not before', async () => {
    const k1 = await deploy(1, T0);
    await deploy(2, T0 + HOUR);
    const k2 = await deploy(2, T0 + 2 * HOUR); // k1 stops at T0 + 2 h
    expect(RETENTION).toBe(30 * DAY + HOUR);

    // Until every session signed with k1 has expired (24 h plus an hour), k1 stays usable.
    expect(LIFETIME).toBe(OLD_RETENTION);
    kvsMock.resetHistory();
    expect(await deploy(2, T0 + 2 * HOUR + LIFETIME - 1)).toEqual(k2);
    expect(kvsCalls().map(([name]) => name)).not.toContain('UpdateKeysCommand');
    expect(items.get(`session-key.${k1.keyId}`)).toBe(k1.key);

    // Then its value gives way to the retired marker (whoever has k1 can no longer forge sessions),
    // but the entry stays: a cookie naming k1 (Max-Age 30 days) is sent to the refresh route, not to a 503.
    kvsMock.resetHistory();
    expect(await deploy(2, T0 + 2 * HOUR + LIFETIME)).toEqual(k2);
    const retiring = kvsCalls().find(([name]) => name === 'UpdateKeysCommand')![1] as UpdateKeysCommandInput;
    expect(retiring.Puts).toEqual([
      { Key: `session-key.${k1.keyId}`, Value: SESSION_KEY_RETIRED },
      { Key: SESSION_KEY_STATE_NAME, Value: expect.any(String) },
    ]);
    expect(retiring.Deletes).toBeUndefined();
    expect(items.get(`session-key.${k1.keyId}`)).toBe(SESSION_KEY_RETIRED);
    expect(storedState().keys).toEqual([
      { kid: k1.keyId, generation: 1, written: T0, stopped: T0 + 2 * HOUR, retention: RETENTION, retired: T0 + 2 * HOUR + LIFETIME },
      { kid: k2.keyId, generation: 2, written: T0 + HOUR, signing: T0 + 2 * HOUR, retention: RETENTION },
    ]);
    expect(logs.join('\n')).toContain(k1.keyId);
    expectNoKeyIn(logs.join('\n'));

    for (const later of [2 * DAY, 29 * DAY, RETENTION - 1]) {
      kvsMock.resetHistory();
      expect(await deploy(2, T0 + 2 * HOUR + later)).toEqual(k2);
      expect(kvsCalls().map(([name]) => name)).not.toContain('UpdateKeysCommand');
      expect(items.get(`session-key.${k1.keyId}`)).toBe(SESSION_KEY_RETIRED);
    }

    kvsMock.resetHistory();
    expect(await deploy(2, T0 + 2 * HOUR + RETENTION)).toEqual(k2);
    const update = kvsCalls().find(([name]) => name === 'UpdateKeysCommand')![1] as UpdateKeysCommandInput;
    expect(update.Deletes).toEqual([{ Key: `session-key.${k1.keyId}` }]);
    expect(update.Puts!.map((p) => p.Key)).toEqual([SESSION_KEY_STATE_NAME]);
    expect(items.has(`session-key.${k1.keyId}`)).toBe(false);
    expect(storedState().keys).toEqual([{ kid: k2.keyId, generation: 2, written: T0 + HOUR, signing: T0 + 2 * HOUR, retention: RETENTION }]);
  });

  test('the lifetime bound is the id token\'s lifetime (at most 24 h) plus an hour; a shorter one retires sooner', async () => {
    expect(sessionKeyLifetimeSeconds()).toBe(25 * HOUR);
    expect(sessionKeyLifetimeSeconds(7 * DAY)).toBe(25 * HOUR);
    expect(sessionKeyLifetimeSeconds(HOUR)).toBe(2 * HOUR);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => sessionKeyLifetimeSeconds(bad)).toThrow(/tokenMaxAgeSeconds/);

    const short = sessionKeyLifetimeSeconds(HOUR);
    const k1 = await deploy(1, T0, RETENTION, short);
    await deploy(2, T0 + HOUR, RETENTION, short);
    await deploy(2, T0 + 2 * HOUR, RETENTION, short); // k1 stops
    await deploy(2, T0 + 2 * HOUR + short - 1, RETENTION, short);
    expect(items.get(`session-key.${k1.keyId}`)).toBe(k1.key);
    await deploy(2, T0 + 2 * HOUR + short, RETENTION, short);
    expect(items.get(`session-key.${k1.keyId}`)).toBe(SESSION_KEY_RETIRED);
  });

  test('the retired marker can never be used as a key: it is no SESSION_KEY, and no key written equals it', async () => {
    expect(SESSION_KEY.test(SESSION_KEY_RETIRED)).toBe(false);
    await deploy(1, T0);
    for (let g = 2; g <= 4; g++) {
      await deploy(g, T0 + (g - 1) * 2 * DAY);
      await deploy(g, T0 + (g - 1) * 2 * DAY + HOUR);
    }
    await deploy(4, T0 + 10 * DAY);
    expect(writtenEntries).toContain(SESSION_KEY_RETIRED);
    for (const value of writtenEntries) expect(value === SESSION_KEY_RETIRED || SESSION_KEY.test(value)).toBe(true);
    for (const key of writtenKeys) expect(key).not.toBe(SESSION_KEY_RETIRED);
    const retired = storedState().keys.filter((k) => k.retired !== undefined);
    expect(retired).toHaveLength(3);
    for (const k of retired) expect(items.get(`session-key.${k.kid}`)).toBe(SESSION_KEY_RETIRED);
  });

  test('the retention is the session cookie\'s Max-Age (the refresh token validity, not the session\'s 24 h) plus an hour', () => {
    expect(sessionKeyRetentionSeconds(DEFAULT_COOKIE_MAX_AGE)).toBe(30 * DAY + HOUR);
    expect(sessionKeyRetentionSeconds(HOUR)).toBe(2 * HOUR);
    expect(sessionKeyRetentionSeconds(7 * DAY)).toBe(7 * DAY + HOUR);
    expect(sessionKeyRetentionSeconds(3650 * DAY)).toBe(3650 * DAY + HOUR);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => sessionKeyRetentionSeconds(bad)).toThrow(/Max-Age/);
  });

  test('a key is kept for the longest Max-Age it signed cookies with: a lower refresh token validity later does not shorten it', async () => {
    const SHORT = sessionKeyRetentionSeconds(DAY);
    const k1 = await deploy(1, T0);
    await deploy(2, T0 + HOUR);
    // the deploy that makes k2 sign also lowers the refresh token validity to a day
    const k2 = await deploy(2, T0 + 2 * HOUR, SHORT);
    expect(storedState().keys).toEqual([
      { kid: k1.keyId, generation: 1, written: T0, signing: T0, stopped: T0 + 2 * HOUR, retention: RETENTION },
      { kid: k2.keyId, generation: 2, written: T0 + HOUR, signing: T0 + 2 * HOUR, retention: SHORT },
    ]);

    // k1's cookies were minted with a 30-day Max-Age: its entry (retired after a day) is kept past
    // the day, and deleted at its own retention
    await deploy(2, T0 + 2 * HOUR + SHORT, SHORT);
    expect(items.get(`session-key.${k1.keyId}`)).toBe(SESSION_KEY_RETIRED);
    await deploy(2, T0 + 2 * HOUR + RETENTION - 1, SHORT);
    expect(items.get(`session-key.${k1.keyId}`)).toBe(SESSION_KEY_RETIRED);
    await deploy(2, T0 + 2 * HOUR + RETENTION, SHORT);
    expect(items.has(`session-key.${k1.keyId}`)).toBe(false);

    // raising the validity again lengthens the signing key's retention: the state alone is written
    kvsMock.resetHistory();
    expect(await deploy(2, T0 + 40 * DAY, RETENTION)).toEqual(k2);
    const update = kvsCalls().find(([name]) => name === 'UpdateKeysCommand')![1] as UpdateKeysCommandInput;
    expect(update.Puts!.map((p) => p.Key)).toEqual([SESSION_KEY_STATE_NAME]);
    expect(update.Deletes).toBeUndefined();
    expect(storedState().keys).toEqual([{ kid: k2.keyId, generation: 2, written: T0 + HOUR, signing: T0 + 2 * HOUR, retention: RETENTION }]);
    // and lowering it once more does not shorten it
    kvsMock.resetHistory();
    await deploy(2, T0 + 41 * DAY, SHORT);
    expect(kvsCalls().map(([name]) => name)).not.toContain('UpdateKeysCommand');
  });

  test('rollback (a lower KeyGeneration): no key written or deleted, the current key keeps signing', async () => {
    const k1 = await deploy(1, T0);
    await deploy(2, T0 + HOUR); // verify-only k2 written
    const before = new Map(items);

    // CloudFormation rolls the raise back: Update with the old properties (generation 1)
    kvsMock.resetHistory();
    expect(await deploy(1, T0 + 2 * HOUR)).toEqual(k1);
    expect(kvsCalls().map(([name]) => name)).toEqual(['DescribeKeyValueStoreCommand', 'GetKeyCommand', 'GetKeyCommand']);
    expect(items).toEqual(before);
    expect(logs.join('\n')).toMatch(/KeyGeneration is lower/);

    // after the rotation completes, a rollback long after the retention deletes nothing either
    const k2 = await deploy(2, T0 + 3 * HOUR);
    expect(k2.keyId).not.toBe(k1.keyId);
    const rotated = new Map(items);
    kvsMock.resetHistory();
    expect(await deploy(1, T0 + 3 * HOUR + RETENTION + DAY)).toEqual(k2);
    expect(kvsCalls().map(([name]) => name)).not.toContain('UpdateKeysCommand');
    expect(items).toEqual(rotated);
    expect(items.get(`session-key.${k1.keyId}`)).toBe(k1.key);

    // a rolled-back version whose cookies last longer: only the signing key's retention grows
    const LONGER = sessionKeyRetentionSeconds(90 * DAY);
    kvsMock.resetHistory();
    expect(await deploy(1, T0 + 3 * HOUR + RETENTION + 2 * DAY, LONGER)).toEqual(k2);
    const update = kvsCalls().find(([name]) => name === 'UpdateKeysCommand')![1] as UpdateKeysCommandInput;
    expect(update.Puts!.map((p) => p.Key)).toEqual([SESSION_KEY_STATE_NAME]);
    expect(update.Deletes).toBeUndefined();
    expect(storedState().keys.find((k) => k.kid === k2.keyId)!.retention).toBe(LONGER);
    expect(storedState().keys.map((k) => k.kid)).toEqual([k1.keyId, k2.keyId]);
  });

  test('a stale ETag (someone wrote in between) reads and plans again', async () => {
    staleWrites = 1;
    const signing = await deploy(1, T0);

    expect(kvsCalls().map(([name]) => name)).toEqual([
      'DescribeKeyValueStoreCommand', 'GetKeyCommand', 'UpdateKeysCommand',
      'DescribeKeyValueStoreCommand', 'GetKeyCommand', 'UpdateKeysCommand',
    ]);
    // only the second attempt's key exists, and it is the one returned
    expect([...items.keys()].sort()).toEqual([SESSION_KEY_STATE_NAME, `session-key.${signing.keyId}`].sort());
    expect(items.get(`session-key.${signing.keyId}`)).toBe(signing.key);
    expect(logs.join('\n')).toMatch(/stale ETag/);
  });

  test('a stale ETag that persists fails, naming the store', async () => {
    staleWrites = 100;
    await expect(deploy(1, T0)).rejects.toThrow(`the KeyValueStore ${ARN} failed UpdateKeys: ConflictException: Pre-condition failed: ETag mismatch`);
    expect(kvsMock.commandCalls(UpdateKeysCommand)).toHaveLength(4);
  });

  test('a concurrent first write by another deployment is found on the retry (one key, not two)', async () => {
    const other = await deploy(1, T0);
    // this deployment read the store before the other one wrote: its first UpdateKeys has the old ETag
    items.clear();
    const saved = etagNumber;
    etagNumber = 1;
    staleWrites = 1;
    beforeDescribe = (n) => {
      if (n !== 2) return;
      // the other deployment's write is now visible
      etagNumber = saved;
      items.set(`session-key.${other.keyId}`, other.key);
      const otherKey = { kid: other.keyId, generation: 1, written: T0, signing: T0, retention: RETENTION };
      items.set(SESSION_KEY_STATE_NAME, JSON.stringify({ version: 1, keys: [otherKey] }));
    };
    kvsMock.resetHistory();
    expect(await deploy(1, T0)).toEqual(other);
    expect(kvsCalls().map(([name]) => name)).toEqual([
      'DescribeKeyValueStoreCommand', 'GetKeyCommand', 'UpdateKeysCommand',
      'DescribeKeyValueStoreCommand', 'GetKeyCommand', 'GetKeyCommand',
    ]);
    expect([...items.keys()].sort()).toEqual([SESSION_KEY_STATE_NAME, `session-key.${other.keyId}`].sort());
  });

  test('too many keys kept at once: raising the generation again fails with what to do and from when', () => {
    const keys = [{ kid: 'k0', generation: 1, written: 0, signing: 0, retention: RETENTION }, ...Array.from({ length: MAX_SESSION_KEYS - 1 },
      (_, i) => ({ kid: `s${i}`, generation: 1, written: 0, stopped: T0 + i * DAY, retention: RETENTION, retired: T0 + i * DAY + LIFETIME }))];
    const state: SessionKeyState = { version: 1, keys };
    const oldestGoes = T0 + RETENTION;
    expect(() => planSessionKeys(state, 2, T0 + 10 * DAY, RETENTION)).toThrow(ConfigError);
    expect(() => planSessionKeys(state, 2, T0 + 10 * DAY, RETENTION)).toThrow(
      `sessionKeyGeneration was raised while ${MAX_SESSION_KEYS} session keys are kept (at most ${MAX_SESSION_KEYS - 1} before a raise): ` +
      'a key that stopped signing is kept as long as a session cookie signed with it can arrive ' +
      '(the cookie\'s Max-Age, which is the refresh token validity, plus an hour); ' +
      `deploy without raising sessionKeyGeneration until ${new Date(oldestGoes * 1000).toISOString()}: the first deploy from then on deletes the oldest stopped key, and a raise is accepted again`,
    );
    // without a raise, the same state is a plain redeploy
    expect(planSessionKeys(state, 1, T0 + 10 * DAY, RETENTION)).toMatchObject({ signingKid: 'k0', create: [], delete: [], writeState: false });
    // one second before that time still refused; at it, the oldest key goes and the raise is accepted
    expect(() => planSessionKeys(state, 2, oldestGoes - 1, RETENTION)).toThrow(ConfigError);
    expect(planSessionKeys(state, 2, oldestGoes, RETENTION, () => 'new')).toMatchObject({ signingKid: 'k0', create: ['new'], delete: ['s0'], writeState: true });
  });

  test('the state with the most keys and the largest values fits one store value', () => {
    const big = 1_999_999_999;
    const keys = Array.from({ length: MAX_SESSION_KEYS }, (_, i) => ({
      kid: `${i}`.padStart(16, '_'), generation: 999_999_999, written: big, signing: big, stopped: big, retention: sessionKeyRetentionSeconds(3650 * DAY),
    }));
    const value = JSON.stringify({ version: 1, keys });
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(MAX_STORE_VALUE_BYTES);
    expect(parseSessionKeyState(value).keys).toEqual(keys);
    // a retired key records `retired` instead of `signing`: the same size
    const retired = keys.map(({ signing, ...k }, i) => (i === 0 ? keys[0] : { ...k, retired: signing }));
    const retiredValue = JSON.stringify({ version: 1, keys: retired });
    expect(Buffer.byteLength(retiredValue)).toBe(Buffer.byteLength(value));
    expect(parseSessionKeyState(retiredValue).keys).toEqual(retired);
  });

  test('a malformed state entry fails the deploy and writes nothing', async () => {
    items.set(SESSION_KEY_STATE_NAME, '{"version":1,"keys":[{"kid":"bad kid!","generation":1,"written":0}]}');
    await expect(deploy(1, T0)).rejects.toThrow(`the KeyValueStore entry ${SESSION_KEY_STATE_NAME} is not a valid session key state`);
    expect(kvsMock.commandCalls(UpdateKeysCommand)).toHaveLength(0);
    for (const bad of [
      '', 'null', '[]', '{"version":2,"keys":[]}', '{"version":1,"keys":[{"kid":"a","generation":"1","written":0}]}',
      '{"version":1,"keys":[{"kid":"a","generation":1,"written":0,"retention":-1}]}', '{"version":1,"keys":[{"kid":"a","generation":1,"written":0,"retention":"30"}]}',
    ]) {
      expect(() => parseSessionKeyState(bad)).toThrow(/not a valid session key state/);
    }
  });

  test('a signing key missing from the store fails, naming the key name and the store', async () => {
    const k1 = await deploy(1, T0);
    items.delete(`session-key.${k1.keyId}`);
    await expect(deploy(1, T0 + HOUR)).rejects.toThrow(`the KeyValueStore ${ARN} has no valid signing key session-key.${k1.keyId} (missing or malformed)`);
  });
});

// ---- through the custom resource ----

const CLIENT_SECRET = 'client-secret-value-that-must-not-leak';
const STATE_SECRET = 'state-secret-value-that-must-not-leak-0123456789abcdef';
const JWKS = { keys: [{ kid: 'k1', kty: 'RSA', alg: 'RS256', e: 'AQAB', n: 'abc', use: 'sig' }] };
const VERSION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:Site-Auth-abc:7';
const SESSION = { AuthPathPrefix: '/_auth/', KeyValueStoreArn: ARN, KeyGeneration: '1', IdentityHeader: 'x-cognito-edge-auth-user' };
const sessionProps = {
  FunctionName: 'Site-Auth-abc',
  FunctionRegion: 'us-east-1',
  BundleS3Bucket: 'bucket',
  BundleS3Key: 'bundle.zip',
  UserPoolId: 'eu-west-1_AbCdEf123',
  ClientId: 'client123',
  AuthDomain: 'https://my-prefix.auth.eu-west-1.amazoncognito.com',
  StateSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:state',
  EdgeConfig: JSON.stringify({ callbackPath: '/_auth/callback', signOutPath: '/_auth/signout' }),
  Session: SESSION,
};

function event(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ResourceType: 'Custom::CognitoEdgeAuthConfig',
    ServiceToken: 'token',
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Site/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'AuthEdgeConfig',
    ResourceProperties: { ServiceToken: 'token', ...props },
    ...(requestType !== 'Create' ? { PhysicalResourceId: 'old-physical-id' } : {}),
    ...(requestType === 'Update' ? { OldResourceProperties: old ?? props } : {}),
  } as CloudFormationCustomResourceEvent;
}

describe('Custom::CognitoEdgeAuthConfig in session mode', () => {
  let uploads: Buffer[];
  let fetchMock: jest.Mock;
  let results: unknown[];
  const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

  beforeEach(async () => {
    timing.pollIntervalMs = 1;
    timing.maxWaitMs = 200;
    lambdaMock.reset();
    cognitoMock.reset();
    s3Mock.reset();
    secretsMock.reset();
    uploads = [];
    results = [];
    fetchMock = jest.fn(async (url: string) => {
      if (url.endsWith('/.well-known/jwks.json')) return new Response(JSON.stringify(JWKS), { status: 200 });
      return new Response('', { status: 200 });
    });
    global.fetch = fetchMock as unknown as typeof fetch;
    const zip = new JSZip();
    zip.file('index.js', 'exports.handler = async () => ({});');
    const bundle = await zip.generateAsync({ type: 'nodebuffer' });
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(bundle) } as never });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: STATE_SECRET });
    cognitoMock.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ClientId: 'client123', ClientSecret: CLIENT_SECRET, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true },
    });
    lambdaMock.on(GetFunctionConfigurationCommand).resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambdaMock.on(UpdateFunctionCodeCommand).callsFake((input) => {
      uploads.push(Buffer.from(input.ZipFile));
      return { CodeSha256: `sha-${uploads.length}` };
    });
    lambdaMock.on(PublishVersionCommand).callsFake(() => ({ FunctionArn: VERSION_ARN.replace(/7$/, String(uploads.length)), Version: String(uploads.length) }));
  });

  async function run(e: CloudFormationCustomResourceEvent) {
    const result = await onEvent(e);
    results.push(result);
    return result;
  }

  async function uploadedConfig(i = uploads.length - 1): Promise<Record<string, unknown>> {
    const zip = await JSZip.loadAsync(uploads[i]);
    return JSON.parse(await zip.file('config.json')!.async('string'));
  }

  /** Every mocked call's input except the code upload (which carries config.json) and the key writes, every result, response and log line. */
  function everythingButTheKeyCarriers(): string {
    const inputs = [lambdaMock, cognitoMock, s3Mock, secretsMock].flatMap((m) => m.calls().map((c) => c.args[0].input as Record<string, unknown>))
      .map((input) => ('ZipFile' in input ? { ...input, ZipFile: undefined } : input));
    const kvsInputs = kvsMock.calls().map((c) => {
      const input = c.args[0].input as UpdateKeysCommandInput;
      return input.Puts ? { ...input, Puts: input.Puts.filter((p) => p.Key === SESSION_KEY_STATE_NAME) } : input;
    });
    const responses = fetchMock.mock.calls.map(([url, init]) => `${String(url)} ${init?.body ?? ''}`);
    return JSON.stringify([inputs, kvsInputs, results, responses, [...items].filter(([k]) => k === SESSION_KEY_STATE_NAME)]) + logs.join('\n');
  }

  test('Create: config.json gets the session with the key the store has; nothing else carries it', async () => {
    const result = await run(event('Create', sessionProps));

    const config = await uploadedConfig();
    const session = config.session as Record<string, string>;
    expect(session).toEqual({
      authPathPrefix: '/_auth/', keyId: expect.stringMatching(SESSION_KEY_ID), key: expect.stringMatching(SESSION_KEY), identityHeader: 'x-cognito-edge-auth-user',
    });
    expect(items.get(`session-key.${session.keyId}`)).toBe(session.key);
    expect(result).toEqual({ PhysicalResourceId: VERSION_ARN.replace(/7$/, '1'), Data: { VersionArn: VERSION_ARN.replace(/7$/, '1'), Version: '1' } });
    expect(logs.some((l) => l.includes('"sessionKeyId"'))).toBe(true);
    expectNoKeyIn(everythingButTheKeyCarriers());
  });

  test('rotation through the custom resource: config.json\'s keyId changes only at the second deploy', async () => {
    await run(event('Create', sessionProps));
    const first = (await uploadedConfig()).session as Record<string, string>;
    const raised = { ...sessionProps, Session: { ...SESSION, KeyGeneration: '2' } };

    await run(event('Update', raised, sessionProps));
    expect((await uploadedConfig()).session).toEqual(first);
    expect(storedState().keys).toHaveLength(2);

    await run(event('Update', raised));
    const second = (await uploadedConfig()).session as Record<string, string>;
    expect(second.keyId).not.toBe(first.keyId);
    expect(second.key).not.toBe(first.key);
    expect(items.get(`session-key.${second.keyId}`)).toBe(second.key);
    expect(items.get(`session-key.${first.keyId}`)).toBe(first.key);

    // the rollback of that deploy (old properties, generation 2 as well) keeps the new key
    await run(event('Update', raised));
    expect((await uploadedConfig()).session).toEqual(second);
    expect(writtenKeys).toHaveLength(2);
    expectNoKeyIn(everythingButTheKeyCarriers());
  });

  test('the key is kept for the Max-Age config.json gives the session cookie: Cognito\'s default, the client\'s, or EdgeConfig\'s', async () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, number]> = [
      // Cognito reports no validity: the edge function's default (30 days) sets the Max-Age
      ['default', {}, sessionProps, DEFAULT_COOKIE_MAX_AGE],
      ['client', { RefreshTokenValidity: 90, TokenValidityUnits: { RefreshToken: 'days' } }, sessionProps, 90 * DAY],
      ['EdgeConfig', { RefreshTokenValidity: 90 }, {
        ...sessionProps, EdgeConfig: JSON.stringify({ callbackPath: '/_auth/callback', signOutPath: '/_auth/signout', refreshTokenValiditySeconds: 2 * HOUR }),
      }, 2 * HOUR],
    ];
    for (const [, client, props, maxAge] of cases) {
      fakeStore();
      cognitoMock.on(DescribeUserPoolClientCommand).resolves({
        UserPoolClient: { ClientId: 'client123', AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, ...client },
      });
      await run(event('Create', props));
      const config = await uploadedConfig();
      expect(config.refreshTokenValiditySeconds ?? DEFAULT_COOKIE_MAX_AGE).toBe(maxAge);
      expect(storedState().keys).toEqual([expect.objectContaining({ retention: maxAge + HOUR })]);
    }
  });

  test('the key is retired at the session lifetime config.json gives (cookies.tokenMaxAgeSeconds plus an hour), not before', async () => {
    let clock = T0;
    jest.spyOn(Date, 'now').mockImplementation(() => clock * 1000);
    const props = {
      ...sessionProps,
      EdgeConfig: JSON.stringify({ callbackPath: '/_auth/callback', signOutPath: '/_auth/signout', cookies: { tokenMaxAgeSeconds: HOUR } }),
    };
    const raised = { ...props, Session: { ...SESSION, KeyGeneration: '2' } };
    await run(event('Create', props));
    const first = (await uploadedConfig()).session as Record<string, string>;
    clock += HOUR;
    await run(event('Update', raised, props));
    clock += HOUR;
    await run(event('Update', raised)); // the first key stops signing
    const second = (await uploadedConfig()).session as Record<string, string>;
    expect(second.keyId).not.toBe(first.keyId);

    clock += 2 * HOUR - 1;
    await run(event('Update', raised));
    expect(items.get(`session-key.${first.keyId}`)).toBe(first.key);
    clock += 1;
    await run(event('Update', raised));
    expect(items.get(`session-key.${first.keyId}`)).toBe(SESSION_KEY_RETIRED);
    expect((await uploadedConfig()).session).toEqual(second);
    expectNoKeyIn(everythingButTheKeyCarriers());
  });

  test('Lambda@Edge mode (no Session): no KeyValueStore call, no session in config.json', async () => {
    const { Session: _omitted, ...plain } = sessionProps;
    await run(event('Create', plain));
    expect(kvsMock.calls()).toHaveLength(0);
    expect((await uploadedConfig()).session).toBeUndefined();
  });

  test('Delete: nothing to do for the keys (the store goes with the stack)', async () => {
    await run(event('Create', sessionProps));
    kvsMock.resetHistory();
    const before = new Map(items);
    expect(await run(event('Delete', sessionProps))).toEqual({ PhysicalResourceId: 'old-physical-id' });
    expect(kvsMock.calls()).toHaveLength(0);
    expect(items).toEqual(before);
  });

  function sentResponse() {
    const call = fetchMock.mock.calls.find(([url]) => String(url).startsWith('https://cloudformation-custom-resource-response'));
    expect(call).toBeDefined();
    return JSON.parse(call![1].body);
  }

  test('a store error answers FAILED naming the store and the operation; no function is changed', async () => {
    kvsMock.on(DescribeKeyValueStoreCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform DescribeKeyValueStore', $metadata: {} }));
    await handler(event('Create', sessionProps), context);
    expect(sentResponse()).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'AuthEdgeConfig',
      Reason: `SessionKeyStoreError: the KeyValueStore ${ARN} failed DescribeKeyValueStore: AccessDeniedException: not authorized to perform DescribeKeyValueStore`,
    });
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  test('a store error that echoes the written value: the reason names the store, never the key', async () => {
    await run(event('Create', sessionProps));
    kvsMock.on(UpdateKeysCommand).callsFake((input: UpdateKeysCommandInput) => {
      for (const put of input.Puts ?? []) if (put.Key !== SESSION_KEY_STATE_NAME) writtenKeys.push(put.Value!);
      throw new ValidationException({ message: `Value ${JSON.stringify(input.Puts)} is not acceptable`, $metadata: {} });
    });
    fetchMock.mockClear();
    logs.length = 0;

    await handler(event('Update', { ...sessionProps, Session: { ...SESSION, KeyGeneration: '2' } }, sessionProps), context);

    const response = sentResponse();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`the KeyValueStore ${ARN} failed UpdateKeys: ValidationException: Value`);
    expect(response.Reason).toContain('[key]');
    expect(writtenKeys).toHaveLength(2);
    expectNoKeyIn(JSON.stringify(response) + logs.join('\n'));
  });

  test('malformed Session properties fail before any store call, naming the property', async () => {
    for (const [session, message] of [
      [{ ...SESSION, KeyGeneration: '0' }, /Session\.KeyGeneration must be a positive integer/],
      [{ ...SESSION, KeyGeneration: 'two' }, /Session\.KeyGeneration must be a positive integer/],
      [{ ...SESSION, KeyValueStoreArn: 'arn:aws:s3:::bucket' }, /Session\.KeyValueStoreArn must be a CloudFront KeyValueStore ARN/],
      [{ ...SESSION, AuthPathPrefix: '_auth' }, /Session\.AuthPathPrefix must start and end with "\/"/],
      ['yes', /Session must be an object/],
    ] as const) {
      await expect(run(event('Create', { ...sessionProps, Session: session }))).rejects.toThrow(message);
    }
    expect(kvsMock.calls()).toHaveLength(0);
  });
});

describe('buildEdgeConfig: the session field', () => {
  const base = { UserPoolId: 'eu-west-1_AbC123', ClientId: 'c1', AuthDomain: 'https://auth.example.com', Session: SESSION };
  const key = 'A'.repeat(21) + '-' + 'b'.repeat(21);

  test('from the properties and the signing key', () => {
    expect(buildEdgeConfig(base, { sessionKey: { keyId: 'kid_1', key } }).session).toEqual({
      authPathPrefix: '/_auth/', keyId: 'kid_1', key, identityHeader: 'x-cognito-edge-auth-user',
    });
    const { IdentityHeader: _omitted, ...withoutHeader } = SESSION;
    expect(buildEdgeConfig({ ...base, Session: withoutHeader }, { sessionKey: { keyId: 'k', key } }).session).toEqual({ authPathPrefix: '/_auth/', keyId: 'k', key });
  });

  test('refused without a usable key, and the message never carries the value', () => {
    expect(() => buildEdgeConfig(base)).toThrow('session mode needs the signing key (from the KeyValueStore)');
    const short = 'x'.repeat(42);
    expect(() => buildEdgeConfig(base, { sessionKey: { keyId: 'k', key: short } })).toThrow(/^session\.key must be 43 base64url characters$/);
    expect(() => buildEdgeConfig(base, { sessionKey: { keyId: 'not valid', key } })).toThrow(/^session\.keyId must be/);
  });
});
