package fakemodel

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// titanKeys are the members a Titan Text Embeddings V2 body may carry; Bedrock rejects others.
var titanKeys = []string{"inputText", "dimensions", "normalize", "embeddingTypes"}

// titanMaxChars is Titan Text Embeddings V2's input limit in characters.
const titanMaxChars = 50000

type titanResponse struct {
	Embedding           []float32      `json:"embedding"`
	EmbeddingsByType    map[string]any `json:"embeddingsByType"`
	InputTextTokenCount int            `json:"inputTextTokenCount"`
}

// titanEmbed answers an Amazon Titan Text Embeddings V2 body. embedding is always the float
// vector; embeddingsByType holds exactly the requested types (default ["float"]); binary values
// are 1 for a positive component and 0 otherwise.
func titanEmbed(raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	if err := o.onlyKeys(titanKeys...); err != nil {
		return nil, Usage{}, err
	}
	text, _, err := o.str("inputText", true)
	if err != nil {
		return nil, Usage{}, err
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > titanMaxChars {
		return nil, Usage{}, malformed(o.sub("inputText"), fmt.Sprintf("expected length between 1 and %d, actual: %d", titanMaxChars, n))
	}
	dims := int64(1024)
	if d, ok, err := o.integer("dimensions", false, 0, math.MaxInt32); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if d != 256 && d != 512 && d != 1024 {
			return nil, Usage{}, malformed(o.sub("dimensions"), formatInt(d)+" is not a valid enum value")
		}
		dims = d
	}
	normalize, err := o.boolean("normalize", true)
	if err != nil {
		return nil, Usage{}, err
	}
	types := []string{"float"}
	if t, ok, err := o.strings("embeddingTypes", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if len(t) == 0 {
			return nil, Usage{}, malformed(o.sub("embeddingTypes"), "expected minimum item count: 1, found: 0")
		}
		for i, v := range t {
			if v != "float" && v != "binary" {
				return nil, Usage{}, malformed(itemPath(o.sub("embeddingTypes"), i), v+" is not a valid enum value")
			}
		}
		types = t
	}
	vec := embed(text, int(dims), normalize)
	byType := map[string]any{}
	for _, t := range types {
		if t == "float" {
			byType[t] = vec
			continue
		}
		bits := make([]int, len(vec))
		for i, x := range vec {
			if x > 0 {
				bits[i] = 1
			}
		}
		byType[t] = bits
	}
	in := countTokens(text)
	return titanResponse{Embedding: vec, EmbeddingsByType: byType, InputTextTokenCount: in}, Usage{InputTokens: in}, nil
}

// Cohere Embed v3 limits and shape.
const (
	cohereMaxTexts   = 96
	cohereMaxChars   = 2048
	cohereDimensions = 1024
)

type cohereResponse struct {
	ID           string   `json:"id"`
	Embeddings   any      `json:"embeddings"`
	ResponseType string   `json:"response_type"`
	Texts        []string `json:"texts"`
}

// cohereEmbed answers a Cohere Embed v3 body. Without embedding_types the response is
// "embeddings_floats" (a list of float vectors); with them, "embeddings_by_type" (an object keyed
// by type). Vectors are unit length; int8/uint8 scale each vector by its largest component;
// binary/ubinary pack the sign bits eight to a byte (binary as signed, ubinary as unsigned).
// The documented body carries no usage, so neither does this one.
func cohereEmbed(raw map[string]json.RawMessage) (any, Usage, error) {
	o := object{path: "#", m: raw}
	texts, hasTexts, err := o.strings("texts", false)
	if err != nil {
		return nil, Usage{}, err
	}
	images, hasImages, err := o.strings("images", false)
	if err != nil {
		return nil, Usage{}, err
	}
	inputType, _, err := o.str("input_type", true)
	if err != nil {
		return nil, Usage{}, err
	}
	if err := enum(o, "input_type", inputType, "search_document", "search_query", "classification", "clustering", "image"); err != nil {
		return nil, Usage{}, err
	}
	var inputs []string
	switch {
	case hasTexts && hasImages:
		return nil, Usage{}, malformed("#", "only one of [texts, images] is permitted")
	case hasTexts:
		if len(texts) == 0 || len(texts) > cohereMaxTexts {
			return nil, Usage{}, malformed(o.sub("texts"), fmt.Sprintf("expected between 1 and %d items, found: %d", cohereMaxTexts, len(texts)))
		}
		for i, t := range texts {
			if utf8.RuneCountInString(t) > cohereMaxChars {
				return nil, Usage{}, malformed(itemPath(o.sub("texts"), i), fmt.Sprintf("expected maxLength: %d, actual: %d", cohereMaxChars, utf8.RuneCountInString(t)))
			}
		}
		inputs = texts
	case hasImages:
		if len(images) != 1 {
			return nil, Usage{}, malformed(o.sub("images"), fmt.Sprintf("expected exactly 1 item, found: %d", len(images)))
		}
		inputs, texts = images, []string{}
	default:
		return nil, Usage{}, missing("#", "texts")
	}
	if v, ok, err := o.str("truncate", false); err != nil {
		return nil, Usage{}, err
	} else if ok {
		if err := enum(o, "truncate", v, "NONE", "START", "END"); err != nil {
			return nil, Usage{}, err
		}
	}
	types, byType, err := o.strings("embedding_types", false)
	if err != nil {
		return nil, Usage{}, err
	}
	for i, t := range types {
		if !contains([]string{"float", "int8", "uint8", "binary", "ubinary"}, t) {
			return nil, Usage{}, malformed(itemPath(o.sub("embedding_types"), i), t+" is not a valid enum value")
		}
	}
	vecs := make([][]float32, len(inputs))
	for i, in := range inputs {
		vecs[i] = embed(in, cohereDimensions, true)
	}
	resp := cohereResponse{ID: uuidFrom(bodyID(raw)), ResponseType: "embeddings_floats", Texts: texts}
	if !byType {
		resp.Embeddings = vecs
	} else {
		out := map[string]any{}
		for _, t := range types {
			out[t] = quantizeAll(vecs, t)
		}
		resp.ResponseType, resp.Embeddings = "embeddings_by_type", out
	}
	return resp, Usage{InputTokens: countTokens(inputs...)}, nil
}

func quantizeAll(vecs [][]float32, kind string) any {
	if kind == "float" {
		return vecs
	}
	out := make([][]int, len(vecs))
	for i, v := range vecs {
		out[i] = quantize(v, kind)
	}
	return out
}

func quantize(v []float32, kind string) []int {
	switch kind {
	case "int8", "uint8":
		var maxAbs float64
		for _, x := range v {
			maxAbs = math.Max(maxAbs, math.Abs(float64(x)))
		}
		out := make([]int, len(v))
		for i, x := range v {
			q := 0
			if maxAbs > 0 {
				q = int(math.Round(float64(x) / maxAbs * 127))
			}
			if kind == "uint8" {
				q += 128
			}
			out[i] = q
		}
		return out
	default:
		out := make([]int, (len(v)+7)/8)
		for i, x := range v {
			if x > 0 {
				out[i/8] |= 1 << (7 - i%8)
			}
		}
		if kind == "binary" {
			for i := range out {
				out[i] -= 128
			}
		}
		return out
	}
}

// uuidFrom formats a 32-hex-digit id as a version-4-shaped UUID string.
func uuidFrom(h string) string {
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}
