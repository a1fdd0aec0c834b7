package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
)

// estimateDataset has 3 Claude records of 40 prompt characters (10 tokens) asking for at most
// 100 output tokens, a record without a maximum, a blank line and a rejected line.
func estimateDataset(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, `{"recordId":"r%d","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"system":"0123456789","messages":[{"role":"user","content":[{"type":"text","text":"abcdefghijklmnopqrstuvwxyz0123"}]}]}}`+"\n", i)
	}
	b.WriteString(`{"recordId":"r9","modelInput":{"messages":[{"role":"user","content":[{"text":"abcd"}]}]}}` + "\n")
	b.WriteString("\n")
	b.WriteString(`{"recordId":"bad","modelInput":"not an object"}` + "\n")
	return writeFile(t, "tickets.jsonl", b.String())
}

func estimateJSON(t *testing.T, args ...string) estimateReport {
	t.Helper()
	out, code, err := runCLI(t, append([]string{"estimate", "--json"}, args...)...)
	if err != nil || code != 0 {
		t.Fatalf("estimate: exit %d, %v\n%s", code, err, out)
	}
	var rep estimateReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	return rep
}

func nearUSD(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestEstimateFile(t *testing.T) {
	path := estimateDataset(t)
	rep := estimateJSON(t, path, "--model", "anthropic.claude-3-5-haiku-20241022-v1:0,amazon.titan-embed-text-v2:0",
		"-m", "us.meta.llama3-1-8b-instruct-v1:0")
	if !rep.Estimate || rep.Rejected != 1 || rep.File != path || len(rep.Models) != 3 {
		t.Fatalf("report = %+v", rep)
	}
	cases := []struct {
		model       string
		family      string
		input, out  int64
		noMax       int64
		batch, onDm float64
	}{
		// 3 x 10 tokens + 1 token; 3 x 100 output, the fourth record states no maximum.
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "claude", 31, 300, 1, (31*0.4 + 300*2) / 1e6, (31*0.8 + 300*4) / 1e6},
		{"amazon.titan-embed-text-v2:0", "titan-embed", 31, 0, 0, 31 * 0.01 / 1e6, 31 * 0.02 / 1e6},
		// Llama has no max_gen_len in these bodies, but max_tokens is read; the fourth gets the 512 default.
		{"us.meta.llama3-1-8b-instruct-v1:0", "llama", 31, 300 + 512, 0, (31*0.11 + 812*0.11) / 1e6, (31*0.22 + 812*0.22) / 1e6},
	}
	for i, c := range cases {
		t.Run(c.model, func(t *testing.T) {
			r := rep.Models[i]
			if r.ModelID != c.model || r.Family != c.family || r.Records != 4 || r.InputTokens != c.input || r.OutputTokens != c.out || r.NoMaxTokens != c.noMax {
				t.Fatalf("row = %+v", r)
			}
			if !nearUSD(r.Cost.Batch, c.batch) || !nearUSD(r.Cost.OnDemand, c.onDm) || !nearUSD(r.Cost.SavingPercent, 50) {
				t.Fatalf("cost = %+v, want batch %v on-demand %v", r.Cost, c.batch, c.onDm)
			}
			if r.Price.AsOf == "" || r.Price.Source == "" {
				t.Fatalf("price carries no date or source: %+v", r.Price)
			}
		})
	}
}

func TestEstimateGzipFile(t *testing.T) {
	plain := estimateJSON(t, estimateDataset(t), "-m", "amazon.nova-lite-v1:0")
	body, err := os.ReadFile(estimateDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	// The name says nothing: gzip is detected by its magic bytes.
	gz := estimateJSON(t, gzipFile(t, "tickets.data", string(body)), "-m", "amazon.nova-lite-v1:0")
	if p, g := plain.Models[0], gz.Models[0]; p.Records != g.Records || p.InputTokens != g.InputTokens || p.OutputTokens != g.OutputTokens || g.Records != 4 {
		t.Fatalf("gzip %+v, plain %+v", g, p)
	}
}

func TestEstimateAverages(t *testing.T) {
	rep := estimateJSON(t, "--records", "2000000", "--input-tokens", "900", "--output-tokens", "150",
		"--model", "us.amazon.nova-micro-v1:0", "--model", "cohere.embed-english-v3")
	nova, cohere := rep.Models[0], rep.Models[1]
	if nova.Records != 2000000 || nova.InputTokens != 1_800_000_000 || nova.OutputTokens != 300_000_000 {
		t.Fatalf("nova row = %+v", nova)
	}
	if !nearUSD(nova.Cost.OnDemand, 1800*0.035+300*0.14) || !nearUSD(nova.Cost.Batch, 1800*0.0175+300*0.07) {
		t.Fatalf("nova cost = %+v", nova.Cost)
	}
	if cohere.OutputTokens != 0 || !nearUSD(cohere.Cost.OnDemand, 1800*0.10) {
		t.Fatalf("embedding row = %+v, want input tokens only", cohere)
	}
}

func TestEstimateTable(t *testing.T) {
	path := estimateDataset(t)
	out, code, err := runCLI(t, "estimate", path, "-m", "anthropic.claude-3-haiku-20240307-v1:0", "-m", "amazon.nova-pro-v1:0")
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	for _, want := range []string{"ESTIMATE for " + path + " (not a quote)", "ceil(prompt characters / 4)", "rejected lines, not counted: 1",
		"note: anthropic.claude-3-haiku-20240307-v1:0: 1 record without a maximum output length", "as of 2025-06", "--prices FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var header, claude string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "MODEL"):
			header = line
		case strings.HasPrefix(line, "anthropic.claude-3-haiku"):
			claude = line
		}
	}
	// Numbers are right-aligned under their headings: each column ends where its heading ends.
	for _, col := range []struct{ heading, cell string }{{"RECORDS", "4"}, {"INPUT TOKENS", "31"}, {"OUTPUT TOKENS", "300"},
		{"ON-DEMAND", "$0.0004"}, {"BATCH", "$0.0002"}} {
		end := strings.Index(header, col.heading) + len(col.heading)
		if end < len(col.heading) || end > len(claude) || !strings.HasSuffix(claude[:end], " "+col.cell) {
			t.Errorf("column %s: row %q does not end with %q under the heading %q", col.heading, claude, col.cell, header)
		}
	}
}

func TestEstimatePriceOverride(t *testing.T) {
	prices := writeFile(t, "ours.json", `{"unit":"USD per 1,000,000 tokens","prices":[
{"modelId":"anthropic.claude-3-haiku-20240307-v1:0","name":"Haiku (contract)","onDemand":{"input":1,"output":1},"batch":{"input":0.25,"output":0.25},"asOf":"2026-11-01","source":"our contract"},
{"modelId":"qwen.qwen3-32b-v1:0","name":"Qwen3 32B","onDemand":{"input":2,"output":2},"batch":{"input":1,"output":1},"asOf":"2026-11-01","source":"console"}]}`)
	rep := estimateJSON(t, "--records", "1000000", "--input-tokens", "1", "--output-tokens", "1", "--prices", prices,
		"-m", "anthropic.claude-3-haiku-20240307-v1:0,qwen.qwen3-32b-v1:0")
	haiku, qwen := rep.Models[0], rep.Models[1]
	if !nearUSD(haiku.Cost.Batch, 0.5) || !nearUSD(haiku.Cost.OnDemand, 2) || !nearUSD(haiku.Cost.SavingPercent, 75) || haiku.Price.Source != "our contract" {
		t.Fatalf("overridden row = %+v", haiku)
	}
	if qwen.Family != "unknown" || !nearUSD(qwen.Cost.Batch, 2) {
		t.Fatalf("added row = %+v", qwen)
	}
}

func TestEstimateErrors(t *testing.T) {
	path := estimateDataset(t)
	badPrices := writeFile(t, "bad.json", `{"prices":[{"modelId":"m"}]}`)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no model", []string{path}, "--model"},
		{"no input", []string{"-m", "amazon.nova-lite-v1:0"}, "give FILE"},
		{"partial averages", []string{"-m", "amazon.nova-lite-v1:0", "--records", "5"}, "give FILE"},
		{"file and averages", []string{path, "-m", "amazon.nova-lite-v1:0", "--records", "5", "--input-tokens", "1", "--output-tokens", "1"}, "not both"},
		{"negative", []string{"-m", "amazon.nova-lite-v1:0", "--records", "-5", "--input-tokens", "1", "--output-tokens", "1"}, "negative"},
		{"no price", []string{path, "-m", "ai21.jamba-1-5-large-v1:0"}, "no price for model ai21.jamba-1-5-large-v1:0"},
		{"bad invocation type", []string{path, "-m", "amazon.nova-lite-v1:0", "--invocation-type", "Batch"}, "neither InvokeModel nor Converse"},
		{"missing file", []string{"/nonexistent/x.jsonl", "-m", "amazon.nova-lite-v1:0"}, "no such file"},
		{"bad price file", []string{path, "-m", "amazon.nova-lite-v1:0", "--prices", badPrices}, "bad.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code, err := runCLI(t, append([]string{"estimate"}, c.args...)...)
			if err == nil || code != 1 || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("exit %d, err %v, want exit 1 with %q\n%s", code, err, c.want, out)
			}
		})
	}
}

// TestEstimateHelpPriceExample keeps the price file example in --help valid.
func TestEstimateHelpPriceExample(t *testing.T) {
	long := newEstimateCmd().Long
	start, end := strings.Index(long, `{"unit"`), strings.LastIndex(long, "]}")
	if start < 0 || end < start {
		t.Fatal("help has no price file example")
	}
	rows, err := pricing.Parse(strings.NewReader(long[start:end+2]), "help example")
	if err != nil || len(rows) != 1 {
		t.Fatalf("help example: %d rows, %v", len(rows), err)
	}
}
