package eventbus

import (
	"strings"
	"testing"
)

// The cases follow the examples of the EventBridge user guide, "Content filtering in Amazon
// EventBridge event patterns" and "Matching events on null values and empty strings".
func TestPatternMatch(t *testing.T) {
	const ec2 = `{"version":"0","id":"3e3c153a-8339-4e30-8c35-687ebef853fe","detail-type":"EC2 Instance State-change Notification",
		"source":"aws.ec2","account":"111122223333","time":"2017-10-02T18:43:48Z","region":"us-west-1",
		"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
		"detail":{"instance-id":"i-1234567890abcdef0","state":"pending","c-count":5,"d-count":3.5,
		"FileName":"photo.PNG","source-ip":"10.0.0.123","eventVersion":"","responseElements":null,
		"tags":["blue","prod"],"location":{"city":"Seattle"},"items":[{"kind":"a"},{"kind":"b"}]}}`
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"exact source", `{"source":["aws.ec2"]}`, true},
		{"exact other source", `{"source":["aws.s3"]}`, false},
		{"array is OR", `{"source":["aws.s3","aws.ec2"]}`, true},
		{"fields are AND", `{"source":["aws.ec2"],"detail-type":["Object Created"]}`, false},
		{"nested exact", `{"detail":{"state":["pending"]}}`, true},
		{"nested two levels", `{"detail":{"location":{"city":["Seattle"]}}}`, true},
		{"nested missing object", `{"detail":{"nowhere":{"city":["Seattle"]}}}`, false},
		{"missing field", `{"detail":{"missing":["x"]}}`, false},
		{"number exact", `{"detail":{"c-count":[5]}}`, true},
		{"number is not a string", `{"detail":{"c-count":["5"]}}`, false},
		{"string is not a number", `{"detail":{"state":[5]}}`, false},
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, true},
		{"prefix miss", `{"time":[{"prefix":"2018"}]}`, false},
		{"prefix ignore case", `{"detail":{"FileName":[{"prefix":{"equals-ignore-case":"PHOTO"}}]}}`, true},
		{"suffix is case sensitive", `{"detail":{"FileName":[{"suffix":".png"}]}}`, false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, true},
		{"equals ignore case", `{"detail":{"state":[{"equals-ignore-case":"PENDING"}]}}`, true},
		{"wildcard", `{"detail":{"FileName":[{"wildcard":"ph*.P*G"}]}}`, true},
		{"wildcard miss", `{"detail":{"FileName":[{"wildcard":"*.jpg"}]}}`, false},
		{"anything-but value", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, true},
		{"anything-but same value", `{"detail":{"state":[{"anything-but":"pending"}]}}`, false},
		{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","pending"]}]}}`, false},
		{"anything-but number", `{"detail":{"c-count":[{"anything-but":123}]}}`, true},
		{"anything-but number same", `{"detail":{"c-count":[{"anything-but":[5]}]}}`, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, true},
		{"anything-but prefix same", `{"detail":{"state":[{"anything-but":{"prefix":"pen"}}]}}`, false},
		{"anything-but suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".PNG"}}]}}`, false},
		{"anything-but ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["PENDING"]}}]}}`, false},
		{"anything-but wildcard", `{"detail":{"FileName":[{"anything-but":{"wildcard":"*.jpg"}}]}}`, true},
		{"anything-but missing field", `{"detail":{"missing":[{"anything-but":"x"}]}}`, false},
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, true},
		{"exists true missing", `{"detail":{"missing":[{"exists":true}]}}`, false},
		{"exists false missing", `{"detail":{"missing":[{"exists":false}]}}`, true},
		{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, false},
		{"exists on an object is not a leaf", `{"detail":{"location":[{"exists":true}]}}`, false},
		{"exists on null value", `{"detail":{"responseElements":[{"exists":true}]}}`, true},
		{"null matches null", `{"detail":{"responseElements":[null]}}`, true},
		{"empty string matches empty string", `{"detail":{"eventVersion":[""]}}`, true},
		{"empty string does not match null", `{"detail":{"responseElements":[""]}}`, false},
		{"null does not match empty string", `{"detail":{"eventVersion":[null]}}`, false},
		{"numeric range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}]}}`, true},
		{"numeric out of range", `{"detail":{"c-count":[{"numeric":[">",5]}]}}`, false},
		{"numeric equal", `{"detail":{"d-count":[{"numeric":["=",3.5]}]}}`, true},
		{"numeric on a string", `{"detail":{"state":[{"numeric":[">",0]}]}}`, false},
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, true},
		{"cidr miss", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, false},
		{"event array any element", `{"resources":[{"prefix":"arn:aws:ec2:"}]}`, true},
		{"event array of strings", `{"detail":{"tags":["prod"]}}`, true},
		{"event array of objects", `{"detail":{"items":{"kind":["b"]}}}`, true},
		{"mixed matchers OR", `{"detail":{"state":["stopped",{"prefix":"pend"}]}}`, true},
		{"or top level", `{"$or":[{"source":["aws.s3"]},{"detail":{"c-count":[5]}}]}`, true},
		{"or none", `{"$or":[{"source":["aws.s3"]},{"detail":{"c-count":[6]}}]}`, false},
		{"or nested", `{"detail":{"$or":[{"state":["stopped"]},{"FileName":[{"suffix":".PNG"}]}]}}`, true},
		{"or and field", `{"source":["aws.s3"],"$or":[{"detail":{"c-count":[5]}},{"detail":{"d-count":[1]}}]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompilePattern([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("CompilePattern(%s): %v", tc.pattern, err)
			}
			got, err := p.MatchJSON([]byte(ec2))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("match %s = %v, want %v", tc.pattern, got, tc.want)
			}
		})
	}
}

func TestCompilePatternErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string
	}{
		{"not json", `{`, "parse event pattern"},
		{"not an object", `["aws.s3"]`, "want a JSON object"},
		{"empty", `{}`, "empty pattern"},
		{"leaf not an array", `{"source":"aws.s3"}`, "source: want an array"},
		{"empty array", `{"source":[]}`, "source: empty array"},
		{"empty nested", `{"detail":{}}`, "detail: empty object"},
		{"unknown operator", `{"detail":{"state":[{"contains":"x"}]}}`, `detail.state: unknown operator "contains"`},
		{"two operators", `{"detail":{"state":[{"prefix":"a","suffix":"b"}]}}`, "one operator"},
		{"prefix not string", `{"source":[{"prefix":1}]}`, "prefix wants a string"},
		{"exists not bool", `{"source":[{"exists":"yes"}]}`, "exists wants true or false"},
		{"numeric bad op", `{"detail":{"n":[{"numeric":["!=",1]}]}}`, "not one of"},
		{"numeric odd", `{"detail":{"n":[{"numeric":[">",1,"<"]}]}}`, "numeric wants"},
		{"cidr bad", `{"detail":{"ip":[{"cidr":"10.0.0.0/99"}]}}`, "cidr"},
		{"anything-but empty", `{"source":[{"anything-but":[]}]}`, "at least one"},
		{"anything-but object", `{"source":[{"anything-but":{"exists":true}}]}`, "anything-but wants"},
		{"or single", `{"$or":[{"source":["a"]}]}`, "at least two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompilePattern([]byte(tc.pattern))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CompilePattern(%s) error = %v, want it to contain %q", tc.pattern, err, tc.wantErr)
			}
		})
	}
}

func TestZeroPatternMatchesNothing(t *testing.T) {
	var p Pattern
	if ok, _ := p.MatchJSON([]byte(`{"source":"aws.s3"}`)); ok {
		t.Fatal("zero Pattern matched")
	}
}

func FuzzCompilePattern(f *testing.F) {
	f.Add([]byte(`{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"inbox/"}]}}}`), []byte(`{"source":"aws.s3","detail":{"object":{"key":"inbox/a"}}}`))
	f.Add([]byte(`{"$or":[{"a":[{"numeric":[">",1]}]},{"b":[{"anything-but":{"prefix":"x"}}]}]}`), []byte(`{"a":2,"b":"y"}`))
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		_, _ = p.MatchJSON(event)
	})
}
