package asl

import (
	"container/heap"
	"sync"
	"time"
)

// Clock is the interpreter's source of time: Wait states, retry delays, TimeoutSeconds,
// HeartbeatSeconds and history timestamps all go through it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f once, in its own goroutine or synchronously, after d has elapsed.
	// stop prevents the call if it has not happened yet and reports whether it did so.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// activity is implemented by clocks that need to know when the interpreter is idle
// (FakeClock advances time only then).
type activity interface {
	busy()
	idle()
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ScaledClock is the wall clock sped up by Factor (> 1 runs faster): simulated time starts at
// the real time of NewScaledClock and advances Factor simulated seconds per real second.
type ScaledClock struct {
	Factor float64
	base   time.Time
}

// NewScaledClock returns a clock running factor times faster than real time; factor <= 0 is 1.
func NewScaledClock(factor float64) *ScaledClock {
	if factor <= 0 {
		factor = 1
	}
	return &ScaledClock{Factor: factor, base: time.Now()}
}

// Now returns the simulated time.
func (c *ScaledClock) Now() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.base)) * c.Factor))
}

// AfterFunc calls f after d of simulated time.
func (c *ScaledClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(time.Duration(float64(d)/c.Factor), f).Stop
}

// FakeClock is a manual clock for tests. Time moves only through Advance, or, when created with
// auto set, by itself: whenever every goroutine of the interpreter is blocked waiting (on a
// timer, a task token or a child), it jumps to the next pending timer. Code outside the
// interpreter that is about to act (for example a test goroutine that will send a task token)
// calls Hold to keep time still until it releases. An AfterFunc callback that hands work to
// another goroutine (an emulator completing a job, then an event sending the token) should
// call Hold before returning and release once that work has reached the interpreter, or time
// runs on past it.
type FakeClock struct {
	mu        sync.Mutex
	now       time.Time
	timers    timerHeap
	seq       int64
	active    int
	auto      bool
	advancing bool
}

// NewFakeClock returns a fake clock at start; auto makes it advance by itself when idle.
func NewFakeClock(start time.Time, auto bool) *FakeClock {
	return &FakeClock{now: start, auto: auto}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d; d <= 0 calls f at once, synchronously.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	if d <= 0 {
		f()
		return func() bool { return false }
	}
	c.mu.Lock()
	c.seq++
	t := &fakeTimer{when: c.now.Add(d), seq: c.seq, f: f}
	heap.Push(&c.timers, t)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.index < 0 {
			return false
		}
		heap.Remove(&c.timers, t.index)
		return true
	}
}

// Advance moves time forward by d, firing due timers in order.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for len(c.timers) > 0 && !c.timers[0].when.After(target) {
		t := heap.Pop(&c.timers).(*fakeTimer)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// Hold keeps an auto-advancing clock from moving until release is called (once).
func (c *FakeClock) Hold() (release func()) {
	c.busy()
	var once sync.Once
	return func() { once.Do(c.idle) }
}

// Pending returns how many timers are scheduled.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

func (c *FakeClock) busy() {
	c.mu.Lock()
	c.active++
	c.mu.Unlock()
}

func (c *FakeClock) idle() {
	c.mu.Lock()
	c.active--
	if c.active > 0 || !c.auto || c.advancing {
		c.mu.Unlock()
		return
	}
	c.advancing = true
	for c.active == 0 && len(c.timers) > 0 {
		// every timer due at the next instant fires together, so co-timed work runs in parallel
		first := heap.Pop(&c.timers).(*fakeTimer)
		due := []*fakeTimer{first}
		for len(c.timers) > 0 && c.timers[0].when.Equal(first.when) {
			due = append(due, heap.Pop(&c.timers).(*fakeTimer))
		}
		if first.when.After(c.now) {
			c.now = first.when
		}
		c.mu.Unlock()
		for _, t := range due {
			t.f()
		}
		c.mu.Lock()
	}
	c.advancing = false
	c.mu.Unlock()
}

type fakeTimer struct {
	when  time.Time
	seq   int64
	f     func()
	index int
}

type timerHeap []*fakeTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*fakeTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

// mailbox delivers wake-ups to one waiting goroutine. Each posted message carries one unit of
// interpreter activity, handed to the goroutine that receives it, so an auto-advancing FakeClock
// never moves between a wake-up being sent and being handled.
type mailbox struct {
	act    activity
	mu     sync.Mutex
	q      []wake
	closed bool
	sig    chan struct{}
}

func newMailbox(act activity) *mailbox {
	return &mailbox{act: act, sig: make(chan struct{}, 1)}
}

func (m *mailbox) post(w wake) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.act.busy()
	m.q = append(m.q, w)
	m.mu.Unlock()
	select {
	case m.sig <- struct{}{}:
	default:
	}
}

func (m *mailbox) wait() wake {
	m.act.idle()
	for {
		m.mu.Lock()
		if len(m.q) > 0 {
			w := m.q[0]
			m.q = m.q[1:]
			m.mu.Unlock()
			return w
		}
		m.mu.Unlock()
		<-m.sig
	}
}

// close drops undelivered messages, returning their activity, and ignores later posts.
func (m *mailbox) close() {
	m.mu.Lock()
	m.closed = true
	n := len(m.q)
	m.q = nil
	m.mu.Unlock()
	for range n {
		m.act.idle()
	}
}

type noActivity struct{}

func (noActivity) busy() {}
func (noActivity) idle() {}
