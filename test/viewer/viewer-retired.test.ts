/**
 * A retired key (its store entry holds SESSION_KEY_RETIRED, about a day after it stopped signing):
 * the built viewer function in the runtime-2.0 sandbox treats a cookie naming it as an expired
 * session without verifying anything, so a cookie forged with the old key (any `exp`, any groups)
 * is never let through; whatever else the entry holds is the store's problem (503).
 */
import fc from 'fast-check';
import {
  asAnswer, cfEvent, CONFIG, CURRENT_KEY, CURRENT_KID, GUARD, isAnswer, mint, NOW, NOW_MS, OTHER_KEY, OTHER_KID,
  PREVIOUS_KEY, PREVIOUS_KID, RULES_HASH, viewer,
} from './helpers';
import { SESSION_KEY, SESSION_KEY_RETIRED, sessionKeyName } from '../../lambda-src/shared/session-cookie';
import type { Sandbox } from '../support/cloudfront-functions-sandbox';

/** The store after PREVIOUS_KID was retired: its entry holds the marker, the old key is gone. */
const RETIRED_STORE: Record<string, string> = {
  [sessionKeyName(CURRENT_KID)]: CURRENT_KEY,
  [sessionKeyName(PREVIOUS_KID)]: SESSION_KEY_RETIRED,
};

let fn: Sandbox;
beforeAll(async () => {
  fn = await viewer(CONFIG, RETIRED_STORE);
}, 60_000);

const run = (event: Record<string, unknown>, nowMs = NOW_MS): Promise<unknown> => fn.invoke(event, nowMs);
/** A cookie forged with the old key: validly signed, valid for a year, in every group. */
const forged = (): string => mint({ kid: PREVIOUS_KID, key: PREVIOUS_KEY, exp: NOW + 365 * 86400, groups: ['staff', 'admins', 'finance'] });

test('the marker is no key', () => {
  expect(SESSION_KEY.test(SESSION_KEY_RETIRED)).toBe(false);
});

test('GET/HEAD with a validly signed cookie under the retired key: 302 to the refresh route, never let through; the loop guard counts', async () => {
  for (const method of ['GET', 'HEAD']) {
    for (const nav of [true, false]) {
      const answer = asAnswer(await run(cfEvent({ method, nav, uri: '/admin/x', session: forged() })));
      expect(answer.statusCode).toBe(302);
      expect(answer.headers.location.value).toBe(`${CONFIG.refresh}?return=${encodeURIComponent('/admin/x')}`);
      expect(answer.cookies).toEqual({ [GUARD]: { value: '1', attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=60' } });
    }
  }
  const again = asAnswer(await run(cfEvent({ session: forged(), cookies: { [GUARD]: { value: '1' } } })));
  expect(again.cookies![GUARD].value).toBe('2');
  const guarded = asAnswer(await run(cfEvent({ nav: true, session: forged(), cookies: { [GUARD]: { value: '2' } } })));
  expect(guarded.statusCode).toBe(401);
  expect(guarded.headers.location).toBeUndefined();
});

test('other methods: 401 JSON naming the refresh route', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const answer = asAnswer(await run(cfEvent({ method, session: forged() })));
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body!.data)).toEqual({ error: 'unauthenticated', refresh: CONFIG.refresh });
  }
});

test('nothing is verified: a cookie naming the retired key with a wrong signature gets the same answer', async () => {
  const wrong = mint({ kid: PREVIOUS_KID, key: OTHER_KEY });
  const answer = asAnswer(await run(cfEvent({ session: wrong })));
  expect(answer.statusCode).toBe(302);
  expect(answer.headers.location.value.startsWith(`${CONFIG.refresh}?return=`)).toBe(true);
});

test('the current key still lets its sessions through; a missing key or any other entry is still a 503', async () => {
  expect(isAnswer(await run(cfEvent({ session: mint() })))).toBe(false);
  expect(asAnswer(await run(cfEvent({ session: mint({ kid: OTHER_KID, key: OTHER_KEY }) }))).statusCode).toBe(503);
  for (const entry of ['Retired', 'retired ', ' retired', '']) {
    const odd = await viewer(CONFIG, { [sessionKeyName(PREVIOUS_KID)]: entry });
    expect(asAnswer(await odd.invoke(cfEvent({ session: forged() }), NOW_MS)).statusCode).toBe(503);
  }
});

test('property: a cookie forged with the retired key (any exp, groups, user, path, method) is never let through', async () => {
  const arb = fc.record({
    exp: fc.integer({ min: NOW - 86400, max: NOW + 10 * 365 * 86400 }),
    groups: fc.subarray(['staff', 'admins', 'finance', 'old']),
    username: fc.stringMatching(/^[a-z0-9@.]{1,20}$/),
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
    nav: fc.boolean(),
    uri: fc.constantFrom('/', '/index.html', '/admin/', '/reports/q.pdf', '/app/data.json'),
    guard: fc.constantFrom(undefined, '0', '1', '2', '9'),
    clock: fc.integer({ min: -3600, max: 3600 }),
  });
  await fc.assert(fc.asyncProperty(arb, async (r) => {
    const session = mint({ kid: PREVIOUS_KID, key: PREVIOUS_KEY, exp: r.exp, groups: r.groups, username: r.username, rulesHash: RULES_HASH });
    const cookies = r.guard === undefined ? {} : { [GUARD]: { value: r.guard } };
    const result = await run(cfEvent({ method: r.method, nav: r.nav, uri: r.uri, session, cookies }), (NOW + r.clock) * 1000);
    const answer = asAnswer(result);
    expect([302, 401]).toContain(answer.statusCode);
    if (answer.statusCode === 302) expect(answer.headers.location.value.startsWith(`${CONFIG.refresh}?return=`)).toBe(true);
    else expect(answer.headers.location).toBeUndefined();
    expect(answer.headers[CONFIG.header]).toBeUndefined();
    expect(JSON.stringify(answer)).not.toContain(PREVIOUS_KEY);
  }), { numRuns: 300 });
}, 60_000);
