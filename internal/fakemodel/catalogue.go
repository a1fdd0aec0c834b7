package fakemodel

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

type family int

const (
	// familyUnresolved marks an application inference profile: its model is not visible in its
	// ARN, so Invoke picks the family from the request body (see sniffFamily).
	familyUnresolved family = iota
	familyClaude
	familyNova
	familyTitanEmbed
	familyCohereEmbed
	familyLlama
	familyMistral
	familyTitanText
)

// model is one served base model.
type model struct {
	id     string // base model id, e.g. anthropic.claude-3-haiku-20240307-v1:0
	family family
	chat   bool // Mistral: accepts the chat-completion body (messages) besides prompt
	// maxOutput is the largest max_tokens the model accepts (Claude only; 0: not checked).
	maxOutput int64
	name      string // Claude: the "model" member of responses (see claudeModelName)
}

// claudeName is the "model" member of a Claude response for this model.
func (m model) claudeName() string {
	if m.name != "" {
		return m.name
	}
	return claudeModelName(m.id)
}

// claudeMaxOutput is each Claude model's output-token ceiling as Anthropic documents it.
var claudeMaxOutput = map[string]int64{
	"anthropic.claude-3-haiku-20240307-v1:0":    4096,
	"anthropic.claude-3-sonnet-20240229-v1:0":   4096,
	"anthropic.claude-3-opus-20240229-v1:0":     4096,
	"anthropic.claude-3-5-haiku-20241022-v1:0":  8192,
	"anthropic.claude-3-5-sonnet-20240620-v1:0": 8192,
	"anthropic.claude-3-5-sonnet-20241022-v2:0": 8192,
	"anthropic.claude-3-7-sonnet-20250219-v1:0": 64000,
	"anthropic.claude-sonnet-4-20250514-v1:0":   64000,
	"anthropic.claude-opus-4-20250514-v1:0":     32000,
	"anthropic.claude-opus-4-1-20250805-v1:0":   32000,
	"anthropic.claude-sonnet-4-5-20250929-v1:0": 64000,
	"anthropic.claude-haiku-4-5-20251001-v1:0":  64000,
	"anthropic.claude-opus-4-5-20251101-v1:0":   64000,
}

// catalogue lists the base model ids served, by family.
var catalogue = func() map[string]model {
	byFamily := map[family][]string{
		familyNova: {
			"amazon.nova-micro-v1:0",
			"amazon.nova-lite-v1:0",
			"amazon.nova-pro-v1:0",
			"amazon.nova-premier-v1:0",
			"amazon.nova-2-lite-v1:0",
		},
		familyTitanText: {
			"amazon.titan-text-express-v1",
			"amazon.titan-text-lite-v1",
			"amazon.titan-text-premier-v1:0",
		},
		familyTitanEmbed: {
			"amazon.titan-embed-text-v2:0",
		},
		familyCohereEmbed: {
			"cohere.embed-english-v3",
			"cohere.embed-multilingual-v3",
		},
		familyLlama: {
			"meta.llama3-8b-instruct-v1:0",
			"meta.llama3-70b-instruct-v1:0",
			"meta.llama3-1-8b-instruct-v1:0",
			"meta.llama3-1-70b-instruct-v1:0",
			"meta.llama3-1-405b-instruct-v1:0",
			"meta.llama3-2-1b-instruct-v1:0",
			"meta.llama3-2-3b-instruct-v1:0",
			"meta.llama3-2-11b-instruct-v1:0",
			"meta.llama3-2-90b-instruct-v1:0",
			"meta.llama3-3-70b-instruct-v1:0",
			"meta.llama4-scout-17b-instruct-v1:0",
			"meta.llama4-maverick-17b-instruct-v1:0",
		},
		familyMistral: {
			"mistral.mistral-7b-instruct-v0:2",
			"mistral.mixtral-8x7b-instruct-v0:1",
			"mistral.mistral-small-2402-v1:0",
		},
	}
	out := map[string]model{}
	for f, ids := range byFamily {
		for _, id := range ids {
			out[id] = model{id: id, family: f}
		}
	}
	for id, ceiling := range claudeMaxOutput {
		out[id] = model{id: id, family: familyClaude, maxOutput: ceiling, name: claudeModelName(id)}
	}
	// AWS documents the chat-completion body for "Mistral Large"; both Large versions take it.
	for _, id := range []string{"mistral.mistral-large-2402-v1:0", "mistral.mistral-large-2407-v1:0"} {
		out[id] = model{id: id, family: familyMistral, chat: true}
	}
	return out
}()

// profilePrefixes are the geography prefixes of system-defined cross-region inference profiles.
var profilePrefixes = []string{"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"}

var (
	foundationModelARN    = regexp.MustCompile(`^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:([0-9]{12})?:foundation-model/(.+)$`)
	inferenceProfileARN   = regexp.MustCompile(`^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:inference-profile/(.+)$`)
	applicationProfileARN = regexp.MustCompile(`^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:application-inference-profile/[a-z0-9]{12}$`)
)

// Known reports whether modelID names a served model: a base model id from the catalogue, a
// cross-region inference profile id (us., eu., apac., global., us-gov., jp., au., ca. before a
// base id), a foundation-model ARN or an inference-profile ARN around either, or any well-formed
// application-inference-profile ARN (whose family Invoke reads from the request body).
func Known(modelID string) bool {
	_, ok := lookup(modelID)
	return ok
}

func lookup(modelID string) (model, bool) {
	if !strings.HasPrefix(modelID, "arn:") {
		if m, ok := baseModel(modelID); ok {
			return m, true
		}
		return profileModel(modelID)
	}
	if r, ok := arnCache.Load(modelID); ok {
		r := r.(arnLookup)
		return r.m, r.ok
	}
	m, ok := lookupARN(modelID)
	if arnCacheSize.Add(1) <= arnCacheMax {
		arnCache.Store(modelID, arnLookup{m, ok})
	}
	return m, ok
}

// ARN lookups run regular expressions, so their results are remembered: a job or a runtime
// client names the same few ARNs over and over. The cache is bounded so that arbitrary ids
// cannot grow it without limit.
var (
	arnCache     sync.Map // ARN → arnLookup
	arnCacheSize atomic.Int64
)

const arnCacheMax = 1024

type arnLookup struct {
	m  model
	ok bool
}

func lookupARN(modelID string) (model, bool) {
	if m := foundationModelARN.FindStringSubmatch(modelID); m != nil {
		return baseModel(m[3])
	}
	if m := inferenceProfileARN.FindStringSubmatch(modelID); m != nil {
		return profileModel(m[2])
	}
	if applicationProfileARN.MatchString(modelID) {
		return model{id: modelID, family: familyUnresolved}, true
	}
	return model{}, false
}

func baseModel(id string) (model, bool) {
	m, ok := catalogue[id]
	return m, ok
}

func profileModel(id string) (model, bool) {
	geo, base, ok := strings.Cut(id, ".")
	if !ok || !contains(profilePrefixes, geo) {
		return model{}, false
	}
	return baseModel(base)
}

// sniffFamily picks the family of an application-inference-profile request from its body:
// anthropic_version → Claude; textGenerationConfig → Titan Text; inputText → Titan embeddings; texts or input_type → Cohere;
// schemaVersion or inferenceConfig → Nova; prompt → Mistral when it holds "[INST]", else Llama;
// messages whose first content is a string → Mistral chat, blocks without "type" → Nova;
// anything else → Claude, whose validation then names the missing keys.
func sniffFamily(root object) family {
	d := root.d
	has := func(k string) bool { _, ok := root.get(k); return ok }
	switch {
	case has("anthropic_version"):
		return familyClaude
	case has("textGenerationConfig"):
		return familyTitanText
	case has("inputText"):
		return familyTitanEmbed
	case has("texts"), has("input_type"):
		return familyCohereEmbed
	case has("schemaVersion"), has("inferenceConfig"):
		return familyNova
	case has("prompt"):
		if p, _ := root.get("prompt"); d.nodes[p].kind == kindString && bytes.Contains(d.strBytes(p), []byte("[INST]")) {
			return familyMistral
		}
		return familyLlama
	case has("messages"):
		msgs, _ := root.get("messages")
		if content, ok := firstContent(d, msgs); ok {
			switch d.nodes[content].kind {
			case kindString:
				return familyMistral
			case kindArray:
				if blk := d.firstChild(content); blk >= 0 && objectsOrNulls(d, content) {
					if _, typed := d.member(blk, "type"); d.nodes[blk].kind == kindNull || !typed {
						return familyNova
					}
				}
			}
		}
	}
	return familyClaude
}

// firstContent is what json.Unmarshal of messages into []struct{Content json.RawMessage} gives
// as the first message's content: it needs an array of objects or nulls, and takes the last
// member whose name matches "content" case-insensitively.
func firstContent(d *doc, msgs int) (int, bool) {
	if d.nodes[msgs].kind != kindArray || !objectsOrNulls(d, msgs) {
		return 0, false
	}
	first := d.firstChild(msgs)
	if first < 0 || d.nodes[first].kind == kindNull {
		return 0, false
	}
	content := -1
	for k := first + 1; k < d.nodes[first].next; k = d.nodes[k+1].next {
		if bytes.EqualFold(d.strBytes(k), []byte("content")) {
			content = k + 1
		}
	}
	return content, content >= 0
}

// objectsOrNulls reports whether every element of array node a is an object or null.
func objectsOrNulls(d *doc, a int) bool {
	for n := d.firstChild(a); n >= 0; n = d.nextChild(a, n) {
		if k := d.nodes[n].kind; k != kindObject && k != kindNull {
			return false
		}
	}
	return true
}
