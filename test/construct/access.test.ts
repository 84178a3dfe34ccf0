/**
 * publicPaths and groupsClaim: what reaches the edge configuration, and the synth-time checks.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { addAuth, edgeConfig, fixture } from './helpers';
import { CognitoEdgeAuthProps } from '../../src';

function configOf(props: Partial<CognitoEdgeAuthProps>): Record<string, unknown> {
  const f = fixture();
  addAuth(f, props);
  return edgeConfig(Template.fromStack(f.stack));
}

function errorOf(props: Partial<CognitoEdgeAuthProps>): string | undefined {
  try {
    addAuth(fixture(), props);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('publicPaths', () => {
  test('reach the edge configuration as given', () => {
    expect(configOf({ publicPaths: ['/robots.txt', '/.well-known/*', '/health'] }).publicPaths).toEqual(['/robots.txt', '/.well-known/*', '/health']);
  });

  test('absent or empty: no field', () => {
    expect(configOf({})).not.toHaveProperty('publicPaths');
    expect(configOf({ publicPaths: [] })).not.toHaveProperty('publicPaths');
  });

  test.each([
    ['robots.txt', /publicPaths\[0\] must be a pattern starting with '\/'.*got "robots.txt"/],
    ['*', /publicPaths\[0\] must be a pattern starting with '\/'.*got "\*"/],
    ['/*', /publicPaths\[0\] must be a pattern narrower than every path \(to make every path public, leave the behavior out of protectedBehaviors\), got "\/\*"/],
    ['/a b', /publicPaths\[0\] must be a CloudFront path pattern/],
  ])('%s is refused', (pattern, message) => {
    expect(errorOf({ publicPaths: [pattern] })).toMatch(message);
  });
});

describe('groupsClaim', () => {
  test('reaches the edge configuration; the default is left out', () => {
    expect(configOf({ groupsClaim: 'custom:roles', requiredGroups: ['Reports.Read'] })).toMatchObject({ groupsClaim: 'custom:roles', requiredGroups: ['Reports.Read'] });
    expect(configOf({})).not.toHaveProperty('groupsClaim');
    expect(configOf({ groupsClaim: 'cognito:groups' })).not.toHaveProperty('groupsClaim');
  });

  test.each(['', 'custom roles', 'x'.repeat(257)])('%j is refused', (claim) => {
    expect(errorOf({ groupsClaim: claim })).toMatch(/groupsClaim must be the name of an id-token claim/);
  });
});
