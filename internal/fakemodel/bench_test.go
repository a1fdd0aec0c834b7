package fakemodel

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// benchCases are realistic request bodies per family, one per line in testdata/bench: Claude from
// scripts/gendata (seed 1), Nova and Titan embeddings from examples/, the others built from the
// same ticket and knowledge-base texts.
var benchCases = []struct{ name, model, invocation, file string }{
	{"Claude", "us.anthropic.claude-3-5-haiku-20241022-v1:0", InvocationInvokeModel, "claude.jsonl"},
	{"Nova", "us.amazon.nova-lite-v1:0", InvocationInvokeModel, "nova.jsonl"},
	{"TitanEmbed", "amazon.titan-embed-text-v2:0", InvocationInvokeModel, "titan-embed.jsonl"},
	{"Cohere", "cohere.embed-english-v3", InvocationInvokeModel, "cohere.jsonl"},
	{"Llama", "meta.llama3-1-8b-instruct-v1:0", InvocationInvokeModel, "llama.jsonl"},
	{"Mistral", "mistral.mistral-small-2402-v1:0", InvocationInvokeModel, "mistral.jsonl"},
	{"Converse", "anthropic.claude-3-5-haiku-20241022-v1:0", InvocationConverse, "converse.jsonl"},
}

func benchBodies(tb testing.TB, file string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "bench", file))
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// BenchmarkInvoke measures one InvokeUsage call per record, cycling through each family's bodies.
func BenchmarkInvoke(b *testing.B) {
	for _, bc := range benchCases {
		bodies := benchBodies(b, bc.file)
		var size int
		for _, body := range bodies {
			size += len(body)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size / len(bodies)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, _, err := InvokeUsage(bc.model, bc.invocation, bodies[i%len(bodies)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
