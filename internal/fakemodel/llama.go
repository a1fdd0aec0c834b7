package fakemodel

import (
	"encoding/json"
	"regexp"
	"strings"
)

// llamaKeys are the members a Meta Llama body may carry; Bedrock rejects others.
var llamaKeys = []string{"prompt", "temperature", "top_p", "max_gen_len", "images"}

// Llama generation bounds: default and maximum max_gen_len.
const (
	llamaDefaultMaxGen = 512
	llamaMaxGen        = 2048
)

type llamaResponse struct {
	Generation           string `json:"generation"`
	PromptTokenCount     int    `json:"prompt_token_count"`
	GenerationTokenCount int    `json:"generation_token_count"`
	StopReason           string `json:"stop_reason"`
}

// llama answers a Meta Llama text-generation body. prompt_token_count counts the whole prompt,
// chat-template tokens included.
func llama(raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	if err := o.onlyKeys(llamaKeys...); err != nil {
		return nil, Usage{}, err
	}
	prompt, _, err := o.str("prompt", true)
	if err != nil {
		return nil, Usage{}, err
	}
	maxGen := int64(llamaDefaultMaxGen)
	if n, ok, err := o.integer("max_gen_len", false, 1, llamaMaxGen); err != nil {
		return nil, Usage{}, err
	} else if ok {
		maxGen = n
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return nil, Usage{}, err
		}
	}
	if _, _, err := o.strings("images", false); err != nil {
		return nil, Usage{}, err
	}
	g := generate(prompt, lastUserTurn(prompt), int(maxGen), nil)
	reason := "stop"
	if g.stop == stopMaxTokens {
		reason = "length"
	}
	in := countTokens(prompt)
	return llamaResponse{Generation: g.text, PromptTokenCount: in, GenerationTokenCount: g.tokens, StopReason: reason}, Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}

var (
	llamaUserTurn   = regexp.MustCompile(`(?s)<\|start_header_id\|>user<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)`)
	mistralUserTurn = regexp.MustCompile(`(?s)\[INST\](.*?)(?:\[/INST\]|$)`)
	templateToken   = regexp.MustCompile(`<\|[^|]*\|>|\[/?INST\]|</?s>`)
)

// lastUserTurn finds the last user turn of a Llama 3 or Mistral chat-template prompt; for a
// plain prompt it is the prompt without template tokens.
func lastUserTurn(prompt string) string {
	for _, re := range []*regexp.Regexp{llamaUserTurn, mistralUserTurn} {
		if all := re.FindAllStringSubmatch(prompt, -1); len(all) > 0 {
			return strings.TrimSpace(templateToken.ReplaceAllString(all[len(all)-1][1], " "))
		}
	}
	return strings.TrimSpace(templateToken.ReplaceAllString(prompt, " "))
}
