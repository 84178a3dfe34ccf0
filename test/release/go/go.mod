// The Go package's smoke test. scripts/release-dry-run.sh copies this directory, points the
// replace directive at the package jsii-pacmak built (dist/go), and runs `go mod tidy` and
// `go run .` (modules from the Go module proxy).
module smoke

go 1.23

require github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth-go/cdkcognitoedgeauth v0.0.0

replace github.com/cdk-cognito-edge-auth/cdk-cognito-edge-auth-go/cdkcognitoedgeauth => ../dist/go/cdkcognitoedgeauth
