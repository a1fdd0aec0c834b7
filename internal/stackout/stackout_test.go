package stackout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// fakeStacks answers DescribeStacks from a map of stack name to outputs.
type fakeStacks struct {
	stacks map[string]map[string]string
	asked  []string
}

func (f *fakeStacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	name := aws.ToString(in.StackName)
	f.asked = append(f.asked, name)
	outs, ok := f.stacks[name]
	if !ok {
		return nil, errors.New("ValidationError: Stack with id " + name + " does not exist")
	}
	st := types.Stack{StackName: aws.String(name)}
	for k, v := range outs {
		st.Outputs = append(st.Outputs, types.Output{OutputKey: aws.String(k), OutputValue: aws.String(v)})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{st}}, nil
}

var full = map[string]string{
	BucketName:      "bbatch-123-us-west-2",
	StateMachineArn: "arn:aws:states:us-west-2:123456789012:stateMachine:bbatch",
	EventBusName:    "default",
	Region:          "us-west-2",
	"Other":         "ignored",
}

func without(key string) map[string]string {
	m := map[string]string{}
	for k, v := range full {
		if k != key {
			m[k] = v
		}
	}
	return m
}

func TestFromStack(t *testing.T) {
	api := &fakeStacks{stacks: map[string]map[string]string{"Good": full, "NoBucket": without(BucketName)}}
	tests := []struct {
		stack   string
		wantErr string
	}{
		{"Good", ""},
		{"NoBucket", "stack NoBucket has no output BucketName"},
		{"Missing", "describe stack Missing: ValidationError"},
		{"", "no stack name"},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			got, err := FromStack(context.Background(), api, tt.stack)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Outputs{Stack: "Good", Bucket: full[BucketName], StateMachineARN: full[StateMachineArn], EventBusName: "default", Region: "us-west-2"}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
	if api.asked[0] != "Good" {
		t.Fatalf("asked for %q", api.asked[0])
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, data, stack, wantErr, wantBucket string
	}{
		{"one stack, no name", `{"BedrockBatch":{"BucketName":"b","StateMachineArn":"arn","EventBusName":"default","Region":"eu-west-1"}}`, "", "", "b"},
		{"named among two", `{"A":{"BucketName":"a","StateMachineArn":"arn","EventBusName":"e","Region":"r"},"B":{"BucketName":"b","StateMachineArn":"arn","EventBusName":"e","Region":"r"}}`, "B", "", "b"},
		{"two stacks, no name", `{"A":{},"B":{}}`, "", "2 stacks (A, B); name one with --stack", ""},
		{"unknown stack", `{"A":{}}`, "C", "no stack C (have A)", ""},
		{"missing keys named", `{"A":{"BucketName":"b","Region":"r"}}`, "", "stack A has no output StateMachineArn, EventBusName", ""},
		{"empty value is missing", `{"A":{"BucketName":" ","StateMachineArn":"arn","EventBusName":"e","Region":"r"}}`, "", "has no output BucketName", ""},
		{"empty stack name", `{"":{"BucketName":"b","StateMachineArn":"arn","EventBusName":"e","Region":"r"}}`, "", "a stack with an empty name", ""},
		{"not an object", `[]`, "", "not a cdk outputs file", ""},
		{"number value", `{"A":{"BucketName":1}}`, "", "not a cdk outputs file", ""},
		{"trailing data", `{"A":{}} {}`, "", "data after the JSON object", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.data), "out.json", tt.stack)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "out.json: ") {
					t.Fatalf("err = %v, want %q naming out.json", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Bucket != tt.wantBucket {
				t.Fatalf("bucket %q, want %q", got.Bucket, tt.wantBucket)
			}
		})
	}
}

func TestWriteFileReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outputs.json")
	want := Outputs{Stack: "BedrockBatch", Bucket: "bbatch-local", StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:bbatch-pipeline", EventBusName: "default", Region: "us-east-1"}
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "none.json"), ""); err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Fatalf("missing file: err = %v", err)
	}
	if err := WriteFile(path, Outputs{}); err == nil {
		t.Fatal("no error writing outputs without a stack name")
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "seed-*.json"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, stack string) {
		o, err := Parse(data, "f.json", stack)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for k, v := range o.values() {
			if strings.TrimSpace(v) == "" {
				t.Fatalf("accepted an empty %s", k)
			}
		}
		b, err := Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(b, "f.json", o.Stack)
		if err != nil || again != o {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, o)
		}
	})
}
