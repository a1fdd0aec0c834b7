package fakemodel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// output128kBeta is the anthropic_beta flag that lifts Claude 3.7 Sonnet's output ceiling to 128000.
const output128kBeta = "output-128k-2025-02-19"

// anthropicVersion is the only anthropic_version Bedrock accepts for the Messages API.
const anthropicVersion = "bedrock-2023-05-31"

// claudeKeys are the top-level members a Claude Messages body may carry; Bedrock rejects others.
var claudeKeys = []string{
	"anthropic_version", "anthropic_beta", "max_tokens", "messages", "system", "temperature",
	"top_p", "top_k", "stop_sequences", "tools", "tool_choice", "metadata", "thinking",
	"output_format", "output_config",
}

type claudeResponse struct {
	ID           string        `json:"id"`
	Type         string        `json:"type"`
	Role         string        `json:"role"`
	Model        string        `json:"model"`
	Content      []claudeBlock `json:"content"`
	StopReason   string        `json:"stop_reason"`
	StopSequence *string       `json:"stop_sequence"`
	Usage        claudeUsage   `json:"usage"`
}

type claudeBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type claudeUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

// claude answers an Anthropic Messages body.
func claude(m model, raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	if err := o.onlyKeys(claudeKeys...); err != nil {
		return nil, Usage{}, err
	}
	version, _, err := o.str("anthropic_version", true)
	if err != nil {
		return nil, Usage{}, err
	}
	if err := enum(o, "anthropic_version", version, anthropicVersion); err != nil {
		return nil, Usage{}, err
	}
	maxTokens, _, err := o.integer("max_tokens", true, 1, 1<<31-1)
	if err != nil {
		return nil, Usage{}, err
	}
	var prompt []string
	if o.has("system") {
		if jsonKind(o.m["system"]) == "String" {
			s, _, _ := o.str("system", false)
			prompt = append(prompt, s)
		} else {
			texts, _, err := claudeContent(o.sub("system"), o.m["system"])
			if err != nil {
				return nil, Usage{}, err
			}
			prompt = append(prompt, texts...)
		}
	}
	msgs, _, err := o.array("messages", true)
	if err != nil {
		return nil, Usage{}, err
	}
	if len(msgs) == 0 {
		return nil, Usage{}, malformed(o.sub("messages"), "expected minimum item count: 1, found: 0")
	}
	var lastUser string
	for i, rawMsg := range msgs {
		msg, _, err := asObject(itemPath(o.sub("messages"), i), rawMsg)
		if err != nil {
			return nil, Usage{}, err
		}
		role, _, err := msg.str("role", true)
		if err != nil {
			return nil, Usage{}, err
		}
		if err := enum(msg, "role", role, "user", "assistant"); err != nil {
			return nil, Usage{}, err
		}
		if !msg.has("content") {
			return nil, Usage{}, missing(msg.path, "content")
		}
		var texts []string
		if jsonKind(msg.m["content"]) == "String" {
			s, _, _ := msg.str("content", false)
			texts = []string{s}
		} else if texts, _, err = claudeContent(msg.sub("content"), msg.m["content"]); err != nil {
			return nil, Usage{}, err
		}
		prompt = append(prompt, texts...)
		if role == "user" {
			lastUser = joinText(texts)
		}
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return nil, Usage{}, err
		}
	}
	if _, _, err := o.integer("top_k", false, 0, 1<<31-1); err != nil {
		return nil, Usage{}, err
	}
	stops, _, err := o.strings("stop_sequences", false)
	if err != nil {
		return nil, Usage{}, err
	}
	betas, _, err := o.strings("anthropic_beta", false)
	if err != nil {
		return nil, Usage{}, err
	}
	ceiling := m.maxOutput
	if contains(betas, output128kBeta) && strings.HasPrefix(claudeModelName(m.id), "claude-3-7-sonnet") {
		ceiling = 128000
	}
	if ceiling > 0 && maxTokens > ceiling {
		return nil, Usage{}, validation(fmt.Sprintf("max_tokens: %d > %d, which is the maximum allowed number of output tokens for %s", maxTokens, ceiling, claudeModelName(m.id)))
	}
	g := generate(joinText(prompt), lastUser, int(maxTokens), stops)
	resp := claudeResponse{
		ID:         "msg_bdrk_" + bodyID(raw)[:24],
		Type:       "message",
		Role:       "assistant",
		Model:      claudeModelName(m.id),
		Content:    []claudeBlock{{Type: "text", Text: g.text}},
		StopReason: map[stopKind]string{stopEnd: "end_turn", stopMaxTokens: "max_tokens", stopSequence: "stop_sequence"}[g.stop],
		Usage:      claudeUsage{InputTokens: countTokens(prompt...), OutputTokens: g.tokens},
	}
	if g.stop == stopSequence {
		resp.StopSequence = &g.sequence
	}
	return resp, Usage{InputTokens: resp.Usage.InputTokens, OutputTokens: g.tokens}, nil
}

// claudeContent checks a list of Anthropic content blocks and returns the text of its text blocks.
// Other block types (image, document, tool_use, tool_result, ...) pass through uncounted.
func claudeContent(path string, raw json.RawMessage) ([]string, bool, error) {
	var blocks []json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return nil, false, wrongType(path, "JSONArray", raw)
	}
	var texts []string
	for i, rb := range blocks {
		b, _, err := asObject(itemPath(path, i), rb)
		if err != nil {
			return nil, false, err
		}
		typ, _, err := b.str("type", true)
		if err != nil {
			return nil, false, err
		}
		if typ == "text" {
			t, _, err := b.str("text", true)
			if err != nil {
				return nil, false, err
			}
			texts = append(texts, t)
		}
	}
	return texts, true, nil
}

var versionSuffix = regexp.MustCompile(`-v\d+:\d+$`)

// claudeModelName is the "model" member Bedrock reports: the base id without the provider
// prefix and version suffix ("claude-3-5-haiku-20241022"); "claude" for application profiles.
func claudeModelName(id string) string {
	if !strings.HasPrefix(id, "anthropic.") {
		return "claude"
	}
	return versionSuffix.ReplaceAllString(strings.TrimPrefix(id, "anthropic."), "")
}

// bodyID derives a stable id from a decoded body: top-level keys are re-encoded in sorted order
// and values compacted, so equal requests get equal ids whatever their spacing.
func bodyID(raw map[string]json.RawMessage) string {
	b, _ := json.Marshal(raw) // cannot fail: raw holds values json.Unmarshal accepted
	return responseID(b)
}
