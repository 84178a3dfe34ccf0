/**
 * The session cookie format (lambda-src/shared/session-cookie.ts): mint/check round trip, the
 * documented wire format (recomputed here with Node's own crypto and Buffer), and refusal of
 * garbage, truncated, altered, re-signed, expired and other-key values.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { CURRENT_KEY, CURRENT_KID, mint, NOW, OTHER_KEY, PREVIOUS_KEY, RULES, RULES_HASH } from './helpers';
import {
  asciiJson, base64urlDecodeAscii, base64urlEncodeAscii, checkSession, constantTimeEqual, MAX_SESSION_COOKIE_LENGTH,
  mintSessionCookie, namedGroups, parseSessionCookie, rulesHash, SESSION_PURPOSE, sessionCookieFromHeaders, sessionGroups, SessionCheck,
} from '../../lambda-src/shared/session-cookie';

function check(value: string, key = CURRENT_KEY, now = NOW, hash = RULES_HASH): SessionCheck | 'unparsed' {
  const parts = parseSessionCookie(value);
  return parts === undefined ? 'unparsed' : checkSession(parts, key, now, hash);
}

function isRefused(result: SessionCheck | 'unparsed'): boolean {
  return result === 'unparsed' || result.status === 'invalid';
}

describe('mint and check', () => {
  test('a minted cookie checks as valid and carries sub, username, groups, iat and exp', () => {
    const value = mint({ sub: 'abc-123', username: 'EntraID_alice@example.com', groups: ['staff', 'admins'], exp: NOW + 600, now: NOW - 5 });
    expect(check(value)).toEqual({
      status: 'valid',
      session: { sub: 'abc-123', username: 'EntraID_alice@example.com', groups: ['staff', 'admins'], iat: NOW - 5, exp: NOW + 600 },
    });
  });

  test('wire format: 1.<kid>.<base64url ASCII JSON>.<HMAC-SHA256 over purpose, version, kid and payload, 43 characters>', () => {
    const value = mint({ username: 'zoë 🦊', exp: NOW + 600, now: NOW });
    const [version, kid, payload, tag] = value.split('.');
    expect(version).toBe('1');
    expect(kid).toBe(CURRENT_KID);
    const json = Buffer.from(payload, 'base64url').toString('latin1');
    expect(json).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(json)).toEqual({ s: 'sub-1', u: 'zoë 🦊', i: NOW, e: NOW + 600, r: RULES_HASH, g: ['staff'] });
    const expected = createHmac('sha256', CURRENT_KEY).update(`${SESSION_PURPOSE}\n1.${kid}.${payload}`).digest('base64url');
    expect(tag).toBe(expected);
    expect(tag).toHaveLength(43);
  });

  test('exp is the id token\'s, capped by maxAgeSeconds', () => {
    const value = mintSessionCookie(
      { sub: 's', username: 'u', groups: [], exp: NOW + 3600 },
      { kid: CURRENT_KID, key: CURRENT_KEY, rulesHash: RULES_HASH, now: NOW, maxAgeSeconds: 300 },
    );
    const result = check(value);
    expect(result).toMatchObject({ status: 'valid', session: { exp: NOW + 300 } });
    expect(check(value, CURRENT_KEY, NOW + 300)).toEqual({ status: 'expired', reason: 'exp' });
  });

  test('at or after exp: expired (validly signed); under other rules: expired for the rules', () => {
    const value = mint({ exp: NOW + 10 });
    expect(check(value, CURRENT_KEY, NOW + 9)).toMatchObject({ status: 'valid' });
    expect(check(value, CURRENT_KEY, NOW + 10)).toEqual({ status: 'expired', reason: 'exp' });
    expect(check(value, CURRENT_KEY, NOW + 100000)).toEqual({ status: 'expired', reason: 'exp' });
    const otherRules = rulesHash({ ...RULES, requiredGroups: ['staff', 'contractors'] });
    expect(check(value, CURRENT_KEY, NOW, otherRules)).toEqual({ status: 'expired', reason: 'rules' });
  });

  test('another key (the previous one, a foreign one) refuses the cookie', () => {
    const value = mint();
    expect(check(value, PREVIOUS_KEY)).toEqual({ status: 'invalid' });
    expect(check(value, OTHER_KEY)).toEqual({ status: 'invalid' });
    expect(check(mint({ key: PREVIOUS_KEY }), PREVIOUS_KEY)).toMatchObject({ status: 'valid' });
  });

  test('a malformed key never verifies anything', () => {
    const value = mint();
    for (const key of ['', 'short', `${CURRENT_KEY}x`, CURRENT_KEY.replace(/./, '.')]) expect(check(value, key)).toEqual({ status: 'invalid' });
  });
});

describe('refusals', () => {
  test('every truncation of a valid cookie is refused', () => {
    const value = mint({ groups: ['staff', 'admins'] });
    for (let n = 0; n < value.length; n++) expect(isRefused(check(value.slice(0, n)))).toBe(true);
  });

  test('changing any one character is refused (or, for the tag\'s last character, never accepted as different)', () => {
    const value = mint();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < value.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(value[i]) + 17) % alphabet.length];
      const altered = value.slice(0, i) + replacement + value.slice(i + 1);
      expect(isRefused(check(altered))).toBe(true);
    }
  });

  test('a payload re-signed with another key, or with the right key but another purpose, is refused', () => {
    const [, kid, payload] = mint().split('.');
    const forged = JSON.stringify({ s: 'sub-1', u: 'mallory', i: NOW, e: NOW + 99999, r: RULES_HASH, g: ['admins'] });
    const forgedPayload = Buffer.from(forged).toString('base64url');
    const otherKeyTag = createHmac('sha256', OTHER_KEY).update(`${SESSION_PURPOSE}\n1.${kid}.${forgedPayload}`).digest('base64url');
    expect(check(`1.${kid}.${forgedPayload}.${otherKeyTag}`)).toEqual({ status: 'invalid' });
    const noPurposeTag = createHmac('sha256', CURRENT_KEY).update(`1.${kid}.${forgedPayload}`).digest('base64url');
    expect(check(`1.${kid}.${forgedPayload}.${noPurposeTag}`)).toEqual({ status: 'invalid' });
    const otherKidTag = createHmac('sha256', CURRENT_KEY).update(`${SESSION_PURPOSE}\n1.k1.${payload}`).digest('base64url');
    expect(check(`1.${kid}.${payload}.${otherKidTag}`)).toEqual({ status: 'invalid' });
  });

  test('a correctly signed payload that is not a session is refused', () => {
    const sign = (json: string): string => {
      const p = base64urlEncodeAscii(json);
      return `1.${CURRENT_KID}.${p}.${createHmac('sha256', CURRENT_KEY).update(`${SESSION_PURPOSE}\n1.${CURRENT_KID}.${p}`).digest('base64url')}`;
    };
    for (const json of ['[]', 'null', '"x"', '{}', '{"s":"a","u":"b","i":1,"e":"9999999999","r":"x","g":[]}',
      `{"s":"","u":"b","i":1,"e":9999999999,"r":"${RULES_HASH}","g":[]}`, `{"s":"a","u":"b","i":1,"e":9999999999,"r":"${RULES_HASH}","g":[1]}`,
      `{"s":"a","u":"b","i":1.5,"e":9999999999,"r":"${RULES_HASH}","g":[]}`, 'not json']) {
      expect(isRefused(check(sign(json)))).toBe(true);
    }
    expect(check(sign(`{"s":"a","u":"b","i":1,"e":9999999999,"r":"${RULES_HASH}","g":[]}`))).toMatchObject({ status: 'valid' });
  });

  test('arbitrary text is refused', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{4,80}\.[A-Za-z0-9_-]{43}$/)), (text) => {
      expect(isRefused(check(text))).toBe(true);
    }), { numRuns: 500 });
  });

  test('lengths are capped before parsing: a value over the cap is not parsed at all', () => {
    const long = `1.${CURRENT_KID}.${'A'.repeat(MAX_SESSION_COOKIE_LENGTH)}.${'B'.repeat(43)}`;
    expect(parseSessionCookie(long)).toBeUndefined();
    expect(parseSessionCookie(42)).toBeUndefined();
  });
});

describe('reading the cookie from Cookie headers', () => {
  const name = '__Host-CognitoEdgeAuth-s';
  test('exactly one occurrence gives its value; none or a duplicate (same or another header) gives no session', () => {
    const value = mint();
    expect(sessionCookieFromHeaders([`theme=dark; ${name}=${value}; x=1`], name)).toBe(value);
    expect(sessionCookieFromHeaders(['theme=dark', `${name}=${value}`], name)).toBe(value);
    expect(sessionCookieFromHeaders([], name)).toBeUndefined();
    expect(sessionCookieFromHeaders([`${name}x=${value}`, `x${name}=${value}`], name)).toBeUndefined();
    expect(sessionCookieFromHeaders([`${name}=${value}; ${name}=${value}`], name)).toBeUndefined();
    expect(sessionCookieFromHeaders([`${name}=${value}`, `${name}=other`], name)).toBeUndefined();
    expect(check(sessionCookieFromHeaders([`${name}=${value}`, `${name}=${mint({ groups: ['admins'] })}`], name) ?? '')).toBe('unparsed');
  });
});

describe('minting limits', () => {
  test('refuses a malformed key or key id, empty or over-long claims, too many groups, and values over one cookie', () => {
    const claims = { sub: 's', username: 'u', groups: [], exp: NOW + 60 };
    const options = { kid: CURRENT_KID, key: CURRENT_KEY, rulesHash: RULES_HASH, now: NOW };
    expect(() => mintSessionCookie(claims, { ...options, kid: 'a.b' })).toThrow(/key id/);
    expect(() => mintSessionCookie(claims, { ...options, key: 'short' })).toThrow(/key/);
    expect(() => mintSessionCookie({ ...claims, username: '' }, options)).toThrow(/username/);
    expect(() => mintSessionCookie({ ...claims, sub: 'x'.repeat(257) }, options)).toThrow(/sub/);
    expect(() => mintSessionCookie({ ...claims, groups: Array.from({ length: 65 }, (_, i) => `g${i}`) }, options)).toThrow(/groups/);
    expect(() => mintSessionCookie({ ...claims, groups: Array.from({ length: 40 }, (_, i) => `${'g'.repeat(90)}${i}`) }, options)).toThrow(/too long/);
    expect(() => mintSessionCookie({ ...claims, exp: 1.5 }, options)).toThrow(/integers/);
  });

  test('a user in 150 directory groups gets only the rule-named ones: a cookie of a few hundred bytes', () => {
    const directory = Array.from({ length: 150 }, (_, i) => `d8a0c1e2-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const groups = sessionGroups([...directory.slice(0, 70), 'finance', ...directory.slice(70), 'staff', 'finance'], RULES);
    expect(groups).toEqual(['finance', 'staff']);
    const value = mint({ username: 'EntraID_someone.with.a.long.name@example.onmicrosoft.com', groups });
    expect(value.length).toBeLessThan(400);
  });
});

describe('rules', () => {
  test('namedGroups: every group a rule names, once, in rule order', () => {
    expect(namedGroups(RULES)).toEqual(['staff', 'admins', 'finance']);
    expect(namedGroups({})).toEqual([]);
  });

  test('rulesHash: stable, 22 characters, equal for absent and empty requiredGroups, different when anything changes', () => {
    expect(rulesHash(RULES)).toBe(RULES_HASH);
    expect(RULES_HASH).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(rulesHash({})).toBe(rulesHash({ requiredGroups: [], pathRules: [] }));
    const variants = [
      { ...RULES, requiredGroups: ['staff', 'x'] },
      { ...RULES, pathRules: [...RULES.pathRules!].reverse() },
      { ...RULES, pathRules: RULES.pathRules!.slice(1) },
      { ...RULES, pathRules: [{ pathPattern: '/admin/*', requiredGroups: ['admin'] }, ...RULES.pathRules!.slice(1)] },
    ];
    const hashes = new Set([RULES_HASH, ...variants.map(rulesHash)]);
    expect(hashes.size).toBe(variants.length + 1);
    const canonical = JSON.stringify(['v1', ['staff'], RULES.pathRules!.map((r) => [r.pathPattern, r.requiredGroups])]);
    expect(RULES_HASH).toBe(createHash('sha256').update(canonical).digest('base64url').slice(0, 22));
  });
});

describe('runtime-neutral helpers', () => {
  test('base64url codec agrees with Buffer on ASCII text, and decoding refuses other spellings', () => {
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 200 }), (text) => {
      const encoded = base64urlEncodeAscii(text);
      expect(encoded).toBe(Buffer.from(text, 'latin1').toString('base64url'));
      expect(base64urlDecodeAscii(encoded)).toBe(text);
    }));
    expect(base64urlDecodeAscii('QQ')).toBe('A');
    expect(base64urlDecodeAscii('QR')).toBeUndefined(); // non-zero padding bits: another spelling of "A"
    expect(base64urlDecodeAscii('Q')).toBeUndefined();
    expect(base64urlDecodeAscii('QQ==')).toBeUndefined();
    expect(base64urlDecodeAscii('gA')).toBeUndefined(); // byte 0x80
    expect(base64urlDecodeAscii('a+b/')).toBeUndefined();
  });

  test('asciiJson: only ASCII, parses back to the same value', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
      for (const v of [value, text]) {
        const json = asciiJson(v);
        expect(json).toMatch(/^[\x00-\x7e]*$/);
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(v)));
      }
    }));
  });

  test('constantTimeEqual', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
