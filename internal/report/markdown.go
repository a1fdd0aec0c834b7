package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

// Markdown renders the report for people: the outcome first, then tokens and cost, rounds and
// one row per job.
func Markdown(r Report) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Batch run %s\n\n", r.RunID)
	p("**%s** — profile `%s`, model `%s`", r.Status, r.Profile, r.ModelID)
	if r.Duration != "" {
		p(", %s", r.Duration)
	}
	p(".\n\n")
	if r.Error != nil {
		p("The run stopped early: **%s** %s. Records it did not get to are listed as failed.\n\n", r.Error.Error, oneLine(r.Error.Cause))
	}
	rec := r.Records
	check := "holds"
	if !rec.Conserved {
		check = "**FAILS**"
	}
	p("## Records\n\n")
	p("| in | answered | by batch | on-demand | failed | rejected | blank lines |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	p("| %d | %d | %d | %d | %d | %d | %d |\n\n", rec.In, rec.Answered, rec.ByBatch, rec.ByOnDemand, rec.Failed, rec.Rejected, rec.Blank)
	p("Conservation check (in = answered + failed + rejected): %s.\n\n", check)
	p("## Tokens and cost\n\n")
	p("| | input tokens | output tokens |\n|---|---:|---:|\n")
	row := func(name string, u model.Usage) { p("| %s | %d | %d |\n", name, u.InputTokens, u.OutputTokens) }
	row("batch", r.Tokens.Batch)
	row("on-demand", r.Tokens.OnDemand)
	row("total", r.Tokens.Total)
	p("\n")
	if r.Cost != nil {
		p("Cost: **$%.4f** (batch jobs at the batch price, the tail on-demand). The same tokens on-demand: $%.4f. Saved $%.4f (%.1f%%).\n\n",
			r.Cost.Batch, r.Cost.OnDemand, r.Cost.Saving, r.Cost.SavingPercent)
		if r.Price != nil {
			p("Prices: %s, as of %s (%s).\n\n", r.Price.Name, r.Price.AsOf, r.Price.Source)
		}
	} else {
		p("Cost: not computed (%s).\n\n", r.PriceNote)
	}
	if len(r.Rounds) > 0 {
		p("## Rounds\n\n| round | chunks | records | answered | retried | failed |\n|---:|---:|---:|---:|---:|---:|\n")
		for _, rr := range r.Rounds {
			p("| %d | %d | %d | %d | %d | %d |\n", rr.Round, rr.Chunks, rr.Records, rr.Succeeded, rr.Retried, rr.Failed)
		}
		p("\n")
	}
	if t := r.Tail; t != nil {
		p("On-demand tail: %d records, %d answered, %d failed, %d calls.\n\n", t.Records, t.Succeeded, t.Failed, t.Calls)
	}
	if len(r.Jobs) > 0 {
		p("## Jobs\n\n| job | status | attempts | records | answered | retried | failed | tokens in | tokens out | submitted | ended |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
		for _, j := range r.Jobs {
			p("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %s | %s |\n", j.JobName, j.Status, j.Attempts, j.Records, j.Succeeded, j.Retried, j.Failed,
				j.Tokens.InputTokens, j.Tokens.OutputTokens, stamp(j.SubmittedAt), stamp(j.EndedAt))
		}
		p("\n")
	}
	if len(r.Problems) > 0 {
		p("## Problems\n\n")
		for _, pr := range r.Problems {
			p("- %s\n", oneLine(pr))
		}
		p("\n")
	}
	p("## Files\n\n- answers: %s\n- failed: `%s`\n- rejected: `%s`\n- report: `%s`\n", partsList(r.Results.Parts), r.Results.Failed, r.Results.Rejected, r.Results.Report)
	return b.String()
}

func partsList(parts []string) string {
	if len(parts) == 0 {
		return "none"
	}
	return "`" + strings.Join(parts, "`, `") + "`"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
