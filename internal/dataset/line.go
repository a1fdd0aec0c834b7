package dataset

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// idKind is how a line gives its recordId.
type idKind uint8

const (
	idMissing idKind = iota // no recordId key: the id is derived from the line number
	idString                // a JSON string; idStart:idEnd spans it with its quotes
	idNumber                // a JSON number; idStart:idEnd spans its text
)

// lineInfo is what the top-level walk learns about one valid line.
type lineInfo struct {
	miStart, miEnd int // the modelInput value
	id             idKind
	idStart, idEnd int
}

// kindOf names the JSON type of the value starting with c, for reasons.
func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// keyIs reports whether the raw key token (with quotes) decodes to exactly name. Matching is
// exact and case-sensitive, unlike encoding/json; an escaped spelling of the name matches.
func keyIs(tok []byte, name string) bool {
	raw := tok[1 : len(tok)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	return decodeString(raw) == name
}

// parseLine checks one non-blank line (no line end) and walks its top level. It returns the
// reason the line is rejected, or "" and what the walk found. A miLen above zero is the length
// of the modelInput value learnt by an earlier pass: the walk then jumps over it unchecked. A
// sm not nil holds the string masks of the valid UTF-8 block the line starts in at byte moff.
func parseLine(line []byte, miLen int, sm *strMasks, moff int) (lineInfo, string) {
	var info lineInfo
	p := parser{b: line, sm: sm, moff: moff}
	p.skipWS()
	if p.i >= len(line) || line[p.i] != '{' {
		if !Valid(line) {
			p = parser{b: line}
			p.skipWS()
			p.value(0)
			if p.err == nil {
				p.skipWS()
				p.fail("unexpected data after the JSON value")
			}
			return info, syntaxReason(p.err)
		}
		return info, "line is " + kindOf(line[p.i]) + ", expected an object with modelInput"
	}
	p.i++
	p.skipWS()
	var problem string
	note := func(s string) {
		if problem == "" {
			problem = s
		}
	}
	haveMI, haveID := false, false
	if p.i < len(line) && line[p.i] == '}' {
		p.i++
	} else {
		for {
			if p.i >= len(line) || line[p.i] != '"' {
				p.unexpected("a string key")
				return info, syntaxReason(p.err)
			}
			ks := p.i
			if !p.str() {
				return info, syntaxReason(p.err)
			}
			key := line[ks:p.i]
			p.skipWS()
			if p.i >= len(line) || line[p.i] != ':' {
				p.unexpected("':' after a key")
				return info, syntaxReason(p.err)
			}
			p.i++
			p.skipWS()
			vs := p.i
			isMI := keyIs(key, "modelInput")
			if isMI && miLen > 0 && vs+miLen <= len(line) && line[vs] == '{' && line[vs+miLen-1] == '}' {
				p.i = vs + miLen
			} else if (sm == nil || !p.valueMasked()) && !p.value(1) {
				return info, syntaxReason(p.err)
			}
			switch {
			case isMI:
				if haveMI {
					note(`duplicate key "modelInput"`)
				}
				haveMI = true
				if line[vs] != '{' {
					note("modelInput is " + kindOf(line[vs]) + ", expected an object")
				}
				info.miStart, info.miEnd = vs, p.i
			case keyIs(key, "recordId"):
				if haveID {
					note(`duplicate key "recordId"`)
				}
				haveID = true
				switch c := line[vs]; {
				case c == '"':
					info.id = idString
				case c == '-' || isDigit(c):
					info.id = idNumber
				default:
					note("recordId is " + kindOf(c) + ", expected a string or a number")
				}
				info.idStart, info.idEnd = vs, p.i
			}
			p.skipWS()
			if p.i >= len(line) {
				p.unexpected("',' or '}'")
				return info, syntaxReason(p.err)
			}
			if line[p.i] == ',' {
				p.i++
				p.skipWS()
				continue
			}
			if line[p.i] == '}' {
				p.i++
				break
			}
			p.unexpected("',' or '}'")
			return info, syntaxReason(p.err)
		}
	}
	p.skipWS()
	if p.i != len(line) {
		p.fail("unexpected data after the JSON object")
		return info, syntaxReason(p.err)
	}
	if problem != "" {
		return info, problem
	}
	if !haveMI {
		return info, "modelInput is missing"
	}
	return info, ""
}

func syntaxReason(e *syntaxError) string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.at+1, e.msg)
}

// decodeString decodes the content of a valid JSON string (without quotes). Escaped lone
// surrogates become U+FFFD, as encoding/json does.
func decodeString(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2 = hex4(raw[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, raw[i])
		}
		i++
	}
	return string(out)
}

func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v)
}
