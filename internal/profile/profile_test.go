package profile

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr []string
		check   func(t *testing.T, s Set)
	}{
		{
			name: "defaults",
			in:   `{"claude":{"modelId":"us.anthropic.claude-3-5-haiku-20241022-v1:0"}}`,
			check: func(t *testing.T, s Set) {
				p := s["claude"]
				if p.Name != "claude" || p.MinRecords != 100 || p.MaxRecords != 50000 || p.InvocationType != InvokeModel || p.JobSlots != 20 || p.Prefix != "inbox/claude/" {
					t.Fatalf("defaults not applied: %+v", p)
				}
			},
		},
		{
			name:    "every problem named",
			in:      `{"x":{"modelId":"","invocationType":"Batch","timeoutHours":12,"minRecords":10,"maxRecords":5,"schedule":"daily"}}`,
			wantErr: []string{`profile "x": modelId: required`, `invocationType`, `timeoutHours: 12, Bedrock accepts 24-168`, `maxRecords: 5 is below minRecords 10`, `schedule`},
		},
		{name: "unknown field", in: `{"x":{"modelId":"m","maxRecord":5}}`, wantErr: []string{`profile "x"`, `unknown field "maxRecord"`}},
		{name: "bad name", in: `{"Bad_Name":{"modelId":"m"}}`, wantErr: []string{`profile "Bad_Name": name`}},
		{name: "name differs", in: `{"a":{"name":"b","modelId":"m"}}`, wantErr: []string{`differs from its key`}},
		{name: "empty", in: `{}`, wantErr: []string{"none defined"}},
		{name: "not json", in: `[`, wantErr: []string{"profiles:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.in))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("want an error")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}
