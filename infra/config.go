package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/bedrock-batch/bedrock-batch/internal/profile"
)

// CDK context keys the app reads, from cdk.json's "context" or `npx cdk ... -c key=value`.
const (
	ContextProfiles           = "bbatch:profiles"           // object of profiles by name (required)
	ContextStackName          = "bbatch:stackName"          // stack name, default DefaultStackName
	ContextKMSKeyARN          = "bbatch:kmsKeyArn"          // optional customer KMS key for the bucket and job outputs
	ContextRunsExpirationDays = "bbatch:runsExpirationDays" // days before runs/ intermediates expire
	ContextLogRetentionDays   = "bbatch:logRetentionDays"   // CloudWatch Logs retention of every log group
	ContextAlarmEmail         = "bbatch:alarmEmail"         // optional address the alarms notify
)

// Defaults of the optional context keys.
const (
	DefaultStackName          = "BedrockBatch"
	DefaultRunsExpirationDays = 30
	DefaultLogRetentionDays   = 30
)

// maxEnvBytes is Lambda's limit on the total size of a function's environment variables;
// maxProfilesBytes leaves room for the other variables beside the profiles.
const (
	maxEnvBytes      = 4096
	maxProfilesBytes = maxEnvBytes - 1024
)

// logRetention maps the retention periods CloudWatch Logs accepts, in days, to the CDK's names.
var logRetention = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// Config is the validated deployment configuration of one stack.
type Config struct {
	StackName          string
	Profiles           profile.Set
	Models             []Model // one per distinct model id of Profiles, sorted by ID
	KMSKeyARN          string  // empty: S3-managed encryption
	RunsExpirationDays int
	LogRetentionDays   int
	AlarmEmail         string // empty: alarms without notification
}

// Model is a model id a profile names, classified for IAM: a foundation model in the stack's
// Region, or a cross-Region (system-defined) inference profile routing to a foundation model in
// Regions the profile chooses.
type Model struct {
	ID                string // as configured: the id Bedrock is called with
	FoundationModelID string // the foundation model it runs on
	InferenceProfile  bool   // ID is a geographic or global inference profile id
}

var (
	geoProfileRE = regexp.MustCompile(`^(us|us-gov|eu|apac|jp|au|ca|global)\.([a-z0-9-]+\..+)$`)
	modelIDRE    = regexp.MustCompile(`^[a-z0-9-]+\.[A-Za-z0-9._:-]+$`)
)

// ParseModel classifies a profile's model id. ARNs are refused: a foundation-model ARN names a
// Region the stack may not be in, and an application inference profile ARN does not say which
// foundation models it routes to, so least-privilege statements cannot be written for either.
func ParseModel(id string) (Model, error) {
	if strings.HasPrefix(id, "arn:") {
		return Model{}, fmt.Errorf("%q: give a model id (anthropic.claude-...) or an inference profile id (us.anthropic.claude-...), not an ARN", id)
	}
	if m := geoProfileRE.FindStringSubmatch(id); m != nil {
		return Model{ID: id, FoundationModelID: m[2], InferenceProfile: true}, nil
	}
	if !modelIDRE.MatchString(id) {
		return Model{}, fmt.Errorf("%q is not a Bedrock model id like provider.model-version", id)
	}
	return Model{ID: id, FoundationModelID: id}, nil
}

// ConfigFromContext reads and validates the app's context through get (the app node's
// TryGetContext: nil for an absent key). Every problem is reported in one error; a profile
// problem names the profile and the field.
func ConfigFromContext(get func(key string) any) (Config, error) {
	c := Config{StackName: DefaultStackName}
	var errs []error
	if v, err := contextString(get, ContextStackName); err != nil {
		errs = append(errs, err)
	} else if v != "" {
		c.StackName = v
	}
	set, err := contextProfiles(get)
	if err != nil {
		errs = append(errs, err)
	}
	c.Profiles = set
	seen := map[string]bool{}
	for _, name := range set.Names() {
		id := set[name].ModelID
		m, err := ParseModel(id)
		if err != nil {
			errs = append(errs, fmt.Errorf("profile %q: modelId: %w", name, err))
			continue
		}
		if !seen[id] {
			seen[id] = true
			c.Models = append(c.Models, m)
		}
	}
	if n := len(c.ProfilesJSON()); set != nil && n > maxProfilesBytes {
		errs = append(errs, fmt.Errorf("%s: %d bytes as JSON; Lambda allows %d bytes of environment in all, so keep profiles under %d", ContextProfiles, n, maxEnvBytes, maxProfilesBytes))
	}
	slices.SortFunc(c.Models, func(a, b Model) int { return strings.Compare(a.ID, b.ID) })
	if c.KMSKeyARN, err = contextString(get, ContextKMSKeyARN); err != nil {
		errs = append(errs, err)
	} else if c.KMSKeyARN != "" && !strings.HasPrefix(c.KMSKeyARN, "arn:") {
		errs = append(errs, fmt.Errorf("%s: %q, want a KMS key ARN", ContextKMSKeyARN, c.KMSKeyARN))
	}
	if c.RunsExpirationDays, err = contextInt(get, ContextRunsExpirationDays, DefaultRunsExpirationDays); err != nil {
		errs = append(errs, err)
	} else if c.RunsExpirationDays < 1 {
		errs = append(errs, fmt.Errorf("%s: %d, want at least 1", ContextRunsExpirationDays, c.RunsExpirationDays))
	}
	for _, name := range set.Names() {
		prof := set[name]
		if days := (prof.MaxRounds*prof.TimeoutHours + 23) / 24; c.RunsExpirationDays > 0 && c.RunsExpirationDays <= days {
			errs = append(errs, fmt.Errorf("%s: %d days would expire runs/ of profile %q while its jobs may still run (%d rounds of up to %d hours)",
				ContextRunsExpirationDays, c.RunsExpirationDays, name, prof.MaxRounds, prof.TimeoutHours))
		}
	}
	if c.LogRetentionDays, err = contextInt(get, ContextLogRetentionDays, DefaultLogRetentionDays); err != nil {
		errs = append(errs, err)
	} else if _, ok := logRetention[c.LogRetentionDays]; !ok {
		days := slices.Sorted(maps.Keys(logRetention))
		errs = append(errs, fmt.Errorf("%s: %d, CloudWatch Logs accepts %v", ContextLogRetentionDays, c.LogRetentionDays, days))
	}
	if c.AlarmEmail, err = contextString(get, ContextAlarmEmail); err != nil {
		errs = append(errs, err)
	} else if c.AlarmEmail != "" {
		if _, err := mail.ParseAddress(c.AlarmEmail); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q: %w", ContextAlarmEmail, c.AlarmEmail, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("cdk context: %w", err)
	}
	return c, nil
}

// LogRetention is LogRetentionDays as the CDK names it.
func (c Config) LogRetention() awslogs.RetentionDays { return logRetention[c.LogRetentionDays] }

// ProfilesJSON is the value of settings.EnvProfiles: the normalized profiles, which the functions
// parse with profile.Parse.
func (c Config) ProfilesJSON() string {
	b, err := json.Marshal(c.Profiles)
	if err != nil {
		panic("infra: profiles do not marshal: " + err.Error())
	}
	return string(b)
}

// contextProfiles reads ContextProfiles, given as an object (cdk.json) or as its JSON text (-c).
func contextProfiles(get func(string) any) (profile.Set, error) {
	v := get(ContextProfiles)
	var raw []byte
	switch v := v.(type) {
	case nil:
		return nil, fmt.Errorf("%s: not set; add it to cdk.json's context or pass -c %s='{\"name\":{\"modelId\":\"...\"}}'", ContextProfiles, ContextProfiles)
	case string:
		raw = []byte(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ContextProfiles, err)
		}
		raw = b
	}
	set, err := profile.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ContextProfiles, err)
	}
	return set, nil
}

func contextString(get func(string) any, key string) (string, error) {
	switch v := get(key).(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	default:
		return "", fmt.Errorf("%s: %v, want a string", key, v)
	}
}

func contextInt(get func(string) any, key string, def int) (int, error) {
	switch v := get(key).(type) {
	case nil:
		return def, nil
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("%s: %v, want a whole number", key, v)
		}
		return int(v), nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("%s: %q, want a whole number", key, v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("%s: %v, want a whole number", key, v)
	}
}
