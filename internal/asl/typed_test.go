package asl

import (
	"context"
	"testing"
)

type submitIn struct {
	Chunk int `json:"chunk"`
}

type submitOut struct {
	Job string `json:"job"`
}

func TestTyped(t *testing.T) {
	h := Typed(func(_ context.Context, in submitIn) (submitOut, error) {
		if in.Chunk < 0 {
			return submitOut{}, &JobFailedError{JobARN: "j"}
		}
		return submitOut{Job: "job-1"}, nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"submit","Payload.$":"$"},
		"OutputPath":"$.Payload","End":true}}}`
	tests := []struct {
		input, wantStatus, wantErr, wantOut string
	}{
		{`{"chunk":1}`, StatusSucceeded, "", `{"job":"job-1"}`},
		{`{"chunk":-1}`, StatusFailed, "JobFailedError", ""},
		{`{"chunk":"one"}`, StatusFailed, "UnmarshalTypeError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			s, _ := runDef(t, Config{Functions: map[string]Handler{"submit": h}}, def, tt.input)
			if s.Status != tt.wantStatus || s.Error != tt.wantErr {
				t.Fatalf("%s %s %s", s.Status, s.Error, s.Cause)
			}
			if tt.wantOut != "" {
				jsonEqual(t, s.Output, tt.wantOut)
			}
		})
	}
}
