package fakemodel

import "bytes"

// llamaKeys are the members a Meta Llama body may carry; Bedrock rejects others.
var llamaKeys = []string{"prompt", "temperature", "top_p", "max_gen_len", "images"}

// Llama generation bounds: default and maximum max_gen_len.
const (
	llamaDefaultMaxGen = 512
	llamaMaxGen        = 2048
)

// llama answers a Meta Llama text-generation body. prompt_token_count counts the whole prompt,
// chat-template tokens included.
func llama(o object) (Usage, error) {
	if err := o.onlyKeys(llamaKeys...); err != nil {
		return Usage{}, err
	}
	prompt, _, err := o.str("prompt", true)
	if err != nil {
		return Usage{}, err
	}
	maxGen := int64(llamaDefaultMaxGen)
	if n, ok, err := o.integer("max_gen_len", false, 1, llamaMaxGen); err != nil {
		return Usage{}, err
	} else if ok {
		maxGen = n
	}
	for _, k := range []string{"temperature", "top_p"} {
		if err := o.number(k); err != nil {
			return Usage{}, err
		}
	}
	if _, _, err := o.strings("images", false); err != nil {
		return Usage{}, err
	}
	d := o.d
	g := d.generate(hash64(prompt), [][]byte{d.lastUserTurn(prompt)}, int(maxGen), nil)
	in := countTokens(prompt)
	out := append(d.out, `{"generation":`...)
	out = appendString(out, g.text)
	out = append(out, `,"prompt_token_count":`...)
	out = appendInt(out, in)
	out = append(out, `,"generation_token_count":`...)
	out = appendInt(out, g.tokens)
	out = append(out, `,"stop_reason":"`...)
	out = append(out, stopOrLength(g.stop)...)
	d.out = append(out, `"}`...)
	return Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}

// stopOrLength is the stop reason as Llama and Mistral spell it.
func stopOrLength(s stopKind) string {
	if s == stopMaxTokens {
		return "length"
	}
	return "stop"
}

// Chat-template markers: a Llama 3 user turn runs from llamaUser to llamaEOT (or the end), a
// Mistral one from "[INST]" to "[/INST]" (or the end).
const (
	llamaUser  = "<|start_header_id|>user<|end_header_id|>"
	llamaEOT   = "<|eot_id|>"
	mistralBeg = "[INST]"
	mistralEnd = "[/INST]"
)

// lastUserTurn finds the last user turn of a Llama 3 or Mistral chat-template prompt; for a
// plain prompt it is the prompt without template tokens. A turn is what the regular expression
// (?s)<open>(.*?)(?:<close>|$) captures in its last match; template tokens are those of
// <\|[^|]*\|>|\[/?INST\]|</?s>, each replaced by a space; the result is trimmed of white space.
func (d *doc) lastUserTurn(prompt []byte) []byte {
	turn, ok := lastTurn(prompt, []byte(llamaUser), []byte(llamaEOT))
	if !ok {
		turn, ok = lastTurn(prompt, []byte(mistralBeg), []byte(mistralEnd))
	}
	if !ok {
		turn = prompt
	}
	d.turn = replaceTemplateTokens(d.turn[:0], turn)
	return bytes.TrimSpace(d.turn)
}

// lastTurn returns the text after the last non-overlapping open marker, up to the close marker
// that follows it or the end of s.
func lastTurn(s, open, closing []byte) ([]byte, bool) {
	var turn []byte
	found := false
	for i := 0; ; {
		j := bytes.Index(s[i:], open)
		if j < 0 {
			return turn, found
		}
		start := i + j + len(open)
		k := bytes.Index(s[start:], closing)
		if k < 0 {
			return s[start:], true
		}
		turn, found = s[start:start+k], true
		i = start + k + len(closing)
	}
}

// replaceTemplateTokens appends s with every template token (<|...|>, [INST], [/INST], <s>,
// </s>) replaced by a space, matching leftmost first as regexp.ReplaceAll does.
func replaceTemplateTokens(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var n int
		switch s[i] {
		case '<':
			n = templateTokenAt(s[i:])
		case '[':
			switch {
			case bytes.HasPrefix(s[i:], []byte(mistralBeg)):
				n = len(mistralBeg)
			case bytes.HasPrefix(s[i:], []byte(mistralEnd)):
				n = len(mistralEnd)
			}
		}
		if n > 0 {
			dst = append(append(dst, s[start:i]...), ' ')
			i += n - 1
			start = i + 1
		}
	}
	return append(dst, s[start:]...)
}

// templateTokenAt returns the length of the <|...|>, <s> or </s> token at the start of s, or 0.
func templateTokenAt(s []byte) int {
	if len(s) >= 2 && s[1] == '|' {
		if k := bytes.IndexByte(s[2:], '|'); k >= 0 && 2+k+1 < len(s) && s[2+k+1] == '>' {
			return 2 + k + 2
		}
		return 0
	}
	switch {
	case bytes.HasPrefix(s, []byte("<s>")):
		return 3
	case bytes.HasPrefix(s, []byte("</s>")):
		return 4
	}
	return 0
}
