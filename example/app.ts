/**
 * Example: a private S3 site behind CloudFront, with Cognito login federated to Entra ID.
 *
 *   npx projen synth:example      # → example/cdk.out (the site stack in eu-west-1, the edge stack in us-east-1)
 */
import { App, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CognitoEdgeAuth } from '../src';

export interface ExampleSiteStackProps extends StackProps {
  /** Runtime of the edge function (the lifecycle test changes it). @default the construct's default */
  readonly edgeRuntime?: lambda.Runtime;
}

export class ExampleSiteStack extends Stack {
  public readonly auth: CognitoEdgeAuth;

  constructor(scope: Construct, id: string, props: ExampleSiteStackProps) {
    super(scope, id, props);

    // Cognito: a user pool federated to Entra ID (placeholder tenant), an app client, a prefix domain.
    const userPool = new cognito.UserPool(this, 'UserPool', { removalPolicy: RemovalPolicy.DESTROY });
    const entra = new cognito.UserPoolIdentityProviderOidc(this, 'EntraID', {
      userPool,
      name: 'EntraID',
      clientId: 'entra-application-id',
      clientSecret: 'entra-client-secret-placeholder', // use a SecretValue from Secrets Manager in a real app
      issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      scopes: ['openid', 'email', 'profile'],
      attributeMapping: { email: cognito.ProviderAttribute.other('email') },
    });
    const userPoolClient = userPool.addClient('WebClient', {
      generateSecret: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.custom('EntraID')],
    });
    userPoolClient.node.addDependency(entra);
    const userPoolDomain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `example-site-${this.account}` },
    });

    // The site: a private bucket behind CloudFront, with one extra behaviour.
    const bucket = new s3.Bucket(this, 'Content', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(bucket);
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      defaultBehavior: { origin, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      defaultRootObject: 'index.html',
    });
    distribution.addBehavior('/reports/*', origin, {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    });

    // Every request is checked at the edge; /reports/* needs the "analysts" group.
    this.auth = new CognitoEdgeAuth(this, 'Auth', {
      distribution,
      userPool,
      userPoolClient,
      userPoolDomain,
      identityProvider: 'EntraID',
      pathAuthorizations: [{ pathPattern: '/reports/*', requiredGroups: ['analysts'] }],
      runtime: props.edgeRuntime,
    });
  }
}

/** The example app (tests build it in memory, `cdk synth` runs this file). */
export function exampleApp(props: Partial<ExampleSiteStackProps> = {}): { app: App; site: ExampleSiteStack } {
  const app = new App();
  const site = new ExampleSiteStack(app, 'ExampleSite', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return { app, site };
}

if (require.main === module) {
  exampleApp().app.synth();
}
