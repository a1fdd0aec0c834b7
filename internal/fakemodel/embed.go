package fakemodel

import (
	"fmt"
	"iter"
	"math"
	"slices"
)

// titanKeys are the members a Titan Text Embeddings V2 body may carry; Bedrock rejects others.
var titanKeys = []string{"inputText", "dimensions", "normalize", "embeddingTypes"}

// titanMaxChars is Titan Text Embeddings V2's input limit in characters.
const titanMaxChars = 50000

// titanEmbed answers an Amazon Titan Text Embeddings V2 body. embedding is always the float
// vector; embeddingsByType holds exactly the requested types (default ["float"]); binary values
// are 1 for a positive component and 0 otherwise.
func titanEmbed(o object) (Usage, error) {
	d := o.d
	if err := o.onlyKeys(titanKeys...); err != nil {
		return Usage{}, err
	}
	text, _, err := o.str("inputText", true)
	if err != nil {
		return Usage{}, err
	}
	if n := runeCount(text); n == 0 || n > titanMaxChars {
		return Usage{}, malformed(o.sub("inputText").String(), fmt.Sprintf("expected length between 1 and %d, actual: %d", titanMaxChars, n))
	}
	dims := int64(1024)
	if n, ok, err := o.integer("dimensions", false, 0, math.MaxInt32); err != nil {
		return Usage{}, err
	} else if ok {
		if n != 256 && n != 512 && n != 1024 {
			return Usage{}, malformed(o.sub("dimensions").String(), formatInt(n)+" is not a valid enum value")
		}
		dims = n
	}
	normalize, err := o.boolean("normalize", true)
	if err != nil {
		return Usage{}, err
	}
	wantFloat, wantBinary := true, false
	if t, ok, err := o.strings("embeddingTypes", false); err != nil {
		return Usage{}, err
	} else if ok {
		if len(t) == 0 {
			return Usage{}, malformed(o.sub("embeddingTypes").String(), "expected minimum item count: 1, found: 0")
		}
		wantFloat = false
		for i, v := range t {
			switch string(v) {
			case "float":
				wantFloat = true
			case "binary":
				wantBinary = true
			default:
				return Usage{}, malformed(o.sub("embeddingTypes").index(i).String(), string(v)+" is not a valid enum value")
			}
		}
	}
	vec := embed(d.vec[:0], text, int(dims), normalize)
	d.vec = vec
	in := countTokens(text)
	out := append(d.out, `{"embedding":`...)
	floats := len(out)
	out = appendFloats(out, vec)
	floatsEnd := len(out)
	out = append(out, `,"embeddingsByType":{`...)
	if wantBinary {
		out = append(out, `"binary":[`...)
		for i, x := range vec {
			if i > 0 {
				out = append(out, ',')
			}
			if x > 0 {
				out = append(out, '1')
			} else {
				out = append(out, '0')
			}
		}
		out = append(out, ']')
		if wantFloat {
			out = append(out, ',')
		}
	}
	if wantFloat {
		out = append(out, `"float":`...)
		out = append(out, out[floats:floatsEnd]...)
	}
	out = append(out, `},"inputTextTokenCount":`...)
	out = appendInt(out, in)
	d.out = append(out, '}')
	return Usage{InputTokens: in}, nil
}

// Cohere Embed v3 limits and shape.
const (
	cohereMaxTexts   = 96
	cohereMaxChars   = 2048
	cohereDimensions = 1024
)

// cohereEmbed answers a Cohere Embed v3 body. Without embedding_types the response is
// "embeddings_floats" (a list of float vectors); with them, "embeddings_by_type" (an object keyed
// by type). Vectors are unit length; int8/uint8 scale each vector by its largest component;
// binary/ubinary pack the sign bits eight to a byte (binary as signed, ubinary as unsigned).
// The documented body carries no usage, so neither does this one.
func cohereEmbed(o object) (Usage, error) {
	d := o.d
	texts, hasTexts, err := o.strings("texts", false)
	if err != nil {
		return Usage{}, err
	}
	images, hasImages, err := o.strings("images", false)
	if err != nil {
		return Usage{}, err
	}
	inputType, _, err := o.str("input_type", true)
	if err != nil {
		return Usage{}, err
	}
	if err := enum(o, "input_type", inputType, "search_document", "search_query", "classification", "clustering", "image"); err != nil {
		return Usage{}, err
	}
	var inputs [][]byte
	switch {
	case hasTexts && hasImages:
		return Usage{}, malformed("#", "only one of [texts, images] is permitted")
	case hasTexts:
		if len(texts) == 0 || len(texts) > cohereMaxTexts {
			return Usage{}, malformed(o.sub("texts").String(), fmt.Sprintf("expected between 1 and %d items, found: %d", cohereMaxTexts, len(texts)))
		}
		for i, t := range texts {
			if n := runeCount(t); n > cohereMaxChars {
				return Usage{}, malformed(o.sub("texts").index(i).String(), fmt.Sprintf("expected maxLength: %d, actual: %d", cohereMaxChars, n))
			}
		}
		inputs = texts
	case hasImages:
		if len(images) != 1 {
			return Usage{}, malformed(o.sub("images").String(), fmt.Sprintf("expected exactly 1 item, found: %d", len(images)))
		}
		inputs, texts = images, nil
	default:
		return Usage{}, missing("#", "texts")
	}
	if v, ok, err := o.str("truncate", false); err != nil {
		return Usage{}, err
	} else if ok {
		if err := enum(o, "truncate", v, "NONE", "START", "END"); err != nil {
			return Usage{}, err
		}
	}
	types, byType, err := o.strings("embedding_types", false)
	if err != nil {
		return Usage{}, err
	}
	var want [len(cohereTypes)]bool
	for i, t := range types {
		k := slices.Index(cohereTypes[:], string(t))
		if k < 0 {
			return Usage{}, malformed(o.sub("embedding_types").index(i).String(), string(t)+" is not a valid enum value")
		}
		want[k] = true
	}
	vecs := d.vec[:0]
	for _, in := range inputs {
		vecs = embed(vecs, in, cohereDimensions, true)
	}
	d.vec = vecs
	out := append(d.out, `{"id":"`...)
	id := len(out)
	out = bodyID(out, o)
	var h [32]byte // as a version-4-shaped UUID
	copy(h[:], out[id:])
	out = append(append(out[:id], h[0:8]...), '-')
	out = append(append(out, h[8:12]...), "-4"...)
	out = append(append(out, h[13:16]...), "-a"...)
	out = append(append(out, h[17:20]...), '-')
	out = append(out, h[20:32]...)
	out = append(out, `","embeddings":`...)
	responseType := "embeddings_floats"
	if !byType {
		out = appendVectors(out, vecs, "float")
	} else {
		responseType = "embeddings_by_type"
		out = append(out, '{')
		first := true
		for k, kind := range cohereTypes {
			if !want[k] {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = appendString(out, kind)
			out = append(out, ':')
			out = appendVectors(out, vecs, kind)
		}
		out = append(out, '}')
	}
	out = append(out, `,"response_type":"`...)
	out = append(out, responseType...)
	out = append(out, `","texts":[`...)
	for i, t := range texts {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, t)
	}
	d.out = append(out, "]}"...)
	return Usage{InputTokens: countTokens(inputs...)}, nil
}

// cohereTypes are the embedding types Cohere Embed v3 takes, in the order json.Marshal writes
// the keys of the embeddings object.
var cohereTypes = [...]string{"binary", "float", "int8", "ubinary", "uint8"}

// appendVectors appends the concatenated cohereDimensions-long vectors in vecs as a JSON list of
// vectors of the given type.
func appendVectors(out []byte, vecs []float32, kind string) []byte {
	out = append(out, '[')
	for i := 0; i < len(vecs); i += cohereDimensions {
		if i > 0 {
			out = append(out, ',')
		}
		v := vecs[i : i+cohereDimensions]
		if kind == "float" {
			out = appendFloats(out, v)
			continue
		}
		out = append(out, '[')
		for j, q := range quantize(v, kind) {
			if j > 0 {
				out = append(out, ',')
			}
			out = appendInt(out, q)
		}
		out = append(out, ']')
	}
	return append(out, ']')
}

// quantize returns v as int8 or uint8 components, or packed binary or ubinary bytes.
func quantize(v []float32, kind string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		switch kind {
		case "int8", "uint8":
			var maxAbs float64
			for _, x := range v {
				maxAbs = math.Max(maxAbs, math.Abs(float64(x)))
			}
			for i, x := range v {
				q := 0
				if maxAbs > 0 {
					q = int(math.Round(float64(x) / maxAbs * 127))
				}
				if kind == "uint8" {
					q += 128
				}
				if !yield(i, q) {
					return
				}
			}
		default:
			for i := 0; i < len(v); i += 8 {
				q := 0
				for j, x := range v[i:min(i+8, len(v))] {
					if x > 0 {
						q |= 1 << (7 - j)
					}
				}
				if kind == "binary" {
					q -= 128
				}
				if !yield(i/8, q) {
					return
				}
			}
		}
	}
}
