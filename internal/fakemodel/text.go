package fakemodel

import (
	"encoding/hex"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// runesPerToken is the token rule every fake model uses: a text of n runes counts
// ceil(n/runesPerToken) tokens.
const runesPerToken = 4

// countTokens applies the token rule to the sum of the runes of every piece.
func countTokens(pieces ...string) int {
	n := 0
	for _, p := range pieces {
		n += utf8.RuneCountInString(p)
	}
	return (n + runesPerToken - 1) / runesPerToken
}

// labels are the answers a fake text model picks from; a hash of the prompt picks one.
var labels = []string{"positive", "negative", "neutral", "question", "complaint", "praise", "request", "other"}

// echoRunes bounds how much of the last user text a reply echoes.
const echoRunes = 160

type stopKind int

const (
	stopEnd stopKind = iota
	stopMaxTokens
	stopSequence
)

// generation is a fake model's answer: its text, its output token count and why it stopped.
type generation struct {
	text     string
	tokens   int
	stop     stopKind
	sequence string // the stop sequence that ended the text, when stop is stopSequence
}

// generate builds the reply to a prompt: "<label>. Echo: <start of the last user text>", where
// label is chosen by a hash of the whole prompt text. The reply is cut at the earliest stop
// sequence it contains, then at maxTokens tokens (maxTokens*4 runes) with stop max tokens.
func generate(promptText, lastUser string, maxTokens int, stops []string) generation {
	text := labels[hash64(promptText)%uint64(len(labels))] + "."
	if echo := snippet(lastUser); echo != "" {
		text += " Echo: " + echo
	}
	g := generation{text: text, stop: stopEnd}
	cut := -1
	for _, s := range stops {
		if s == "" {
			continue
		}
		if i := strings.Index(g.text, s); i >= 0 && (cut < 0 || i < cut) {
			cut, g.sequence = i, s
		}
	}
	if cut >= 0 {
		g.text, g.stop = g.text[:cut], stopSequence
	}
	g.tokens = countTokens(g.text)
	if g.tokens > maxTokens {
		g.text = firstRunes(g.text, maxTokens*runesPerToken)
		g.tokens, g.stop, g.sequence = maxTokens, stopMaxTokens, ""
	}
	return g
}

// snippet collapses white space in s and keeps its first echoRunes runes: the first echoRunes
// runes of strings.Join(strings.Fields(s), " "), without splitting the whole text.
func snippet(s string) string {
	var b strings.Builder
	n, space := 0, false
	for i := 0; i < len(s) && n < echoRunes; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += size
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
			continue
		}
		b.WriteString(s[i : i+size])
		n++
		i += size
	}
	return b.String()
}

func firstRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// responseID is the 32-hex-digit FNV-128a hash of body.
func responseID(body []byte) string {
	h := fnv.New128a()
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// splitmix64 is the PRNG behind embeddings: small, fast, and fully determined by its seed.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// embed derives a dims-long vector from text: components uniform in [-1, 1) drawn from a
// splitmix64 seeded by the FNV-64a hash of the text, scaled to unit L2 norm when normalize is set.
func embed(text string, dims int, normalize bool) []float32 {
	rng := splitmix64(hash64(text))
	v := make([]float64, dims)
	var sum float64
	for i := range v {
		v[i] = float64(rng.next()>>11)/(1<<52) - 1
		sum += v[i] * v[i]
	}
	scale := 1.0
	if normalize && sum > 0 {
		scale = 1 / math.Sqrt(sum)
	}
	out := make([]float32, dims)
	for i, x := range v {
		out[i] = float32(x * scale)
	}
	return out
}
