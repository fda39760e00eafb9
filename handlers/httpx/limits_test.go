package httpx

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"gongzhi/app"
)

// A minute's worth at once, then the rate; a refilled key is as good as new.
func TestLimiterBurstThenRate(t *testing.T) {
	clock := app.NewManualClock(time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC))
	l := NewLimiter(60, 10, clock)
	for i := range 60 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of a burst of 60 refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("61st: ok=%v wait=%v, want refused for at most 1 s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key refused")
	}
	clock.Advance(time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("one token a second: refused after a second")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Error("two requests after one second")
	}
	clock.Advance(time.Hour)
	for i := range 60 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("after an hour, request %d refused", i+1)
		}
	}
}

// However many addresses call, the table holds at most max; idle ones make room, and
// when all are recent newcomers share one bucket instead of flooders being forgotten.
func TestLimiterBounded(t *testing.T) {
	clock := app.NewManualClock(time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC))
	l := NewLimiter(2, 100, clock)
	for i := range 100 {
		l.Allow(fmt.Sprint("k", i))
		l.Allow(fmt.Sprint("k", i))
	}
	// The table is full of addresses that used their bucket: newcomers share one.
	allowed := 0
	for i := range 1000 {
		if ok, _ := l.Allow(fmt.Sprint("new", i)); ok {
			allowed++
		}
	}
	if l.Len() != 100 || allowed != 2 {
		t.Errorf("full table: %d keys, %d newcomers allowed; want 100 and the overflow bucket's 2", l.Len(), allowed)
	}
	if ok, _ := l.Allow("k5"); ok {
		t.Error("a flooder was forgotten")
	}
	// A minute later every bucket has refilled: idle keys make room for new ones.
	clock.Advance(time.Minute)
	for i := range 100 {
		if ok, _ := l.Allow(fmt.Sprint("later", i)); !ok {
			t.Fatalf("newcomer %d refused once old keys were idle", i)
		}
	}
	if l.Len() != 100 {
		t.Errorf("%d keys, want at most 100", l.Len())
	}
}

// ctxFrom is a request from peer with the given X-Forwarded-For lines.
func ctxFrom(t *testing.T, app *fiber.App, peer string, xff ...string) *fiber.Ctx {
	t.Helper()
	var fc fasthttp.RequestCtx
	var req fasthttp.Request
	for _, v := range xff {
		req.Header.Add(fiber.HeaderXForwardedFor, v)
	}
	fc.Init(&req, &net.TCPAddr{IP: net.ParseIP(peer), Port: 40000}, nil)
	c := app.AcquireCtx(&fc)
	t.Cleanup(func() { app.ReleaseCtx(c) })
	return c
}

func TestClientAddr(t *testing.T) {
	app := fiber.New()
	proxies := Proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name    string
		proxies Proxies
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies trusted: the header is ignored", nil, "10.1.1.1", []string{"198.51.100.1"}, "10.1.1.1"},
		{"untrusted peer: the header is ignored", proxies, "203.0.113.9", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer: the forwarded client", proxies, "192.0.2.7", []string{"198.51.100.1"}, "198.51.100.1"},
		{"right-most untrusted hop, not the client's choice", proxies, "10.0.0.1", []string{"1.2.3.4, 198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several header lines in order", proxies, "10.0.0.1", []string{"1.2.3.4", "198.51.100.2", "10.0.0.2"}, "198.51.100.2"},
		{"only trusted hops: the left-most of them", proxies, "10.0.0.1", []string{"10.0.0.5"}, "10.0.0.5"},
		{"garbage ends the walk at the last trusted hop", proxies, "10.0.0.1", []string{"1.2.3.4, not-an-address, 10.0.0.3"}, "10.0.0.3"},
		{"no header from a trusted peer: the peer", proxies, "10.0.0.1", nil, "10.0.0.1"},
		{"ports and brackets", proxies, "10.0.0.1", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv4-mapped IPv6 peer", proxies, "::ffff:192.0.2.7", []string{"198.51.100.3"}, "198.51.100.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.proxies.ClientAddr(ctxFrom(t, app, c.peer, c.xff...))
			if got.String() != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

// One IPv6 host or household (a /64) is one key, however many addresses it uses.
func TestLimitKey(t *testing.T) {
	if a, b := LimitKey(netip.MustParseAddr("2001:db8:1:2::1")), LimitKey(netip.MustParseAddr("2001:db8:1:2:ffff::9")); a != b || a != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 keys %s and %s", a, b)
	}
	if k := LimitKey(netip.MustParseAddr("198.51.100.1")); k != "198.51.100.1" {
		t.Errorf("IPv4 key %s", k)
	}
}
