/**
 * Every synth-time refusal is one error type (name `ValidationError`, message starting with
 * `CognitoEdgeAuth: `), and every warning has its own fixed id that users can acknowledge.
 */
import { Annotations as CoreAnnotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { addAuth, fixture } from './helpers';
import { CognitoEdgeAuthProps } from '../../src';

test.each<[string, Partial<CognitoEdgeAuthProps>]>([
  ['a relative callbackPath', { callbackPath: 'cb' }],
  ['an empty protectedBehaviors', { protectedBehaviors: [] }],
  ['a Python runtime', { runtime: lambda.Runtime.PYTHON_3_12 }],
  ['a short refreshTokenValidity', { refreshTokenValidity: Duration.minutes(5) }],
  ['a bad cookie name prefix', { cookieSettings: { namePrefix: 'a b' } }],
  ['a cookie domain that covers no alias', { cookieSettings: { domain: 'example.com' } }],
])('%s: a ValidationError whose message starts with "CognitoEdgeAuth: "', (_name, props) => {
  const f = fixture();
  let error: unknown;
  try {
    addAuth(f, props);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe('ValidationError');
  expect((error as Error).message).toMatch(/^CognitoEdgeAuth: /);
});

test('an imported distribution L1 replaced by a token is refused with the same error type', () => {
  const f = fixture();
  (f.distribution.node.defaultChild as unknown as { distributionConfig: unknown }).distributionConfig = { isResolvable: true };
  expect(() => addAuth(f)).toThrow(expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(/^CognitoEdgeAuth: distribution/) }));
});

test.each([
  ['cdk-cognito-edge-auth:requiredGroups', { requiredGroups: [] }],
  ['cdk-cognito-edge-auth:pathAuthorizations', { pathAuthorizations: [{ pathPattern: '/a', requiredGroups: [] }, { pathPattern: '/a', requiredGroups: ['x'] }] }],
  ['cdk-cognito-edge-auth:protectedBehaviors', { protectedBehaviors: ['*', '*'] }],
  ['cdk-cognito-edge-auth:runtime', { runtime: lambda.Runtime.NODEJS_20_X }],
  ['cdk-cognito-edge-auth:removalPolicy', { removalPolicy: RemovalPolicy.DESTROY }],
] as Array<[string, Partial<CognitoEdgeAuthProps>]>)('warning %s carries its id and can be acknowledged', (id, props) => {
  const f = fixture();
  addAuth(f, props);
  Annotations.fromStack(f.stack).hasWarning('/Site/Auth', Match.stringLikeRegexp(`\\[ack: ${id}\\]`));

  const g = fixture();
  const auth = addAuth(g, props);
  CoreAnnotations.of(auth).acknowledgeWarning(id);
  expect(() => Annotations.fromStack(g.stack).hasWarning('/Site/Auth', Match.anyValue())).toThrow();
});
