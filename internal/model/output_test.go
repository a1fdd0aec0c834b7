package model_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

func TestParseOutput(t *testing.T) {
	cases := []struct {
		name      string
		family    model.Family
		body      string
		usage     model.Usage
		hasUsage  bool
		text      string
		embedding []float64
	}{
		{"claude", model.Claude,
			`{"id":"msg_bdrk_01Xk3","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"complaint/"},{"type":"text","text":"delivery"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":31,"output_tokens":6,"cache_read_input_tokens":0}}`,
			model.Usage{31, 6}, true, "complaint/delivery", nil},
		{"claude tool use only", model.Claude,
			`{"content":[{"type":"tool_use","id":"toolu_1","name":"label","input":{"x":1}}],"usage":{"input_tokens":40,"output_tokens":12}}`,
			model.Usage{40, 12}, true, "", nil},
		{"claude without usage", model.Claude,
			`{"content":[{"type":"text","text":"hi"}]}`, model.Usage{}, false, "hi", nil},
		{"nova", model.Nova,
			`{"output":{"message":{"role":"assistant","content":[{"text":"Positive."}]}},"stopReason":"end_turn","usage":{"inputTokens":21,"outputTokens":3,"totalTokens":24}}`,
			model.Usage{21, 3}, true, "Positive.", nil},
		{"converse", model.Converse,
			`{"output":{"message":{"role":"assistant","content":[{"text":"Bonjour"}]}},"stopReason":"end_turn","usage":{"inputTokens":9,"outputTokens":2,"totalTokens":11,"cacheReadInputTokens":0},"metrics":{"latencyMs":412}}`,
			model.Usage{9, 2}, true, "Bonjour", nil},
		{"titan embed", model.TitanEmbed,
			`{"embedding":[0.25,-0.5,0.125],"embeddingsByType":{"float":[0.25,-0.5,0.125]},"inputTextTokenCount":7}`,
			model.Usage{7, 0}, true, "", []float64{0.25, -0.5, 0.125}},
		{"titan embed by type only", model.TitanEmbed,
			`{"embeddingsByType":{"float":[1,2],"binary":[1,0]},"inputTextTokenCount":3}`,
			model.Usage{3, 0}, true, "", []float64{1, 2}},
		{"titan text", model.TitanText,
			`{"inputTextTokenCount":12,"results":[{"tokenCount":20,"outputText":"A short story.","completionReason":"FINISH"}]}`,
			model.Usage{12, 20}, true, "A short story.", nil},
		{"cohere array", model.CohereEmbed,
			`{"id":"5b9c","embeddings":[[0.1,0.2],[0.3,0.4]],"response_type":"embeddings_floats","texts":["a","b"]}`,
			model.Usage{}, false, "", []float64{0.1, 0.2}},
		{"cohere by type", model.CohereEmbed,
			`{"id":"5b9c","embeddings":{"float":[[0.5]],"int8":[[12]]},"response_type":"embeddings_by_type","texts":["a"]}`,
			model.Usage{}, false, "", []float64{0.5}},
		{"llama", model.Llama,
			`{"generation":" The capital is Paris.","prompt_token_count":18,"generation_token_count":7,"stop_reason":"stop"}`,
			model.Usage{18, 7}, true, " The capital is Paris.", nil},
		{"mistral text", model.Mistral,
			`{"outputs":[{"text":" Paris.","stop_reason":"stop"}]}`,
			model.Usage{}, false, " Paris.", nil},
		{"mistral chat", model.Mistral,
			`{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"stop_reason":"stop"}]}`,
			model.Usage{}, false, "Paris.", nil},
		{"auto claude", model.Auto,
			`{"content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":5,"output_tokens":1}}`,
			model.Usage{5, 1}, true, "ok", nil},
		{"auto nova", model.Auto,
			`{"output":{"message":{"content":[{"text":"ok"}]}},"usage":{"inputTokens":4,"outputTokens":1}}`,
			model.Usage{4, 1}, true, "ok", nil},
		{"auto llama", model.Auto,
			`{"generation":"ok","prompt_token_count":2,"generation_token_count":1}`,
			model.Usage{2, 1}, true, "ok", nil},
		{"auto titan embed", model.Auto,
			`{"embedding":[1],"inputTextTokenCount":2}`,
			model.Usage{2, 0}, true, "", []float64{1}},
		{"auto mistral", model.Auto,
			`{"outputs":[{"text":"ok"}]}`, model.Usage{}, false, "ok", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.family.ParseOutput([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if out.Usage != c.usage || out.HasUsage != c.hasUsage {
				t.Errorf("usage = %+v (has %v), want %+v (has %v)", out.Usage, out.HasUsage, c.usage, c.hasUsage)
			}
			if out.Text != c.text {
				t.Errorf("text = %q, want %q", out.Text, c.text)
			}
			var first []float64
			if len(out.Embeddings) > 0 {
				first = out.Embeddings[0]
			}
			if !slices.Equal(first, c.embedding) {
				t.Errorf("embedding = %v, want %v", first, c.embedding)
			}
			u, ok, err := c.family.Usage([]byte(c.body))
			if err != nil || u != c.usage || ok != c.hasUsage {
				t.Errorf("Usage = %+v, %v, %v; want %+v, %v", u, ok, err, c.usage, c.hasUsage)
			}
		})
	}
}

func TestParseOutputRejects(t *testing.T) {
	cases := []struct {
		name   string
		family model.Family
		body   string
	}{
		{"not json", model.Claude, `{"content":`},
		{"array", model.Nova, `[1,2]`},
		{"string", model.Llama, `"hello"`},
		{"empty", model.Claude, ``},
		{"wrong usage type", model.Claude, `{"content":[],"usage":{"input_tokens":"many","output_tokens":1}}`},
		{"claude without content", model.Claude, `{"usage":{"input_tokens":1,"output_tokens":1}}`},
		{"nova without output", model.Nova, `{"usage":{"inputTokens":1,"outputTokens":1}}`},
		{"titan embed without vector", model.TitanEmbed, `{"inputTextTokenCount":1}`},
		{"cohere without embeddings", model.CohereEmbed, `{"id":"x"}`},
		{"cohere by type without float", model.CohereEmbed, `{"embeddings":{"int8":[[1]]}}`},
		{"llama without generation", model.Llama, `{"prompt_token_count":1}`},
		{"mistral without outputs", model.Mistral, `{"id":"x"}`},
		{"auto unknown shape", model.Auto, `{"answer":"42"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if out, err := c.family.ParseOutput([]byte(c.body)); err == nil {
				t.Fatalf("ParseOutput succeeded: %+v", out)
			}
		})
	}
}

func TestUsageAdd(t *testing.T) {
	if got := (model.Usage{1, 2}).Add(model.Usage{10, 20}); got != (model.Usage{11, 22}) {
		t.Fatalf("Add = %+v", got)
	}
}

// TestUsageMembers checks the promise callers such as the reconciler rely on: Usage of a body cut
// down to UsageMembers equals Usage of the whole body.
func TestUsageMembers(t *testing.T) {
	bodies := map[model.Family]string{
		model.Claude:      `{"content":[{"type":"text","text":"x"}],"usage":{"input_tokens":3,"output_tokens":1}}`,
		model.Nova:        `{"output":{"message":{"content":[{"text":"x"}]}},"usage":{"inputTokens":2,"outputTokens":1}}`,
		model.TitanEmbed:  `{"embedding":[1,2],"inputTextTokenCount":7}`,
		model.TitanText:   `{"inputTextTokenCount":1,"results":[{"tokenCount":2,"outputText":"y"}]}`,
		model.Llama:       `{"generation":"x","prompt_token_count":2,"generation_token_count":1}`,
		model.CohereEmbed: `{"embeddings":[[1]]}`,
		model.Mistral:     `{"outputs":[{"text":"x"}]}`,
	}
	for f, body := range bodies {
		t.Run(string(f), func(t *testing.T) {
			var all map[string]json.RawMessage
			if err := json.Unmarshal([]byte(body), &all); err != nil {
				t.Fatal(err)
			}
			cut := map[string]json.RawMessage{}
			for _, k := range model.UsageMembers {
				if v, ok := all[k]; ok {
					cut[k] = v
				}
			}
			small, _ := json.Marshal(cut)
			u1, ok1, err1 := f.Usage([]byte(body))
			u2, ok2, err2 := f.Usage(small)
			if u1 != u2 || ok1 != ok2 || err1 != nil || err2 != nil {
				t.Fatalf("whole body %+v %v %v, cut body %+v %v %v", u1, ok1, err1, u2, ok2, err2)
			}
		})
	}
}
