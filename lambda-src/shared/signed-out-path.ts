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

export { signedOutPathFor } from '../../src/private/signed-out-path';
