package httpx

import (
	"container/list"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
)

// Say translates a message id into the request's language.
type Say func(c *fiber.Ctx, id string, args ...any) string

// MaxLimiterKeys bounds the addresses one Limiter remembers: about 170 bytes each
// (measured with IPv6 keys), so at most ~11 MB per limiter however many addresses call.
const MaxLimiterKeys = 65536

// Limiter is a token bucket per key (a client address): each key may make burst
// requests at once and then rate a second, the same for every key. It is a ceiling
// against floods that protects this instance, not a security boundary: guesses at an
// identity check are limited per link in the database, whatever the address.
//
// Memory is bounded: at most max keys are remembered, least recently used first out.
// A key whose bucket has refilled is forgotten at no loss (a full bucket is what a new
// key gets). When every remembered key was active too recently to be forgotten, new
// keys share one overflow bucket until old ones refill: under a flood from more
// addresses than the table holds, newcomers are limited together rather than the
// flooders being forgotten.
type Limiter struct {
	rate  float64 // tokens a second
	burst float64
	max   int
	clock app.Clock

	mu       sync.Mutex
	keys     map[string]*list.Element
	order    *list.List // of *bucket, most recently used first
	overflow bucket
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time
}

// NewLimiter allows perMinute requests a minute per key, all of them at once if they
// come together (the burst is one minute's worth), and remembers at most maxKeys keys.
// It refills by clock (nil: the system clock).
func NewLimiter(perMinute, maxKeys int, clock app.Clock) *Limiter {
	return &Limiter{rate: float64(perMinute) / 60, burst: float64(perMinute), max: max(maxKeys, 1), clock: app.ClockOrSystem(clock),
		keys: map[string]*list.Element{}, order: list.New(), overflow: bucket{tokens: float64(perMinute)}}
}

// Len is the number of keys remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// Allow takes one token from key's bucket; when there is none it returns false and how
// long until there is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketOf(key, now)
	b.tokens = l.level(b, now)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// level is b's tokens at now.
func (l *Limiter) level(b *bucket, now time.Time) float64 {
	if b.at.IsZero() {
		return b.tokens
	}
	return math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
}

func (l *Limiter) bucketOf(key string, now time.Time) *bucket {
	if e, ok := l.keys[key]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*bucket)
	}
	if len(l.keys) >= l.max {
		oldest := l.order.Back()
		ob := oldest.Value.(*bucket)
		if l.level(ob, now) < l.burst {
			return &l.overflow
		}
		l.order.Remove(oldest)
		delete(l.keys, ob.key)
	}
	b := &bucket{key: key, tokens: l.burst, at: now}
	l.keys[key] = l.order.PushFront(b)
	return b
}

// Proxies are the reverse proxies (TRUSTED_PROXIES) whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

func (p Proxies) trusts(a netip.Addr) bool {
	for _, r := range p {
		if r.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the caller: the connection's peer, unless the peer is
// a trusted proxy; then the right-most address of X-Forwarded-For that is not a
// trusted proxy (each proxy appends the address it received the request from, so the
// entries left of that one are whatever the client chose to send). An entry that is
// not an address ends the walk at the last trusted hop.
func (p Proxies) ClientAddr(c *fiber.Ctx) netip.Addr {
	// No ProxyHeader is configured (handlers/routes.go), so c.IP() is the connection's
	// peer, read as a string rather than through fasthttp's pooled request context.
	peer, _ := netip.ParseAddr(c.IP())
	peer = peer.Unmap()
	if len(p) == 0 || !p.trusts(peer) {
		return peer
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !p.trusts(a) {
			return a
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, with a port or brackets.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

// LimitKey is the limiter key of an address: an IPv4 address itself, an IPv6 address
// by its /64 (one household's or one host's network), so that one caller cannot
// appear as billions of addresses.
func LimitKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// RateLimit refuses a request with 429, a message saying when to retry and a
// Retry-After header once the caller's address has used its bucket of l.
func RateLimit(l *Limiter, proxies Proxies, say Say) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, wait := l.Allow(LimitKey(proxies.ClientAddr(c)))
		if ok {
			return c.Next()
		}
		secs := max(1, int(math.Ceil(wait.Seconds())))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return app.Errorf(app.ERateLimited, "%s", say(c, "limits.too_many", "Seconds", secs))
	}
}
