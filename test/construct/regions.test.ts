import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ACCOUNT, addAuth, associations, fixture, supportStack } from './helpers';
import { CognitoEdgeAuth } from '../../src';

describe('stack in eu-west-1', () => {
  test('the edge function and its role go into a us-east-1 support stack that the stack depends on', () => {
    // GIVEN
    const f = fixture({ region: 'eu-west-1' });
    // WHEN
    const auth = addAuth(f);
    // THEN
    const support = supportStack(f);
    expect(support.region).toBe('us-east-1');
    expect(support.account).toBe(ACCOUNT);
    // the CLI deploys the support stack first (the dependency is in the cloud assembly)
    const assembly = f.app.synth();
    expect(assembly.getStackByName('Site').dependencies.map((d) => d.id)).toContain(support.artifactId);
    expect(f.stack.dependencies).toContain(support);
    const edge = Template.fromStack(support);
    edge.resourceCountIs('AWS::Lambda::Function', 1);
    edge.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: 128,
      Timeout: 5,
      // CloudFormation names it: a retained function never blocks the next deploy
      FunctionName: Match.absent(),
      Tags: Match.arrayWith([{ Key: 'cdk-cognito-edge-auth:function', Value: 'SiteAuthEC66B5F6' }]),
    });
    expect(Stack.of(auth.edgeFunction)).toBe(support);
    expect(Stack.of(auth.role)).toBe(support);
    // the main stack has no Lambda@Edge function, only the config injector
    const main = Template.fromStack(f.stack);
    main.resourceCountIs('AWS::Lambda::Function', 1);
    main.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Timeout: 900 });
    main.resourceCountIs('Custom::CognitoEdgeAuthConfig', 1);
  });

  test('the edge function and role are retained by default, and removable on request', () => {
    const f = fixture();
    addAuth(f);
    const edge = Template.fromStack(supportStack(f));
    edge.hasResource('AWS::Lambda::Function', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    edge.hasResource('AWS::IAM::Role', { DeletionPolicy: 'Retain' });

    const g = fixture();
    addAuth(g, { removalPolicy: RemovalPolicy.DESTROY });
    const edge2 = Template.fromStack(supportStack(g));
    edge2.hasResource('AWS::Lambda::Function', { DeletionPolicy: 'Delete' });
  });

  test('two constructs in one stack share the support stack and the config injector', () => {
    const f = fixture();
    addAuth(f);
    new CognitoEdgeAuth(f.stack, 'Auth2', {
      distribution: new cloudfront.Distribution(f.stack, 'Other', { defaultBehavior: { origin: new origins.HttpOrigin('o.example.com') } }),
      userPool: f.userPool,
      userPoolClient: f.userPoolClient,
      userPoolDomain: f.userPoolDomain,
    });
    const stacks = f.app.node.findAll().filter((c) => Stack.isStack(c));
    expect(stacks).toHaveLength(2);
    const edge = Template.fromStack(supportStack(f));
    edge.resourceCountIs('AWS::Lambda::Function', 2);
    const tags = Object.values(edge.findResources('AWS::Lambda::Function')).map((r) => JSON.stringify(r.Properties.Tags));
    expect(new Set(tags).size).toBe(2);
    Template.fromStack(f.stack).resourceCountIs('AWS::Lambda::Function', 1);
    Template.fromStack(f.stack).resourceCountIs('Custom::CognitoEdgeAuthConfig', 2);
  });
});

describe('stack in us-east-1', () => {
  test('everything is in the stack itself, with no support stack', () => {
    const f = fixture({ region: 'us-east-1' });
    const auth = addAuth(f);
    expect(f.app.node.findAll().filter((c) => Stack.isStack(c))).toHaveLength(1);
    expect(Stack.of(auth.edgeFunction)).toBe(f.stack);
    const t = Template.fromStack(f.stack);
    t.resourceCountIs('AWS::Lambda::Function', 2);
    t.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({ Runtime: 'nodejs22.x', MemorySize: 128 }),
      DeletionPolicy: 'Retain',
    });
    // the config resource finds the function by reference (so it also waits for it)
    const [fnId] = Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { MemorySize: 128 } }));
    t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', { FunctionName: { Ref: fnId }, FunctionStackName: Match.absent() });
  });
});

describe('role', () => {
  test.each(['eu-west-1', 'us-east-1'])('in %s: trusts lambda and edgelambda, logs to its own log groups only, no managed policy', (region) => {
    const f = fixture({ region });
    const auth = addAuth(f);
    const t = Template.fromStack(Stack.of(auth.role));
    const [fnId] = Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { MemorySize: 128 } }));
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } }),
          Match.objectLike({ Principal: { Service: 'edgelambda.amazonaws.com' } }),
        ]),
      },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    // its log permissions name the function, which CloudFormation names: a policy of its own
    t.resourceCountIs('AWS::IAM::Policy', region === 'us-east-1' ? 2 : 1); // (+ the config injector's in us-east-1)
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Stack.of(auth.role).getLogicalId(auth.role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:*:${ACCOUNT}:log-group:/aws/lambda/us-east-1.`, { Ref: fnId }, ':*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/`, { Ref: fnId }, ':*']] },
          ],
        }],
      },
    });
  });
});

describe('function name', () => {
  const tagOf = (stackName: string, id: string, region: string): string => {
    const f = fixture({ region });
    const stack = new Stack(f.app, stackName, { env: { account: ACCOUNT, region } });
    const distribution = new cloudfront.Distribution(stack, 'D', { defaultBehavior: { origin: new origins.HttpOrigin('o.example.com') } });
    const auth = new CognitoEdgeAuth(stack, id, {
      distribution, userPool: f.userPool, userPoolClient: f.userPoolClient, userPoolDomain: f.userPoolDomain,
    });
    const fn = Template.fromStack(Stack.of(auth.edgeFunction)).findResources('AWS::Lambda::Function', { Properties: { MemorySize: 128 } });
    const props = Object.values(fn)[0].Properties;
    expect(props.FunctionName).toBeUndefined();
    return props.Tags.find((t: { Key: string }) => t.Key === 'cdk-cognito-edge-auth:function').Value;
  };

  test('is left to CloudFormation; the tag that identifies the function is valid, stable, and differs per construct path', () => {
    const long = tagOf('A'.repeat(120), 'B'.repeat(80), 'eu-west-1');
    expect(long.length).toBeLessThanOrEqual(256);
    expect(long).toMatch(/^[A-Za-z0-9_.:/=+@-]+$/);
    expect(tagOf('S', 'Auth', 'eu-west-1')).toBe(tagOf('S', 'Auth', 'eu-west-1'));
    expect(tagOf('S', 'Auth', 'eu-west-1')).not.toBe(tagOf('S', 'Auth2', 'eu-west-1'));
    expect(tagOf('S', 'Auth', 'eu-west-1')).not.toBe(tagOf('T', 'Auth', 'eu-west-1'));
  });
});

describe('config custom resource', () => {
  test('has the contract properties and feeds the viewer-request association', () => {
    const f = fixture({ behaviors: { '/api/*': {} } });
    addAuth(f);
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('Custom::CognitoEdgeAuthConfig', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CognitoEdgeAuthProviderFunction'), 'Arn'] },
      FunctionName: Match.absent(),
      FunctionStackName: 'Site-edge-auth-us-east-1',
      FunctionLogicalId: 'SiteAuthEC66B5F6EdgeFunction276D4EF1',
      FunctionRegion: 'us-east-1',
      FunctionFingerprint: Match.stringLikeRegexp('^[0-9a-f]{32}$'),
      BundleS3Bucket: Match.stringLikeRegexp('assets-123456789012-eu-west-1'),
      BundleS3Key: Match.stringLikeRegexp('\\.zip$'),
      UserPoolId: { Ref: Match.stringLikeRegexp('^Pool') },
      ClientId: { Ref: Match.stringLikeRegexp('^PoolClient') },
      AuthDomain: { 'Fn::Join': ['', ['https://', { Ref: Match.stringLikeRegexp('^PoolDomain') }, '.auth.eu-west-1.amazoncognito.com']] },
      StateSecretArn: { Ref: Match.stringLikeRegexp('^AuthStateSecret') },
      EdgeConfig: Match.anyValue(),
      ClientFingerprint: Match.stringLikeRegexp('^[0-9a-f]{32}$'),
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    const [configId] = Object.keys(t.findResources('Custom::CognitoEdgeAuthConfig'));
    const assoc = { EventType: 'viewer-request', IncludeBody: false, LambdaFunctionARN: { 'Fn::GetAtt': [configId, 'VersionArn'] } };
    expect(associations(t)).toEqual({ '*': [assoc], '/api/*': [assoc] });
  });

  test('the config injector may touch only this function, the bundle, the secret and the pool', () => {
    const f = fixture();
    addAuth(f);
    const t = Template.fromStack(f.stack);
    const [policy] = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    expect(statements.map((s) => s.Action)).toEqual([
      'cloudformation:DescribeStackResource',
      ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode', 'lambda:PublishVersion'],
      's3:GetObject',
      'secretsmanager:GetSecretValue',
      ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient'],
    ]);
    // the function's name is read from its stack, and only the function with this construct's tag may be changed
    expect(JSON.stringify(statements[0].Resource)).toMatch(/:cloudformation:us-east-1:123456789012:stack\/Site-edge-auth-us-east-1\/\*"/);
    expect(JSON.stringify(statements[1].Resource)).toMatch(/:lambda:us-east-1:123456789012:function:\*"/);
    expect(statements[1]).toMatchObject({ Condition: { StringEquals: { 'aws:ResourceTag/cdk-cognito-edge-auth:function': 'SiteAuthEC66B5F6' } } });
    expect(JSON.stringify(statements[2].Resource)).toMatch(/:s3:::cdk-[a-z0-9]+-assets-123456789012-eu-west-1\/[0-9a-f]{64}\.zip/);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('functionVersion is the version the custom resource returns', () => {
    const f = fixture();
    const auth = addAuth(f);
    const arn = f.stack.resolve(auth.functionVersion.functionArn);
    expect(arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AuthEdgeConfig/), 'VersionArn'] });
  });
});
