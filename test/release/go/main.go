// Smoke test of the Go package that jsii-pacmak builds (scripts/release-dry-run.sh): a stack as a
// Go user writes it, with README's smallest example, synthesised; exits non-zero if the construct
// is missing from the template.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth-go/cdkcognitoedgeauth"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("ReadmeStack"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})

	// The resources README's example protects: a pool federated to "EntraID", its client and
	// domain, a distribution over a private bucket.
	userPool := awscognito.NewUserPool(stack, jsii.String("UserPool"), nil)
	idp := awscognito.NewUserPoolIdentityProviderOidc(stack, jsii.String("EntraID"), &awscognito.UserPoolIdentityProviderOidcProps{
		UserPool:     userPool,
		Name:         jsii.String("EntraID"),
		ClientId:     jsii.String("entra-client-id"),
		ClientSecret: jsii.String("entra-client-secret"),
		IssuerUrl:    jsii.String("https://login.microsoftonline.com/tenant-id/v2.0"),
		Scopes:       jsii.Strings("openid", "email", "profile"),
	})
	userPoolClient := userPool.AddClient(jsii.String("Client"), &awscognito.UserPoolClientOptions{
		GenerateSecret: jsii.Bool(true),
		OAuth: &awscognito.OAuthSettings{
			Flows:  &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes: &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
		},
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{
			awscognito.UserPoolClientIdentityProvider_Custom(jsii.String("EntraID")),
		},
	})
	userPoolClient.Node().AddDependency(idp)
	userPoolDomain := userPool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String("example-auth")},
	})
	bucket := awss3.NewBucket(stack, jsii.String("Content"), nil)
	distribution := awscloudfront.NewDistribution(stack, jsii.String("Distribution"), &awscloudfront.DistributionProps{
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:               awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(bucket, nil),
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		},
	})

	// README's smallest example, in Go.
	cdkcognitoedgeauth.NewCognitoEdgeAuth(stack, jsii.String("Auth"), &cdkcognitoedgeauth.CognitoEdgeAuthProps{
		Distribution:     distribution,
		UserPool:         userPool,
		UserPoolClient:   userPoolClient,
		UserPoolDomain:   userPoolDomain,
		IdentityProvider: jsii.String("EntraID"),
	})

	t := assertions.Template_FromStack(stack, nil)
	configs := t.FindResources(jsii.String("Custom::CognitoEdgeAuthConfig"), nil)
	callbacks := t.FindResources(jsii.String("Custom::CognitoEdgeAuthCallbackUrls"), nil)
	fmt.Printf("go smoke: %d Custom::CognitoEdgeAuthConfig, %d Custom::CognitoEdgeAuthCallbackUrls\n", len(*configs), len(*callbacks))
	if len(*configs) != 1 || len(*callbacks) != 1 {
		fmt.Fprintln(os.Stderr, "go smoke: expected one of each")
		os.Exit(1)
	}
}
