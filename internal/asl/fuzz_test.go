package asl

import (
	"errors"
	"testing"
)

// FuzzParse checks that any document either loads or fails with a *LoadError, never panics.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`,
		`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","IsPresent":true}],"Next":"B"}],"Default":"B"},"B":{"Type":"Succeed"}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"}},"End":true}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T"}],"End":true}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Fail","ErrorPath":"$.e"}}}],"End":true}}}`,
		`{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$$.Execution.StartTime","End":true}}}`,
		`{"StartAt":"${X}"}`,
		`[]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		def, err := Parse([]byte(src), map[string]string{"X": "A"})
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a *LoadError", err)
			}
			return
		}
		if _, ok := def.States[def.StartAt]; !ok {
			t.Fatalf("loaded definition without its StartAt state")
		}
	})
}
