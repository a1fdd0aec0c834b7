// Package lambdaboot takes the first steps every Lambda's main takes, in STYLE.md's order: read
// the function's settings, make its JSON logger (every line carries the request id), load the
// AWS configuration. It exits the process on failure, which is only ever before lambda.Start.
package lambdaboot

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/bedrock-batch/bedrock-batch/internal/settings"
)

// Boot reads the settings keys of the named function, and returns them with the logger and the
// AWS configuration. A missing or bad setting, or an unloadable AWS configuration, is logged and
// ends the process with status 1.
func Boot(function string, keys ...string) (settings.Config, *slog.Logger, aws.Config) {
	cfg, err := settings.Load(os.Getenv, keys...)
	if err != nil {
		slog.Error(function+" cannot start", "error", err)
		os.Exit(1)
	}
	log := slog.New(lambdacontext.NewLogHandler())
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error(function+" cannot load the AWS configuration", "error", err)
		os.Exit(1)
	}
	return cfg, log, awsCfg
}
