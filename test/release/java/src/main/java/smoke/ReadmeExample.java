package smoke;

import io.github.cdkcognitoedgeauth.CognitoEdgeAuth;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.cognito.CognitoDomainOptions;
import software.amazon.awscdk.services.cognito.OAuthFlows;
import software.amazon.awscdk.services.cognito.OAuthScope;
import software.amazon.awscdk.services.cognito.OAuthSettings;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolClient;
import software.amazon.awscdk.services.cognito.UserPoolClientIdentityProvider;
import software.amazon.awscdk.services.cognito.UserPoolClientOptions;
import software.amazon.awscdk.services.cognito.UserPoolDomain;
import software.amazon.awscdk.services.cognito.UserPoolDomainOptions;
import software.amazon.awscdk.services.cognito.UserPoolIdentityProviderOidc;
import software.amazon.awscdk.services.s3.Bucket;

/**
 * Smoke test of the Java package that jsii-pacmak builds (scripts/release-dry-run.sh): a stack as
 * a Java user writes it, with README's smallest example, synthesised; exits non-zero if the
 * construct is missing from the template.
 */
public final class ReadmeExample {
  public static void main(final String[] args) {
    App app = new App();
    Stack stack = new Stack(app, "ReadmeStack", StackProps.builder()
        .env(Environment.builder().account("123456789012").region("us-east-1").build())
        .build());

    // The resources README's example protects: a pool federated to "EntraID", its client and
    // domain, a distribution over a private bucket.
    UserPool userPool = new UserPool(stack, "UserPool");
    UserPoolIdentityProviderOidc idp = UserPoolIdentityProviderOidc.Builder.create(stack, "EntraID")
        .userPool(userPool)
        .name("EntraID")
        .clientId("entra-client-id")
        .clientSecret("entra-client-secret")
        .issuerUrl("https://login.microsoftonline.com/tenant-id/v2.0")
        .scopes(List.of("openid", "email", "profile"))
        .build();
    UserPoolClient userPoolClient = userPool.addClient("Client", UserPoolClientOptions.builder()
        .generateSecret(true)
        .oAuth(OAuthSettings.builder()
            .flows(OAuthFlows.builder().authorizationCodeGrant(true).build())
            .scopes(List.of(OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE))
            .build())
        .supportedIdentityProviders(List.of(UserPoolClientIdentityProvider.custom("EntraID")))
        .build());
    userPoolClient.getNode().addDependency(idp);
    UserPoolDomain userPoolDomain = userPool.addDomain("Domain", UserPoolDomainOptions.builder()
        .cognitoDomain(CognitoDomainOptions.builder().domainPrefix("example-auth").build())
        .build());
    Distribution distribution = Distribution.Builder.create(stack, "Distribution")
        .defaultBehavior(BehaviorOptions.builder()
            .origin(S3BucketOrigin.withOriginAccessControl(new Bucket(stack, "Content")))
            .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
            .build())
        .build();

    // README's smallest example, in Java.
    CognitoEdgeAuth.Builder.create(stack, "Auth")
        .distribution(distribution)
        .userPool(userPool)
        .userPoolClient(userPoolClient)
        .userPoolDomain(userPoolDomain)
        .identityProvider("EntraID")
        .build();

    Template t = Template.fromStack(stack);
    Map<String, Map<String, Object>> configs = t.findResources("Custom::CognitoEdgeAuthConfig");
    Map<String, Map<String, Object>> callbacks = t.findResources("Custom::CognitoEdgeAuthCallbackUrls");
    System.out.printf("java smoke: %d Custom::CognitoEdgeAuthConfig, %d Custom::CognitoEdgeAuthCallbackUrls%n",
        configs.size(), callbacks.size());
    if (configs.size() != 1 || callbacks.size() != 1) {
      System.err.println("java smoke: expected one of each");
      System.exit(1);
    }
    System.exit(0); // the jsii runtime's threads would keep exec:java's JVM waiting
  }
}
