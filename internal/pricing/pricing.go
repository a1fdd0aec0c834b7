package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

//go:embed prices.json
var defaultPrices []byte

// Unit is the only price unit a price file may declare.
const Unit = "USD per 1,000,000 tokens"

// ErrNoPrice means the table has no row for a model. The caller reports it and points the user
// at an override file; costs cannot be computed without one.
var ErrNoPrice = errors.New("no price for model")

// Rate is a price in USD per million tokens.
type Rate struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// Price is one row of the table.
type Price struct {
	ModelID  string `json:"modelId"`
	Name     string `json:"name"`
	OnDemand Rate   `json:"onDemand"`
	Batch    Rate   `json:"batch"`
	AsOf     string `json:"asOf"`   // when the prices were read, YYYY-MM or YYYY-MM-DD
	Source   string `json:"source"` // where they were read, and how
}

type file struct {
	Unit   string  `json:"unit"`
	Prices []Price `json:"prices"`
}

// Table is a set of price rows keyed by modelId. The zero value is an empty table; a Table is
// not modified after construction and is safe for concurrent use.
type Table struct {
	rows map[string]Price
}

// Default returns the embedded table. An error means the embedded file is broken (a build
// defect that the package tests catch).
func Default() (*Table, error) {
	prices, err := Parse(bytes.NewReader(defaultPrices), "embedded prices.json")
	if err != nil {
		return nil, err
	}
	return (&Table{}).Merge(prices), nil
}

// Parse reads a price file: {"unit": Unit, "prices": [Price...]}. Every row needs a modelId,
// prices that are finite and not negative, asOf and source; a modelId may appear once. Errors
// name the file (name) and the row.
func Parse(r io.Reader, name string) ([]Price, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("read price file %s: %w", name, err)
	}
	if f.Unit != "" && f.Unit != Unit {
		return nil, fmt.Errorf("read price file %s: unit is %q, only %q is supported", name, f.Unit, Unit)
	}
	seen := map[string]bool{}
	for i, p := range f.Prices {
		where := fmt.Sprintf("price file %s: row %d", name, i+1)
		if p.ModelID == "" {
			return nil, fmt.Errorf("%s: modelId is empty", where)
		}
		where += " (" + p.ModelID + ")"
		if seen[p.ModelID] {
			return nil, fmt.Errorf("%s: modelId appears twice", where)
		}
		seen[p.ModelID] = true
		for _, v := range []float64{p.OnDemand.Input, p.OnDemand.Output, p.Batch.Input, p.Batch.Output} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: price %v is not a non-negative number", where, v)
			}
		}
		if p.AsOf == "" || p.Source == "" {
			return nil, fmt.Errorf("%s: asOf and source are required, so every price says where it came from", where)
		}
	}
	return f.Prices, nil
}

// Merge returns a new table holding t's rows with prices on top: a row of the same modelId is
// replaced, others are added. t is unchanged.
func (t *Table) Merge(prices []Price) *Table {
	out := &Table{rows: make(map[string]Price, len(t.rows)+len(prices))}
	for id, p := range t.rows {
		out.rows[id] = p
	}
	for _, p := range prices {
		out.rows[p.ModelID] = p
	}
	return out
}

// Lookup returns the row for modelID: the row of the exact id if there is one, else the row of
// its base id (model.BaseID). No row returns an error wrapping ErrNoPrice.
func (t *Table) Lookup(modelID string) (Price, error) {
	if p, ok := t.rows[modelID]; ok {
		return p, nil
	}
	if p, ok := t.rows[model.BaseID(modelID)]; ok {
		return p, nil
	}
	return Price{}, fmt.Errorf("%w %s (add a row with --prices FILE)", ErrNoPrice, modelID)
}

// Prices returns every row, sorted by modelId.
func (t *Table) Prices() []Price {
	out := make([]Price, 0, len(t.rows))
	for _, p := range t.rows {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ModelID < out[j].ModelID })
	return out
}

// Cost is what some tokens cost, in USD.
type Cost struct {
	Batch    float64 `json:"batch"`    // at the batch price
	OnDemand float64 `json:"onDemand"` // the same tokens at the on-demand price
	Saving   float64 `json:"saving"`   // OnDemand - Batch
	// SavingPercent is Saving as a percentage of OnDemand; 0 when OnDemand is 0.
	SavingPercent float64 `json:"savingPercent"`
}

func (c Cost) withSaving() Cost {
	c.Saving = c.OnDemand - c.Batch
	c.SavingPercent = 0
	if c.OnDemand > 0 {
		c.SavingPercent = 100 * c.Saving / c.OnDemand
	}
	return c
}

// Cost prices the tokens u at p's batch and on-demand rates.
func (p Price) Cost(u model.Usage) Cost {
	perToken := func(r Rate) float64 {
		return (float64(u.InputTokens)*r.Input + float64(u.OutputTokens)*r.Output) / 1e6
	}
	return Cost{Batch: perToken(p.Batch), OnDemand: perToken(p.OnDemand)}.withSaving()
}

// Add returns the sum of c and d, for a run that spans several jobs or models; the saving
// percentage is recomputed from the sums.
func (c Cost) Add(d Cost) Cost {
	return Cost{Batch: c.Batch + d.Batch, OnDemand: c.OnDemand + d.OnDemand}.withSaving()
}

// RunCost prices a run whose batchTokens ran in Bedrock batch jobs and whose tailTokens ran
// on-demand (the small leftover tail): Batch is what the run actually cost (batch tokens at the
// batch rate plus tail tokens at the on-demand rate), OnDemand what all of them would have cost
// on-demand.
func (p Price) RunCost(batchTokens, tailTokens model.Usage) Cost {
	b, tail := p.Cost(batchTokens), p.Cost(tailTokens)
	return Cost{Batch: b.Batch + tail.OnDemand, OnDemand: b.OnDemand + tail.OnDemand}.withSaving()
}
