package eventrule

import "testing"

func TestPatternJSON(t *testing.T) {
	tests := []struct {
		name    string
		pattern Pattern
		want    string
	}{
		{"inbox object created", InboxObjectCreated("my-bucket"),
			`{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["my-bucket"]},"object":{"key":[{"prefix":"inbox/"}]}}}`},
		{"batch job state change", BatchJobStateChange(),
			`{"source":["aws.bedrock"],"detail-type":["Batch Inference Job State Change"]}`},
		{"scheduled", Scheduled(),
			`{"source":["aws.events"],"detail-type":["Scheduled Event"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.pattern.JSON()); got != tc.want {
				t.Errorf("JSON() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestRules(t *testing.T) {
	rules := Rules("b")
	targets := map[string]string{}
	for _, r := range rules {
		if _, dup := targets[r.Name]; dup {
			t.Fatalf("rule name %s repeated", r.Name)
		}
		targets[r.Name] = r.Target
	}
	want := map[string]string{"InboxObjectCreated": TargetIntake, "BatchJobStateChange": TargetJobEvents, "Scheduled": TargetIntake}
	if len(targets) != len(want) {
		t.Fatalf("rules %v, want %v", targets, want)
	}
	for name, target := range want {
		if targets[name] != target {
			t.Errorf("rule %s targets %q, want %q", name, targets[name], target)
		}
	}
}
