package fakemodel

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	obj, err := decodeObject(body)
	if err != nil {
		return nil, Usage{}, err
	}
	var resp any
	var usage Usage
	switch invocationType {
	case InvocationInvokeModel, "":
		if m.family == familyUnresolved {
			m.family, m.chat = sniffFamily(obj), true
		}
		resp, usage, err = invokeNative(m, obj)
	case InvocationConverse:
		if m.family == familyTitanEmbed || m.family == familyCohereEmbed {
			return nil, Usage{}, validation("This action doesn't support the model that you provided. Try again with a supported text or chat model.")
		}
		resp, usage, err = converse(m, obj)
	default:
		return nil, Usage{}, validation(fmt.Sprintf("invocation type %q is not one of InvokeModel, Converse", invocationType))
	}
	if err != nil {
		return nil, Usage{}, err
	}
	out, err := json.Marshal(resp)
	if err != nil {
		return nil, Usage{}, fmt.Errorf("encode %s response: %w", modelID, err)
	}
	return out, usage, nil
}

func invokeNative(m model, obj map[string]json.RawMessage) (any, Usage, error) {
	switch m.family {
	case familyClaude:
		return claude(m, obj)
	case familyNova:
		return nova(obj)
	case familyTitanEmbed:
		return titanEmbed(obj)
	case familyCohereEmbed:
		return cohereEmbed(obj)
	case familyLlama:
		return llama(obj)
	case familyTitanText:
		return titanText(obj)
	default:
		return mistral(m, obj)
	}
}

// decodeObject parses a request body as one JSON object, keeping member values raw so each
// family can check types the way Bedrock's JSON-schema validation reports them.
func decodeObject(body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, malformed("#", "expected type: JSONObject, found: "+jsonKind(body))
	}
	if dec.More() {
		return nil, malformed("#", "extraneous content after the JSON object")
	}
	return obj, nil
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

func wrongType(path, want string, raw json.RawMessage) *Error {
	return malformed(path, "expected type: "+want+", found: "+jsonKind(raw))
}
