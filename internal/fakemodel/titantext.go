package fakemodel

import "encoding/json"

// Titan Text generation bounds: default and maximum textGenerationConfig.maxTokenCount.
const (
	titanTextDefaultMax = 512
	titanTextMax        = 8192
)

type titanTextResponse struct {
	InputTextTokenCount int               `json:"inputTextTokenCount"`
	Results             []titanTextResult `json:"results"`
}

type titanTextResult struct {
	TokenCount       int    `json:"tokenCount"`
	OutputText       string `json:"outputText"`
	CompletionReason string `json:"completionReason"`
}

// titanText answers an Amazon Titan Text body: inputText required, optional textGenerationConfig
// {maxTokenCount, temperature, topP, stopSequences}; unknown keys rejected at both levels.
func titanText(raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	if err := o.onlyKeys("inputText", "textGenerationConfig"); err != nil {
		return nil, Usage{}, err
	}
	text, _, err := o.str("inputText", true)
	if err != nil {
		return nil, Usage{}, err
	}
	maxTokens := int64(titanTextDefaultMax)
	var stops []string
	if cfg, ok, err := o.obj("textGenerationConfig", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if err := cfg.onlyKeys("maxTokenCount", "temperature", "topP", "stopSequences"); err != nil {
			return nil, Usage{}, err
		}
		if n, set, err := cfg.integer("maxTokenCount", false, 1, titanTextMax); err != nil {
			return nil, Usage{}, err
		} else if set {
			maxTokens = n
		}
		for _, k := range []string{"temperature", "topP"} {
			if err := cfg.number(k); err != nil {
				return nil, Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return nil, Usage{}, err
		}
	}
	g := generate(text, lastUserTurn(text), int(maxTokens), stops)
	reason := map[stopKind]string{stopEnd: "FINISH", stopMaxTokens: "LENGTH", stopSequence: "STOP_CRITERIA_MET"}[g.stop]
	in := countTokens(text)
	return titanTextResponse{InputTextTokenCount: in, Results: []titanTextResult{{TokenCount: g.tokens, OutputText: g.text, CompletionReason: reason}}},
		Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}
