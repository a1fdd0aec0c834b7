package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bedrock-batch/bedrock-batch/internal/dataset"
	"github.com/bedrock-batch/bedrock-batch/internal/model"
	"github.com/bedrock-batch/bedrock-batch/internal/pricing"
)

type estimateFlags struct {
	models         []string
	invocationType string
	records        int64
	inputTokens    int64
	outputTokens   int64
	pricesPath     string
	asJSON         bool
}

func newEstimateCmd() *cobra.Command {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate [FILE] --model ID [--model ID...]",
		Short: "Estimate the tokens and cost of a dataset at batch and on-demand prices, per model",
		Long: `estimate prices a dataset before you run it: tokens, the cost at Bedrock's batch price, what the
same tokens cost on-demand, and the saving — for one model or several side by side.

With FILE (.jsonl or .jsonl.gz, the same format as validate and run take) it reads every record
and estimates, per record:
  input tokens   = prompt characters / 4, rounded up (system, message and prompt text, inputText,
                   texts; images and tool definitions are not counted)
  output tokens  = the maximum the record asks for (max_tokens, inferenceConfig.maxTokens or
                   max_new_tokens, max_gen_len, textGenerationConfig.maxTokenCount; Llama and
                   Titan Text default to 512 when absent; embedding models produce none)
Real token counts depend on each model's tokenizer, and most answers stop well before their
maximum, so the output side is an upper bound. Rejected lines are not counted (see validate).

Without FILE, give per-record averages instead: --records N --input-tokens X --output-tokens Y
prices N records of X input and Y output tokens each (embedding models: input only).

Prices come from a table built into bbatch (per model, with the date and source of each price;
the built-in rows were written from memory of aws.amazon.com/bedrock/pricing and say so — check
them). --prices FILE adds rows or replaces rows of the same modelId, in the same JSON format:

  {"unit": "USD per 1,000,000 tokens", "prices": [
    {"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "name": "Claude 3 Haiku",
     "onDemand": {"input": 0.25, "output": 1.25}, "batch": {"input": 0.125, "output": 0.625},
     "asOf": "2026-11-01", "source": "our AWS price sheet"}]}

A row for a profile id (us.anthropic...) applies to that profile only; otherwise profile ids and
ARNs are priced like their base model.`,
		Example: `  # one dataset, three models side by side
  bbatch estimate tickets.jsonl --model anthropic.claude-3-5-haiku-20241022-v1:0 \
      --model amazon.nova-lite-v1:0,meta.llama3-1-8b-instruct-v1:0

  # back of the envelope: 2 million records of ~900 input and ~150 output tokens
  bbatch estimate --records 2000000 --input-tokens 900 --output-tokens 150 --model us.amazon.nova-micro-v1:0

  # your negotiated prices, as JSON for a script
  bbatch estimate tickets.jsonl --model anthropic.claude-3-haiku-20240307-v1:0 --prices ours.json --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			return runEstimate(ctx, cmd.OutOrStdout(), path, f, cmd.Flags().Changed)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.models, "model", "m", nil, "model id, profile id or ARN to price (repeat or comma-separate for several)")
	fl.StringVar(&f.invocationType, "invocation-type", model.InvokeModel, "InvokeModel or Converse: how the records' modelInput is written")
	fl.Int64Var(&f.records, "records", 0, "without FILE: number of records")
	fl.Int64Var(&f.inputTokens, "input-tokens", 0, "without FILE: average input tokens per record")
	fl.Int64Var(&f.outputTokens, "output-tokens", 0, "without FILE: average output tokens per record")
	fl.StringVar(&f.pricesPath, "prices", "", "JSON price file whose rows add to or replace the built-in prices")
	fl.BoolVar(&f.asJSON, "json", false, "print the estimate as JSON")
	return cmd
}

// estimateRow is one model's line of the estimate.
type estimateRow struct {
	ModelID      string `json:"modelId"`
	Name         string `json:"name"`
	Family       string `json:"family"`
	Records      int64  `json:"records"`
	InputTokens  int64  `json:"inputTokens"`
	OutputTokens int64  `json:"outputTokens"`
	// NoMaxTokens counts records that state no maximum output and whose family has no default;
	// they add no output tokens.
	NoMaxTokens int64         `json:"recordsWithoutMaxTokens"`
	Cost        pricing.Cost  `json:"cost"`
	Price       pricing.Price `json:"price"`
}

type estimateReport struct {
	Estimate bool          `json:"estimate"` // always true: these are not measured counts
	Method   string        `json:"method"`
	File     string        `json:"file,omitempty"`
	Rejected int64         `json:"rejectedLines,omitempty"`
	Models   []estimateRow `json:"models"`
}

const (
	methodFile     = "input tokens = ceil(prompt characters / 4) per record; output tokens = requested maximum per record (an upper bound)"
	methodAverages = "records x average input and output tokens per record, as given (embedding models: no output tokens)"
)

func runEstimate(ctx context.Context, out io.Writer, path string, f estimateFlags, changed func(string) bool) error {
	if len(f.models) == 0 {
		return errors.New("name at least one model with --model")
	}
	averages := changed("records") || changed("input-tokens") || changed("output-tokens")
	switch {
	case path != "" && averages:
		return errors.New("give either FILE or --records/--input-tokens/--output-tokens, not both")
	case path == "" && !(changed("records") && changed("input-tokens") && changed("output-tokens")):
		return errors.New("give FILE, or all of --records, --input-tokens and --output-tokens")
	case f.records < 0 || f.inputTokens < 0 || f.outputTokens < 0:
		return errors.New("--records, --input-tokens and --output-tokens must not be negative")
	}
	table, err := loadPrices(f.pricesPath)
	if err != nil {
		return err
	}
	rep := estimateReport{Estimate: true, Method: methodAverages}
	for _, id := range f.models {
		id = strings.TrimSpace(id)
		price, err := table.Lookup(id)
		if err != nil {
			return err
		}
		family := "unknown"
		if fam, err := model.Detect(id, f.invocationType); err == nil {
			family = string(fam)
		} else if !errors.Is(err, model.ErrUnknownModel) {
			return err
		}
		rep.Models = append(rep.Models, estimateRow{ModelID: id, Name: price.Name, Family: family, Price: price})
	}
	if path != "" {
		rep.Method, rep.File = methodFile, path
		if err := estimateFile(ctx, path, &rep); err != nil {
			return err
		}
	} else {
		for i := range rep.Models {
			r := &rep.Models[i]
			r.Records, r.InputTokens, r.OutputTokens = f.records, f.records*f.inputTokens, f.records*f.outputTokens
			if model.Family(r.Family).Embedding() {
				r.OutputTokens = 0
			}
		}
	}
	for i := range rep.Models {
		r := &rep.Models[i]
		r.Cost = r.Price.Cost(model.Usage{InputTokens: r.InputTokens, OutputTokens: r.OutputTokens})
	}
	if f.asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printEstimate(out, rep)
	return nil
}

func loadPrices(path string) (*pricing.Table, error) {
	table, err := pricing.Default()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return table, nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read prices: %w", err)
	}
	defer fh.Close()
	rows, err := pricing.Parse(fh, path)
	if err != nil {
		return nil, err
	}
	return table.Merge(rows), nil
}

// estimateFile reads the dataset once to validate it and once to estimate every accepted record,
// once per distinct family among the models.
func estimateFile(ctx context.Context, path string, rep *estimateReport) error {
	open := fileOpener(path)
	src, err := open()
	if err != nil {
		return err
	}
	x, err := dataset.Scan(ctx, src, dataset.Options{})
	src.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer x.Close()
	rep.Rejected = x.Stats().Rejected

	totals := map[string]*estimateRow{}
	for _, r := range rep.Models {
		totals[r.Family] = &estimateRow{}
	}
	if src, err = open(); err != nil {
		return err
	}
	defer src.Close()
	err = x.Replay(ctx, src, func(rec *dataset.Record) error {
		for fam, t := range totals {
			e, err := model.Family(fam).Estimate(rec.ModelInput)
			if err != nil {
				return fmt.Errorf("line %d: %w", rec.Line, err)
			}
			t.Records++
			t.InputTokens += e.InputTokens
			t.OutputTokens += e.OutputTokens
			if !e.OutputKnown {
				t.NoMaxTokens++
			}
		}
		return nil
	}, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for i := range rep.Models {
		r := &rep.Models[i]
		t := totals[r.Family]
		r.Records, r.InputTokens, r.OutputTokens, r.NoMaxTokens = t.Records, t.InputTokens, t.OutputTokens, t.NoMaxTokens
	}
	return nil
}

// usd formats an amount in dollars: cents from $1 up, four decimals below.
func usd(v float64) string {
	if v != 0 && v < 1 && v > -1 {
		return fmt.Sprintf("$%.4f", v)
	}
	whole := int64(v)
	cents := int64((v-float64(whole))*100 + 0.5)
	if cents == 100 {
		whole, cents = whole+1, 0
	}
	return fmt.Sprintf("$%s.%02d", commas(whole), cents)
}

func printEstimate(out io.Writer, rep estimateReport) {
	what := "averages given"
	if rep.File != "" {
		what = rep.File
	}
	fmt.Fprintf(out, "ESTIMATE for %s (not a quote)\n", what)
	fmt.Fprintf(out, "  %s\n", rep.Method)
	if rep.Rejected > 0 {
		fmt.Fprintf(out, "  rejected lines, not counted: %s (bbatch validate %s shows why)\n", commas(rep.Rejected), rep.File)
	}
	fmt.Fprintln(out)

	header := []string{"MODEL", "RECORDS", "INPUT TOKENS", "OUTPUT TOKENS", "ON-DEMAND", "BATCH", "SAVING"}
	rows := [][]string{header}
	for _, r := range rep.Models {
		rows = append(rows, []string{r.ModelID, commas(r.Records), commas(r.InputTokens), commas(r.OutputTokens),
			usd(r.Cost.OnDemand), usd(r.Cost.Batch), fmt.Sprintf("%s (%.0f%%)", usd(r.Cost.Saving), r.Cost.SavingPercent)})
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-len([]rune(cell)))
			if i == 0 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString("   " + pad + cell)
			}
		}
		fmt.Fprintln(out, strings.TrimRight(b.String(), " "))
	}

	fmt.Fprintln(out)
	for _, r := range rep.Models {
		if r.NoMaxTokens > 0 {
			fmt.Fprintf(out, "note: %s: %s without a maximum output length, counted with no output tokens\n", r.ModelID, plural(r.NoMaxTokens, "record"))
		}
	}
	sources := map[string][]string{}
	for _, r := range rep.Models {
		key := r.Price.Source + " (as of " + r.Price.AsOf + ")"
		sources[key] = append(sources[key], r.Price.Name)
	}
	keys := make([]string, 0, len(sources))
	for k := range sources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(out, "prices (USD per million tokens) for %s: %s\n", strings.Join(sources[k], ", "), k)
	}
	fmt.Fprintln(out, "override or add prices with --prices FILE")
}
