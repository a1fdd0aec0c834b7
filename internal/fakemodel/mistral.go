package fakemodel

import "encoding/json"

// mistralDefaultMaxTokens is the output bound when max_tokens is absent.
const mistralDefaultMaxTokens = 512

type mistralTextResponse struct {
	Outputs []mistralOutput `json:"outputs"`
}

type mistralOutput struct {
	Text       string `json:"text"`
	StopReason string `json:"stop_reason"`
}

type mistralChatResponse struct {
	Choices []mistralChoice `json:"choices"`
}

type mistralChoice struct {
	Index      int            `json:"index"`
	Message    mistralMessage `json:"message"`
	StopReason string         `json:"stop_reason"`
}

type mistralMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// mistral answers a Mistral body: text completion (prompt → outputs) for every Mistral model,
// and chat completion (messages → choices) for the chat models (Mistral Large). The
// documented bodies carry no usage, so neither do these.
func mistral(m model, raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	maxTokens := int64(mistralDefaultMaxTokens)
	if n, ok, err := o.integer("max_tokens", false, 1, 1<<31-1); err != nil {
		return nil, Usage{}, err
	} else if ok {
		maxTokens = n
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return nil, Usage{}, err
		}
	}
	if _, _, err := o.integer("top_k", false, 0, 1<<31-1); err != nil {
		return nil, Usage{}, err
	}
	reason := func(g generation) string {
		if g.stop == stopMaxTokens {
			return "length"
		}
		return "stop"
	}
	if m.chat && o.has("messages") {
		prompt, lastUser, err := mistralChat(o)
		if err != nil {
			return nil, Usage{}, err
		}
		g := generate(joinText(prompt), lastUser, int(maxTokens), nil)
		return mistralChatResponse{Choices: []mistralChoice{{Index: 0, Message: mistralMessage{Role: "assistant", Content: g.text}, StopReason: reason(g)}}}, Usage{InputTokens: countTokens(prompt...), OutputTokens: g.tokens}, nil
	}
	prompt, _, err := o.str("prompt", true)
	if err != nil {
		return nil, Usage{}, err
	}
	stops, _, err := o.strings("stop", false)
	if err != nil {
		return nil, Usage{}, err
	}
	g := generate(prompt, lastUserTurn(prompt), int(maxTokens), stops)
	return mistralTextResponse{Outputs: []mistralOutput{{Text: g.text, StopReason: reason(g)}}}, Usage{InputTokens: countTokens(prompt), OutputTokens: g.tokens}, nil
}

// mistralChat checks messages [{role, content}] where content is a string or a list of
// {type: "text", text} parts, and collects their text.
func mistralChat(o object) (prompt []string, lastUser string, err error) {
	msgs, _, err := o.array("messages", true)
	if err != nil {
		return nil, "", err
	}
	if len(msgs) == 0 {
		return nil, "", malformed(o.sub("messages"), "expected minimum item count: 1, found: 0")
	}
	for i, rm := range msgs {
		msg, _, err := asObject(itemPath(o.sub("messages"), i), rm)
		if err != nil {
			return nil, "", err
		}
		role, _, err := msg.str("role", true)
		if err != nil {
			return nil, "", err
		}
		if err := enum(msg, "role", role, "system", "user", "assistant", "tool"); err != nil {
			return nil, "", err
		}
		var texts []string
		switch jsonKind(msg.m["content"]) {
		case "String":
			s, _, _ := msg.str("content", false)
			texts = []string{s}
		case "JSONArray":
			if texts, _, err = claudeContent(msg.sub("content"), msg.m["content"]); err != nil {
				return nil, "", err
			}
		case "Null", "nothing":
			if role != "assistant" {
				return nil, "", missing(msg.path, "content")
			}
		default:
			return nil, "", wrongType(msg.sub("content"), "String", msg.m["content"])
		}
		prompt = append(prompt, texts...)
		if role == "user" {
			lastUser = joinText(texts)
		}
	}
	return prompt, lastUser, nil
}
