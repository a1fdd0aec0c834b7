package fakemodel

// mistralDefaultMaxTokens is the output bound when max_tokens is absent.
const mistralDefaultMaxTokens = 512

// mistral answers a Mistral body: text completion (prompt → outputs) for every Mistral model,
// and chat completion (messages → choices) for the chat models (Mistral Large). The
// documented bodies carry no usage, so neither do these.
func mistral(m model, o object) (Usage, error) {
	maxTokens := int64(mistralDefaultMaxTokens)
	if n, ok, err := o.integer("max_tokens", false, 1, 1<<31-1); err != nil {
		return Usage{}, err
	} else if ok {
		maxTokens = n
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return Usage{}, err
		}
	}
	if _, _, err := o.integer("top_k", false, 0, 1<<31-1); err != nil {
		return Usage{}, err
	}
	d := o.d
	if m.chat && o.has("messages") {
		prompt, lastUser, err := mistralChat(o)
		if err != nil {
			return Usage{}, err
		}
		g := d.generate(hashPieces(prompt), lastUser, int(maxTokens), nil)
		out := append(d.out, `{"choices":[{"index":0,"message":{"role":"assistant","content":`...)
		out = appendString(out, g.text)
		out = append(out, `},"stop_reason":"`...)
		out = append(out, stopOrLength(g.stop)...)
		d.out = append(out, `"}]}`...)
		return Usage{InputTokens: countTokens(prompt...), OutputTokens: g.tokens}, nil
	}
	prompt, _, err := o.str("prompt", true)
	if err != nil {
		return Usage{}, err
	}
	stops, _, err := o.strings("stop", false)
	if err != nil {
		return Usage{}, err
	}
	g := d.generate(hash64(prompt), [][]byte{d.lastUserTurn(prompt)}, int(maxTokens), stops)
	out := append(d.out, `{"outputs":[{"text":`...)
	out = appendString(out, g.text)
	out = append(out, `,"stop_reason":"`...)
	out = append(out, stopOrLength(g.stop)...)
	d.out = append(out, `"}]}`...)
	return Usage{InputTokens: countTokens(prompt), OutputTokens: g.tokens}, nil
}

// mistralChat checks messages [{role, content}] where content is a string or a list of
// {type: "text", text} parts, and collects their text: every piece, and the last user
// message's.
func mistralChat(o object) (prompt, lastUser [][]byte, err error) {
	d := o.d
	msgs, _, err := o.array("messages", true)
	if err != nil {
		return nil, nil, err
	}
	if d.firstChild(msgs) < 0 {
		return nil, nil, malformed(o.sub("messages").String(), "expected minimum item count: 1, found: 0")
	}
	userLo, userHi := 0, 0
	for i, n := 0, d.firstChild(msgs); n >= 0; i, n = i+1, d.nextChild(msgs, n) {
		msg, _, err := asObject(d, o.sub("messages").index(i), n)
		if err != nil {
			return nil, nil, err
		}
		role, _, err := msg.str("role", true)
		if err != nil {
			return nil, nil, err
		}
		if err := enum(msg, "role", role, "system", "user", "assistant", "tool"); err != nil {
			return nil, nil, err
		}
		lo := len(d.pieces)
		content, ok := msg.get("content")
		switch {
		case ok && d.nodes[content].kind == kindString:
			d.pieces = append(d.pieces, d.strBytes(content))
		case ok && d.nodes[content].kind == kindArray:
			if err := claudeContent(d, msg.sub("content"), content); err != nil {
				return nil, nil, err
			}
		case !ok || d.nodes[content].kind == kindNull:
			if string(role) != "assistant" {
				return nil, nil, missing(msg.path.String(), "content")
			}
		default:
			return nil, nil, wrongType(msg.sub("content"), "String", d.raw(content))
		}
		if string(role) == "user" {
			userLo, userHi = lo, len(d.pieces)
		}
	}
	return d.pieces, d.pieces[userLo:userHi], nil
}
