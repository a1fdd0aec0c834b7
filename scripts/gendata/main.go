// Command gendata writes a realistic synthetic Bedrock batch dataset to stdout for benchmarks:
// Claude Messages records of about 1.2 KB of varied text each, with non-ASCII text, emoji, and
// JSON escapes (\n, \", \\, \t, \uXXXX including surrogate pairs). The same -n and -seed always
// give the same bytes.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"unicode/utf16"
)

var words = []string{
	"the", "parcel", "arrived", "two", "weeks", "late", "and", "the", "box", "was", "damaged",
	"refund", "order", "customer", "support", "please", "help", "invoice", "account", "password",
	"reset", "delivery", "tracking", "number", "broken", "screen", "battery", "replacement",
	"warranty", "subscription", "cancel", "charged", "twice", "thanks", "urgent", "again",
}

var intl = []string{
	"café", "naïve", "façade", "Müller", "São", "Paulo", "Zürich", "résumé", "crème", "brûlée",
	"東京", "配達", "遅延", "ありがとう", "返金", "Привет", "доставка", "مرحبا", "שלום", "Ελλάδα",
	"😀", "📦", "🚚", "👍", "«très»", "—", "…", "€42", "£10", "¥500",
}

var stems = []string{
	"Classify the support ticket into one label.",
	"Summarize the customer's message in one sentence.",
	"Extract the order number and the main complaint.",
	"Translate the message to English and rate its urgency 1-5.",
}

// writeJSONString writes s as a JSON string, escaping some non-ASCII runes as \uXXXX.
func writeJSONString(w *bufio.Writer, s string, r *rand.Rand) {
	w.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"':
			w.WriteString(`\"`)
		case c == '\\':
			w.WriteString(`\\`)
		case c == '\n':
			w.WriteString(`\n`)
		case c == '\t':
			w.WriteString(`\t`)
		case c > 0x7f && r.IntN(8) == 0:
			if c > 0xffff {
				a, b := utf16.EncodeRune(c)
				fmt.Fprintf(w, `\u%04x\u%04x`, a, b)
			} else {
				fmt.Fprintf(w, `\u%04x`, c)
			}
		default:
			w.WriteRune(c)
		}
	}
	w.WriteByte('"')
}

func text(r *rand.Rand, target int) string {
	b := make([]byte, 0, target+32)
	for len(b) < target {
		switch r.IntN(40) {
		case 0:
			b = append(b, "\n\n"...)
		case 1:
			b = append(b, ` "quoted" `...)
		case 2:
			b = append(b, "\tC:\\orders\\"...)
			b = strconv.AppendInt(b, int64(r.IntN(100000)), 10)
			b = append(b, ' ')
		case 3, 4, 5, 6, 7, 8:
			b = append(b, intl[r.IntN(len(intl))]...)
			b = append(b, ' ')
		default:
			b = append(b, words[r.IntN(len(words))]...)
			b = append(b, ' ')
		}
	}
	return string(b)
}

func main() {
	n := flag.Int("n", 1_000_000, "records to write")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 42))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	for i := range *n {
		w.WriteString(`{"recordId":"tkt-`)
		w.WriteString(strconv.Itoa(i + 1))
		w.WriteString(`","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":`)
		w.WriteString(strconv.Itoa(64 << r.IntN(4)))
		w.WriteString(`,"system":`)
		writeJSONString(w, stems[r.IntN(len(stems))], r)
		w.WriteString(`,"messages":[{"role":"user","content":[{"type":"text","text":`)
		writeJSONString(w, text(r, 850+r.IntN(300)), r)
		w.WriteString(`}]}],"temperature":`)
		w.WriteString(strconv.FormatFloat(float64(r.IntN(11))/10, 'f', -1, 64))
		w.WriteString("}}\n")
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}
