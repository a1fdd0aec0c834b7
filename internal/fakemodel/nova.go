package fakemodel

import "encoding/json"

// novaDefaultMaxTokens is the output bound when inferenceConfig gives none (the emulator's choice).
const novaDefaultMaxTokens = 5000

type novaResponse struct {
	Output     novaOutput `json:"output"`
	StopReason string     `json:"stopReason"`
	Usage      novaUsage  `json:"usage"`
}

type novaOutput struct {
	Message textMessage `json:"message"`
}

type textMessage struct {
	Role    string      `json:"role"`
	Content []textBlock `json:"content"`
}

type textBlock struct {
	Text string `json:"text"`
}

type novaUsage struct {
	InputTokens               int `json:"inputTokens"`
	OutputTokens              int `json:"outputTokens"`
	TotalTokens               int `json:"totalTokens"`
	CacheReadInputTokenCount  int `json:"cacheReadInputTokenCount"`
	CacheWriteInputTokenCount int `json:"cacheWriteInputTokenCount"`
}

var stopReasonCamel = map[stopKind]string{stopEnd: "end_turn", stopMaxTokens: "max_tokens", stopSequence: "stop_sequence"}

// nova answers an Amazon Nova messages-v1 body. inferenceConfig takes max_new_tokens (Nova 1
// spelling) or maxTokens (Nova 2 spelling), and top_p/topP, top_k/topK likewise.
func nova(raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	if v, ok, err := o.str("schemaVersion", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if err := enum(o, "schemaVersion", v, "messages-v1"); err != nil {
			return nil, Usage{}, err
		}
	}
	conv, err := readConversation(o, true)
	if err != nil {
		return nil, Usage{}, err
	}
	maxTokens := int64(novaDefaultMaxTokens)
	var stops []string
	if cfg, ok, err := o.obj("inferenceConfig", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		for _, k := range []string{"max_new_tokens", "maxTokens"} {
			n, set, err := cfg.integer(k, false, 1, 1<<31-1)
			if err != nil {
				return nil, Usage{}, err
			}
			if set {
				maxTokens = n
			}
		}
		for _, k := range []string{"temperature", "top_p", "topP"} {
			if err := cfg.number(k); err != nil {
				return nil, Usage{}, err
			}
		}
		for _, k := range []string{"top_k", "topK"} {
			if _, _, err := cfg.integer(k, false, 0, 1<<31-1); err != nil {
				return nil, Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return nil, Usage{}, err
		}
	}
	g := generate(joinText(conv.prompt), conv.lastUser, int(maxTokens), stops)
	in := countTokens(conv.prompt...)
	return novaResponse{
		Output:     novaOutput{Message: textMessage{Role: "assistant", Content: []textBlock{{Text: g.text}}}},
		StopReason: stopReasonCamel[g.stop],
		Usage:      novaUsage{InputTokens: in, OutputTokens: g.tokens, TotalTokens: in + g.tokens},
	}, Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}

// conversation is the text of a Nova or Converse request: every system and message text piece
// in order, the text of the last user message, and the role of the first message.
type conversation struct {
	prompt    []string
	lastUser  string
	firstRole string
}

// readConversation checks system [{text}] and messages [{role, content: [{text} | other block]}]
// (the shape Nova and Converse share) and collects their text. Non-text blocks (image, video,
// document, toolUse, toolResult, cachePoint, ...) pass through uncounted.
func readConversation(o object, messagesRequired bool) (conversation, error) {
	var c conversation
	sys, _, err := o.array("system", false)
	if err != nil {
		return c, err
	}
	for i, rb := range sys {
		b, _, err := asObject(itemPath(o.sub("system"), i), rb)
		if err != nil {
			return c, err
		}
		if t, ok, err := b.str("text", false); err != nil {
			return c, err
		} else if ok {
			c.prompt = append(c.prompt, t)
		}
	}
	msgs, _, err := o.array("messages", messagesRequired)
	if err != nil {
		return c, err
	}
	if messagesRequired && len(msgs) == 0 {
		return c, malformed(o.sub("messages"), "expected minimum item count: 1, found: 0")
	}
	for i, rm := range msgs {
		msg, _, err := asObject(itemPath(o.sub("messages"), i), rm)
		if err != nil {
			return c, err
		}
		role, _, err := msg.str("role", true)
		if err != nil {
			return c, err
		}
		if err := enum(msg, "role", role, "user", "assistant"); err != nil {
			return c, err
		}
		blocks, _, err := msg.array("content", true)
		if err != nil {
			return c, err
		}
		var texts []string
		for j, rb := range blocks {
			b, _, err := asObject(itemPath(msg.sub("content"), j), rb)
			if err != nil {
				return c, err
			}
			if t, ok, err := b.str("text", false); err != nil {
				return c, err
			} else if ok {
				texts = append(texts, t)
			}
		}
		c.prompt = append(c.prompt, texts...)
		if i == 0 {
			c.firstRole = role
		}
		if role == "user" {
			c.lastUser = joinText(texts)
		}
	}
	return c, nil
}
