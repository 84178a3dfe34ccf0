/**
 * cdk-nag (v3) AwsSolutions over apps that use the construct. Every finding in the construct's
 * resources is acknowledged with a written reason (README "cdk-nag" lists the same ones for
 * users); findings in the test fixture's own user pool and distribution are the user's business.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { addAuth, Fixture, fixture } from './helpers';
import { CognitoEdgeAuth } from '../../src';

/**
 * The construct's findings and why they are accepted. `{fn}` is the edge function's logical id
 * (CloudFormation names the function), `<account>` the account.
 */
const COMMON_REASONS: Record<string, string> = {
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*:<account>:log-group:/aws/lambda/us-east-1.<{fn}>:*]':
    'Lambda@Edge replicas log in whichever region serves the request: the edge role may write to its own log group ' +
    '(/aws/lambda/us-east-1.<function>) in any region, and to any stream in it.',
  'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:<account>:log-group:/aws/lambda/<{fn}>:*]':
    'Any log stream of the edge function\'s own us-east-1 log group (streams are named by Lambda at run time).',
  'AwsSolutions-L1':
    'The edge function and the config injector run Node.js 22, a supported runtime that Lambda@Edge runs; ' +
    'the edge function\'s runtime prop picks another, and upgrades of the default are a library release.',
  'AwsSolutions-SMG4':
    'The state-signing key signs OAuth state that lives at most 10 minutes; it is copied into the function version at deploy time, ' +
    'so an automatic rotation would not reach the edge. Rotate it by redeploying after changing it.',
};

/** Findings of the config injector's role, which depend on where the edge function is. */
const PROVIDER_REASONS: Record<string, Record<string, string>> = {
  'us-east-1': {
    'AwsSolutions-IAM5[Resource::<{fn}.Arn>:*]':
      'The config injector reads the state of the versions it publishes of its one edge function (version numbers are assigned at deploy time).',
  },
  'eu-west-1': {
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:us-east-1:<account>:function:*]':
      'CloudFormation names the edge function in the us-east-1 support stack, so its name is not known here; the statement is ' +
      'conditioned on the tag that only this construct\'s function carries (aws:ResourceTag/cdk-cognito-edge-auth:function).',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:us-east-1:<account>:stack/Site-edge-auth-us-east-1/*]':
      'DescribeStackResource on the support stack (any stack id of that name) finds the edge function\'s name.',
  },
};

const reasonsFor = (region: string): Record<string, string> => ({ ...COMMON_REASONS, ...PROVIDER_REASONS[region] });

const FIXTURE_RULES = ['AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG3', 'AwsSolutions-COG8',
  'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4'];

function acknowledgeConstructFindings(f: Fixture, auth: CognitoEdgeAuth): void {
  const fnId = Stack.of(auth.edgeFunction).getLogicalId(auth.edgeFunction.node.defaultChild as lambda.CfnFunction);
  const logs = auth.edgeFunction.node.scope!.node.findChild('EdgeLogs');
  const scopes: IConstruct[] = [auth, auth.edgeFunction, auth.role, logs, f.stack.node.findChild('CognitoEdgeAuthProvider')];
  for (const [id, reason] of Object.entries(reasonsFor(f.stack.region))) {
    const concrete = id.replace('{fn}', fnId).replace('<account>', f.stack.account);
    for (const scope of scopes) acknowledge(scope, concrete, reason);
  }
  for (const id of FIXTURE_RULES) {
    Validations.of(f.userPool).acknowledge({ id, reason: 'test fixture, not part of the construct' });
    Validations.of(f.distribution).acknowledge({ id, reason: 'test fixture, not part of the construct' });
  }
}

/**
 * `Validations.of(scope).acknowledge()` refuses ids with more than one '::' (aws-cdk-lib 2.257),
 * and IAM5 finding ids quote ARNs with `<AWS::Partition>`; so write the same metadata entry that
 * acknowledge() writes, which cdk-nag reads.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
  } else {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  }
}

function violations(f: Fixture): string[] {
  const report = new AwsSolutionsChecks(f.app).validateScope(f.app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

describe.each(['eu-west-1', 'us-east-1'])('cdk-nag AwsSolutions, stack in %s', (region) => {
  test('passes with the documented acknowledgements', () => {
    const f = fixture({ region, behaviors: { '/api/*': {} } });
    const auth = addAuth(f, { identityProvider: undefined, requiredGroups: ['staff'] });
    acknowledgeConstructFindings(f, auth);
    expect(violations(f)).toEqual([]);
  });

  test('every acknowledgement is needed (without them, exactly these findings appear)', () => {
    const f = fixture({ region });
    addAuth(f);
    for (const id of FIXTURE_RULES) {
      Validations.of(f.userPool).acknowledge({ id, reason: 'fixture' });
      Validations.of(f.distribution).acknowledge({ id, reason: 'fixture' });
    }
    const rules = new Set(violations(f).map((v) => v.split(' at ')[0].replace(/[A-Za-z0-9]+EdgeFunction[0-9A-F]{8}/, '{fn}')
      .replace(/\d{12}/, '<account>')));
    expect([...rules].sort()).toEqual(Object.keys(reasonsFor(region)).sort());
  });
});
