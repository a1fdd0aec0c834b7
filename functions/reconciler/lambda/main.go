// Command reconciler is the reconciler Lambda: wiring only (config, logger, AWS config, adapters, handler).
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/functions/reconciler"
	"github.com/bedrock-batch/bedrock-batch/internal/bedrockjobs"
	"github.com/bedrock-batch/bedrock-batch/internal/lambdaboot"
	"github.com/bedrock-batch/bedrock-batch/internal/ledger"
	"github.com/bedrock-batch/bedrock-batch/internal/ondemand"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/report"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/runevent"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
)

func main() {
	cfg, log, awsCfg := lambdaboot.Boot("reconciler", settings.EnvBucket, settings.EnvProfiles, settings.EnvEventBusName)
	prices, err := pricing.Default()
	if err != nil {
		log.Error("reconciler cannot read the price table", "error", err)
		os.Exit(1)
	}
	store := s3store.New(s3.NewFromConfig(awsCfg), cfg.Bucket)
	runtime := bedrockruntime.NewFromConfig(awsCfg)
	lookup := func(name string) (profile.Profile, bool) { p, ok := cfg.Profiles[name]; return p, ok }
	rounds := &round.Rounds{
		Store:   store,
		Ledger:  &ledger.Ledger{Store: store},
		Jobs:    &bedrockjobs.Client{API: bedrock.NewFromConfig(awsCfg)},
		Profile: lookup,
		NewTail: func(p profile.Profile) round.Tail {
			return &ondemand.Runner{API: runtime, ModelID: p.ModelID, InvocationType: p.InvocationType, Concurrency: p.TailConcurrency,
				MaxAttempts: p.MaxAttempts, BaseDelay: time.Second, MaxDelay: 30 * time.Second, Sleep: ondemand.SleepContext}
		},
		Now: time.Now,
		Log: log,
	}
	finalizer := &report.Finalizer{
		Store: store, Rounds: rounds, Ledger: rounds.Ledger, Prices: prices, Profile: lookup,
		Publisher: &runevent.Publisher{API: eventbridge.NewFromConfig(awsCfg), BusName: cfg.EventBusName},
		Now:       time.Now, Log: log,
	}
	lambda.Start((&reconciler.Handler{Rounds: rounds, Finalizer: finalizer}).Handle)
}
