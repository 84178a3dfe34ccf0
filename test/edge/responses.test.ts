/** Unit tests of responses.ts: shapes, mandatory headers, escaping, sizes. */
import { escapeHtml, page, PageKind, redirect, unauthenticatedJson } from '../../lambda-src/edge-auth/responses';

const kinds: PageKind[] = ['bad_request', 'forbidden', 'upstream_failed', 'upstream_timeout', 'jwks_unavailable', 'callback_failed', 'login_loop', 'misconfigured', 'internal'];

test('302 shape with Location, no-store, no-referrer and Set-Cookie', () => {
  const r = redirect('https://x.example/a', ['a=b']);
  expect(r).toEqual({
    status: '302',
    statusDescription: 'Found',
    headers: expect.objectContaining({
      'location': [{ key: 'Location', value: 'https://x.example/a' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
      'referrer-policy': [{ key: 'Referrer-Policy', value: 'no-referrer' }],
      'set-cookie': [{ key: 'Set-Cookie', value: 'a=b' }],
    }),
  });
});

test.each(kinds)('page %s: small HTML, no-store, no-referrer, CSP', (kind) => {
  const r = page(kind, 'https://x.example/');
  expect(Number(r.status)).toBeGreaterThanOrEqual(400);
  expect(r.headers!['cache-control'][0].value).toBe('no-store');
  expect(r.headers!['referrer-policy'][0].value).toBe('no-referrer');
  expect(r.headers!['content-security-policy'][0].value).toContain("default-src 'none'");
  expect(r.body!.length).toBeLessThan(1024);
});

test('status codes', () => {
  expect(kinds.map((k) => page(k).status)).toEqual(['400', '403', '502', '502', '503', '400', '401', '500', '500']);
});

test('links are escaped', () => {
  expect(page('upstream_failed', 'https://x.example/"><script>').body).toContain('href="https://x.example/&#34;&#62;&#60;script&#62;"');
  expect(escapeHtml('<>&"\'`')).toBe('&#60;&#62;&#38;&#34;&#39;&#96;');
});

test('401 JSON', () => {
  const r = unauthenticatedJson();
  expect(r.status).toBe('401');
  expect(JSON.parse(r.body!)).toEqual({ error: 'unauthenticated' });
  expect(r.headers!['content-type'][0].value).toBe('application/json');
});
