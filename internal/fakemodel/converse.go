package fakemodel

import (
	"fmt"
	"strconv"
)

// converseDefaultMaxTokens is the output bound when inferenceConfig.maxTokens is absent (the
// emulator's choice; Bedrock uses each model's own maximum).
const converseDefaultMaxTokens = 4096

// converseLatencyMs is the latency a fake Converse call reports: 20 ms plus 2 ms per token in
// and out, so it is stable for equal requests.
func converseLatencyMs(in, out int) int64 { return 20 + 2*int64(in+out) }

// converse answers a Converse request body (without modelId) for any text model. maxTokens
// above a Claude model's output ceiling is refused as Bedrock's Converse refuses it.
func converse(m model, o object) (Usage, error) {
	conv, err := readConversation(o, true)
	if err != nil {
		return Usage{}, err
	}
	if !conv.firstUser {
		return Usage{}, validation("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
	}
	maxTokens := int64(converseDefaultMaxTokens)
	var stops [][]byte
	if cfg, ok, err := o.obj("inferenceConfig", false); err != nil {
		return Usage{}, err
	} else if ok {
		if n, set, err := cfg.integer("maxTokens", false, 1, 1<<31-1); err != nil {
			return Usage{}, err
		} else if set {
			maxTokens = n
		}
		for _, k := range []string{"temperature", "topP"} {
			if err := cfg.number(k); err != nil {
				return Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return Usage{}, err
		}
	}
	if m.maxOutput > 0 && maxTokens > m.maxOutput {
		return Usage{}, validation(fmt.Sprintf("The maximum tokens you requested exceeds the model limit of %d. Try again with a maximum tokens value that is lower than %d.", m.maxOutput, m.maxOutput))
	}
	if _, _, err := o.obj("additionalModelRequestFields", false); err != nil {
		return Usage{}, err
	}
	d := o.d
	g := d.generate(hashPieces(conv.prompt), conv.lastUser, int(maxTokens), stops)
	in := countTokens(conv.prompt...)
	out := appendTextMessage(d.out, g)
	out = appendTokenUsage(out, in, g.tokens)
	out = append(out, `},"metrics":{"latencyMs":`...)
	out = strconv.AppendInt(out, converseLatencyMs(in, g.tokens), 10)
	d.out = append(out, "}}"...)
	return Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}
