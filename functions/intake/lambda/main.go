// Command intake is the intake Lambda: wiring only (config, logger, AWS config, adapters, handler).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrock-batch/bedrock-batch/functions/intake"
	"github.com/bedrock-batch/bedrock-batch/internal/lambdaboot"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
)

func main() {
	cfg, log, awsCfg := lambdaboot.Boot("intake", settings.EnvBucket, settings.EnvStateMachineARN, settings.EnvProfiles)
	h := &intake.Handler{
		Store:           s3store.New(s3.NewFromConfig(awsCfg), cfg.Bucket),
		SFN:             &stepfn.Client{API: sfn.NewFromConfig(awsCfg)},
		Bucket:          cfg.Bucket,
		StateMachineARN: cfg.StateMachineARN,
		Profiles:        cfg.Profiles,
		Now:             time.Now,
		Log:             log,
	}
	lambda.Start(h.Handle)
}
