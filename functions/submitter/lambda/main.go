// Command submitter is the submitter Lambda: wiring only (config, logger, AWS config, adapters, handler).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bedrock-batch/bedrock-batch/functions/submitter"
	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/lambdaboot"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
	"github.com/bedrock-batch/bedrock-batch/internal/stepfn"
	"github.com/bedrock-batch/bedrock-batch/internal/submit"
)

func main() {
	cfg, log, awsCfg := lambdaboot.Boot("submitter", settings.EnvBucket, settings.EnvProfiles, settings.EnvBedrockRoleARN, settings.EnvKMSKeyID)
	protocol := &submit.Protocol{
		Ledger:   &ledger.Ledger{Store: s3store.New(s3.NewFromConfig(awsCfg), cfg.Bucket)},
		Jobs:     &bedrockjobs.Client{API: bedrock.NewFromConfig(awsCfg)},
		Tasks:    &stepfn.Client{API: sfn.NewFromConfig(awsCfg)},
		Profiles: cfg.Profiles,
		RoleARN:  cfg.BedrockRoleARN,
		KMSKeyID: cfg.KMSKeyID,
		Now:      time.Now,
		Log:      log,
	}
	lambda.Start((&submitter.Handler{Submitter: protocol}).Handle)
}
