/**
 * Synthesis against the lowest aws-cdk-lib and constructs the package declares (its peer
 * dependency floors), run by scripts/test-floor.sh in a directory where only those versions are
 * installed. Plain JavaScript: it runs the compiled lib/ as users get it.
 *
 * Every app shape the construct supports at synth: stack in another region (support stack) and in
 * us-east-1, Cognito created and imported (a pool in another region), the main props, a second
 * distribution with addDistribution, log retention and metrics. Exits non-zero on any failure.
 */
'use strict';
const assert = require('node:assert/strict');
const cdk = require('aws-cdk-lib');
const { Template } = require('aws-cdk-lib/assertions');
const cloudfront = require('aws-cdk-lib/aws-cloudfront');
const origins = require('aws-cdk-lib/aws-cloudfront-origins');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const cognito = require('aws-cdk-lib/aws-cognito');
const logs = require('aws-cdk-lib/aws-logs');
const { CognitoEdgeAuth, LogLevel, SameSite } = require('cdk-cognito-edge-auth');

const ACCOUNT = '123456789012';

function distribution(stack, id) {
  return new cloudfront.Distribution(stack, id, {
    defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    additionalBehaviors: { '/api/*': { origin: new origins.HttpOrigin('api.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY } },
  });
}

function createdCognito(stack) {
  const userPool = new cognito.UserPool(stack, 'Pool');
  return {
    userPool,
    userPoolClient: userPool.addClient('Client', { generateSecret: true, oAuth: { flows: { authorizationCodeGrant: true } } }),
    userPoolDomain: userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'floor-test' } }),
  };
}

function importedCognito(stack) {
  return {
    userPool: cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEf123'),
    userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789'),
    userPoolDomain: cognito.UserPoolDomain.fromDomainName(stack, 'Domain', 'floor-prefix'),
  };
}

let checks = 0;
for (const region of ['eu-west-1', 'us-east-1']) {
  for (const cognitoOf of [createdCognito, importedCognito]) {
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Site', { env: { account: ACCOUNT, region } });
    const auth = new CognitoEdgeAuth(stack, 'Auth', {
      distribution: distribution(stack, 'Distribution'),
      ...cognitoOf(stack),
      requiredGroups: ['staff'],
      pathAuthorizations: [{ pathPattern: '/api/*', requiredGroups: ['api'] }],
      cookieSettings: { sameSite: SameSite.LAX, tokenMaxAge: cdk.Duration.hours(1) },
      logLevel: LogLevel.INFO,
      publicPaths: ['/robots.txt'],
      groupsClaim: 'custom:roles',
      edgeLogRetention: logs.RetentionDays.ONE_MONTH,
      edgeLogRegions: ['eu-west-1'],
    });
    const docs = new cloudfront.Distribution(stack, 'Docs', {
      defaultBehavior: { origin: new origins.HttpOrigin('docs.example.com'), edgeLambdas: [auth.edgeLambda] },
    });
    auth.addDistribution(docs);
    auth.metricLambdaExecutionErrors();

    const assembly = app.synth();
    const main = Template.fromStack(stack);
    main.resourceCountIs('Custom::CognitoEdgeAuthConfig', 1);
    main.resourceCountIs('Custom::CognitoEdgeAuthCallbackUrls', 1);
    main.resourceCountIs('Custom::LogRetention', 2);
    const edgeStack = region === 'us-east-1' ? stack : assembly.stacks.find((s) => s.stackName === 'Site-edge-auth-us-east-1');
    assert.ok(edgeStack, `no us-east-1 support stack for a stack in ${region}`);
    const edgeTemplate = region === 'us-east-1' ? main.toJSON() : edgeStack.template;
    const edgeFunctions = Object.values(edgeTemplate.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.MemorySize === 128);
    assert.equal(edgeFunctions.length, 1);
    assert.equal(edgeFunctions[0].Properties.Runtime, 'nodejs22.x');
    const associations = Object.values(main.findResources('AWS::CloudFront::Distribution'))
      .flatMap((d) => [d.Properties.DistributionConfig.DefaultCacheBehavior, ...(d.Properties.DistributionConfig.CacheBehaviors ?? [])])
      .map((b) => (b.LambdaFunctionAssociations ?? []).filter((a) => a.EventType === 'viewer-request').length);
    assert.deepEqual(associations, [1, 1, 1], 'viewer-request association on both behaviors and on the second distribution');
    checks++;
  }
}

// per-region function errors: an alarm in a replica region's stack reads the function's own Ref
// (cross-region, with crossRegionReferences), for a construct in us-east-1 and in another region
for (const region of ['us-east-1', 'eu-west-1']) {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Site', { env: { account: ACCOUNT, region } });
  const auth = new CognitoEdgeAuth(stack, 'Auth', { distribution: distribution(stack, 'Distribution'), ...importedCognito(stack) });
  const alarms = new cdk.Stack(app, 'Alarms', { env: { account: ACCOUNT, region: 'ap-northeast-1' }, crossRegionReferences: true });
  new cloudwatch.Alarm(alarms, 'EdgeErrors', { metric: auth.metricFunctionErrors('ap-northeast-1'), threshold: 1, evaluationPeriods: 1 });
  const assembly = app.synth();
  const alarm = Object.values(assembly.getStackByName('Alarms').template.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const dimension = JSON.stringify(alarm.Properties.Dimensions);
  const producer = region === 'us-east-1' ? 'Siteuseast1' : 'Siteedgeauthuseast1';
  assert.match(dimension, new RegExp(`"us-east-1\\.",\\{"Fn::GetAtt":\\["ExportsReader[0-9A-F]+","/cdk/exports/Alarms/${producer}Ref[A-Za-z0-9]*EdgeFunction`), dimension);
  checks++;
}

// a refusal still names the prop and the construct
assert.throws(() => {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'Site', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new CognitoEdgeAuth(stack, 'Auth', { distribution: distribution(stack, 'D'), ...importedCognito(stack), callbackPath: 'no-slash' });
}, /^ValidationError: CognitoEdgeAuth: callbackPath must be an absolute path.*\(at Site\/Auth\)$/);

console.log(`floor synth: aws-cdk-lib ${require('aws-cdk-lib/package.json').version}, constructs ${require('constructs/package.json').version}: ${checks} apps synthesised, checks passed`);
