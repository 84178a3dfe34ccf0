/** Unit tests of state.ts (HMAC-signed state) and pkce.ts. */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { StateInvalidError } from '../../lambda-src/edge-auth/errors';
import { createPkce, randomId } from '../../lambda-src/edge-auth/pkce';
import { LOGIN_MAX_AGE_SECONDS, safeEqual, StateSigner } from '../../lambda-src/edge-auth/state';

const signer = new StateSigner('state-secret-0123456789');
const now = 1_800_000_000;
const payload = { n: 'nonce_-1', p: '/a?b=c', t: now, i: 'id-1' };

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof StateInvalidError) return e.code;
    throw e;
  }
  return 'ok';
}

test('round trip', () => {
  expect(signer.verify(signer.sign(payload), now + 5)).toEqual(payload);
});

test('the signed body is exactly JSON.stringify({ n, p, t, i }), for any path (property)', () => {
  const b64url = fc.string({ unit: fc.constantFrom(...'ABCabc019_-'), minLength: 1, maxLength: 30 });
  fc.assert(fc.property(b64url, fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 0, max: 4_000_000_000 }), b64url, (n, p, t, i) => {
    const body = signer.sign({ n, p, t, i }).split('.')[0];
    expect(Buffer.from(body, 'base64url').toString('utf8')).toBe(JSON.stringify({ n, p, t, i }));
  }));
});

test('sign refuses a nonce or id outside base64url and a non-integer time (no JSON injection)', () => {
  expect(code(() => signer.sign({ ...payload, n: 'a","p":"//evil' }))).toBe('malformed');
  expect(code(() => signer.sign({ ...payload, i: '' }))).toBe('malformed');
  expect(code(() => signer.sign({ ...payload, t: 1.5 }))).toBe('malformed');
});

test.each([
  ['expired at 10 minutes', signer.sign(payload), now + LOGIN_MAX_AGE_SECONDS, 'expired'],
  ['from the future', signer.sign({ ...payload, t: now + 120 }), now, 'future'],
  ['other secret', new StateSigner('another-secret-0123456').sign(payload), now, 'signature'],
  ['random key per cold start when no secret', new StateSigner(undefined).sign(payload), now, 'signature'],
  ['tampered body', `${Buffer.from(JSON.stringify({ ...payload, p: '/x' })).toString('base64url')}.${signer.sign(payload).split('.')[1]}`, now, 'signature'],
  ['no dot', 'abc', now, 'malformed'],
  ['two dots', 'a.b.c', now, 'malformed'],
  ['non-base64url', 'a+b.c/d', now, 'malformed'],
  ['too long', `${'a'.repeat(3000)}.b`, now, 'malformed'],
])('%s → %s', (_n, state, at, expected) => {
  expect(code(() => signer.verify(state, at))).toBe(expected);
});

test('a validly signed state with an off-site path or wrong types is refused', () => {
  expect(code(() => signer.verify(signer.sign({ ...payload, p: '//evil' }), now))).toBe('unsafe_path');
  const s = new StateSigner('state-secret-0123456789');
  const body = Buffer.from(JSON.stringify({ n: 1, p: '/', t: now, i: 'x' })).toString('base64url');
  const forged = `${body}.${createHmac('sha256', 'state-secret-0123456789').update(body).digest('base64url')}`;
  expect(code(() => s.verify(forged, now))).toBe('malformed');
});

test('safeEqual', () => {
  expect(safeEqual('abc', 'abc')).toBe(true);
  expect(safeEqual('abc', 'abd')).toBe(false);
  expect(safeEqual('abc', 'abcd')).toBe(false);
});

test('PKCE S256: 43-char verifier, challenge = base64url(sha256(verifier)); ids are random', () => {
  const { verifier, challenge } = createPkce();
  expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
  expect(randomId(6)).not.toBe(randomId(6));
});
