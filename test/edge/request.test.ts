/** Unit tests of request.ts: event narrowing, host check, navigation detection, strict query parsing. */
import { cfEvent, DIST_DOMAIN } from './helpers';
import { headerValues, parseEvent, parseQuery } from '../../lambda-src/edge-auth/request';

test('navigation detection', () => {
  const nav = (o: Parameters<typeof cfEvent>[0]) => {
    const r = parseEvent(cfEvent(o), []);
    if (!r.ok) throw new Error(r.reason);
    return r.request.isNavigation;
  };
  expect(nav({})).toBe(true);
  expect(nav({ method: 'HEAD' })).toBe(true);
  expect(nav({ navigation: false, headers: { accept: 'text/html' } })).toBe(true);
  expect(nav({ navigation: false, headers: { 'accept': 'text/html', 'sec-fetch-mode': 'cors' } })).toBe(false);
  expect(nav({ navigation: false, headers: { accept: 'application/json' } })).toBe(false);
  expect(nav({ navigation: false })).toBe(false);
  expect(nav({ method: 'POST' })).toBe(false);
  expect(nav({ headers: { 'x-requested-with': 'XMLHttpRequest' } })).toBe(false);
});

test('host: distribution domain or alias, exactly one Host header', () => {
  expect(parseEvent(cfEvent({ host: DIST_DOMAIN.toUpperCase() }), []).ok).toBe(true);
  expect(parseEvent(cfEvent({ host: 'a.example.com' }), ['a.example.com']).ok).toBe(true);
  expect(parseEvent(cfEvent({ host: 'a.example.com' }), [])).toEqual({ ok: false, reason: 'bad_host' });
  expect(parseEvent(cfEvent({ host: null }), [])).toEqual({ ok: false, reason: 'bad_host' });
  expect(parseEvent(cfEvent({ host: [DIST_DOMAIN, DIST_DOMAIN] }), [])).toEqual({ ok: false, reason: 'bad_host' });
  expect(parseEvent(cfEvent({ distributionDomainName: 'other.cloudfront.net' }), [])).toEqual({ ok: false, reason: 'bad_host' });
});

test('header values tolerate any shape', () => {
  expect(headerValues({ a: [{ value: 'x' }, { value: 1 }, null, 'y'] }, 'a')).toEqual(['x']);
  expect(headerValues(null, 'a')).toEqual([]);
  expect(headerValues({ a: 'x' }, 'a')).toEqual([]);
});

test('strict query parsing: duplicates, bad encoding and oversize are refused', () => {
  expect(parseQuery('a=1&b=%20x&c')).toEqual(new Map([['a', '1'], ['b', ' x'], ['c', '']]));
  expect(parseQuery('a=1&a=2')).toBeUndefined();
  expect(parseQuery('a=%E0%A4%A')).toBeUndefined();
  expect(parseQuery('a='.padEnd(9000, 'x'))).toBeUndefined();
});
