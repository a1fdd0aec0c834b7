package pricing_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDefaultTable(t *testing.T) {
	tab, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	rows := tab.Prices()
	if len(rows) < 15 {
		t.Fatalf("default table has %d rows", len(rows))
	}
	for _, p := range rows {
		t.Run(p.ModelID, func(t *testing.T) {
			if _, err := model.Detect(p.ModelID, ""); err != nil {
				t.Errorf("row names a model of no known family: %v", err)
			}
			if p.Batch.Input > p.OnDemand.Input || p.Batch.Output > p.OnDemand.Output {
				t.Errorf("batch %+v costs more than on-demand %+v", p.Batch, p.OnDemand)
			}
			if !near(p.Batch.Input*2, p.OnDemand.Input) || !near(p.Batch.Output*2, p.OnDemand.Output) {
				t.Errorf("batch %+v is not half of on-demand %+v", p.Batch, p.OnDemand)
			}
			if !strings.Contains(p.Source, "aws.amazon.com/bedrock/pricing") || !strings.Contains(p.Source, "memory") {
				t.Errorf("source %q does not say where the price came from and how", p.Source)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tab, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"anthropic.claude-3-5-haiku-20241022-v1:0":                                                                "anthropic.claude-3-5-haiku-20241022-v1:0",
		"us.anthropic.claude-3-5-haiku-20241022-v1:0":                                                             "anthropic.claude-3-5-haiku-20241022-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0":                                       "amazon.nova-lite-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0": "anthropic.claude-sonnet-4-20250514-v1:0",
	}
	for id, want := range cases {
		t.Run(id, func(t *testing.T) {
			p, err := tab.Lookup(id)
			if err != nil || p.ModelID != want {
				t.Fatalf("Lookup = %q, %v; want %q", p.ModelID, err, want)
			}
		})
	}
	if _, err := tab.Lookup("ai21.jamba-1-5-large-v1:0"); !errors.Is(err, pricing.ErrNoPrice) {
		t.Fatalf("Lookup unknown err = %v, want ErrNoPrice", err)
	}
}

func TestOverride(t *testing.T) {
	tab, err := pricing.Default()
	if err != nil {
		t.Fatal(err)
	}
	user := `{"unit":"USD per 1,000,000 tokens","prices":[
{"modelId":"anthropic.claude-3-haiku-20240307-v1:0","name":"Claude 3 Haiku (our discount)","onDemand":{"input":0.2,"output":1},"batch":{"input":0.1,"output":0.5},"asOf":"2026-11-01","source":"our AWS contract"},
{"modelId":"us.anthropic.claude-3-haiku-20240307-v1:0","name":"Claude 3 Haiku, US profile","onDemand":{"input":0.3,"output":1.5},"batch":{"input":0.15,"output":0.75},"asOf":"2026-11-01","source":"our AWS contract"},
{"modelId":"qwen.qwen3-32b-v1:0","name":"Qwen3 32B","onDemand":{"input":0.15,"output":0.6},"batch":{"input":0.075,"output":0.3},"asOf":"2026-11-01","source":"console"}]}`
	prices, err := pricing.Parse(strings.NewReader(user), "mine.json")
	if err != nil {
		t.Fatal(err)
	}
	merged := tab.Merge(prices)
	cases := []struct {
		id      string
		batchIn float64
	}{
		{"anthropic.claude-3-haiku-20240307-v1:0", 0.1},
		{"eu.anthropic.claude-3-haiku-20240307-v1:0", 0.1},
		{"us.anthropic.claude-3-haiku-20240307-v1:0", 0.15},
		{"qwen.qwen3-32b-v1:0", 0.075},
		{"amazon.nova-micro-v1:0", 0.0175},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			p, err := merged.Lookup(c.id)
			if err != nil || !near(p.Batch.Input, c.batchIn) {
				t.Fatalf("Lookup = %+v, %v; want batch input %v", p, err, c.batchIn)
			}
		})
	}
	if p, _ := tab.Lookup("anthropic.claude-3-haiku-20240307-v1:0"); !near(p.Batch.Input, 0.125) {
		t.Fatalf("Merge changed the original table: %+v", p)
	}
}

func TestParseRejects(t *testing.T) {
	row := func(s string) string { return `{"prices":[` + s + `]}` }
	good := `"name":"x","onDemand":{"input":1,"output":2},"batch":{"input":0.5,"output":1},"asOf":"2026-01","source":"s"`
	cases := map[string]string{
		"not json":         `{"prices":`,
		"unknown field":    row(`{"modelId":"m",` + good + `,"currency":"EUR"}`),
		"wrong unit":       `{"unit":"USD per 1,000 tokens","prices":[]}`,
		"empty modelId":    row(`{"modelId":"",` + good + `}`),
		"duplicate":        row(`{"modelId":"m",` + good + `},{"modelId":"m",` + good + `}`),
		"negative price":   row(`{"modelId":"m","onDemand":{"input":-1,"output":2},"batch":{"input":0.5,"output":1},"asOf":"2026-01","source":"s"}`),
		"missing source":   row(`{"modelId":"m","onDemand":{"input":1,"output":2},"batch":{"input":0.5,"output":1},"asOf":"2026-01"}`),
		"price not number": row(`{"modelId":"m","onDemand":{"input":"1","output":2},"batch":{"input":0.5,"output":1},"asOf":"2026-01","source":"s"}`),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := pricing.Parse(strings.NewReader(body), "bad.json")
			if err == nil || !strings.Contains(err.Error(), "bad.json") {
				t.Fatalf("Parse err = %v, want an error naming bad.json", err)
			}
		})
	}
}

func TestCost(t *testing.T) {
	p := pricing.Price{ModelID: "m", OnDemand: pricing.Rate{Input: 0.8, Output: 4}, Batch: pricing.Rate{Input: 0.4, Output: 2}}
	cases := []struct {
		name  string
		usage model.Usage
		want  pricing.Cost
	}{
		{"zero", model.Usage{}, pricing.Cost{}},
		{"one million each", model.Usage{InputTokens: 1e6, OutputTokens: 1e6}, pricing.Cost{Batch: 2.4, OnDemand: 4.8, Saving: 2.4, SavingPercent: 50}},
		{"typical job", model.Usage{InputTokens: 412345, OutputTokens: 58210}, pricing.Cost{Batch: 0.281358, OnDemand: 0.562716, Saving: 0.281358, SavingPercent: 50}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.Cost(c.usage)
			if !near(got.Batch, c.want.Batch) || !near(got.OnDemand, c.want.OnDemand) || !near(got.Saving, c.want.Saving) || !near(got.SavingPercent, c.want.SavingPercent) {
				t.Fatalf("Cost = %+v, want %+v", got, c.want)
			}
		})
	}
	t.Run("run with an on-demand tail", func(t *testing.T) {
		got := p.RunCost(model.Usage{InputTokens: 1e6, OutputTokens: 1e6}, model.Usage{InputTokens: 1e6})
		want := pricing.Cost{Batch: 2.4 + 0.8, OnDemand: 4.8 + 0.8, Saving: 2.4, SavingPercent: 2.4 / 5.6 * 100}
		if !near(got.Batch, want.Batch) || !near(got.OnDemand, want.OnDemand) || !near(got.SavingPercent, want.SavingPercent) {
			t.Fatalf("RunCost = %+v, want %+v", got, want)
		}
	})
	t.Run("add", func(t *testing.T) {
		a := p.Cost(model.Usage{InputTokens: 1e6})
		b := pricing.Cost{Batch: 1, OnDemand: 1}
		got := a.Add(b)
		if !near(got.Batch, 1.4) || !near(got.OnDemand, 1.8) || !near(got.Saving, 0.4) || !near(got.SavingPercent, 0.4/1.8*100) {
			t.Fatalf("Add = %+v", got)
		}
	})
}
