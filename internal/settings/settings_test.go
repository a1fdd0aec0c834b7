package settings

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	env := map[string]string{
		EnvBucket:   "b",
		EnvProfiles: `{"claude":{"modelId":"anthropic.claude-3-haiku-20240307-v1:0"}}`,
	}
	c, err := Load(func(k string) string { return env[k] }, EnvBucket, EnvProfiles, EnvKMSKeyID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Bucket != "b" || c.Profiles["claude"].MaxRecords != 50000 || c.KMSKeyID != "" {
		t.Fatalf("Load = %+v", c)
	}

	env[EnvProfiles] = `{"claude":{"modelId":""}}`
	_, err = Load(func(k string) string { return env[k] }, EnvBucket, EnvProfiles, EnvStateMachineARN, EnvBedrockRoleARN)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{EnvStateMachineARN + " is not set", EnvBedrockRoleARN + " is not set", `profile "claude": modelId: required`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestInt(t *testing.T) {
	get := func(v string) func(string) string { return func(string) string { return v } }
	if n, err := Int(get(""), "K", 7); n != 7 || err != nil {
		t.Fatalf("default: %d, %v", n, err)
	}
	if n, err := Int(get("12"), "K", 7); n != 12 || err != nil {
		t.Fatalf("set: %d, %v", n, err)
	}
	if _, err := Int(get("x"), "K", 7); err == nil || !strings.Contains(err.Error(), `K="x"`) {
		t.Fatalf("bad: %v", err)
	}
}
