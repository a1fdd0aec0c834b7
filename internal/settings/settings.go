package settings

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/bedrock-batch/bedrock-batch/internal/profile"
)

// Environment variable names.
const (
	EnvBucket          = "BBATCH_BUCKET"            // the pipeline's bucket
	EnvStateMachineARN = "BBATCH_STATE_MACHINE_ARN" // the pipeline state machine (intake)
	EnvProfiles        = "BBATCH_PROFILES"          // JSON object of profiles by name
	EnvBedrockRoleARN  = "BBATCH_BEDROCK_ROLE_ARN"  // service role passed to Bedrock (submitter)
	EnvEventBusName    = "BBATCH_EVENT_BUS"         // bus for "Batch Run Completed" (reconciler)
	EnvKMSKeyID        = "BBATCH_KMS_KEY_ID"        // optional customer key for job outputs
)

// Config is everything a function may read from its environment.
type Config struct {
	Bucket          string
	StateMachineARN string
	Profiles        profile.Set
	BedrockRoleARN  string
	EventBusName    string
	KMSKeyID        string
}

// Load reads the keys a function needs; keys it does not ask for stay empty. Every missing or
// invalid key is reported in one error.
func Load(getenv func(string) string, need ...string) (Config, error) {
	var c Config
	var errs []error
	for _, key := range need {
		v := getenv(key)
		if v == "" && key != EnvKMSKeyID {
			errs = append(errs, fmt.Errorf("%s is not set", key))
			continue
		}
		switch key {
		case EnvBucket:
			c.Bucket = v
		case EnvStateMachineARN:
			c.StateMachineARN = v
		case EnvBedrockRoleARN:
			c.BedrockRoleARN = v
		case EnvEventBusName:
			c.EventBusName = v
		case EnvKMSKeyID:
			c.KMSKeyID = v
		case EnvProfiles:
			set, err := profile.Parse([]byte(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", key, err))
			}
			c.Profiles = set
		default:
			errs = append(errs, fmt.Errorf("%s is not a setting this program knows", key))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// Int reads an optional integer setting with a default, for tuning knobs outside Config.
func Int(getenv func(string) string, key string, def int) (int, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want an integer", key, v)
	}
	return n, nil
}
