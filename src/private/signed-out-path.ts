/**
 * Path of the signed-out page the edge function serves, as the construct needs it for the
 * sign-out URL it registers on the user pool client.
 *
 * A copy of `lambda-src/shared/signed-out-path.ts` (jsii code cannot import the handler sources);
 * `test/construct/signed-out-path.test.ts` holds both copies to the same results.
 */

/** The signed-out page's file name, next to the sign-out path. */
const SIGNED_OUT_NAME = 'signed-out';

/**
 * Path of the signed-out page for a sign-out path: its sibling `signed-out` (`/_auth/signout` →
 * `/_auth/signed-out`), or, when that would be the sign-out or callback path itself, the child
 * `<signOutPath>/signed-out`.
 */
export function signedOutPathFor(signOutPath: string, callbackPath: string): string {
  const sibling = signOutPath.slice(0, signOutPath.lastIndexOf('/') + 1) + SIGNED_OUT_NAME;
  if (sibling !== signOutPath && sibling !== callbackPath) return sibling;
  return `${signOutPath.replace(/\/+$/, '')}/${SIGNED_OUT_NAME}`;
}
