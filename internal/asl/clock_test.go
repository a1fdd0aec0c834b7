package asl

import (
	"sync"
	"testing"
	"time"
)

func TestFakeClockAdvance(t *testing.T) {
	c := NewFakeClock(testStart, false)
	var mu sync.Mutex
	var fired []string
	rec := func(name string) func() {
		return func() {
			mu.Lock()
			fired = append(fired, name+"@"+c.Now().Sub(testStart).String())
			mu.Unlock()
		}
	}
	c.AfterFunc(3*time.Second, rec("c"))
	c.AfterFunc(time.Second, rec("a"))
	stop := c.AfterFunc(2*time.Second, rec("b"))
	c.AfterFunc(time.Second, rec("a2"))
	if !stop() {
		t.Fatal("stop of a pending timer returned false")
	}
	if stop() {
		t.Fatal("second stop returned true")
	}
	c.Advance(2 * time.Second)
	if got := c.Now().Sub(testStart); got != 2*time.Second {
		t.Errorf("now +%v, want +2s", got)
	}
	c.Advance(5 * time.Second)
	want := []string{"a@1s", "a2@1s", "c@3s"}
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for i := range want {
		if fired[i] != want[i] {
			t.Errorf("fired %v, want %v", fired, want)
		}
	}
	if c.Pending() != 0 {
		t.Errorf("%d timers pending", c.Pending())
	}
}

func TestFakeClockAutoAdvanceAndHold(t *testing.T) {
	c := NewFakeClock(testStart, true)
	release := c.Hold()
	done := make(chan time.Time, 1)
	c.AfterFunc(time.Hour, func() { done <- c.Now() })
	c.busy()
	c.idle() // a goroutine going idle while held does not move time
	if c.Now() != testStart || c.Pending() != 1 {
		t.Fatalf("time moved while held: %v, %d pending", c.Now(), c.Pending())
	}
	release()
	release() // idempotent
	if got := <-done; got.Sub(testStart) != time.Hour {
		t.Errorf("fired at +%v, want +1h", got.Sub(testStart))
	}
}

func TestScaledClock(t *testing.T) {
	c := NewScaledClock(3600)
	before := c.Now()
	fired := make(chan time.Time, 1)
	c.AfterFunc(time.Hour, func() { fired <- c.Now() })
	select {
	case at := <-fired:
		if at.Sub(before) < time.Hour {
			t.Errorf("fired after %v of simulated time, want at least 1h", at.Sub(before))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an hour at 3600x did not pass within 10 real seconds")
	}
	if NewScaledClock(0).Factor != 1 {
		t.Error("factor 0 is not 1")
	}
}
