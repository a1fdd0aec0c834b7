package fakemodel

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, b)
	}
	return m
}

// num reads a number at a dotted path of a decoded response.
func at(t *testing.T, m map[string]any, path string) any {
	t.Helper()
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				t.Fatalf("response has no %s: %v", path, m)
			}
			cur = v
		case []any:
			i := int(p[0] - '0')
			if i >= len(c) {
				t.Fatalf("response %s: index %d out of range", path, i)
			}
			cur = c[i]
		default:
			t.Fatalf("response %s: %T is not a container", path, cur)
		}
	}
	return cur
}

func TestInvokeShapes(t *testing.T) {
	const claudeBody = `{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"system":"Answer with one label.","messages":[{"role":"user","content":[{"type":"text","text":"Classify: the parcel arrived two weeks late."}]}]}`
	tests := []struct {
		name, model, invocation, body string
		want                          map[string]any // dotted path -> expected value (nil: must exist)
	}{
		{"claude", "anthropic.claude-3-5-haiku-20241022-v1:0", InvocationInvokeModel, claudeBody, map[string]any{
			"type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022", "content.0.type": "text",
			"stop_reason": "end_turn", "stop_sequence": nil,
			// runes: 22 (system) + 44 (user) = 66 → 17 tokens
			"usage.input_tokens": 17.0, "usage.output_tokens": nil,
		}},
		{"claude string content", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":1,"messages":[{"role":"user","content":"abcdefgh"}]}`,
			map[string]any{"usage.input_tokens": 2.0, "usage.output_tokens": 1.0, "stop_reason": "max_tokens"}},
		{"claude 3.7 128k beta", "anthropic.claude-3-7-sonnet-20250219-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","anthropic_beta":["output-128k-2025-02-19"],"max_tokens":100000,"messages":[{"role":"user","content":"x"}]}`,
			map[string]any{"stop_reason": "end_turn"}},
		{"nova maxTokens", "us.amazon.nova-2-lite-v1:0", InvocationInvokeModel,
			`{"schemaVersion":"messages-v1","system":[{"text":"abcd"}],"messages":[{"role":"user","content":[{"text":"abcde"}]}],"inferenceConfig":{"maxTokens":2}}`,
			map[string]any{"output.message.role": "assistant", "output.message.content.0.text": nil, "stopReason": "max_tokens",
				"usage.inputTokens": 3.0, "usage.outputTokens": 2.0, "usage.totalTokens": 5.0}},
		{"nova max_new_tokens", "amazon.nova-micro-v1:0", InvocationInvokeModel,
			`{"messages":[{"role":"user","content":[{"text":"hello"}]}],"inferenceConfig":{"max_new_tokens":1000}}`,
			map[string]any{"stopReason": "end_turn", "usage.inputTokens": 2.0}},
		{"converse", "anthropic.claude-3-haiku-20240307-v1:0", InvocationConverse,
			`{"system":[{"text":"abcd"}],"messages":[{"role":"user","content":[{"text":"abcd"}]}],"inferenceConfig":{"maxTokens":100}}`,
			map[string]any{"output.message.role": "assistant", "stopReason": "end_turn", "usage.inputTokens": 2.0,
				"usage.outputTokens": nil, "usage.totalTokens": nil, "metrics.latencyMs": nil}},
		{"titan default", "amazon.titan-embed-text-v2:0", InvocationInvokeModel, `{"inputText":"hello world"}`,
			map[string]any{"inputTextTokenCount": 3.0, "embeddingsByType.float": nil}},
		{"cohere floats", "cohere.embed-english-v3", InvocationInvokeModel, `{"texts":["a","b"],"input_type":"search_document"}`,
			map[string]any{"response_type": "embeddings_floats", "texts.1": "b", "id": nil}},
		{"cohere by type", "cohere.embed-multilingual-v3", InvocationInvokeModel, `{"texts":["a"],"input_type":"classification","embedding_types":["float","int8"]}`,
			map[string]any{"response_type": "embeddings_by_type", "embeddings.float": nil, "embeddings.int8": nil}},
		{"titan text", "amazon.titan-text-premier-v1:0", InvocationInvokeModel, `{"inputText":"abcdefgh","textGenerationConfig":{"maxTokenCount":1}}`,
			map[string]any{"inputTextTokenCount": 2.0, "results.0.tokenCount": 1.0, "results.0.completionReason": "LENGTH"}},
		{"llama", "meta.llama3-1-8b-instruct-v1:0", InvocationInvokeModel, `{"prompt":"abcdefgh","max_gen_len":100}`,
			map[string]any{"prompt_token_count": 2.0, "generation_token_count": nil, "stop_reason": "stop", "generation": nil}},
		{"llama length", "meta.llama3-3-70b-instruct-v1:0", InvocationInvokeModel, `{"prompt":"abcdefgh","max_gen_len":1}`,
			map[string]any{"generation_token_count": 1.0, "stop_reason": "length"}},
		{"mistral text", "mistral.mistral-small-2402-v1:0", InvocationInvokeModel, `{"prompt":"<s>[INST] hi [/INST]","max_tokens":50}`,
			map[string]any{"outputs.0.text": nil, "outputs.0.stop_reason": "stop"}},
		{"mistral chat", "mistral.mistral-large-2407-v1:0", InvocationInvokeModel, `{"messages":[{"role":"user","content":"hi"}],"max_tokens":1}`,
			map[string]any{"choices.0.index": 0.0, "choices.0.message.role": "assistant", "choices.0.stop_reason": "length"}},
		{"application profile sniffs claude", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456", InvocationInvokeModel, claudeBody,
			map[string]any{"model": "claude", "usage.input_tokens": 17.0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Invoke(tc.model, tc.invocation, []byte(tc.body))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			m := decode(t, out)
			for path, want := range tc.want {
				got := at(t, m, path)
				if want != nil && got != want {
					t.Errorf("%s = %v, want %v", path, got, want)
				}
			}
			again, err := Invoke(tc.model, tc.invocation, []byte(tc.body))
			if err != nil || string(again) != string(out) {
				t.Errorf("second call differs: %s vs %s (%v)", again, out, err)
			}
		})
	}
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct{ name, model, invocation, body, want string }{
		{"claude no version", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"max_tokens":10,"messages":[{"role":"user","content":"x"}]}`,
			"Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again."},
		{"claude no max_tokens", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","messages":[{"role":"user","content":"x"}]}`,
			"Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."},
		{"claude no messages", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10}`,
			"Malformed input request: #: required key [messages] not found, please reformat your input and try again."},
		{"claude extraneous key", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"x"}],"prompt":"x"}`,
			"Malformed input request: #: extraneous key [prompt] is not permitted, please reformat your input and try again."},
		{"claude max_tokens string", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":"10","messages":[{"role":"user","content":"x"}]}`,
			"Malformed input request: #/max_tokens: expected type: Integer, found: String, please reformat your input and try again."},
		{"claude bad role", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"bot","content":"x"}]}`,
			"Malformed input request: #/messages/0/role: bot is not a valid enum value, please reformat your input and try again."},
		{"claude max_tokens over the model's ceiling", "us.anthropic.claude-3-5-haiku-20241022-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":8193,"messages":[{"role":"user","content":"x"}]}`,
			"max_tokens: 8193 > 8192, which is the maximum allowed number of output tokens for claude-3-5-haiku-20241022"},
		{"claude max_tokens zero", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":0,"messages":[{"role":"user","content":"x"}]}`,
			"Malformed input request: #/max_tokens: 0 is not greater or equal to 1, please reformat your input and try again."},
		{"llama max_gen_len huge", "meta.llama3-1-8b-instruct-v1:0", InvocationInvokeModel, `{"prompt":"x","max_gen_len":1e30}`,
			"Malformed input request: #/max_gen_len: 1000000000000000000000000000000 is not less or equal to 2048, please reformat your input and try again."},
		{"not json", "anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel, `[1]`,
			"Malformed input request: #: expected type: JSONObject, found: JSONArray, please reformat your input and try again."},
		{"nova no messages", "amazon.nova-lite-v1:0", InvocationInvokeModel, `{"inferenceConfig":{"maxTokens":5}}`,
			"Malformed input request: #: required key [messages] not found, please reformat your input and try again."},
		{"titan no inputText", "amazon.titan-embed-text-v2:0", InvocationInvokeModel, `{"dimensions":256}`,
			"Malformed input request: #: required key [inputText] not found, please reformat your input and try again."},
		{"titan bad dimension", "amazon.titan-embed-text-v2:0", InvocationInvokeModel, `{"inputText":"x","dimensions":300}`,
			"Malformed input request: #/dimensions: 300 is not a valid enum value, please reformat your input and try again."},
		{"titan text extraneous config key", "amazon.titan-text-express-v1", InvocationInvokeModel, `{"inputText":"x","textGenerationConfig":{"max_tokens":5}}`,
			"Malformed input request: #/textGenerationConfig: extraneous key [max_tokens] is not permitted, please reformat your input and try again."},
		{"cohere no input_type", "cohere.embed-english-v3", InvocationInvokeModel, `{"texts":["x"]}`,
			"Malformed input request: #: required key [input_type] not found, please reformat your input and try again."},
		{"cohere too many texts", "cohere.embed-english-v3", InvocationInvokeModel, `{"texts":[` + strings.Repeat(`"x",`, 96) + `"x"],"input_type":"search_query"}`,
			"Malformed input request: #/texts: expected between 1 and 96 items, found: 97, please reformat your input and try again."},
		{"llama no prompt", "meta.llama3-1-70b-instruct-v1:0", InvocationInvokeModel, `{"max_gen_len":5}`,
			"Malformed input request: #: required key [prompt] not found, please reformat your input and try again."},
		{"llama extraneous", "meta.llama3-1-70b-instruct-v1:0", InvocationInvokeModel, `{"prompt":"x","max_tokens":5}`,
			"Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again."},
		{"mistral text model with messages", "mistral.mistral-small-2402-v1:0", InvocationInvokeModel, `{"messages":[{"role":"user","content":"x"}]}`,
			"Malformed input request: #: required key [prompt] not found, please reformat your input and try again."},
		{"converse starts with assistant", "amazon.nova-pro-v1:0", InvocationConverse, `{"messages":[{"role":"assistant","content":[{"text":"x"}]}]}`,
			"A conversation must start with a user message. Try again with a conversation that starts with a user message."},
		{"converse maxTokens over the ceiling", "anthropic.claude-3-haiku-20240307-v1:0", InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"x"}]}],"inferenceConfig":{"maxTokens":5000}}`,
			"The maximum tokens you requested exceeds the model limit of 4096. Try again with a maximum tokens value that is lower than 4096."},
		{"converse on embeddings", "amazon.titan-embed-text-v2:0", InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"x"}]}]}`,
			"This action doesn't support the model that you provided. Try again with a supported text or chat model."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Invoke(tc.model, tc.invocation, []byte(tc.body))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Status != 400 || e.Type != "ValidationException" || e.Message != tc.want {
				t.Errorf("got %d %s %q, want 400 ValidationException %q", e.Status, e.Type, e.Message, tc.want)
			}
		})
	}
}

func TestEmbeddings(t *testing.T) {
	vec := func(t *testing.T, body string) []float64 {
		t.Helper()
		out, err := Invoke("amazon.titan-embed-text-v2:0", InvocationInvokeModel, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var r struct{ Embedding []float64 }
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		return r.Embedding
	}
	norm := func(v []float64) float64 {
		var s float64
		for _, x := range v {
			s += x * x
		}
		return math.Sqrt(s)
	}
	for _, dims := range []int{256, 512, 1024} {
		t.Run("dimensions "+formatInt(int64(dims)), func(t *testing.T) {
			v := vec(t, `{"inputText":"the same text","dimensions":`+formatInt(int64(dims))+`}`)
			if len(v) != dims {
				t.Errorf("len = %d", len(v))
			}
			if n := norm(v); math.Abs(n-1) > 1e-4 {
				t.Errorf("norm = %v, want 1", n)
			}
		})
	}
	t.Run("not normalized", func(t *testing.T) {
		if n := norm(vec(t, `{"inputText":"x","normalize":false}`)); math.Abs(n-1) < 0.1 {
			t.Errorf("norm = %v, want far from 1", n)
		}
	})
	t.Run("equal texts equal vectors", func(t *testing.T) {
		a, b := vec(t, `{"inputText":"same"}`), vec(t, `{"inputText":"same","normalize":true}`)
		c := vec(t, `{"inputText":"other"}`)
		if len(a) != len(b) || a[0] != b[0] || a[1023] != b[1023] {
			t.Error("equal texts gave different vectors")
		}
		if a[0] == c[0] && a[1] == c[1] {
			t.Error("different texts gave the same vector")
		}
	})
}

func TestKnown(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"anthropic.claude-3-haiku-20240307-v1:0", true},
		{"us.anthropic.claude-3-5-haiku-20241022-v1:0", true},
		{"eu.amazon.nova-lite-v1:0", true},
		{"apac.amazon.nova-pro-v1:0", true},
		{"global.anthropic.claude-sonnet-4-20250514-v1:0", true},
		{"arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", true},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0", true},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", true},
		{"cohere.embed-english-v3", true},
		{"mistral.mistral-large-2407-v1:0", true},
		{"meta.llama3-3-70b-instruct-v1:0", true},
		{"anthropic.claude-9", false},
		{"xx.anthropic.claude-3-haiku-20240307-v1:0", false},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/amazon.nova-lite-v1:0", false},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/short", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := Known(tc.id); got != tc.want {
				t.Errorf("Known = %v, want %v", got, tc.want)
			}
		})
	}
	_, err := Invoke("anthropic.claude-9", InvocationInvokeModel, []byte(`{}`))
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 || e.Type != "ResourceNotFoundException" {
		t.Errorf("unknown model: err = %v, want 404 ResourceNotFoundException", err)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name, model, invocation, body string
		in, out                       int
	}{
		// "abcdefgh" is 8 runes = 2 tokens; replies are measured by the same rule.
		{"cohere counts texts", "cohere.embed-english-v3", InvocationInvokeModel, `{"texts":["abcd","efgh"],"input_type":"clustering"}`, 2, 0},
		{"titan", "amazon.titan-embed-text-v2:0", InvocationInvokeModel, `{"inputText":"abcdefgh"}`, 2, 0},
		{"mistral text truncated", "mistral.mistral-7b-instruct-v0:2", InvocationInvokeModel, `{"prompt":"abcdefgh","max_tokens":3}`, 2, 3},
		{"mistral chat", "mistral.mistral-large-2407-v1:0", InvocationInvokeModel, `{"messages":[{"role":"system","content":"abcd"},{"role":"user","content":"efgh"}],"max_tokens":1}`, 2, 1},
		{"converse", "us.meta.llama3-1-8b-instruct-v1:0", InvocationConverse, `{"messages":[{"role":"user","content":[{"text":"abcdefgh"}]}],"inferenceConfig":{"maxTokens":2}}`, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, u, err := InvokeUsage(tc.model, tc.invocation, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if u.InputTokens != tc.in || u.OutputTokens != tc.out {
				t.Errorf("usage = %+v, want in %d out %d", u, tc.in, tc.out)
			}
		})
	}
}

func TestStopSequences(t *testing.T) {
	// The reply is "<label>. Echo: <user text>", so a stop sequence inside the user text ends it.
	out, err := Invoke("anthropic.claude-3-haiku-20240307-v1:0", InvocationInvokeModel,
		[]byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"stop_sequences":["STOP"],"messages":[{"role":"user","content":"one two STOP three"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, out)
	if at(t, m, "stop_reason") != "stop_sequence" || at(t, m, "stop_sequence") != "STOP" {
		t.Errorf("stop = %v %v, want stop_sequence STOP", m["stop_reason"], m["stop_sequence"])
	}
	if text := at(t, m, "content.0.text").(string); !strings.HasSuffix(text, "Echo: one two ") {
		t.Errorf("text = %q, want it cut before STOP", text)
	}
}

func TestCohereTypes(t *testing.T) {
	out, err := Invoke("cohere.embed-english-v3", InvocationInvokeModel,
		[]byte(`{"texts":["a","a","b"],"input_type":"search_document","embedding_types":["float","int8","uint8","binary","ubinary"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Embeddings map[string][][]float64
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	wantLen := map[string]int{"float": 1024, "int8": 1024, "uint8": 1024, "binary": 128, "ubinary": 128}
	ranges := map[string][2]float64{"int8": {-127, 127}, "uint8": {1, 255}, "binary": {-128, 127}, "ubinary": {0, 255}}
	for typ, n := range wantLen {
		vecs := r.Embeddings[typ]
		if len(vecs) != 3 || len(vecs[0]) != n {
			t.Fatalf("%s: %d vectors of %d, want 3 of %d", typ, len(vecs), len(vecs[0]), n)
		}
		for i := range vecs[0] {
			if vecs[0][i] != vecs[1][i] {
				t.Fatalf("%s: equal texts differ at %d", typ, i)
			}
			if rg, ok := ranges[typ]; ok && (vecs[0][i] < rg[0] || vecs[0][i] > rg[1]) {
				t.Fatalf("%s[%d] = %v outside %v", typ, i, vecs[0][i], rg)
			}
		}
	}
}
