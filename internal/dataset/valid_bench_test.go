package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// benchCorpus is a set of lines like scripts/gendata writes: Claude Messages records of about
// 1.2 KB, plain words mixed with non-ASCII words, emoji and the escapes \n \t \" \\ \uXXXX
// (surrogate pairs included). BBATCH_BENCH_DATA=path.jsonl benchmarks the first 2,000 lines of
// a real file instead.
func benchCorpus(b *testing.B) [][]byte {
	if path := os.Getenv("BBATCH_BENCH_DATA"); path != "" {
		f, err := os.Open(path)
		if err != nil {
			b.Fatalf("open bench data: %v", err)
		}
		defer f.Close()
		var lines [][]byte
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for len(lines) < 2000 && sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		if err := sc.Err(); err != nil {
			b.Fatalf("read bench data %s: %v", path, err)
		}
		return lines
	}
	r := rand.New(rand.NewPCG(1, 42))
	words := []string{"the", "parcel", "arrived", "two", "weeks", "late", "and", "box", "was", "damaged",
		"refund", "order", "customer", "support", "please", "help", "invoice", "account", "password",
		"reset", "delivery", "tracking", "number", "broken", "screen", "battery", "replacement"}
	intl := []string{"café", "naïve", "Müller", "São", "Zürich", "résumé", "東京", "配達", "ありがとう",
		"Привет", "доставка", "مرحبا", "שלום", "😀", "📦", "«très»", "—", "…", "€42", "¥500"}
	str := func(s string) []byte {
		out := []byte{'"'}
		for _, c := range s {
			switch {
			case c == '"', c == '\\':
				out = append(out, '\\', byte(c))
			case c == '\n':
				out = append(out, `\n`...)
			case c == '\t':
				out = append(out, `\t`...)
			case c > 0x7f && r.IntN(8) == 0:
				if c > 0xffff {
					hi, lo := utf16.EncodeRune(c)
					out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
				} else {
					out = fmt.Appendf(out, `\u%04x`, c)
				}
			default:
				out = utf8.AppendRune(out, c)
			}
		}
		return append(out, '"')
	}
	lines := make([][]byte, 2000)
	for i := range lines {
		var t []byte
		for target := 850 + r.IntN(300); len(t) < target; {
			switch r.IntN(40) {
			case 0:
				t = append(t, "\n\n"...)
			case 1:
				t = append(t, ` "quoted" `...)
			case 2:
				t = strconv.AppendInt(append(t, "\tC:\\orders\\"...), int64(r.IntN(100000)), 10)
				t = append(t, ' ')
			case 3, 4, 5, 6, 7, 8:
				t = append(append(t, intl[r.IntN(len(intl))]...), ' ')
			default:
				t = append(append(t, words[r.IntN(len(words))]...), ' ')
			}
		}
		l := fmt.Appendf(nil, `{"recordId":"tkt-%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":%d,"system":`, i+1, 64<<r.IntN(4))
		l = append(l, str("Classify the support ticket into one label.")...)
		l = append(l, `,"messages":[{"role":"user","content":[{"type":"text","text":`...)
		l = append(l, str(string(t))...)
		l = fmt.Appendf(l, `}]}],"temperature":%g}}`, float64(r.IntN(11))/10)
		lines[i] = l
	}
	return lines
}

// benchCorpusLoop runs check over every corpus line b.N times. Besides MB/s of wall time it
// reports cpuMB/s, bytes per second of this process's CPU time, which other processes on a
// shared machine disturb far less.
func benchCorpusLoop(b *testing.B, check func([]byte) bool) {
	lines := benchCorpus(b)
	n := corpusBytes(lines)
	b.SetBytes(n)
	cpu0, ok := processCPU()
	for b.Loop() {
		for _, l := range lines {
			if !check(l) {
				b.Fatalf("corpus line invalid: %.80q", l)
			}
		}
	}
	if cpu1, _ := processCPU(); ok && cpu1 > cpu0 {
		b.ReportMetric(float64(n)*float64(b.N)/(cpu1-cpu0).Seconds()/1e6, "cpuMB/s")
	}
}

func corpusBytes(lines [][]byte) int64 {
	var n int64
	for _, l := range lines {
		n += int64(len(l))
	}
	return n
}

// BenchmarkValidCorpus measures Valid over realistic unicode-heavy records; one op is the whole
// corpus.
func BenchmarkValidCorpus(b *testing.B) {
	benchCorpusLoop(b, Valid)
}

// BenchmarkJSONValidCorpus is the reference decision (encoding/json plus utf8.Valid) over the
// same corpus, for comparison.
func BenchmarkJSONValidCorpus(b *testing.B) {
	benchCorpusLoop(b, func(l []byte) bool { return json.Valid(l) && utf8.Valid(l) })
}
