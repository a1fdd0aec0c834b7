package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		os.Exit(1)
	}
}

// run synthesizes the app the CDK CLI asked for: the pipeline stack, checked by cdk-nag's
// AwsSolutions pack, whose unsuppressed findings are errors that fail the synth.
func run() error {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := ConfigFromContext(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return err
	}
	buildDir, err := os.MkdirTemp("", "bbatch-lambdas-")
	if err != nil {
		return fmt.Errorf("make build folder: %w", err)
	}
	defer os.RemoveAll(buildDir)
	assets, err := BuildFunctions(".", buildDir, Functions)
	if err != nil {
		return err
	}
	NewPipelineStack(app, cfg.StackName, &StackProps{Config: cfg, Assets: assets})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	return nil
}
