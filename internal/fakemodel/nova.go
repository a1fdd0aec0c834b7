package fakemodel

// novaDefaultMaxTokens is the output bound when inferenceConfig gives none (the emulator's choice).
const novaDefaultMaxTokens = 5000

// nova answers an Amazon Nova messages-v1 body. inferenceConfig takes max_new_tokens (Nova 1
// spelling) or maxTokens (Nova 2 spelling), and top_p/topP, top_k/topK likewise.
func nova(o object) (Usage, error) {
	if v, ok, err := o.str("schemaVersion", false); err != nil {
		return Usage{}, err
	} else if ok {
		if err := enum(o, "schemaVersion", v, "messages-v1"); err != nil {
			return Usage{}, err
		}
	}
	conv, err := readConversation(o, true)
	if err != nil {
		return Usage{}, err
	}
	maxTokens := int64(novaDefaultMaxTokens)
	var stops [][]byte
	if cfg, ok, err := o.obj("inferenceConfig", false); err != nil {
		return Usage{}, err
	} else if ok {
		for _, k := range []string{"max_new_tokens", "maxTokens"} {
			n, set, err := cfg.integer(k, false, 1, 1<<31-1)
			if err != nil {
				return Usage{}, err
			}
			if set {
				maxTokens = n
			}
		}
		for _, k := range []string{"temperature", "top_p", "topP"} {
			if err := cfg.number(k); err != nil {
				return Usage{}, err
			}
		}
		for _, k := range []string{"top_k", "topK"} {
			if _, _, err := cfg.integer(k, false, 0, 1<<31-1); err != nil {
				return Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return Usage{}, err
		}
	}
	d := o.d
	g := d.generate(hashPieces(conv.prompt), conv.lastUser, int(maxTokens), stops)
	in := countTokens(conv.prompt...)
	out := appendTextMessage(d.out, g)
	out = appendTokenUsage(out, in, g.tokens)
	d.out = append(out, `,"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0}}`...)
	return Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}

// appendTextMessage opens a Nova or Converse response with its output message and stop reason.
func appendTextMessage(out []byte, g generation) []byte {
	out = append(out, `{"output":{"message":{"role":"assistant","content":[{"text":`...)
	out = appendString(out, g.text)
	out = append(out, `}]}},"stopReason":"`...)
	out = append(out, stopReasonSnake(g.stop)...)
	return append(out, '"')
}

// conversation is the text of a Nova or Converse request: every system and message text piece
// in order, the text pieces of the last user message, and whether the first message is the user's.
type conversation struct {
	prompt    [][]byte
	lastUser  [][]byte
	firstUser bool // the first message is from the user
}

// readConversation checks system [{text}] and messages [{role, content: [{text} | other block]}]
// (the shape Nova and Converse share) and collects their text. Non-text blocks (image, video,
// document, toolUse, toolResult, cachePoint, ...) pass through uncounted.
func readConversation(o object, messagesRequired bool) (conversation, error) {
	var c conversation
	d := o.d
	sys, ok, err := o.array("system", false)
	if err != nil {
		return c, err
	}
	if ok {
		for i, n := 0, d.firstChild(sys); n >= 0; i, n = i+1, d.nextChild(sys, n) {
			b, _, err := asObject(d, o.sub("system").index(i), n)
			if err != nil {
				return c, err
			}
			if t, ok, err := b.str("text", false); err != nil {
				return c, err
			} else if ok {
				d.pieces = append(d.pieces, t)
			}
		}
	}
	msgs, ok, err := o.array("messages", messagesRequired)
	if err != nil {
		return c, err
	}
	if messagesRequired && d.firstChild(msgs) < 0 {
		return c, malformed(o.sub("messages").String(), "expected minimum item count: 1, found: 0")
	}
	userLo, userHi := 0, 0
	if ok {
		for i, n := 0, d.firstChild(msgs); n >= 0; i, n = i+1, d.nextChild(msgs, n) {
			msg, _, err := asObject(d, o.sub("messages").index(i), n)
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
			lo := len(d.pieces)
			for j, bn := 0, d.firstChild(blocks); bn >= 0; j, bn = j+1, d.nextChild(blocks, bn) {
				b, _, err := asObject(d, msg.sub("content").index(j), bn)
				if err != nil {
					return c, err
				}
				if t, ok, err := b.str("text", false); err != nil {
					return c, err
				} else if ok {
					d.pieces = append(d.pieces, t)
				}
			}
			if i == 0 {
				c.firstUser = string(role) == "user"
			}
			if string(role) == "user" {
				userLo, userHi = lo, len(d.pieces)
			}
		}
	}
	c.prompt, c.lastUser = d.pieces, d.pieces[userLo:userHi]
	return c, nil
}
