/** Shared fixtures for the construct tests: an app with a stack, Cognito resources and a distribution. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { CognitoEdgeAuth, CognitoEdgeAuthProps } from '../../src';

export const ACCOUNT = '123456789012';

export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly userPoolDomain: cognito.IUserPoolDomain;
  readonly distribution: cloudfront.Distribution;
}

export interface FixtureOptions {
  readonly region?: string;
  /** Import the Cognito resources instead of creating them. */
  readonly imported?: boolean;
  readonly clientOptions?: Partial<cognito.UserPoolClientOptions>;
  readonly distributionProps?: Partial<cloudfront.DistributionProps>;
  /** Extra behaviors: path pattern → options. */
  readonly behaviors?: Record<string, cloudfront.AddBehaviorOptions>;
}

export function fixture(options: FixtureOptions = {}): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: options.region ?? 'eu-west-1' } });
  let userPool: cognito.IUserPool;
  let userPoolClient: cognito.IUserPoolClient;
  let userPoolDomain: cognito.IUserPoolDomain;
  if (options.imported) {
    userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_AbCdEf123');
    userPoolClient = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789');
    userPoolDomain = cognito.UserPoolDomain.fromDomainName(stack, 'Domain', 'my-prefix');
  } else {
    const pool = new cognito.UserPool(stack, 'Pool');
    userPool = pool;
    userPoolClient = pool.addClient('Client', {
      generateSecret: true,
      oAuth: { flows: { authorizationCodeGrant: true } },
      ...options.clientOptions,
    });
    userPoolDomain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'my-prefix' } });
  }
  const origin = new origins.HttpOrigin('origin.example.com');
  const distribution = new cloudfront.Distribution(stack, 'Distribution', {
    defaultBehavior: { origin, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
    ...options.distributionProps,
  });
  for (const [pattern, opts] of Object.entries(options.behaviors ?? {})) {
    distribution.addBehavior(pattern, origin, { viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, ...opts });
  }
  return { app, stack, userPool, userPoolClient, userPoolDomain, distribution };
}

export function addAuth(f: Fixture, props: Partial<CognitoEdgeAuthProps> = {}): CognitoEdgeAuth {
  return new CognitoEdgeAuth(f.stack, 'Auth', {
    distribution: f.distribution,
    userPool: f.userPool,
    userPoolClient: f.userPoolClient,
    userPoolDomain: f.userPoolDomain,
    ...props,
  });
}

/** The support stack holding the edge function when the main stack is not in us-east-1. */
export function supportStack(f: Fixture): Stack {
  const s = f.app.node.findAll().find((c) => Stack.isStack(c) && c !== f.stack && c.region === 'us-east-1');
  if (!s) throw new Error('no support stack');
  return s as Stack;
}

/** The parsed `EdgeConfig` JSON property of the config custom resource. */
export function edgeConfig(template: Template): Record<string, unknown> {
  const resources = template.findResources('Custom::CognitoEdgeAuthConfig');
  const [resource] = Object.values(resources);
  const raw = resource.Properties.EdgeConfig;
  return JSON.parse(typeof raw === 'string' ? raw : flattenJoin(raw));
}

/** Turn a `Fn::Join` of strings and intrinsics into one string (intrinsics as `${TOKEN}`). */
export function flattenJoin(value: unknown): string {
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return join[1].map((p) => typeof p === 'string' ? p : '${TOKEN}').join(join[0]);
}

/** The rendered LambdaFunctionAssociations of the distribution's behaviors, by path pattern. */
export function associations(template: Template): Record<string, Array<Record<string, unknown>> | undefined> {
  const [dist] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  const config = dist.Properties.DistributionConfig;
  const out: Record<string, Array<Record<string, unknown>> | undefined> = { '*': config.DefaultCacheBehavior.LambdaFunctionAssociations };
  for (const b of config.CacheBehaviors ?? []) out[b.PathPattern] = b.LambdaFunctionAssociations;
  return out;
}
