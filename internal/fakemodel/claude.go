package fakemodel

import (
	"fmt"
	"regexp"
	"slices"
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

// claude answers an Anthropic Messages body.
func claude(m model, o object) (Usage, error) {
	d := o.d
	if err := o.onlyKeys(claudeKeys...); err != nil {
		return Usage{}, err
	}
	version, _, err := o.str("anthropic_version", true)
	if err != nil {
		return Usage{}, err
	}
	if err := enum(o, "anthropic_version", version, anthropicVersion); err != nil {
		return Usage{}, err
	}
	maxTokens, _, err := o.integer("max_tokens", true, 1, 1<<31-1)
	if err != nil {
		return Usage{}, err
	}
	if sys, ok := o.get("system"); ok && d.nodes[sys].kind != kindNull {
		if d.nodes[sys].kind == kindString {
			d.pieces = append(d.pieces, d.strBytes(sys))
		} else if err := claudeContent(d, o.sub("system"), sys); err != nil {
			return Usage{}, err
		}
	}
	msgs, _, err := o.array("messages", true)
	if err != nil {
		return Usage{}, err
	}
	if d.firstChild(msgs) < 0 {
		return Usage{}, malformed(o.sub("messages").String(), "expected minimum item count: 1, found: 0")
	}
	userLo, userHi := 0, 0
	for i, n := 0, d.firstChild(msgs); n >= 0; i, n = i+1, d.nextChild(msgs, n) {
		msg, _, err := asObject(d, o.sub("messages").index(i), n)
		if err != nil {
			return Usage{}, err
		}
		role, _, err := msg.str("role", true)
		if err != nil {
			return Usage{}, err
		}
		if err := enum(msg, "role", role, "user", "assistant"); err != nil {
			return Usage{}, err
		}
		content, ok := msg.get("content")
		if !ok || d.nodes[content].kind == kindNull {
			return Usage{}, missing(msg.path.String(), "content")
		}
		lo := len(d.pieces)
		if d.nodes[content].kind == kindString {
			d.pieces = append(d.pieces, d.strBytes(content))
		} else if err := claudeContent(d, msg.sub("content"), content); err != nil {
			return Usage{}, err
		}
		if string(role) == "user" {
			userLo, userHi = lo, len(d.pieces)
		}
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return Usage{}, err
		}
	}
	if _, _, err := o.integer("top_k", false, 0, 1<<31-1); err != nil {
		return Usage{}, err
	}
	stops, _, err := o.strings("stop_sequences", false)
	if err != nil {
		return Usage{}, err
	}
	betas, _, err := o.strings("anthropic_beta", false)
	if err != nil {
		return Usage{}, err
	}
	name := m.claudeName()
	ceiling := m.maxOutput
	if slices.ContainsFunc(betas, func(b []byte) bool { return string(b) == output128kBeta }) && strings.HasPrefix(name, "claude-3-7-sonnet") {
		ceiling = 128000
	}
	if ceiling > 0 && maxTokens > ceiling {
		return Usage{}, validation(fmt.Sprintf("max_tokens: %d > %d, which is the maximum allowed number of output tokens for %s", maxTokens, ceiling, name))
	}
	prompt := d.pieces
	d.joined = appendJoined(d.joined[:0], prompt)
	d.tmp = appendCanonical(d.tmp[:0], o)
	promptHash, id := hash2(d.joined, d.tmp)
	g := d.generate(promptHash, prompt[userLo:userHi], int(maxTokens), stops)
	in := countTokens(prompt...)
	out := append(d.out, `{"id":"msg_bdrk_`...)
	out = id.appendHex(out)
	out = out[:len(out)-8] // 24 of the 32 hex digits: the id is derived from the body
	out = append(out, `","type":"message","role":"assistant","model":`...)
	out = appendString(out, name)
	out = append(out, `,"content":[{"type":"text","text":`...)
	out = appendString(out, g.text)
	out = append(out, `}],"stop_reason":"`...)
	out = append(out, stopReasonSnake(g.stop)...)
	out = append(out, `","stop_sequence":`...)
	if g.stop == stopSequence {
		out = appendString(out, g.sequence)
	} else {
		out = append(out, "null"...)
	}
	out = append(out, `,"usage":{"input_tokens":`...)
	out = appendInt(out, in)
	out = append(out, `,"output_tokens":`...)
	out = appendInt(out, g.tokens)
	d.out = append(out, "}}"...)
	return Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}

// stopReasonSnake is the stop reason as Claude and Nova spell it.
func stopReasonSnake(s stopKind) string {
	switch s {
	case stopMaxTokens:
		return "max_tokens"
	case stopSequence:
		return "stop_sequence"
	default:
		return "end_turn"
	}
}

// claudeContent checks node n as a list of Anthropic content blocks and appends the text of its
// text blocks to the doc's prompt pieces. Other block types (image, document, tool_use,
// tool_result, ...) pass through uncounted.
func claudeContent(d *doc, p path, n int) error {
	if d.nodes[n].kind != kindArray {
		return wrongType(p, "JSONArray", d.raw(n))
	}
	for i, b := 0, d.firstChild(n); b >= 0; i, b = i+1, d.nextChild(n, b) {
		blk, _, err := asObject(d, p.index(i), b)
		if err != nil {
			return err
		}
		typ, _, err := blk.str("type", true)
		if err != nil {
			return err
		}
		if string(typ) == "text" {
			t, _, err := blk.str("text", true)
			if err != nil {
				return err
			}
			d.pieces = append(d.pieces, t)
		}
	}
	return nil
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
