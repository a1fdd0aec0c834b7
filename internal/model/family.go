package model

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Family is a model family: the body shapes its modelInput and modelOutput follow.
type Family string

// The families. Their string values appear in reports and profiles.
const (
	Claude      Family = "claude"       // Anthropic Claude, Messages API
	Nova        Family = "nova"         // Amazon Nova understanding models (Micro, Lite, Pro, Premier, Nova 2)
	TitanEmbed  Family = "titan-embed"  // Amazon Titan Text Embeddings (v1, v2) and Titan Multimodal Embeddings
	TitanText   Family = "titan-text"   // Amazon Titan Text (Lite, Express, Premier)
	CohereEmbed Family = "cohere-embed" // Cohere Embed
	Llama       Family = "llama"        // Meta Llama 2, 3.x, 4
	Mistral     Family = "mistral"      // Mistral and Mixtral, text completion and chat completion
	Converse    Family = "converse"     // any model in a Converse-type job: Converse request and response bodies
	Auto        Family = "auto"         // model hidden behind an application inference profile: recognised per body
)

// Families lists every family, for help texts and table tests.
var Families = []Family{Claude, Nova, TitanEmbed, TitanText, CohereEmbed, Llama, Mistral, Converse, Auto}

// ErrUnknownModel means the model id names no family this package knows. The caller reports it
// to the user (or lets them name the family); retrying cannot help.
var ErrUnknownModel = errors.New("unknown model family")

// Invocation types of a Bedrock batch job (modelInvocationType).
const (
	InvokeModel = "InvokeModel"
	ConverseAPI = "Converse"
)

// PerRecordUsage reports whether the family's output bodies carry token usage per record. When
// false the job manifest's totals are the only token counts.
func (f Family) PerRecordUsage() bool {
	switch f {
	case CohereEmbed, Mistral:
		return false
	}
	return true
}

// Embedding reports whether the family answers with vectors instead of text; such models have
// no output tokens.
func (f Family) Embedding() bool { return f == TitanEmbed || f == CohereEmbed }

// ParseFamily returns the Family named s (its string value), for profiles that state a family.
func ParseFamily(s string) (Family, error) {
	for _, f := range Families {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("family %q: %w", s, ErrUnknownModel)
}

// geoPrefixes are the geography prefixes of system-defined cross-region inference profiles.
var geoPrefixes = map[string]bool{"us": true, "eu": true, "apac": true, "global": true, "us-gov": true, "jp": true, "au": true, "ca": true}

var arnPattern = regexp.MustCompile(`^arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]*:[0-9]*:([a-z-]+)/(.+)$`)

// BaseID returns the base model id inside modelID: it strips a foundation-model or
// inference-profile ARN and a cross-region geography prefix, so
// "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0" gives
// "amazon.nova-lite-v1:0". An application-inference-profile or custom-model ARN has no base id
// in it and is returned unchanged, as is any string it does not recognise.
func BaseID(modelID string) string {
	id := modelID
	if m := arnPattern.FindStringSubmatch(modelID); m != nil {
		switch m[1] {
		case "foundation-model", "inference-profile":
			id = m[2]
		default:
			return modelID
		}
	}
	if geo, rest, ok := strings.Cut(id, "."); ok && geoPrefixes[geo] {
		return rest
	}
	return id
}

// hiddenModel reports whether modelID is an ARN whose resource does not name the base model.
func hiddenModel(modelID string) bool {
	m := arnPattern.FindStringSubmatch(modelID)
	return m != nil && m[1] != "foundation-model" && m[1] != "inference-profile"
}

// Detect returns the family of modelID for a job of invocationType ("InvokeModel", "Converse",
// or "" for Bedrock's default InvokeModel). Every model is Converse in a Converse job. An
// application-inference-profile or custom-model ARN gives Auto. An id from no known provider
// returns an error wrapping ErrUnknownModel.
func Detect(modelID, invocationType string) (Family, error) {
	if modelID == "" {
		return "", fmt.Errorf("empty model id: %w", ErrUnknownModel)
	}
	switch invocationType {
	case ConverseAPI:
		return Converse, nil
	case InvokeModel, "":
	default:
		return "", fmt.Errorf("model %s: invocation type %q is neither InvokeModel nor Converse", modelID, invocationType)
	}
	if hiddenModel(modelID) {
		return Auto, nil
	}
	base := BaseID(modelID)
	switch {
	case strings.HasPrefix(base, "anthropic.claude"):
		return Claude, nil
	case strings.HasPrefix(base, "amazon.nova-"):
		for _, other := range []string{"canvas", "reel", "sonic", "embed"} {
			if strings.Contains(base, other) {
				return "", fmt.Errorf("model %s is not a text model: %w", modelID, ErrUnknownModel)
			}
		}
		return Nova, nil
	case strings.HasPrefix(base, "amazon.titan-embed"):
		return TitanEmbed, nil
	case strings.HasPrefix(base, "amazon.titan-text"), strings.HasPrefix(base, "amazon.titan-tg1"):
		return TitanText, nil
	case strings.HasPrefix(base, "cohere.embed"):
		return CohereEmbed, nil
	case strings.HasPrefix(base, "meta.llama"):
		return Llama, nil
	case strings.HasPrefix(base, "mistral."):
		return Mistral, nil
	}
	return "", fmt.Errorf("model %s: %w (known: Claude, Nova, Titan, Cohere Embed, Llama, Mistral, or any model in a Converse job)", modelID, ErrUnknownModel)
}
