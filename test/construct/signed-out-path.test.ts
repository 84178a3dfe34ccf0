/**
 * The construct registers the signed-out page's URL as a sign-out URL of the client, and the edge
 * function serves the page: both compute its path from the configured paths, each with its own
 * copy of the rule (jsii code cannot import the handler sources). These tests hold the copies to
 * the same results.
 */
import fc from 'fast-check';
import { signedOutPathFor as edgeSignedOutPathFor } from '../../lambda-src/shared/signed-out-path';
import { signedOutPathFor } from '../../src/private/signed-out-path';

describe('signedOutPathFor: the construct and the edge function agree', () => {
  test.each([
    ['/_auth/signout', '/_auth/callback', '/_auth/signed-out'],
    ['/auth/out', '/auth/cb', '/auth/signed-out'],
    ['/signout', '/callback', '/signed-out'],
    // the sibling would be the sign-out path itself: the child of the sign-out path
    ['/a/signed-out', '/a/cb', '/a/signed-out/signed-out'],
    // the sibling would be the callback path: the child of the sign-out path
    ['/a/bye', '/a/signed-out', '/a/bye/signed-out'],
    // a sign-out path ending in '/': its sibling is below it
    ['/out/', '/cb', '/out/signed-out'],
    // both the sibling and the child are taken: the callback path comes out (the construct refuses
    // these paths unless signOutRedirectPath is set)
    ['/a/signed-out', '/a/signed-out/signed-out', '/a/signed-out/signed-out'],
  ])('signOutPath %s, callbackPath %s → %s', (signOutPath, callbackPath, expected) => {
    expect(signedOutPathFor(signOutPath, callbackPath)).toBe(expected);
    expect(edgeSignedOutPathFor(signOutPath, callbackPath)).toBe(expected);
  });

  test('the same path for any sign-out and callback paths, never the sign-out path', () => {
    const segment = fc.constantFrom('', 'a', '_auth', 'signout', 'signed-out', 'callback', '.', '..', '%2F', 'x y');
    const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
    fc.assert(fc.property(path, path, (signOutPath, callbackPath) => {
      fc.pre(signOutPath !== callbackPath);
      const ours = signedOutPathFor(signOutPath, callbackPath);
      expect(ours).toBe(edgeSignedOutPathFor(signOutPath, callbackPath));
      expect(ours).not.toBe(signOutPath);
    }), { numRuns: 500 });
  });
});
