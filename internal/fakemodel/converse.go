package fakemodel

import (
	"encoding/json"
	"fmt"
)

// converseDefaultMaxTokens is the output bound when inferenceConfig.maxTokens is absent (the
// emulator's choice; Bedrock uses each model's own maximum).
const converseDefaultMaxTokens = 4096

// converseResponse is the Converse response body: the JSON the runtime's Converse operation
// returns and the modelOutput of a Converse-type batch record.
type converseResponse struct {
	Output     novaOutput      `json:"output"`
	StopReason string          `json:"stopReason"`
	Usage      converseUsage   `json:"usage"`
	Metrics    converseMetrics `json:"metrics"`
}

type converseUsage struct {
	InputTokens  int `json:"inputTokens"`
	OutputTokens int `json:"outputTokens"`
	TotalTokens  int `json:"totalTokens"`
}

type converseMetrics struct {
	LatencyMs int64 `json:"latencyMs"`
}

// converseLatencyMs is the latency a fake Converse call reports: 20 ms plus 2 ms per token in
// and out, so it is stable for equal requests.
func converseLatencyMs(in, out int) int64 { return 20 + 2*int64(in+out) }

// converse answers a Converse request body (without modelId) for any text model. maxTokens
// above a Claude model's output ceiling is refused as Bedrock's Converse refuses it.
func converse(m model, raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	conv, err := readConversation(o, true)
	if err != nil {
		return nil, Usage{}, err
	}
	if conv.firstRole != "user" {
		return nil, Usage{}, validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
	}
	maxTokens := int64(converseDefaultMaxTokens)
	var stops []string
	if cfg, ok, err := o.obj("inferenceConfig", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if n, set, err := cfg.integer("maxTokens", false, 1, 1<<31-1); err != nil {
			return nil, Usage{}, err
		} else if set {
			maxTokens = n
		}
		for _, k := range []string{"temperature", "topP"} {
			if err := cfg.number(k); err != nil {
				return nil, Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return nil, Usage{}, err
		}
	}
	if m.maxOutput > 0 && maxTokens > m.maxOutput {
		return nil, Usage{}, validation(fmt.Sprintf("The maximum tokens you requested exceeds the model limit of %d. Try again with a maximum tokens value that is lower than %d.", m.maxOutput, m.maxOutput))
	}
	if _, _, err := o.obj("additionalModelRequestFields", false); err != nil {
		return nil, Usage{}, err
	}
	g := generate(joinText(conv.prompt), conv.lastUser, int(maxTokens), stops)
	in := countTokens(conv.prompt...)
	return converseResponse{
		Output:     novaOutput{Message: textMessage{Role: "assistant", Content: []textBlock{{Text: g.text}}}},
		StopReason: stopReasonCamel[g.stop],
		Usage:      converseUsage{InputTokens: in, OutputTokens: g.tokens, TotalTokens: in + g.tokens},
		Metrics:    converseMetrics{LatencyMs: converseLatencyMs(in, g.tokens)},
	}, Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}
