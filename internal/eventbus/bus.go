package eventbus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// ErrClosed is returned by Put and AddRule after Close. The caller stops sending.
var ErrClosed = errors.New("event bus closed")

// Target receives one delivered event, the exact bytes given to Put. It must not modify them.
// A returned error is reported to Config.OnError; the delivery is not retried.
type Target func(ctx context.Context, event []byte) error

// Webhook returns a Target that POSTs each event as application/json to url. A response status
// outside 2xx is an error. A nil client means http.DefaultClient.
func Webhook(url string, client *http.Client) Target {
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context, event []byte) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		if err != nil {
			return fmt.Errorf("post event to %s: %w", url, err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("post event to %s: %w", url, err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("post event to %s: status %s", url, resp.Status)
		}
		return nil
	}
}

// Config configures a Bus.
type Config struct {
	// Faults decides drops, duplicates and delays (EventDrop, EventDup, EventDelay, Seed).
	Faults faults.Spec
	// FaultSources limits the faults to events of these sources (e.g. "aws.bedrock"); empty
	// means every event.
	FaultSources []string
	// OnError receives every failed delivery. Nil logs it with Logger.
	OnError func(rule string, event []byte, err error)
	// Logger is used when OnError is nil. Nil means slog.Default().
	Logger *slog.Logger
}

// Stats counts what the bus did since it was made.
type Stats struct {
	Put        int // events accepted by Put
	Unmatched  int // events no rule matched
	Matched    int // (event, rule) pairs that matched
	Dropped    int // matched events not delivered because event-drop hit them
	Duplicated int // matched events delivered twice because event-dup hit them
	Delivered  int // deliveries whose target returned nil
	Failed     int // deliveries whose target returned an error
}

type rule struct {
	name    string
	pattern Pattern
	target  Target
}

// Bus routes events to rule targets. Its methods are safe for concurrent use.
type Bus struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	cut    chan struct{} // closed by Close to end pending delays

	mu       sync.Mutex
	rules    []rule
	stats    Stats
	closed   bool
	inflight sync.WaitGroup
}

// New returns an empty bus.
func New(cfg Config) *Bus {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Bus{cfg: cfg, ctx: ctx, cancel: cancel, cut: make(chan struct{})}
}

// AddRule adds a rule named name (unique on the bus) that delivers events matching pattern (EventBridge
// pattern JSON) to target. A bad pattern or a repeated name is an error.
func (b *Bus) AddRule(name string, pattern []byte, target Target) error {
	p, err := CompilePattern(pattern)
	if err != nil {
		return fmt.Errorf("add rule %s: %w", name, err)
	}
	if target == nil {
		return fmt.Errorf("add rule %s: nil target", name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	for _, r := range b.rules {
		if r.name == name {
			return fmt.Errorf("add rule %s: a rule with that name exists", name)
		}
	}
	b.rules = append(b.rules, rule{name: name, pattern: p, target: target})
	return nil
}

// Put routes one EventBridge event envelope. It returns once deliveries are scheduled, not done;
// see Drain. Input that is not a JSON object is an error and nothing is delivered.
//
// The faults model a lossy source, as Bedrock's best-effort event delivery is: an event's fate
// (dropped, duplicated, the delay of each copy) is decided once, by seed and the envelope's id (a
// hash of the bytes when it has none), and every matching rule sees the same fate. Events whose
// source is not in Config.FaultSources (when set) are always delivered once, at once.
func (b *Bus) Put(event []byte) error {
	decoded, err := decodeEvent(event)
	if err != nil {
		return err
	}
	env := decoded.(map[string]any)
	id, _ := env["id"].(string)
	if id == "" {
		sum := sha256.Sum256(event)
		id = hex.EncodeToString(sum[:8])
	}
	source, _ := env["source"].(string)
	drop, delays := b.fate(id, source)
	event = bytes.Clone(event)

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.stats.Put++
	matched := false
	for _, r := range b.rules {
		if !r.pattern.Match(decoded) {
			continue
		}
		matched = true
		b.stats.Matched++
		for _, d := range delays {
			b.inflight.Add(1)
			go b.deliver(r, event, d)
		}
	}
	switch {
	case !matched:
		b.stats.Unmatched++
	case drop:
		b.stats.Dropped++
	case len(delays) > 1:
		b.stats.Duplicated++
	}
	return nil
}

// fate decides whether the event is dropped and otherwise the delay of each copy delivered.
func (b *Bus) fate(id, source string) (drop bool, delays []time.Duration) {
	spec := b.cfg.Faults
	if len(b.cfg.FaultSources) > 0 && !slices.Contains(b.cfg.FaultSources, source) {
		return false, []time.Duration{0}
	}
	if spec.Hit(spec.EventDrop, "event-drop", id) {
		return true, nil
	}
	copies := 1
	if spec.Hit(spec.EventDup, "event-dup", id) {
		copies = 2
	}
	for i := range copies {
		delays = append(delays, time.Duration(spec.Roll("event-delay", id, strconv.Itoa(i))*float64(spec.EventDelay)))
	}
	return false, delays
}

func (b *Bus) deliver(r rule, event []byte, delay time.Duration) {
	defer b.inflight.Done()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-b.cut:
			t.Stop()
		}
	}
	err := r.target(b.ctx, event)
	b.mu.Lock()
	if err != nil {
		b.stats.Failed++
	} else {
		b.stats.Delivered++
	}
	b.mu.Unlock()
	if err != nil {
		if b.cfg.OnError != nil {
			b.cfg.OnError(r.name, event, err)
		} else {
			b.cfg.Logger.Error("event delivery failed", "rule", r.name, "err", err)
		}
	}
}

// Drain waits until every delivery scheduled so far has returned, delays included.
func (b *Bus) Drain() {
	b.inflight.Wait()
}

// Stats returns the counters so far. Call Drain first for final delivery counts.
func (b *Bus) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Close stops accepting events, cuts pending delays short (those events are delivered at once),
// waits for deliveries in flight, then cancels the context targets were given. It is idempotent.
func (b *Bus) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.cut)
	}
	b.mu.Unlock()
	b.inflight.Wait()
	b.cancel()
}
