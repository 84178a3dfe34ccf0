/**
 * Synth warnings about what the behaviors expose: a sign-out landing page the edge function
 * protects (IdP single sign-on signs the user straight back in), a default signed-out page the
 * function never sees, and unprotected behaviors sharing an origin with protected ones (where a
 * client can send the identity header itself).
 */
import { Annotations as CoreAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addAuth, Fixture, fixture } from './helpers';
import { WARNING_IDS } from '../../src/private/behavior-warnings';

const HTTPS = { viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS };

/** The warnings on the construct that carry one of this module's ids, as [id, message]. */
function ourWarnings(f: Fixture): Array<[string, string]> {
  const ids = Object.values(WARNING_IDS) as string[];
  return Annotations.fromStack(f.stack).findWarning('/Site/Auth', Match.anyValue())
    .map((w) => String(w.entry.data))
    .flatMap((m): Array<[string, string]> => {
      const id = /\[ack: ([^\]]+)\]$/.exec(m)?.[1];
      return id !== undefined && ids.includes(id) ? [[id, m]] : [];
    });
}

/** A fixture with a '/public/*' behavior on its own origin (or the given one). */
function withPublic(origin: cloudfront.IOrigin = new origins.HttpOrigin('public.example.com')): Fixture {
  const f = fixture();
  f.distribution.addBehavior('/public/*', origin, HTTPS);
  return f;
}

describe('signOutRedirectPath', () => {
  test('default: lands on the signed-out page the function serves, no warning', () => {
    const f = fixture();
    addAuth(f);
    expect(ourWarnings(f)).toEqual([]);
  });

  test("a protected page (the default behavior's '/') warns that single sign-on signs the user back in", () => {
    const f = fixture();
    addAuth(f, { signOutRedirectPath: '/' });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(
      'signOutRedirectPath: "/" is served by behavior "\\*", which the edge function protects: .*IdP single sign-on.*' +
      'leave signOutRedirectPath out to land on the signed-out page the function serves \\("/_auth/signed-out"\\)'));
    expect(ourWarnings(f).map(([id]) => id)).toEqual([WARNING_IDS.signOutRedirectPath]);
  });

  test('a page of a protected additional behavior warns and names that behavior', () => {
    const f = withPublic();
    addAuth(f, { signOutRedirectPath: '/public/bye.html' });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp('signOutRedirectPath: "/public/bye.html" is served by behavior "/public/\\*"'));
  });

  test('a page of an unprotected behavior, or the signed-out page itself, does not warn', () => {
    const f = withPublic();
    addAuth(f, { signOutRedirectPath: '/public/bye.html', protectedBehaviors: ['*'] });
    expect(ourWarnings(f)).toEqual([]);

    const g = fixture();
    addAuth(g, { signOutRedirectPath: '/_auth/signed-out' });
    expect(ourWarnings(g)).toEqual([]);
    const h = fixture();
    addAuth(h, { signOutPath: '/auth/out', callbackPath: '/auth/cb', signOutRedirectPath: '/auth/signed-out' });
    expect(ourWarnings(h)).toEqual([]);
  });

  test('the behavior CloudFront picks decides: the first matching pattern, behaviors added after the construct included', () => {
    const f = fixture();
    addAuth(f, { signOutRedirectPath: '/public/bye.html', protectedBehaviors: ['*', '/public/b*'] });
    // added after the construct, in this order: '/public/b*' (protected) is matched first
    f.distribution.addBehavior('/public/b*', new origins.HttpOrigin('public.example.com'), HTTPS);
    f.distribution.addBehavior('/public/*', new origins.HttpOrigin('public.example.com'), HTTPS);
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp('"/public/bye.html" is served by behavior "/public/b\\*"'));

    const g = fixture();
    addAuth(g, { signOutRedirectPath: '/public/bye.html', protectedBehaviors: ['*', '/public/b*'] });
    g.distribution.addBehavior('/public/*', new origins.HttpOrigin('public.example.com'), HTTPS);
    g.distribution.addBehavior('/public/b*', new origins.HttpOrigin('public.example.com'), HTTPS);
    expect(ourWarnings(g).map(([id]) => id)).not.toContain(WARNING_IDS.signOutRedirectPath);
  });

  test('the warning can be acknowledged by its id (on the stack)', () => {
    const f = fixture();
    addAuth(f, { signOutRedirectPath: '/' });
    CoreAnnotations.of(f.stack).acknowledgeWarning(WARNING_IDS.signOutRedirectPath);
    expect(ourWarnings(f)).toEqual([]);
  });
});

describe('the default signed-out page', () => {
  /** Only the callback and sign-out behaviors protected; the default behavior is not. */
  function authOnly(props: Parameters<typeof addAuth>[1] = {}): Fixture {
    const f = fixture({ behaviors: { '/_auth/signout': {}, '/_auth/callback': {} } });
    addAuth(f, { protectedBehaviors: ['/_auth/signout', '/_auth/callback'], ...props });
    return f;
  }

  test('served by an unprotected behavior: warns that the origin answers it', () => {
    const f = authOnly();
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(
      'the signed-out page "/_auth/signed-out", where sign-out lands by default, is served by behavior "\\*", which is not in protectedBehaviors'));
    expect(ourWarnings(f).map(([id]) => id)).toContain(WARNING_IDS.signedOutPage);
  });

  test('no warning once signOutRedirectPath names a page, or when the behavior is protected', () => {
    expect(ourWarnings(authOnly({ signOutRedirectPath: '/' })).map(([id]) => id)).not.toContain(WARNING_IDS.signedOutPage);
    const f = fixture({ behaviors: { '/_auth/*': {} } });
    addAuth(f, { protectedBehaviors: ['/_auth/*'] });
    expect(ourWarnings(f).map(([id]) => id)).not.toContain(WARNING_IDS.signedOutPage);
  });

  test('paths where the page would be the callback path fail synth, unless signOutRedirectPath is set', () => {
    const paths = { signOutPath: '/a/signed-out', callbackPath: '/a/signed-out/signed-out' };
    const f = fixture();
    expect(() => addAuth(f, paths)).toThrow(/the signed-out page, where sign-out lands by default, would be at "\/a\/signed-out\/signed-out", which is callbackPath/);
    const g = fixture();
    addAuth(g, { ...paths, signOutRedirectPath: '/bye' });
    expect(() => g.app.synth()).not.toThrow();
  });
});

describe('unprotected behaviors sharing an origin with protected ones', () => {
  const SHARED = 'protectedBehaviors: behavior\\(s\\) "/public/\\*" \\(origin.example.com\\) are not protected but share an origin with protected behaviors: ' +
    'there a client can send the x-cognito-edge-auth-user header itself';

  test('the same origin: warns, naming the behavior and the origin', () => {
    const f = fixture({ behaviors: { '/public/*': {} } }); // the fixture uses one origin for all
    addAuth(f, { protectedBehaviors: ['*'] });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(SHARED));
    expect(ourWarnings(f).map(([id]) => id)).toEqual([WARNING_IDS.sharedOrigin]);
  });

  test('another origin entry for the same host counts as the same origin', () => {
    const f = withPublic(new origins.HttpOrigin('origin.example.com', { originPath: '/public' }));
    addAuth(f, { protectedBehaviors: ['*'] });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(SHARED));
  });

  test('an origin group with the protected origin as a member counts as the same origin', () => {
    const f = fixture();
    const group = new origins.OriginGroup({
      primaryOrigin: new origins.HttpOrigin('origin.example.com'),
      fallbackOrigin: new origins.HttpOrigin('backup.example.com'),
    });
    f.distribution.addBehavior('/public/*', group, HTTPS);
    addAuth(f, { protectedBehaviors: ['*'] });
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(SHARED));
  });

  test('a token domain name (an S3 bucket) is compared as the token', () => {
    const f = fixture();
    addAuth(f, { protectedBehaviors: ['*', '/reports/*'] });
    const bucket = origins.S3BucketOrigin.withOriginAccessControl(new s3.Bucket(f.stack, 'Bucket'));
    f.distribution.addBehavior('/reports/*', bucket, HTTPS);
    f.distribution.addBehavior('/assets/*', bucket, HTTPS);
    Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(
      'behavior\\(s\\) "/assets/\\*" \\(the domain of origin SiteDistributionOrigin2[0-9A-F]+\\) are not protected'));
    expect(ourWarnings(f)).toHaveLength(1);
    expect(ourWarnings(f)[0][1]).not.toMatch(/origin\.example\.com|"\/reports/);
  });

  test('no warning when every behavior is protected, or the unprotected ones have their own origin', () => {
    const f = fixture({ behaviors: { '/public/*': {} } });
    addAuth(f);
    expect(ourWarnings(f)).toEqual([]);
    const g = withPublic();
    addAuth(g, { protectedBehaviors: ['*'] });
    expect(ourWarnings(g)).toEqual([]);
  });

  test('the warning can be acknowledged by its id (on the stack)', () => {
    const f = fixture({ behaviors: { '/public/*': {} } });
    addAuth(f, { protectedBehaviors: ['*'] });
    CoreAnnotations.of(f.stack).acknowledgeWarning(WARNING_IDS.sharedOrigin);
    expect(ourWarnings(f)).toEqual([]);
  });
});
