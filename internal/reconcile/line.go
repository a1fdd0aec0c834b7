package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// OutputLine is one parsed line of a Bedrock batch output file: a success carries ModelOutput,
// a record error carries Error, never both.
type OutputLine struct {
	// RecordID is the line's recordId: the pipeline id the chunk sent. A numeric recordId is kept
	// as its decimal text.
	RecordID string
	// ModelOutput is the raw modelOutput object (valid JSON); it aliases the parsed line.
	ModelOutput json.RawMessage
	// Error is the record's error; nil on a success line.
	Error *RecordError
}

// RecordError is a per-record error as Bedrock writes it ({"errorCode":..,"errorMessage":..}).
type RecordError struct {
	// Code is errorCode as text: a number keeps its decimal form ("400"), a string is unquoted.
	// Empty when the line has none.
	Code string `json:"code"`
	// Message is errorMessage (at most maxErrorMessage bytes are kept).
	Message string `json:"message"`
}

// maxErrorMessage bounds the error text kept per failed record, so a job full of long errors
// stays within the reconciler's memory bound.
const maxErrorMessage = 1024

// errNotObject and the other parse errors describe why a line is malformed; none of them quotes
// the line.
var errNotObject = errors.New("not a JSON object")

// ParseOutputLine parses one non-blank line of an output file. The line must be valid JSON (as
// encoding/json.Valid decides): an object with a non-empty recordId (string or number) and a
// modelOutput object or an error object (a line with both is taken as an error). Other members,
// such as the modelInput echo, are validated and skipped without decoding. The returned
// ModelOutput aliases line. Errors describe the problem without quoting the line.
func ParseOutputLine(line []byte) (OutputLine, error) {
	var out OutputLine
	var output, errObj []byte
	haveID := false
	err := walkObject(line, func(key, value []byte) error {
		switch string(key) {
		case "recordId":
			id, err := recordIDValue(value)
			if err != nil {
				return err
			}
			out.RecordID, haveID = id, true
		case "modelOutput":
			output = value
		case "error":
			errObj = value
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if !haveID || out.RecordID == "" {
		return out, errors.New("no recordId")
	}
	if isNull(errObj) {
		errObj = nil
	}
	if isNull(output) {
		output = nil
	}
	switch {
	case errObj != nil:
		e, err := parseRecordError(errObj)
		if err != nil {
			return out, err
		}
		out.Error = e
	case output != nil:
		if output[0] != '{' {
			return out, errors.New("modelOutput is not a JSON object")
		}
		out.ModelOutput = output
	default:
		return out, errors.New("neither modelOutput nor error")
	}
	return out, nil
}

// walkObject calls member for every top-level member of the JSON object in line, in order, with
// the member's name (decoded) and raw value (validated, see skipValue); nothing but whitespace
// may follow the object.
func walkObject(line []byte, member func(key, value []byte) error) error {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return errNotObject
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		i++
	} else {
		for {
			if i >= len(line) || line[i] != '"' {
				return fmt.Errorf("expected a member name at byte %d", i+1)
			}
			keyEnd, err := skipString(line, i)
			if err != nil {
				return err
			}
			key, err := keyBytes(line[i:keyEnd])
			if err != nil {
				return err
			}
			i = skipSpace(line, keyEnd)
			if i >= len(line) || line[i] != ':' {
				return fmt.Errorf("expected ':' after member %q at byte %d", truncate(string(key), 40), i+1)
			}
			i = skipSpace(line, i+1)
			end, err := skipValue(line, i, 0)
			if err != nil {
				return fmt.Errorf("member %q: %w", truncate(string(key), 40), err)
			}
			if err := member(key, line[i:end]); err != nil {
				return fmt.Errorf("member %q: %w", truncate(string(key), 40), err)
			}
			i = skipSpace(line, end)
			if i < len(line) && line[i] == ',' {
				i = skipSpace(line, i+1)
				continue
			}
			if i < len(line) && line[i] == '}' {
				i++
				break
			}
			return fmt.Errorf("expected ',' or '}' at byte %d", i+1)
		}
	}
	if skipSpace(line, i) != len(line) {
		return fmt.Errorf("unexpected data after the object at byte %d", i+1)
	}
	return nil
}

func isNull(v []byte) bool { return bytes.Equal(v, []byte("null")) }

func recordIDValue(v []byte) (string, error) {
	switch {
	case v[0] == '"':
		return stringValue(v)
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return "", errors.New("recordId is not a valid number")
		}
		return n.String(), nil
	}
	return "", errors.New("recordId is neither a string nor a number")
}

func parseRecordError(v []byte) (*RecordError, error) {
	var e struct {
		ErrorCode    json.RawMessage `json:"errorCode"`
		ErrorMessage json.RawMessage `json:"errorMessage"`
	}
	if v[0] != '{' || json.Unmarshal(v, &e) != nil {
		return nil, errors.New("error is not a valid JSON object")
	}
	code, err := scalarText(e.ErrorCode)
	if err != nil {
		return nil, fmt.Errorf("errorCode: %w", err)
	}
	msg, err := scalarText(e.ErrorMessage)
	if err != nil {
		return nil, fmt.Errorf("errorMessage: %w", err)
	}
	return &RecordError{Code: code, Message: truncate(msg, maxErrorMessage)}, nil
}

// scalarText returns a string's value or a number's or literal's text; "" for absent or null.
func scalarText(v json.RawMessage) (string, error) {
	if len(v) == 0 || isNull(v) {
		return "", nil
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case '{', '[':
		return "", errors.New("is an object or array, expected a number or string")
	}
	return string(v), nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the JSON string starting at b[i] == '"', checking
// escapes and rejecting control characters as JSON requires.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			j++
			if j >= len(b) {
				return 0, errors.New("unterminated string")
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return 0, errors.New("invalid \\u escape in string")
				}
				j += 4
			default:
				return 0, errors.New("invalid escape in string")
			}
		case c < 0x20:
			return 0, errors.New("control character in string")
		}
	}
	return 0, errors.New("unterminated string")
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// keyBytes returns a member name token's text: the bytes between the quotes, decoded only when
// they hold an escape, so the common case allocates nothing.
func keyBytes(tok []byte) ([]byte, error) {
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
	s, err := stringValue(tok)
	return []byte(s), err
}

// stringValue decodes a JSON string token (quotes included).
func stringValue(tok []byte) (string, error) {
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", errors.New("invalid string escape")
	}
	return s, nil
}

// maxDepth bounds nesting, like encoding/json's own limit.
const maxDepth = 10000

// skipValue returns the index just past the JSON value starting at b[i], validating it as
// encoding/json.Valid does (grammar, escapes, no control characters in strings; like Valid, it
// does not check UTF-8), so a line the parser accepts is valid JSON.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return 0, errors.New("nested too deeply")
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		j := skipSpace(b, i+1)
		if j < len(b) && b[j] == closer {
			return j + 1, nil
		}
		for {
			if closer == '}' {
				if j >= len(b) || b[j] != '"' {
					return 0, errors.New("expected a member name")
				}
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = skipSpace(b, end)
				if j >= len(b) || b[j] != ':' {
					return 0, errors.New("expected ':'")
				}
				j = skipSpace(b, j+1)
			}
			end, err := skipValue(b, j, depth+1)
			if err != nil {
				return 0, err
			}
			j = skipSpace(b, end)
			if j < len(b) && b[j] == ',' {
				j = skipSpace(b, j+1)
				continue
			}
			if j < len(b) && b[j] == closer {
				return j + 1, nil
			}
			return 0, fmt.Errorf("expected ',' or '%c'", closer)
		}
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '-' || ('0' <= c && c <= '9'):
		return skipNumber(b, i)
	}
	return 0, errors.New("invalid value")
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, errors.New("invalid literal")
	}
	return i + len(lit), nil
}

var errBadNumber = errors.New("invalid number")

// skipNumber follows JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, error) {
	digits := func(j int) int {
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		return j
	}
	bad := errBadNumber
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(i)
	default:
		return 0, bad
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, bad
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, bad
		}
		i = j
	}
	return i, nil
}
