package model

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// CharsPerToken is the estimator's rule of thumb: one token per 4 characters (Unicode code
// points) of prompt text, rounded up per record. It fits English prose with the Claude, Nova and
// Llama tokenizers to within about ±25%; code, numbers and non-Latin scripts use more tokens.
const CharsPerToken = 4

// Default maximum output lengths the model providers document for bodies that omit one.
const (
	llamaDefaultMaxGenLen    = 512 // Meta Llama max_gen_len
	titanTextDefaultMaxCount = 512 // Titan Text textGenerationConfig.maxTokenCount
)

// Estimate is a rough token count for one modelInput, before sending it.
type Estimate struct {
	// Chars counts the prompt text's characters: system, message and prompt text, inputText,
	// texts. Images, documents and tool definitions are not counted.
	Chars int64
	// InputTokens is ceil(Chars / CharsPerToken).
	InputTokens int64
	// OutputTokens is the requested maximum (max_tokens, inferenceConfig.maxTokens or
	// max_new_tokens, max_gen_len, textGenerationConfig.maxTokenCount) or the provider's
	// documented default; 0 for embedding models. It is an upper bound, not a prediction.
	OutputTokens int64
	// OutputKnown is false when the body states no maximum and the family has no documented
	// default; OutputTokens is then 0.
	OutputKnown bool
}

// estimateBody holds the prompt and length fields of every family's modelInput.
type estimateBody struct {
	System          json.RawMessage   `json:"system"`
	Messages        []json.RawMessage `json:"messages"`
	Prompt          *string           `json:"prompt"`
	InputText       *string           `json:"inputText"`
	Texts           []string          `json:"texts"`
	MaxTokens       *int64            `json:"max_tokens"`
	MaxGenLen       *int64            `json:"max_gen_len"`
	InferenceConfig *struct {
		MaxTokens    *int64 `json:"maxTokens"`
		MaxNewTokens *int64 `json:"max_new_tokens"`
	} `json:"inferenceConfig"`
	TextGenerationConfig *struct {
		MaxTokenCount *int64 `json:"maxTokenCount"`
	} `json:"textGenerationConfig"`
}

// Estimate estimates the tokens of one modelInput body sent to a model of family f. The prompt
// text is collected from whichever of the known fields the body has, so a Claude-shaped body
// can be priced against any model; the output side follows the family (0 for embeddings). A body
// that is not a JSON object returns an error.
func (f Family) Estimate(body []byte) (Estimate, error) {
	if err := checkObject(body); err != nil {
		return Estimate{}, fmt.Errorf("modelInput is not a JSON object")
	}
	var b estimateBody
	if err := json.Unmarshal(body, &b); err != nil {
		return Estimate{}, fmt.Errorf("decode modelInput: %w", err)
	}
	var e Estimate
	e.Chars += textChars(b.System)
	for _, m := range b.Messages {
		var msg struct {
			Content json.RawMessage `json:"content"`
		}
		if json.Unmarshal(m, &msg) == nil {
			e.Chars += textChars(msg.Content)
		}
	}
	for _, s := range []*string{b.Prompt, b.InputText} {
		if s != nil {
			e.Chars += int64(utf8.RuneCountInString(*s))
		}
	}
	for _, s := range b.Texts {
		e.Chars += int64(utf8.RuneCountInString(s))
	}
	e.InputTokens = (e.Chars + CharsPerToken - 1) / CharsPerToken

	if f.Embedding() {
		e.OutputKnown = true
		return e, nil
	}
	var limit *int64
	switch {
	case b.InferenceConfig != nil && b.InferenceConfig.MaxTokens != nil:
		limit = b.InferenceConfig.MaxTokens
	case b.InferenceConfig != nil && b.InferenceConfig.MaxNewTokens != nil:
		limit = b.InferenceConfig.MaxNewTokens
	case b.MaxTokens != nil:
		limit = b.MaxTokens
	case b.MaxGenLen != nil:
		limit = b.MaxGenLen
	case b.TextGenerationConfig != nil && b.TextGenerationConfig.MaxTokenCount != nil:
		limit = b.TextGenerationConfig.MaxTokenCount
	}
	switch {
	case limit != nil:
		e.OutputTokens, e.OutputKnown = *limit, true
	case f == Llama:
		e.OutputTokens, e.OutputKnown = llamaDefaultMaxGenLen, true
	case f == TitanText:
		e.OutputTokens, e.OutputKnown = titanTextDefaultMaxCount, true
	}
	if e.OutputTokens < 0 {
		return Estimate{}, fmt.Errorf("modelInput asks for a negative maximum of %d output tokens", e.OutputTokens)
	}
	return e, nil
}

// textChars counts the characters of a text field that is a string, or an array of blocks with
// a "text" member (Claude {"type":"text","text"}, Nova and Converse {"text"}).
func textChars(raw json.RawMessage) int64 {
	if len(raw) == 0 {
		return 0
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return int64(utf8.RuneCountInString(s))
	}
	var blocks []struct {
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &blocks) != nil {
		return 0
	}
	var n int64
	for _, b := range blocks {
		n += int64(utf8.RuneCountInString(b.Text))
	}
	return n
}
