/**
 * The us-east-1 support stack: inherits the stack's synthesizer settings, permissions boundary,
 * termination protection; can be named or passed; works inside a Stage of a pipeline.
 */
import { App, DefaultStackSynthesizer, PermissionsBoundary, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ACCOUNT } from './helpers';
import { CognitoEdgeAuth, CognitoEdgeAuthProps } from '../../src';

/** A site stack with imported Cognito resources and the construct. */
class SiteStack extends Stack {
  public readonly auth: CognitoEdgeAuth;
  constructor(scope: Construct, id: string, props: ConstructorParameters<typeof Stack>[2] & { auth?: Partial<CognitoEdgeAuthProps> } = {}) {
    super(scope, id, props);
    const userPool = cognito.UserPool.fromUserPoolId(this, 'Pool', 'eu-west-1_AbCdEf123');
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com'), viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    });
    this.auth = new CognitoEdgeAuth(this, 'Auth', {
      distribution,
      userPool,
      userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(this, 'Client', '1example23456789'),
      userPoolDomain: cognito.UserPoolDomain.fromDomainName(this, 'Domain', 'my-prefix'),
      ...props.auth,
    });
  }
}

const env = { account: ACCOUNT, region: 'eu-west-1' };
const edgeStackOf = (site: SiteStack) => Stack.of(site.auth.edgeFunction);

test('a custom bootstrap qualifier (and the other synthesizer settings) reach the support stack', () => {
  const app = new App();
  const site = new SiteStack(app, 'Site', {
    env,
    synthesizer: new DefaultStackSynthesizer({ qualifier: 'team42', fileAssetsBucketName: 'assets-${AWS::AccountId}-${AWS::Region}-team42' }),
  });
  const support = edgeStackOf(site);
  expect(support.stackName).toBe('Site-edge-auth-us-east-1');
  expect(support.synthesizer).toBeInstanceOf(DefaultStackSynthesizer);
  expect(support.synthesizer).not.toBe(site.synthesizer);
  const assembly = app.synth();
  const artifact = assembly.getStackByName('Site-edge-auth-us-east-1');
  expect(artifact.assumeRoleArn).toContain('cdk-team42-deploy-role');
  expect(artifact.assumeRoleArn).toContain('us-east-1');
  expect(JSON.stringify(artifact.template.Parameters)).toContain('/cdk-bootstrap/team42/version');
});

test('a stack without a synthesizer of its own: the support stack gets the default one too', () => {
  const app = new App();
  const site = new SiteStack(app, 'Site', { env });
  const artifact = app.synth().getStackByName(edgeStackOf(site).stackName);
  expect(artifact.assumeRoleArn).toContain('cdk-hnb659fds-deploy-role');
});

test('permissions boundary and termination protection of the stack reach the support stack', () => {
  const app = new App();
  const site = new SiteStack(app, 'Site', { env, terminationProtection: true, permissionsBoundary: PermissionsBoundary.fromName('dev-boundary') });
  const support = edgeStackOf(site);
  expect(support.terminationProtection).toBe(true);
  Template.fromStack(support).hasResourceProperties('AWS::IAM::Role', {
    PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:policy/dev-boundary`]] },
  });
  // and none where the stack has none
  const plain = new SiteStack(new App(), 'Plain', { env });
  expect(edgeStackOf(plain).terminationProtection).toBe(false);
  expect(JSON.stringify(Template.fromStack(edgeStackOf(plain)).toJSON())).not.toContain('PermissionsBoundary');
});

test('edgeStackId names the support stack; constructs of several stacks may share it', () => {
  const app = new App();
  const a = new SiteStack(app, 'A', { env, auth: { edgeStackId: 'EdgeFunctions' } });
  const b = new SiteStack(app, 'B', { env, auth: { edgeStackId: 'EdgeFunctions' } });
  expect(edgeStackOf(a).stackName).toBe('EdgeFunctions');
  expect(edgeStackOf(b)).toBe(edgeStackOf(a));
  Template.fromStack(edgeStackOf(a)).resourceCountIs('AWS::Lambda::Function', 2);
  // (stack dependencies from construct dependencies exist once the app is synthesised)
  expect(a.dependencies.map((d) => d.stackName)).toEqual(['EdgeFunctions']);
  expect(b.dependencies.map((d) => d.stackName)).toEqual(['EdgeFunctions']);
  expect(() => new SiteStack(app, 'C', { env, auth: { edgeStackId: 'not a name' } })).toThrow(/edgeStackId must be a valid stack name/);
});

test('edgeStack: a us-east-1 stack of the user holds the function; other regions and accounts are refused', () => {
  const app = new App();
  const mine = new Stack(app, 'MyEdge', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const site = new SiteStack(app, 'Site', { env, auth: { edgeStack: mine } });
  expect(edgeStackOf(site)).toBe(mine);
  expect(app.node.children.filter((c) => Stack.isStack(c)).map((s) => s.node.id).sort()).toEqual(['MyEdge', 'Site']);
  Template.fromStack(site).hasResourceProperties('Custom::CognitoEdgeAuthConfig', { FunctionStackName: 'MyEdge' });
  expect(site.dependencies.map((d) => d.stackName)).toEqual(['MyEdge']);

  const elsewhere = new Stack(app, 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-central-1' } });
  expect(() => new SiteStack(app, 'S2', { env, auth: { edgeStack: elsewhere } })).toThrow(/edgeStack must be in us-east-1/);
  const otherAccount = new Stack(app, 'Other', { env: { account: '210987654321', region: 'us-east-1' } });
  expect(() => new SiteStack(app, 'S3', { env, auth: { edgeStack: otherAccount } })).toThrow(/edgeStack must be in the stack's account/);
  expect(() => new SiteStack(app, 'S4', { env, auth: { edgeStack: mine, edgeStackId: 'X' } })).toThrow(/exclude each other/);
});

test('two stacks of the same name in two accounts: the second support stack carries the account, the first keeps its name', () => {
  const app = new App();
  const a = new SiteStack(app, 'SiteA', { env, stackName: 'Site' });
  const b = new SiteStack(app, 'SiteB', { env: { ...env, account: '210987654321' }, stackName: 'Site' });
  expect(edgeStackOf(a).stackName).toBe('Site-edge-auth-us-east-1');
  expect(edgeStackOf(b).stackName).toBe('Site-edge-auth-210987654321-us-east-1');
  expect(edgeStackOf(b).account).toBe('210987654321');
});

test('inside a Stage of a CDK Pipelines app: the support stack deploys in us-east-1 before the site, with the stage\'s synthesizer settings', () => {
  const app = new App();
  const toolsEnv = { account: '111111111111', region: 'eu-west-1' };
  const pipelineStack = new Stack(app, 'Pipeline', { env: toolsEnv });
  const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
    crossAccountKeys: true,
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection('example/site', 'main', {
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
      }),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  class SiteStage extends Stage {
    public readonly site: SiteStack;
    constructor(scope: Construct, id: string) {
      super(scope, id, { env });
      this.site = new SiteStack(this, 'Site');
    }
  }
  const prod = new SiteStage(app, 'Prod');
  pipeline.addStage(prod);

  const support = edgeStackOf(prod.site);
  expect(Stage.of(support)).toBe(prod);
  expect(support.region).toBe('us-east-1');
  expect(support.account).toBe(ACCOUNT);

  const assembly = app.synth();
  const stageAssembly = assembly.getNestedAssembly(prod.artifactId);
  const supportArtifact = stageAssembly.getStackByName(support.stackName);
  // deployed with the target account's bootstrap roles in us-east-1 (bootstrapped to trust the pipeline account)
  expect(supportArtifact.assumeRoleArn).toContain(`arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`);
  expect(stageAssembly.getStackByName(prod.site.stackName).dependencies.map((d) => d.id)).toContain(supportArtifact.id);

  // the pipeline deploys the support stack in us-east-1 first, then the site
  const actions = Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline');
  type Action = { Name: string; Region?: string; RunOrder: number };
  const stages = Object.values(actions)[0].Properties.Stages as Array<{ Name: string; Actions: Action[] }>;
  const prodActions = stages.find((s) => s.Name === 'Prod')!.Actions;
  const supportPrepare = prodActions.find((a) => a.Name.includes('edge-auth-us-east-1') && a.Name.endsWith('Prepare'));
  expect(supportPrepare).toMatchObject({ Region: 'us-east-1' });
  const siteDeploy = prodActions.find((a) => a.Name === 'Site.Deploy');
  expect(siteDeploy).toBeDefined();
  expect(supportPrepare!.RunOrder).toBeLessThan(siteDeploy!.RunOrder);
});
