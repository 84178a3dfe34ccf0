/**
 * cdk-nag (v3) AwsSolutions over apps that use the construct. The construct acknowledges every
 * finding in its own resources itself, with a written reason (README "cdk-nag" lists the same
 * ones); findings in the test fixture's own user pool and distribution are the user's business.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addAuth, Fixture, fixture } from './helpers';
import { CognitoEdgeAuth, ViewerCheck } from '../../src';

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

/** The edge function's logical id, as cdk-nag prints the function's name. */
const fnIdOf = (auth: CognitoEdgeAuth): string =>
  Stack.of(auth.edgeFunction).getLogicalId(auth.edgeFunction.node.defaultChild as lambda.CfnFunction);

const FIXTURE_RULES = ['AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG3', 'AwsSolutions-COG8',
  'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4'];

function acknowledgeFixtureFindings(f: Fixture): void {
  for (const id of FIXTURE_RULES) {
    Validations.of(f.userPool).acknowledge({ id, reason: 'test fixture, not part of the construct' });
    Validations.of(f.distribution).acknowledge({ id, reason: 'test fixture, not part of the construct' });
  }
}

function violations(f: Fixture): string[] {
  const report = new AwsSolutionsChecks(f.app).validateScope(f.app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

/** The finding ids the construct acknowledges itself (cdk-nag 3 metadata), generalised, with their reasons. */
function ownAcknowledgements(f: Fixture, auth: CognitoEdgeAuth): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of f.app.node.findAll()) {
    if (FIXTURE_PATHS.some((p) => c.node.path.startsWith(p))) continue;
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) out[generalise(id, auth)] = reason;
    }
  }
  return out;
}

function generalise(id: string, auth: CognitoEdgeAuth): string {
  return id.split(fnIdOf(auth)).join('{fn}').replace(/\d{12}/, '<account>');
}

/** Drop the metadata the construct wrote, to see the findings it would have without it. */
function dropOwnAcknowledgements(f: Fixture): void {
  for (const c of f.app.node.findAll()) {
    const list = (c.node as unknown as { _metadata?: Array<{ type: string }> })._metadata ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && !FIXTURE_PATHS.some((p) => c.node.path.startsWith(p))) list.splice(i, 1);
    }
  }
}
const FIXTURE_PATHS = ['Site/Pool', 'Site/Distribution'];

describe.each(['eu-west-1', 'us-east-1'])('cdk-nag AwsSolutions, stack in %s', (region) => {
  test('passes with no acknowledgement by the user of the construct\'s findings (the construct records its own, with reasons)', () => {
    const f = fixture({ region, behaviors: { '/api/*': {} } });
    addAuth(f, { identityProvider: undefined, requiredGroups: ['staff'] });
    acknowledgeFixtureFindings(f);
    expect(violations(f)).toEqual([]);
  });

  test('the construct acknowledges exactly the findings it causes, each with the documented reason', () => {
    const f = fixture({ region });
    const auth = addAuth(f);
    acknowledgeFixtureFindings(f);
    expect(ownAcknowledgements(f, auth)).toEqual(reasonsFor(region));
    dropOwnAcknowledgements(f);
    const rules = new Set(violations(f).map((v) => generalise(v.split(' at ')[0], auth)));
    expect([...rules].sort()).toEqual(Object.keys(reasonsFor(region)).sort());
  });

  test('cdk-nag 2 reads the same acknowledgements from the resources\' cdk_nag metadata', () => {
    const f = fixture({ region });
    const auth = addAuth(f);
    const REASONS = reasonsFor(region);
    const fn = `<${fnIdOf(auth)}>`;
    const edge = Template.fromStack(Stack.of(auth.edgeFunction));
    const logsPolicies = Object.entries(edge.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('EdgeLogs'));
    expect(logsPolicies).toHaveLength(1);
    expect(logsPolicies[0][1].Metadata.cdk_nag.rules_to_suppress).toEqual([{
      id: 'AwsSolutions-IAM5',
      reason: REASONS['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*:<account>:log-group:/aws/lambda/us-east-1.<{fn}>:*]'],
      applies_to: [`Resource::arn:<AWS::Partition>:logs:*:${f.stack.account}:log-group:/aws/lambda/us-east-1.${fn}:*`],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: REASONS['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:<account>:log-group:/aws/lambda/<{fn}>:*]'],
      applies_to: [`Resource::arn:<AWS::Partition>:logs:us-east-1:${f.stack.account}:log-group:/aws/lambda/${fn}:*`],
    }]);
    edge.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({ MemorySize: 128 }),
      Metadata: Match.objectLike({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-L1', reason: REASONS['AwsSolutions-L1'] }] } }),
    });
    Template.fromStack(f.stack).hasResource('AWS::SecretsManager::Secret', {
      Metadata: Match.objectLike({ cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-SMG4', reason: REASONS['AwsSolutions-SMG4'] }] } }),
    });
  });

  test('session mode: no finding left to the user, and the same acknowledgements as Lambda@Edge mode', () => {
    const f = fixture({
      region,
      distributionProps: {
        defaultBehavior: {
          origin: new origins.HttpOrigin('origin.example.com'),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        },
      },
    });
    const auth = addAuth(f, { viewerCheck: ViewerCheck.CLOUDFRONT_FUNCTION });
    acknowledgeFixtureFindings(f);
    expect(violations(f)).toEqual([]);
    expect(ownAcknowledgements(f, auth)).toEqual(reasonsFor(region));
    expect(Template.fromStack(f.stack).findResources('AWS::CloudFront::KeyValueStore')).not.toEqual({});
  });

  test('with edgeLogRetention (aws-cdk-lib\'s LogRetention function): still no finding left to the user', () => {
    const f = fixture({ region });
    addAuth(f, { edgeLogRetention: logs.RetentionDays.ONE_MONTH });
    acknowledgeFixtureFindings(f);
    expect(violations(f)).toEqual([]);
  });

  test('two constructs in one stack: the shared provider policy acknowledges each function\'s versions once', () => {
    const f = fixture({ region });
    const a = addAuth(f);
    const b = new CognitoEdgeAuth(f.stack, 'Auth2', {
      distribution: new cloudfront.Distribution(f.stack, 'Other', {
        defaultBehavior: { origin: new origins.HttpOrigin('o.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      }),
      userPool: f.userPool,
      userPoolClient: f.userPoolClient,
      userPoolDomain: f.userPoolDomain,
    });
    acknowledgeFixtureFindings(f);
    for (const id of FIXTURE_RULES) Validations.of(f.stack.node.findChild('Other')).acknowledge({ id, reason: 'test fixture, not part of the construct' });
    expect(violations(f)).toEqual([]);
    const REASONS = reasonsFor(region);
    const providerPolicies = Object.entries(Template.fromStack(f.stack).findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('CognitoEdgeAuthProvider'));
    expect(providerPolicies).toHaveLength(1);
    const account = f.stack.account;
    expect(providerPolicies[0][1].Metadata.cdk_nag.rules_to_suppress).toEqual(region === 'us-east-1'
      ? [{
        id: 'AwsSolutions-IAM5',
        reason: REASONS['AwsSolutions-IAM5[Resource::<{fn}.Arn>:*]'],
        applies_to: [a, b].map((x) => `Resource::<${fnIdOf(x)}.Arn>:*`),
      }]
      : [{
        id: 'AwsSolutions-IAM5',
        reason: REASONS['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:us-east-1:<account>:function:*]'],
        applies_to: [`Resource::arn:<AWS::Partition>:lambda:us-east-1:${account}:function:*`],
      }, {
        id: 'AwsSolutions-IAM5',
        reason: REASONS['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:us-east-1:<account>:stack/Site-edge-auth-us-east-1/*]'],
        applies_to: [`Resource::arn:<AWS::Partition>:cloudformation:us-east-1:${account}:stack/Site-edge-auth-us-east-1/*`],
      }]);
  });
});
