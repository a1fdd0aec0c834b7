package fakemodel

// Titan Text generation bounds: default and maximum textGenerationConfig.maxTokenCount.
const (
	titanTextDefaultMax = 512
	titanTextMax        = 8192
)

// titanText answers an Amazon Titan Text body: inputText required, optional textGenerationConfig
// {maxTokenCount, temperature, topP, stopSequences}; unknown keys rejected at both levels.
func titanText(o object) (Usage, error) {
	if err := o.onlyKeys("inputText", "textGenerationConfig"); err != nil {
		return Usage{}, err
	}
	text, _, err := o.str("inputText", true)
	if err != nil {
		return Usage{}, err
	}
	maxTokens := int64(titanTextDefaultMax)
	var stops [][]byte
	if cfg, ok, err := o.obj("textGenerationConfig", false); err != nil {
		return Usage{}, err
	} else if ok {
		if err := cfg.onlyKeys("maxTokenCount", "temperature", "topP", "stopSequences"); err != nil {
			return Usage{}, err
		}
		if n, set, err := cfg.integer("maxTokenCount", false, 1, titanTextMax); err != nil {
			return Usage{}, err
		} else if set {
			maxTokens = n
		}
		for _, k := range []string{"temperature", "topP"} {
			if err := cfg.number(k); err != nil {
				return Usage{}, err
			}
		}
		if stops, _, err = cfg.strings("stopSequences", false); err != nil {
			return Usage{}, err
		}
	}
	d := o.d
	g := d.generate(hash64(text), [][]byte{d.lastUserTurn(text)}, int(maxTokens), stops)
	reason := "FINISH"
	switch g.stop {
	case stopMaxTokens:
		reason = "LENGTH"
	case stopSequence:
		reason = "STOP_CRITERIA_MET"
	}
	in := countTokens(text)
	out := append(d.out, `{"inputTextTokenCount":`...)
	out = appendInt(out, in)
	out = append(out, `,"results":[{"tokenCount":`...)
	out = appendInt(out, g.tokens)
	out = append(out, `,"outputText":`...)
	out = appendString(out, g.text)
	out = append(out, `,"completionReason":"`...)
	out = append(out, reason...)
	d.out = append(out, `"}]}`...)
	return Usage{InputTokens: in, OutputTokens: g.tokens}, nil
}
