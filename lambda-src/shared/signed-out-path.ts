/**
 * Where the signed-out page lives: the edge function serves it itself (unprotected: "You are
 * signed out" and a "Sign in again" link) beside the sign-out path, so that after the hosted-UI
 * logout the browser does not land on a protected page, where IdP single sign-on would sign the
 * user straight back in (on a shared computer, handing the next person the session).
 *
 * A pure function of the configured paths, so the construct (which registers the URL as a
 * sign-out URL of the app client) and the edge function (which serves it) agree without another
 * configuration field.
 */

/** The signed-out page's file name, next to the sign-out path. */
export const SIGNED_OUT_NAME = 'signed-out';

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
