package fakemodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current fake models")

// goldenCases pin one response per family, so a change to a fake model's output is a visible diff.
var goldenCases = []struct{ name, model, invocation, body string }{
	{"claude", "us.anthropic.claude-3-5-haiku-20241022-v1:0", InvocationInvokeModel,
		`{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"system":"Answer with one label.","messages":[{"role":"user","content":[{"type":"text","text":"Classify: the parcel arrived two weeks late."}]}],"temperature":0}`},
	{"nova", "amazon.nova-lite-v1:0", InvocationInvokeModel,
		`{"schemaVersion":"messages-v1","system":[{"text":"Answer with one label."}],"messages":[{"role":"user","content":[{"text":"Classify: the parcel arrived two weeks late."}]}],"inferenceConfig":{"max_new_tokens":8}}`},
	{"converse", "anthropic.claude-3-7-sonnet-20250219-v1:0", InvocationConverse,
		`{"system":[{"text":"Answer with one label."}],"messages":[{"role":"user","content":[{"text":"Classify: the parcel arrived two weeks late."}]}],"inferenceConfig":{"maxTokens":256}}`},
	{"titan", "amazon.titan-embed-text-v2:0", InvocationInvokeModel,
		`{"inputText":"the parcel arrived two weeks late","dimensions":256,"embeddingTypes":["float","binary"]}`},
	{"cohere", "cohere.embed-english-v3", InvocationInvokeModel,
		`{"texts":["the parcel arrived two weeks late"],"input_type":"classification","embedding_types":["int8"]}`},
	{"llama", "meta.llama3-1-70b-instruct-v1:0", InvocationInvokeModel,
		`{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nClassify: the parcel arrived two weeks late.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n","max_gen_len":64}`},
	{"titan-text", "amazon.titan-text-express-v1", InvocationInvokeModel,
		`{"inputText":"User: Classify: the parcel arrived two weeks late.\nBot:","textGenerationConfig":{"maxTokenCount":64,"temperature":0}}`},
	{"mistral-text", "mistral.mistral-small-2402-v1:0", InvocationInvokeModel,
		`{"prompt":"<s>[INST] Classify: the parcel arrived two weeks late. [/INST]","max_tokens":64}`},
	{"mistral-chat", "mistral.mistral-large-2407-v1:0", InvocationInvokeModel,
		`{"messages":[{"role":"system","content":"Answer with one label."},{"role":"user","content":"Classify: the parcel arrived two weeks late."}],"max_tokens":64}`},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Invoke(tc.model, tc.invocation, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", "golden", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run go test -update to create it): %v", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("response differs from %s (run go test -update if the change is intended):\n%s", path, pretty.Bytes())
			}
		})
	}
}

// FuzzInvoke checks that no body makes a fake model panic, answer invalid JSON, answer
// differently twice, or fail with anything but a 400 *Error.
func FuzzInvoke(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(tc.body)
	}
	models := []string{
		"anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-micro-v1:0", "amazon.titan-embed-text-v2:0",
		"amazon.titan-text-express-v1", "cohere.embed-english-v3", "meta.llama3-1-8b-instruct-v1:0", "mistral.mistral-7b-instruct-v0:2",
		"mistral.mistral-large-2407-v1:0", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, model := range models {
			for _, inv := range []string{InvocationInvokeModel, InvocationConverse} {
				out, err := Invoke(model, inv, []byte(body))
				if err != nil {
					var e *Error
					if !errors.As(err, &e) || e.Status != 400 || e.Type != "ValidationException" {
						t.Fatalf("%s %s: err = %v, want a 400 ValidationException", model, inv, err)
					}
					continue
				}
				if !json.Valid(out) {
					t.Fatalf("%s %s: invalid JSON %s", model, inv, out)
				}
				again, _ := Invoke(model, inv, []byte(body))
				if !bytes.Equal(out, again) {
					t.Fatalf("%s %s: two answers for one body", model, inv)
				}
			}
		}
	})
}
