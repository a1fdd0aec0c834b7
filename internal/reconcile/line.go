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

// ParseOutputLine parses one non-blank line of an output file. The line must be a JSON object
// with a non-empty recordId (string or number) and a modelOutput object or an error object (a
// line with both is taken as an error). Other members, such as the modelInput echo, are skipped
// after a structural check only. The returned ModelOutput aliases line. Errors describe the
// problem without quoting the line.
func ParseOutputLine(line []byte) (OutputLine, error) {
	var out OutputLine
	var output, errObj []byte
	haveID := false
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return out, errNotObject
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		i++
	} else {
		for {
			if i >= len(line) || line[i] != '"' {
				return out, fmt.Errorf("expected a member name at byte %d", i+1)
			}
			keyEnd, err := skipString(line, i)
			if err != nil {
				return out, err
			}
			key, err := stringValue(line[i:keyEnd])
			if err != nil {
				return out, err
			}
			i = skipSpace(line, keyEnd)
			if i >= len(line) || line[i] != ':' {
				return out, fmt.Errorf("expected ':' after member %q at byte %d", truncate(key, 40), i+1)
			}
			i = skipSpace(line, i+1)
			end, err := skipValue(line, i, 0)
			if err != nil {
				return out, fmt.Errorf("member %q: %w", truncate(key, 40), err)
			}
			value := line[i:end]
			switch key {
			case "recordId":
				id, err := recordIDValue(value)
				if err != nil {
					return out, err
				}
				out.RecordID, haveID = id, true
			case "modelOutput":
				output = value
			case "error":
				errObj = value
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
			return out, fmt.Errorf("expected ',' or '}' at byte %d", i+1)
		}
	}
	if skipSpace(line, i) != len(line) {
		return out, fmt.Errorf("unexpected data after the object at byte %d", i+1)
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
		if output[0] != '{' || !json.Valid(output) {
			return out, errors.New("modelOutput is not a valid JSON object")
		}
		out.ModelOutput = output
	default:
		return out, errors.New("neither modelOutput nor error")
	}
	return out, nil
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

// skipString returns the index just past the JSON string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("unterminated string")
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

// maxDepth bounds nesting in skipped values, like encoding/json's own limit.
const maxDepth = 10000

// skipValue returns the index just past the JSON value starting at b[i]. Strings, objects and
// arrays are followed structurally (brackets must match); literals and numbers run to the next
// delimiter and must be non-empty. Values of members the parser uses are validated separately.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		if depth >= maxDepth {
			return 0, errors.New("nested too deeply")
		}
		closer := byte('}')
		if b[i] == '[' {
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
	}
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if c == '"' || c == '{' || c == '[' || c == ':' {
			return 0, errors.New("invalid literal")
		}
		j++
	}
	if j == i {
		return 0, errors.New("missing value")
	}
	return j, nil
}
