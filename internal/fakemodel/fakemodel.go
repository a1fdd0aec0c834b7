package fakemodel

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Invocation types accepted by Invoke; they match the batch job's modelInvocationType values.
const (
	InvocationInvokeModel = "InvokeModel"
	InvocationConverse    = "Converse"
)

// Error is a model error shaped like the one Bedrock reports: an HTTP status, the error type
// name that goes into X-Amzn-ErrorType, and a message. A schema break is Status 400, Type
// "ValidationException"; the caller does not retry it.
type Error struct {
	Status  int
	Type    string
	Message string
}

// Error returns "Type: Message".
func (e *Error) Error() string { return e.Type + ": " + e.Message }

// Usage is the token count of one call under the package's token rule (see the package doc).
// Embedding models have OutputTokens 0. It is known for every family, including those whose
// response body carries no usage (Cohere, Mistral); the runtime reports it in the
// x-amzn-bedrock-input-token-count / output-token-count headers.
type Usage struct {
	InputTokens  int
	OutputTokens int
}

// Invoke runs the deterministic fake model named by modelID. invocationType is "InvokeModel"
// (or "", the batch API's default; body is the family's native request, the result its native response) or "Converse" (body is
// a Converse request without modelId, the result a Converse response). The same arguments always
// give the same bytes. A body that breaks the family's schema returns *Error with Status 400 and
// Type "ValidationException"; an unknown model returns *Error with Status 404 and Type
// "ResourceNotFoundException"; an unknown invocation type returns a 400 *Error.
func Invoke(modelID, invocationType string, body []byte) ([]byte, error) {
	out, _, err := InvokeUsage(modelID, invocationType, body)
	return out, err
}

// InvokeUsage is Invoke that also returns the call's token usage. Errors are as for Invoke.
func InvokeUsage(modelID, invocationType string, body []byte) ([]byte, Usage, error) {
	m, ok := lookup(modelID)
	if !ok {
		return nil, Usage{}, &Error{Status: 404, Type: "ResourceNotFoundException", Message: "Could not resolve the foundation model from the provided model identifier."}
	}
	d := getDoc()
	defer d.release()
	if err := d.parse(body); err != nil {
		return nil, Usage{}, err
	}
	root := object{d: d, n: 0}
	d.out = d.out[:0]
	var usage Usage
	var err error
	switch invocationType {
	case InvocationInvokeModel, "":
		if m.family == familyUnresolved {
			m.family, m.chat = sniffFamily(root), true
		}
		usage, err = invokeNative(m, root)
	case InvocationConverse:
		if m.family == familyTitanEmbed || m.family == familyCohereEmbed {
			return nil, Usage{}, validation("This action doesn't support the model that you provided. Try again with a supported text or chat model.")
		}
		usage, err = converse(m, root)
	default:
		return nil, Usage{}, validation(fmt.Sprintf("invocation type %q is not one of InvokeModel, Converse", invocationType))
	}
	if err != nil {
		return nil, Usage{}, err
	}
	return bytes.Clone(d.out), usage, nil
}

// invokeNative runs the family's model on the body, writing its response to root's doc.
func invokeNative(m model, root object) (Usage, error) {
	switch m.family {
	case familyClaude:
		return claude(m, root)
	case familyNova:
		return nova(root)
	case familyTitanEmbed:
		return titanEmbed(root)
	case familyCohereEmbed:
		return cohereEmbed(root)
	case familyLlama:
		return llama(root)
	case familyTitanText:
		return titanText(root)
	default:
		return mistral(m, root)
	}
}

func validation(msg string) *Error {
	return &Error{Status: 400, Type: "ValidationException", Message: msg}
}

// malformed formats a schema violation the way Bedrock's model-input validation does, e.g.
// "Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again."
func malformed(path, what string) *Error {
	return validation("Malformed input request: " + path + ": " + what + ", please reformat your input and try again.")
}

func missing(path, key string) *Error {
	return malformed(path, "required key ["+key+"] not found")
}

func wrongType(p path, want string, raw []byte) *Error {
	return malformed(p.String(), "expected type: "+want+", found: "+jsonKind(raw))
}

// bodyID appends the body's id: the 32 hex digits of the FNV-128a hash of its canonical form
// (see appendCanonical), so equal requests get equal ids whatever their spacing.
func bodyID(dst []byte, root object) []byte {
	d := root.d
	d.tmp = appendCanonical(d.tmp[:0], root)
	h := newFNV128a()
	h.write(d.tmp)
	return h.appendHex(dst)
}

// appendCanonical appends the body as json.Marshal writes the map[string]json.RawMessage
// decoded from it: members sorted by name, the last of duplicate names kept, values compacted.
func appendCanonical(dst []byte, root object) []byte {
	d := root.d
	dst = append(dst, '{')
	for i, e := range d.sortedKeys(root.n) {
		if i > 0 {
			dst = append(dst, ',')
		}
		if key := d.raw(e.k); d.nodes[e.k].flags == 0 && utf8.Valid(key) {
			dst = append(dst, key...)
		} else {
			dst = appendString(dst, e.name)
		}
		dst = append(dst, ':')
		if d.plain {
			dst = append(dst, d.raw(e.k+1)...)
		} else {
			dst = appendCompact(dst, d.raw(e.k+1))
		}
	}
	return append(dst, '}')
}
