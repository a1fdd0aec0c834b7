package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Usage is the token count of one record.
type Usage struct {
	InputTokens  int64 `json:"inputTokens"`
	OutputTokens int64 `json:"outputTokens"`
}

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{InputTokens: u.InputTokens + v.InputTokens, OutputTokens: u.OutputTokens + v.OutputTokens}
}

// Output is what a modelOutput says: its usage (when HasUsage) and its answer, either Text or
// Embeddings (one vector per embedded input; Cohere can embed several texts in one record).
type Output struct {
	Usage      Usage
	HasUsage   bool
	Text       string
	Embeddings [][]float64
}

// usageBody holds the usage fields of every family, so Usage skips decoding answers and vectors.
type usageBody struct {
	// Claude (snake_case) and Nova/Converse (camelCase) share the key.
	Usage *struct {
		InputTokens       *int64 `json:"input_tokens"`
		OutputTokens      *int64 `json:"output_tokens"`
		InputTokensCamel  *int64 `json:"inputTokens"`
		OutputTokensCamel *int64 `json:"outputTokens"`
	} `json:"usage"`
	// Titan Embeddings and Titan Text
	InputTextTokenCount *int64 `json:"inputTextTokenCount"`
	// Titan Text
	Results []struct {
		TokenCount *int64 `json:"tokenCount"`
		OutputText string `json:"outputText"`
	} `json:"results"`
	// Llama
	PromptTokenCount     *int64 `json:"prompt_token_count"`
	GenerationTokenCount *int64 `json:"generation_token_count"`
}

// outputBody adds the answer fields of every family; one decode serves all families.
type outputBody struct {
	usageBody
	// Claude
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	// Nova, Converse
	Output *struct {
		Message struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	// Titan Embeddings
	Embedding        []float64 `json:"embedding"`
	EmbeddingsByType *struct {
		Float []float64 `json:"float"`
	} `json:"embeddingsByType"`
	// Cohere: an array of vectors, or an object of vector arrays keyed by embedding type.
	Embeddings json.RawMessage `json:"embeddings"`
	// Llama
	Generation *string `json:"generation"`
	// Mistral text completion
	Outputs []struct {
		Text string `json:"text"`
	} `json:"outputs"`
	// Mistral chat completion
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

func checkObject(body []byte) error {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("modelOutput is not a JSON object")
	}
	return nil
}

// UsageMembers are the top-level modelOutput members Usage reads, in any family. A caller that
// already holds a validated body may pass Usage an object of just these members (copied
// verbatim) and get the same answer without decoding answers or vectors.
var UsageMembers = []string{"usage", "inputTextTokenCount", "results", "prompt_token_count", "generation_token_count"}

// Usage returns the token usage one modelOutput body carries for family f. ok is false when
// the body has none (always for Cohere Embed and Mistral). A body that is not a JSON object of
// the family's shape returns an error.
func (f Family) Usage(body []byte) (u Usage, ok bool, err error) {
	if err := checkObject(body); err != nil {
		return Usage{}, false, err
	}
	var b usageBody
	if err := json.Unmarshal(body, &b); err != nil {
		return Usage{}, false, fmt.Errorf("decode %s modelOutput usage: %w", f, err)
	}
	return f.usage(&b)
}

func (f Family) usage(b *usageBody) (Usage, bool, error) {
	if f == Auto {
		f = sniffUsage(b)
	}
	switch f {
	case Claude:
		if b.Usage != nil && b.Usage.InputTokens != nil && b.Usage.OutputTokens != nil {
			return Usage{*b.Usage.InputTokens, *b.Usage.OutputTokens}, true, nil
		}
	case Nova, Converse:
		if b.Usage != nil && b.Usage.InputTokensCamel != nil && b.Usage.OutputTokensCamel != nil {
			return Usage{*b.Usage.InputTokensCamel, *b.Usage.OutputTokensCamel}, true, nil
		}
	case TitanEmbed:
		if b.InputTextTokenCount != nil {
			return Usage{InputTokens: *b.InputTextTokenCount}, true, nil
		}
	case TitanText:
		if b.InputTextTokenCount == nil || len(b.Results) == 0 {
			return Usage{}, false, nil
		}
		u := Usage{InputTokens: *b.InputTextTokenCount}
		for _, r := range b.Results {
			if r.TokenCount == nil {
				return Usage{}, false, nil
			}
			u.OutputTokens += *r.TokenCount
		}
		return u, true, nil
	case Llama:
		if b.PromptTokenCount != nil && b.GenerationTokenCount != nil {
			return Usage{*b.PromptTokenCount, *b.GenerationTokenCount}, true, nil
		}
	case CohereEmbed, Mistral, Auto:
	default:
		return Usage{}, false, fmt.Errorf("family %q: %w", f, ErrUnknownModel)
	}
	return Usage{}, false, nil
}

// sniffUsage picks the family whose usage fields the body holds.
func sniffUsage(b *usageBody) Family {
	switch {
	case b.Usage != nil && b.Usage.InputTokens != nil:
		return Claude
	case b.Usage != nil && b.Usage.InputTokensCamel != nil:
		return Converse
	case b.PromptTokenCount != nil:
		return Llama
	case len(b.Results) > 0:
		return TitanText
	case b.InputTextTokenCount != nil:
		return TitanEmbed
	}
	return Auto
}

// sniffOutput picks the family a modelOutput body's shape belongs to, for Auto.
func sniffOutput(b *outputBody) Family {
	switch {
	case b.Usage != nil && b.Usage.InputTokens != nil, len(b.Content) > 0:
		return Claude
	case b.Output != nil:
		return Converse
	case b.Generation != nil:
		return Llama
	case len(b.Results) > 0:
		return TitanText
	case b.Embedding != nil, b.EmbeddingsByType != nil:
		return TitanEmbed
	case b.Embeddings != nil:
		return CohereEmbed
	case b.Outputs != nil, b.Choices != nil:
		return Mistral
	}
	return Auto
}

// ParseOutput reads one modelOutput body of family f: its usage (see Usage) and its answer.
// Text joins the text blocks of the answer; Embeddings holds the float vectors. A body that is
// not a JSON object of the family's shape, or holds no answer, returns an error.
func (f Family) ParseOutput(body []byte) (Output, error) {
	if err := checkObject(body); err != nil {
		return Output{}, err
	}
	var b outputBody
	if err := json.Unmarshal(body, &b); err != nil {
		return Output{}, fmt.Errorf("decode %s modelOutput: %w", f, err)
	}
	if f == Auto {
		if f = sniffOutput(&b); f == Auto {
			return Output{}, fmt.Errorf("modelOutput matches no known family's shape")
		}
	}
	var out Output
	var err error
	if out.Usage, out.HasUsage, err = f.usage(&b.usageBody); err != nil {
		return Output{}, err
	}
	var text []string
	switch f {
	case Claude:
		for _, c := range b.Content {
			if c.Type == "text" || c.Type == "" {
				text = append(text, c.Text)
			}
		}
		if b.Content == nil {
			return Output{}, fmt.Errorf("claude modelOutput has no content")
		}
	case Nova, Converse:
		if b.Output == nil {
			return Output{}, fmt.Errorf("%s modelOutput has no output.message", f)
		}
		for _, c := range b.Output.Message.Content {
			text = append(text, c.Text)
		}
	case TitanEmbed:
		switch {
		case b.Embedding != nil:
			out.Embeddings = [][]float64{b.Embedding}
		case b.EmbeddingsByType != nil && b.EmbeddingsByType.Float != nil:
			out.Embeddings = [][]float64{b.EmbeddingsByType.Float}
		default:
			return Output{}, fmt.Errorf("titan-embed modelOutput has no float embedding")
		}
	case TitanText:
		if len(b.Results) == 0 {
			return Output{}, fmt.Errorf("titan-text modelOutput has no results")
		}
		for _, r := range b.Results {
			text = append(text, r.OutputText)
		}
	case CohereEmbed:
		if out.Embeddings, err = cohereVectors(b.Embeddings); err != nil {
			return Output{}, err
		}
	case Llama:
		if b.Generation == nil {
			return Output{}, fmt.Errorf("llama modelOutput has no generation")
		}
		text = append(text, *b.Generation)
	case Mistral:
		switch {
		case len(b.Outputs) > 0:
			text = append(text, b.Outputs[0].Text)
		case len(b.Choices) > 0:
			text = append(text, b.Choices[0].Message.Content)
		default:
			return Output{}, fmt.Errorf("mistral modelOutput has neither outputs nor choices")
		}
	}
	out.Text = strings.Join(text, "")
	return out, nil
}

// cohereVectors reads Cohere's embeddings: an array of float vectors, or an object keyed by
// embedding type, of which the "float" vectors are returned.
func cohereVectors(raw json.RawMessage) ([][]float64, error) {
	if raw == nil {
		return nil, fmt.Errorf("cohere-embed modelOutput has no embeddings")
	}
	var vecs [][]float64
	if err := json.Unmarshal(raw, &vecs); err == nil {
		return vecs, nil
	}
	var byType map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byType); err != nil {
		return nil, fmt.Errorf("cohere-embed embeddings are neither an array nor an object of arrays")
	}
	f, ok := byType["float"]
	if !ok {
		return nil, fmt.Errorf("cohere-embed embeddings have no float vectors")
	}
	if err := json.Unmarshal(f, &vecs); err != nil {
		return nil, fmt.Errorf("decode cohere-embed float vectors: %w", err)
	}
	return vecs, nil
}
