package model_test

import (
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

func TestEstimate(t *testing.T) {
	cases := []struct {
		name        string
		family      model.Family
		body        string
		chars       int64
		input       int64
		output      int64
		outputKnown bool
	}{
		{"claude string content", model.Claude,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"system":"Answer with one label.","messages":[{"role":"user","content":"Classify: the parcel arrived late."}]}`,
			22 + 34, 14, 256, true},
		{"claude blocks and unicode", model.Claude,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"system":[{"type":"text","text":"Réponds"}],"messages":[{"role":"user","content":[{"type":"text","text":"日本語のテキスト"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},{"role":"assistant","content":"ok"}]}`,
			7 + 8 + 2, 5, 100, true},
		{"nova max_new_tokens", model.Nova,
			`{"schemaVersion":"messages-v1","system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"Hello there"}]}],"inferenceConfig":{"max_new_tokens":300,"temperature":0.2}}`,
			9 + 11, 5, 300, true},
		{"nova 2 maxTokens", model.Nova,
			`{"messages":[{"role":"user","content":[{"text":"abcd"}]}],"inferenceConfig":{"maxTokens":50}}`,
			4, 1, 50, true},
		{"converse", model.Converse,
			`{"messages":[{"role":"user","content":[{"text":"abcdefgh"}]}],"system":[{"text":"x"}],"inferenceConfig":{"maxTokens":64,"temperature":0}}`,
			9, 3, 64, true},
		{"converse without maximum", model.Converse,
			`{"messages":[{"role":"user","content":[{"text":"abcd"}]}]}`,
			4, 1, 0, false},
		{"titan embed", model.TitanEmbed,
			`{"inputText":"The quick brown fox","dimensions":512,"normalize":true}`,
			19, 5, 0, true},
		{"cohere", model.CohereEmbed,
			`{"texts":["abc","defgh"],"input_type":"search_document","truncate":"END"}`,
			8, 2, 0, true},
		{"llama", model.Llama,
			`{"prompt":"<|begin_of_text|>Hi","max_gen_len":128,"temperature":0.5}`,
			19, 5, 128, true},
		{"llama default length", model.Llama,
			`{"prompt":"abcd"}`, 4, 1, 512, true},
		{"titan text", model.TitanText,
			`{"inputText":"Write a haiku","textGenerationConfig":{"maxTokenCount":80}}`,
			13, 4, 80, true},
		{"titan text default", model.TitanText,
			`{"inputText":"abcd"}`, 4, 1, 512, true},
		{"mistral text", model.Mistral,
			`{"prompt":"<s>[INST] What is 2+2? [/INST]","max_tokens":20}`,
			30, 8, 20, true},
		{"mistral chat", model.Mistral,
			`{"messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"Capital of France?"}],"max_tokens":10}`,
			9 + 18, 7, 10, true},
		{"claude body priced as nova", model.Nova,
			`{"anthropic_version":"bedrock-2023-05-31","max_tokens":40,"messages":[{"role":"user","content":"abcdefgh"}]}`,
			8, 2, 40, true},
		{"empty prompt", model.Claude, `{"max_tokens":5,"messages":[]}`, 0, 0, 5, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := c.family.Estimate([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			want := model.Estimate{Chars: c.chars, InputTokens: c.input, OutputTokens: c.output, OutputKnown: c.outputKnown}
			if e != want {
				t.Fatalf("Estimate = %+v, want %+v", e, want)
			}
		})
	}
}

func TestEstimateRejects(t *testing.T) {
	for name, body := range map[string]string{
		"not an object":   `["a"]`,
		"broken json":     `{"prompt":`,
		"negative length": `{"prompt":"x","max_gen_len":-1}`,
		"wrong type":      `{"prompt":5}`,
	} {
		t.Run(name, func(t *testing.T) {
			if e, err := model.Llama.Estimate([]byte(body)); err == nil {
				t.Fatalf("Estimate succeeded: %+v", e)
			}
		})
	}
}
