package app

import (
	"sync"
	"time"
)

// Clock tells the time. Services read the current instant only through the Clock
// given in their options (services.Options.Clock), never from time.Now, so tests
// move time instead of sleeping and one instant is seen by the whole use case.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now is the current instant in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ManualClock is a clock that stands still until it is set or advanced: tests and
// drills drive deadlines with it. Safe for concurrent use. The zero value reads the
// real time until Set is first called.
type ManualClock struct {
	mu  sync.RWMutex
	now time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t.UTC()} }

// Now is the instant the clock stands at.
func (c *ManualClock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.now.IsZero() {
		return time.Now().UTC()
	}
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new instant.
func (c *ManualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		c.now = time.Now().UTC()
	}
	c.now = c.now.Add(d).UTC()
	return c.now
}

// ClockOrSystem returns c, or the system clock when c is nil.
func ClockOrSystem(c Clock) Clock {
	if c == nil {
		return SystemClock{}
	}
	return c
}
