/** Unit tests of return-path.ts: same-origin return paths only. */
import fc from 'fast-check';
import { isSafeReturnPath, MAX_RETURN_PATH, returnPathFor } from '../../lambda-src/edge-auth/return-path';

test.each([
  '/', '/a/b.html', '/a?b=c&d=%2F', '/%E2%82%AC', '/a//b', '/a?next=//evil', '/a?x=100%',
])('safe: %s', (p) => expect(isSafeReturnPath(p)).toBe(true));

test.each([
  '', 'a', '//evil.example', '/\\evil.example', '/%2F%2Fevil', '/%2fevil', '/%5Cevil', '/%252F%252Fevil', '/%25252F/evil',
  'https://evil.example', 'javascript:alert(1)', '/\r\nLocation: x', '/a b', '/%0d%0aSet-Cookie:x', '/\u00e9', '/a\\b', '/%E0%A4%A',
  `/${'a'.repeat(MAX_RETURN_PATH)}`,
])('unsafe: %j', (p) => expect(isSafeReturnPath(p)).toBe(false));

test('returnPathFor keeps uri + query when safe, drops an oversized query, falls back to /', () => {
  expect(returnPathFor('/a', 'b=1')).toBe('/a?b=1');
  expect(returnPathFor('/a', `b=${'x'.repeat(5000)}`)).toBe('/a');
  expect(returnPathFor('//evil', 'b=1')).toBe('/');
  expect(returnPathFor('/a', 'b=\r\n')).toBe('/a');
});

test('property: any result is safe and, put after https://host, stays on host', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (uri, qs) => {
    const p = returnPathFor(uri, qs);
    expect(isSafeReturnPath(p)).toBe(true);
    expect(new URL(`https://site.example${p}`).host).toBe('site.example');
  }));
});
