package fakemodel

import (
	"bytes"
	"regexp"
)

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
	g := d.generate([][]byte{prompt}, [][]byte{lastUserTurn(prompt)}, int(maxGen), nil)
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

var (
	llamaUserTurn   = regexp.MustCompile(`(?s)<\|start_header_id\|>user<\|end_header_id\|>(.*?)(?:<\|eot_id\|>|$)`)
	mistralUserTurn = regexp.MustCompile(`(?s)\[INST\](.*?)(?:\[/INST\]|$)`)
	templateToken   = regexp.MustCompile(`<\|[^|]*\|>|\[/?INST\]|</?s>`)
)

// lastUserTurn finds the last user turn of a Llama 3 or Mistral chat-template prompt; for a
// plain prompt it is the prompt without template tokens.
func lastUserTurn(prompt []byte) []byte {
	for _, re := range []*regexp.Regexp{llamaUserTurn, mistralUserTurn} {
		if all := re.FindAllSubmatch(prompt, -1); len(all) > 0 {
			return bytes.TrimSpace(templateToken.ReplaceAll(all[len(all)-1][1], []byte(" ")))
		}
	}
	return bytes.TrimSpace(templateToken.ReplaceAll(prompt, []byte(" ")))
}
