// Command chunker is the chunker Lambda: wiring only (config, logger, AWS config, adapters, handler).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/functions/chunker"
	"github.com/bedrock-batch/bedrock-batch/internal/lambdaboot"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
)

func main() {
	cfg, log, awsCfg := lambdaboot.Boot("chunker", settings.EnvBucket, settings.EnvProfiles)
	store := s3store.New(s3.NewFromConfig(awsCfg), cfg.Bucket)
	rounds := &round.Rounds{
		Store:   store,
		Ledger:  &ledger.Ledger{Store: store},
		Profile: func(name string) (profile.Profile, bool) { p, ok := cfg.Profiles[name]; return p, ok },
		Now:     time.Now,
		Log:     log,
	}
	lambda.Start((&chunker.Handler{Store: store, Rounds: rounds, Profiles: cfg.Profiles, Log: log}).Handle)
}
