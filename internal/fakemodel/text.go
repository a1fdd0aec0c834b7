package fakemodel

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// runesPerToken is the token rule every fake model uses: a text of n runes counts
// ceil(n/runesPerToken) tokens.
const runesPerToken = 4

// countTokens applies the token rule to the sum of the runes of every piece.
func countTokens(pieces ...[]byte) int {
	n := 0
	for _, p := range pieces {
		n += runeCount(p)
	}
	return (n + runesPerToken - 1) / runesPerToken
}

// runeCount is utf8.RuneCount for valid UTF-8 (every decoded JSON string is): the number of
// bytes that do not continue a rune.
func runeCount(p []byte) int {
	n := len(p)
	i := 0
	for ; i+8 <= len(p); i += 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		n -= bits.OnesCount64(w &^ (w << 1) & 0x8080808080808080) // 10xxxxxx bytes
	}
	for _, c := range p[i:] {
		if c&0xC0 == 0x80 {
			n--
		}
	}
	return n
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
	text     []byte // in the doc's scratch space
	tokens   int
	stop     stopKind
	sequence []byte // the stop sequence that ended the text, when stop is stopSequence
}

// generate builds the reply to a prompt: "<label>. Echo: <start of the last user text>", where
// label is chosen by promptHash, the FNV-64a hash of the whole prompt text (see hashPieces), and
// the last user text is lastUser joined by "\n". The reply is cut at the earliest stop sequence
// it contains, then at maxTokens tokens (maxTokens*4 runes) with stop max tokens.
func (d *doc) generate(promptHash uint64, lastUser [][]byte, maxTokens int, stops [][]byte) generation {
	text := append(d.text[:0], labels[promptHash%uint64(len(labels))]...)
	text = append(text, '.')
	d.snip = appendSnippet(d.snip[:0], lastUser)
	if len(d.snip) > 0 {
		text = append(text, " Echo: "...)
		text = append(text, d.snip...)
	}
	d.text = text
	g := generation{text: text, stop: stopEnd}
	cut := -1
	for _, s := range stops {
		if len(s) == 0 {
			continue
		}
		if i := bytes.Index(g.text, s); i >= 0 && (cut < 0 || i < cut) {
			cut, g.sequence = i, s
		}
	}
	if cut >= 0 {
		g.text, g.stop = g.text[:cut], stopSequence
	}
	g.tokens = countTokens(g.text)
	if g.tokens > maxTokens {
		g.text = firstRunes(g.text, maxTokens*runesPerToken)
		g.tokens, g.stop, g.sequence = maxTokens, stopMaxTokens, nil
	}
	return g
}

// appendSnippet appends the text of pieces joined by "\n" with white space collapsed, keeping
// its first echoRunes runes: the first echoRunes runes of strings.Join(strings.Fields(s), " ").
func appendSnippet(dst []byte, pieces [][]byte) []byte {
	n, space, started := 0, false, false
	for k, s := range pieces {
		if k > 0 {
			space = started
		}
		for i := 0; i < len(s) && n < echoRunes; {
			c := s[i]
			if c < utf8.RuneSelf && !asciiSpace[c] {
				if space {
					dst = append(dst, ' ')
					n++
					space = false
					if n == echoRunes {
						break
					}
				}
				j := i + 1 // copy the run of non-space ASCII runes, within the budget
				for end := min(len(s), i+echoRunes-n); j < end && s[j] < utf8.RuneSelf && !asciiSpace[s[j]]; j++ {
				}
				dst = append(dst, s[i:j]...)
				n += j - i
				started = true
				i = j
				continue
			}
			r, size := rune(c), 1
			if c >= utf8.RuneSelf {
				r, size = utf8.DecodeRune(s[i:])
			}
			if unicode.IsSpace(r) {
				space = started
				i += size
				continue
			}
			if space {
				dst = append(dst, ' ')
				n++
				space = false
				continue
			}
			dst = append(dst, s[i:i+size]...)
			n++
			started = true
			i += size
		}
	}
	return dst
}

// asciiSpace marks the ASCII runes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// firstRunes is the start of s up to its nth rune.
func firstRunes[S []byte | string](s S, n int) S {
	i := 0
	for pos := 0; pos < len(s); {
		if i == n {
			return s[:pos]
		}
		size := 1
		if s[pos] >= utf8.RuneSelf {
			_, size = utf8.DecodeRuneInString(string(s[pos:min(pos+utf8.UTFMax, len(s))]))
		}
		pos += size
		i++
	}
	return s
}

// FNV-1a constants (hash/fnv), inlined here so hashing allocates nothing.
const (
	fnvOffset64        = 14695981039346656037
	fnvPrime64         = 1099511628211
	fnvOffset128Higher = 0x6c62272e07bb0142
	fnvOffset128Lower  = 0x62b821756295c58d
	fnvPrime128Lower   = 0x13b
	fnvPrime128Shift   = 24
)

// hashPieces is the FNV-64a hash of pieces joined by "\n".
func hashPieces(pieces [][]byte) uint64 {
	h := uint64(fnvOffset64)
	for i, p := range pieces {
		if i > 0 {
			h ^= '\n'
			h *= fnvPrime64
		}
		for _, c := range p {
			h ^= uint64(c)
			h *= fnvPrime64
		}
	}
	return h
}

func hash64(s []byte) uint64 { return hashPieces([][]byte{s}) }

// appendJoined appends pieces joined by "\n".
func appendJoined(dst []byte, pieces [][]byte) []byte {
	for i, p := range pieces {
		if i > 0 {
			dst = append(dst, '\n')
		}
		dst = append(dst, p...)
	}
	return dst
}

// hash2 returns the FNV-64a hash of a and the FNV-128a hash of b. It runs both in one loop:
// each is a chain of dependent multiplications, and interleaved they overlap.
func hash2(a, b []byte) (uint64, fnv128a) {
	h64 := uint64(fnvOffset64)
	hi, lo := uint64(fnvOffset128Higher), uint64(fnvOffset128Lower)
	n := min(len(a), len(b))
	a2, b2 := a[:n], b[:n]
	for i := range a2 {
		h64 ^= uint64(a2[i])
		h64 *= fnvPrime64
		lo ^= uint64(b2[i])
		s0, s1 := bits.Mul64(fnvPrime128Lower, lo)
		hi = fnvPrime128Lower*hi + (s0 + lo<<fnvPrime128Shift)
		lo = s1
	}
	for _, c := range a[n:] {
		h64 ^= uint64(c)
		h64 *= fnvPrime64
	}
	h := fnv128a{hi, lo}
	h.write(b[n:])
	return h64, h
}

// fnv128a is a running FNV-128a hash (as hash/fnv's New128a).
type fnv128a struct{ hi, lo uint64 }

func newFNV128a() fnv128a { return fnv128a{fnvOffset128Higher, fnvOffset128Lower} }

func (h *fnv128a) write(data []byte) {
	hi, lo := h.hi, h.lo
	for _, c := range data {
		lo ^= uint64(c)
		// hi's own product is added last, so that the chain through hi is one multiply and
		// one add long.
		s0, s1 := bits.Mul64(fnvPrime128Lower, lo)
		hi = fnvPrime128Lower*hi + (s0 + lo<<fnvPrime128Shift)
		lo = s1
	}
	h.hi, h.lo = hi, lo
}

// appendHex appends the hash's 32 hex digits, big-endian as hash/fnv's Sum.
func (h *fnv128a) appendHex(dst []byte) []byte {
	var sum [16]byte
	for i := range 8 {
		sum[i] = byte(h.hi >> (56 - 8*i))
		sum[8+i] = byte(h.lo >> (56 - 8*i))
	}
	return hex.AppendEncode(dst, sum[:])
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

// embed derives a dims-long vector from text into dst: components uniform in [-1, 1) drawn from
// a splitmix64 seeded by the FNV-64a hash of the text, scaled to unit L2 norm when normalize is
// set.
func embed(dst []float32, text []byte, dims int, normalize bool) []float32 {
	seed := splitmix64(hash64(text))
	rng := seed
	var sum float64
	for range dims {
		x := float64(rng.next()>>11)/(1<<52) - 1
		sum += x * x
	}
	scale := 1.0
	if normalize && sum > 0 {
		scale = 1 / math.Sqrt(sum)
	}
	rng = seed
	for range dims {
		x := float64(rng.next()>>11)/(1<<52) - 1
		dst = append(dst, float32(x*scale))
	}
	return dst
}
