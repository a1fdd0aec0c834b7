package main

import (
	"strings"
	"testing"
)

func TestParseModel(t *testing.T) {
	cases := []struct {
		name, id string
		want     Model
		err      string
	}{
		{"foundation model", "anthropic.claude-3-haiku-20240307-v1:0", Model{ID: "anthropic.claude-3-haiku-20240307-v1:0", FoundationModelID: "anthropic.claude-3-haiku-20240307-v1:0"}, ""},
		{"us profile", "us.anthropic.claude-3-5-haiku-20241022-v1:0", Model{ID: "us.anthropic.claude-3-5-haiku-20241022-v1:0", FoundationModelID: "anthropic.claude-3-5-haiku-20241022-v1:0", InferenceProfile: true}, ""},
		{"global profile", "global.amazon.nova-2-lite-v1:0", Model{ID: "global.amazon.nova-2-lite-v1:0", FoundationModelID: "amazon.nova-2-lite-v1:0", InferenceProfile: true}, ""},
		{"apac profile", "apac.amazon.nova-lite-v1:0", Model{ID: "apac.amazon.nova-lite-v1:0", FoundationModelID: "amazon.nova-lite-v1:0", InferenceProfile: true}, ""},
		{"arn", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", Model{}, "not an ARN"},
		{"no provider", "claude", Model{}, "not a Bedrock model id"},
		{"wildcard", "anthropic.*", Model{}, "not a Bedrock model id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseModel(c.id)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("ParseModel = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestConfigFromContext(t *testing.T) {
	haiku := map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}
	cases := []struct {
		name  string
		ctx   map[string]any
		check func(t *testing.T, c Config)
		errs  []string // every substring the error must hold
	}{
		{"defaults", map[string]any{ContextProfiles: map[string]any{"a": haiku}}, func(t *testing.T, c Config) {
			if c.StackName != DefaultStackName || c.RunsExpirationDays != DefaultRunsExpirationDays || c.LogRetentionDays != DefaultLogRetentionDays || c.KMSKeyARN != "" || c.AlarmEmail != "" {
				t.Errorf("defaults: %+v", c)
			}
			if p := c.Profiles["a"]; p.MaxRecords != 50000 || p.Prefix != "inbox/a/" {
				t.Errorf("profile not normalized: %+v", p)
			}
		}, nil},
		{"-c strings", map[string]any{
			ContextProfiles:           `{"a":{"modelId":"anthropic.claude-3-haiku-20240307-v1:0"},"b":{"modelId":"anthropic.claude-3-haiku-20240307-v1:0"}}`,
			ContextRunsExpirationDays: "60", ContextLogRetentionDays: "7", ContextStackName: "Team",
		}, func(t *testing.T, c Config) {
			if c.StackName != "Team" || c.RunsExpirationDays != 60 || c.LogRetentionDays != 7 || len(c.Profiles) != 2 || len(c.Models) != 1 {
				t.Errorf("config %+v", c)
			}
		}, nil},
		{"no profiles", map[string]any{}, nil, []string{ContextProfiles + ": not set"}},
		{"profile problems name profile and field", map[string]any{ContextProfiles: map[string]any{
			"a": map[string]any{"modelId": ""},
			"b": map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "invocationType": "Batch"},
			"c": map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "jobSlotz": 3},
		}}, nil, []string{`profile "a": modelId: required`, `profile "b": invocationType`, `profile "c"`, `"jobSlotz"`}},
		{"arn model id", map[string]any{ContextProfiles: map[string]any{"a": map[string]any{"modelId": "arn:aws:bedrock:us-east-1::foundation-model/x.y"}}}, nil,
			[]string{`profile "a": modelId:`, "not an ARN"}},
		{"bad knobs", map[string]any{
			ContextProfiles: map[string]any{"a": haiku}, ContextLogRetentionDays: float64(10), ContextRunsExpirationDays: "soon",
			ContextAlarmEmail: "ops", ContextKMSKeyARN: "alias/mine",
		}, nil, []string{ContextLogRetentionDays + ": 10", ContextRunsExpirationDays + `: "soon"`, ContextAlarmEmail, ContextKMSKeyARN + `: "alias/mine"`}},
		{"expiry shorter than a run", map[string]any{
			ContextProfiles:           map[string]any{"long": map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "timeoutHours": 168}},
			ContextRunsExpirationDays: float64(14),
		}, nil, []string{`runs/ of profile "long"`, "3 rounds of up to 168 hours"}},
		{"profiles too big for the environment", map[string]any{ContextProfiles: manyProfiles(40)}, nil, []string{"bytes as JSON"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ConfigFromContext(func(k string) any { return c.ctx[k] })
			if len(c.errs) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", c.errs)
				}
				for _, want := range c.errs {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, cfg)
		})
	}
}

func manyProfiles(n int) map[string]any {
	out := map[string]any{}
	for i := range n {
		out["profile-"+strings.Repeat("x", i%10)+string(rune('a'+i%26))+string(rune('a'+i/26))] = map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}
	}
	return out
}
