package round

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// appendAnswer appends a's JSON line (without the newline) exactly as json.Marshal(a) writes it,
// without json.Marshal's reflection and second scan of ModelOutput: answers are the one line
// written per answered record. ModelOutput must be valid JSON, as the reconciler's parser
// guarantees; anything unusual in it goes through encoding/json.
func appendAnswer(b []byte, a *Answer) ([]byte, error) {
	b = append(b, `{"recordId":`...)
	b = appendString(b, a.RecordID)
	b = append(b, `,"modelOutput":`...)
	b, err := appendRaw(b, a.ModelOutput)
	if err != nil {
		return b, err
	}
	if a.Usage != nil {
		b = append(b, `,"usage":{"inputTokens":`...)
		b = strconv.AppendInt(b, a.Usage.InputTokens, 10)
		b = append(b, `,"outputTokens":`...)
		b = strconv.AppendInt(b, a.Usage.OutputTokens, 10)
		b = append(b, '}')
	}
	b = append(b, `,"answeredBy":`...)
	b = appendString(b, a.AnsweredBy)
	b = append(b, `,"round":`...)
	b = strconv.AppendInt(b, int64(a.Round), 10)
	if a.JobName != "" {
		b = append(b, `,"jobName":`...)
		b = appendString(b, a.JobName)
	}
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, a.Line, 10)
	b = append(b, `,"source":`...)
	b = strconv.AppendInt(b, int64(a.Source), 10)
	return append(b, '}'), nil
}

// appendString appends s as json.Marshal quotes a string. Plain printable ASCII (the usual
// recordId) is copied; anything else is left to encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendRaw appends the JSON value raw as json.Marshal writes a json.RawMessage: compact, with
// <, >, & and U+2028/U+2029 escaped inside strings. Values that need neither are copied after
// one scan.
func appendRaw(b, raw []byte) ([]byte, error) {
	if compactPlain(raw) {
		return append(b, raw...), nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return b, err
	}
	var escaped bytes.Buffer
	json.HTMLEscape(&escaped, compact.Bytes())
	return append(b, escaped.Bytes()...), nil
}

// compactPlain reports whether the valid JSON value raw is non-empty, has no whitespace outside
// its strings and nothing json.Marshal would escape inside them.
func compactPlain(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !in {
			switch c {
			case '"':
				in = true
			case ' ', '\t', '\n', '\r':
				return false
			}
			continue
		}
		switch c {
		case '"':
			in = false
		case '\\':
			i++ // the escaped byte cannot end the string
		case '<', '>', '&':
			return false
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8 {
				return false
			}
		}
	}
	return !in
}
