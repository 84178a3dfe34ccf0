/** Unit tests of cookies.ts: parsing any input, split/join, Set-Cookie attributes, stripping. */
import fc from 'fast-check';
import { baseConfig } from './helpers';
import { resolveConfig } from '../../lambda-src/edge-auth/config';
import { CHUNK_SIZE, cookieNames, CookieWriter, parseCookies, readSplitCookie, stripCookies } from '../../lambda-src/edge-auth/cookies';

const cfg = resolveConfig(baseConfig()).cookies;
const names = cookieNames(cfg);
const writer = new CookieWriter(cfg);

describe('names', () => {
  test('default names use the __Host- prefix', () => {
    expect(names).toEqual({
      prefix: '__Host-CognitoEdgeAuth-',
      id: '__Host-CognitoEdgeAuth-id',
      refresh: '__Host-CognitoEdgeAuth-refresh',
      attempts: '__Host-CognitoEdgeAuth-n',
      login: '__Host-CognitoEdgeAuth-login.',
    });
  });
  test('with a Domain or a non-root Path: __Secure- prefix', () => {
    expect(resolveConfig(baseConfig({ cookies: { domain: 'example.com' } })).cookies.baseName).toBe('__Secure-CognitoEdgeAuth');
    expect(resolveConfig(baseConfig({ cookies: { domain: 'example.com', path: '/app' } })).cookies.baseName).toBe('__Secure-CognitoEdgeAuth');
  });
});

describe('parseCookies', () => {
  test('several headers, first occurrence wins, quotes removed, junk ignored', () => {
    const jar = parseCookies(['a=1; b="2"; =x; novalue; c=', 'a=9; d=4']);
    expect([...jar]).toEqual([['a', '1'], ['b', '2'], ['c', ''], ['d', '4']]);
  });
  test('never throws on any input and bounds the work', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' })), (headers) => { parseCookies(headers); }));
    expect(parseCookies([`a=${'x'.repeat(100_000)}`]).get('a')!.length).toBeLessThan(40_000);
  });
});

describe('split cookies', () => {
  test('a small value is one cookie; a large one is split in CHUNK_SIZE parts and joined on read', () => {
    expect(writer.setSplit(names.id, 'abc', 60, new Map())).toEqual([`${names.id}=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax`]);
    const big = 'x'.repeat(CHUNK_SIZE * 2 + 5);
    const set = writer.setSplit(names.id, big, 60, new Map());
    expect(set.map((c) => c.split('=')[0])).toEqual([`${names.id}.0`, `${names.id}.1`, `${names.id}.2`]);
    for (const c of set) expect(c.length).toBeLessThan(4096);
    const jar = new Map(set.map((c) => c.split(';')[0].split('=') as [string, string]));
    expect(readSplitCookie(jar, names.id)).toBe(big);
  });
  test('stale parts and the unsplit name are expired when the layout changes', () => {
    const inbound = new Map([[names.id, 'old'], [`${names.id}.3`, 'old']]);
    const set = writer.setSplit(names.id, 'y'.repeat(CHUNK_SIZE + 1), 60, inbound);
    expect(set).toContain(`${names.id}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(set).toContain(`${names.id}.3=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`);
  });
  test('values outside the token charset read as absent; parts must be contiguous', () => {
    expect(readSplitCookie(new Map([[names.id, 'a b']]), names.id)).toBeUndefined();
    expect(readSplitCookie(new Map([[`${names.id}.0`, 'a'], [`${names.id}.2`, 'c']]), names.id)).toBe('a');
    expect(readSplitCookie(new Map([[`${names.id}.0`, 'a'], [`${names.id}.1`, 'b\r\n']]), names.id)).toBeUndefined();
  });
});

describe('attributes', () => {
  test('Domain and SameSite from config; expire uses the same attributes', () => {
    const w = new CookieWriter(resolveConfig(baseConfig({ cookies: { domain: 'Example.com', sameSite: 'None' } })).cookies);
    expect(w.expire('n')).toBe('n=; Max-Age=0; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=None');
  });
  test('negative Max-Age becomes 0', () => {
    expect(writer.set('n', 'v', -5)).toMatch(/Max-Age=0;/);
  });
});

test('stripCookies removes only the library cookies; every other pair keeps its bytes, the separators become "; "', () => {
  const others = ['a=1', 'b=x=y', 'c="quoted value"', 'd=%E2%82%AC', 'e=\u20ac', 'f='];
  const header = `${others[0]}; ${names.id}=x;${others[1]};  ${others[2]} ;${names.refresh}=y;${others[3]};${names.id}.0=z; ${others[4]};${others[5]}`;
  // the pairs' own bytes are unchanged; only the whitespace around the separators is normalised
  expect(stripCookies([header, `${names.refresh}=y`], names.prefix)).toEqual([others.join('; ')]);
});
