package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runTwoInstance is the two-instance drill: two servers, both with WORKERS=true, on
// one MariaDB database behind HAProxy (round robin, loopback only).
func runTwoInstance(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("twoinstance", flag.ContinueOnError)
	dsn := fs.String("dsn", defaultDSN, "MariaDB server DSN (127.0.0.1 only); the drill creates and drops its own database")
	repo := fs.String("repo", ".", "repository root (the server binary is built from it)")
	haproxyBin := fs.String("haproxy", "haproxy", "the HAProxy binary")
	units := fs.Int("units", 600, "rooms (voters) of the generated roster, 50 to 5000")
	clients := fs.Int("clients", 32, "concurrent clients, 1 to 100")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *units < 50 || *units > 5000 || *clients < 1 || *clients > 100 {
		return fmt.Errorf("-units must lie in 50..5000, -clients in 1..100")
	}
	if _, err := loopbackDSN(*dsn); err != nil {
		return err
	}
	haproxyPath, err := exec.LookPath(*haproxyBin)
	if err != nil {
		return fmt.Errorf("HAProxy not found (Debian: apt-get install haproxy): %w", err)
	}
	ctx, cancel := deadline(ctx, 8*time.Minute)
	defer cancel()
	w, err := newWorkspace(ctx, *repo, *dsn)
	if err != nil {
		return err
	}
	defer w.cleanup()

	dbDSN, err := w.createDB(ctx, "two")
	if err != nil {
		return err
	}
	secret := randomHex(32)
	// HAProxy reaches the servers from 127.0.0.1 and adds X-Forwarded-For: the servers
	// trust it, so each owner is counted by its own address (the ceiling check below).
	env := []string{"WORKERS=true", "LOG_LEVEL=info", "TRUSTED_PROXIES=127.0.0.1", fmt.Sprintf("BALLOT_RATE_LIMIT=%d", ceilingPerInstance)}
	specA := serverSpec{name: "a", driver: "mysql", dsn: dbDSN, dataDir: filepath.Join(w.dir, "a"), secret: secret, env: env}
	specB := serverSpec{name: "b", driver: "mysql", dsn: dbDSN, dataDir: filepath.Join(w.dir, "b"), secret: secret, env: env}
	// One after the other: the first applies the migrations and seeds the demo data.
	a, err := w.start(ctx, specA)
	if err != nil {
		return err
	}
	defer a.stop()
	b, err := w.start(ctx, specB)
	if err != nil {
		return err
	}
	defer b.stop()
	lb, stopLB, err := startHAProxy(ctx, w, haproxyPath, a, b)
	if err != nil {
		return err
	}
	defer stopLB()
	fmt.Printf("twoinstance: a=%s b=%s haproxy=%s (round robin), both WORKERS=true, one MariaDB database\n", a.addr, b.addr, lb)

	var c checks
	hc := newHTTPClient()
	viaLB := &apiClient{hc: hc, base: "http://" + lb}
	if err := viaLB.signIn(ctx, streetUser, streetPassword); err != nil {
		return err
	}
	onA := &apiClient{hc: hc, base: a.url(), token: viaLB.token}
	onB := &apiClient{hc: hc, base: b.url(), token: viaLB.token}

	// 1. Casts through both instances.
	f, err := setupVote(ctx, viaLB, *units, 2*time.Hour)
	if err != nil {
		return err
	}
	perBackend, acked, statuses := castThrough(ctx, hc, viaLB.base, f.creds, *clients)
	storedA, errA := ballots(ctx, onA, f.voteID)
	storedB, errB := ballots(ctx, onB, f.voteID)
	if err := errors.Join(errA, errB); err != nil {
		return err
	}
	missing := 0
	storedSet := map[string]bool{}
	for _, bl := range storedA {
		storedSet[normalise(bl.Receipt)] = true
	}
	for _, r := range acked {
		if !storedSet[r] {
			missing++
		}
	}
	fmt.Printf("twoinstance: casts answers %v, answered by backend %v, stored a=%d b=%d\n", statuses, perBackend, len(storedA), len(storedB))
	c.check(perBackend["a"] > 0 && perBackend["b"] > 0 && len(acked) == len(f.creds) && missing == 0 && len(storedA) == len(storedB) && len(storedA) == len(acked),
		"casts through both", "%d voters, %d acknowledged (a %d, b %d), %d missing, each instance lists %d/%d",
		len(f.creds), len(acked), perBackend["a"], perBackend["b"], missing, len(storedA), len(storedB))

	// 2. Sessions: an API token and a web session made on one instance work on the other.
	status, _, err := onB.call(ctx, "GET", "/api/v1/me", nil, nil)
	if err != nil {
		return err
	}
	tokA := &apiClient{hc: hc, base: a.url()}
	if err := tokA.signIn(ctx, "committee", "Demo2026committee"); err != nil {
		return err
	}
	tokB := &apiClient{hc: hc, base: b.url(), token: tokA.token}
	statusB, _, err := tokB.call(ctx, "GET", "/api/v1/me", nil, nil)
	if err != nil {
		return err
	}
	revoked, _, err := tokB.call(ctx, "DELETE", "/api/v1/auth/token", nil, nil)
	if err != nil {
		return err
	}
	afterRevoke, _, err := (&apiClient{hc: hc, base: a.url(), token: tokA.token}).call(ctx, "GET", "/api/v1/me", nil, nil)
	if err != nil {
		return err
	}
	c.check(status == 200 && statusB == 200 && revoked/100 == 2 && afterRevoke == 401, "API token shared",
		"token from the balancer on b: %d; token from a on b: %d; revoked on b: %d; then on a: %d (want 401)", status, statusB, revoked, afterRevoke)
	web, err := webSessionAcross(ctx, hc, a, b)
	if err != nil {
		return err
	}
	c.check(web.ok(), "web session shared", "%s", web)

	// 3. A vote closed exactly once, by whichever closer claims it.
	if err := closeOnce(ctx, w, &c, hc, viaLB, onA, onB, *clients); err != nil {
		return err
	}

	// 4. The identity-check limit is the database's, not each instance's.
	if err := limitCoherent(ctx, &c, viaLB, onA, onB, f); err != nil {
		return err
	}

	// 5. The per-address ceiling behind the balancer: counted per instance, by the
	// owner's own address (not the balancer's), and not fooled by a forged header.
	if err := ceilingPerAddress(ctx, &c, lb); err != nil {
		return err
	}
	return c.err()
}

// startHAProxy writes a round-robin configuration for a and b on a free loopback
// port, starts HAProxy in the foreground and returns its address and a stop func.
func startHAProxy(ctx context.Context, w *workspace, bin string, a, b *server) (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cfg := fmt.Sprintf(`global
    maxconn 512
defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend drill
    bind %s
    default_backend gongzhi
backend gongzhi
    balance roundrobin
    http-response set-header X-Drill-Backend %%s
    server a %s
    server b %s
`, addr, a.addr, b.addr)
	path := filepath.Join(w.dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return "", nil, err
	}
	if out, err := exec.CommandContext(ctx, bin, "-c", "-f", path).CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("haproxy -c: %w: %s", err, out)
	}
	logf, err := os.Create(filepath.Join(w.dir, "haproxy.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return "", nil, fmt.Errorf("starting haproxy: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	for i := 0; ; i++ {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return addr, stop, nil
		}
		if i == 50 {
			stop()
			return "", nil, fmt.Errorf("haproxy is not listening on %s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// castThrough casts every credential's ballot through base with n clients and
// returns the 201s per backend (HAProxy's X-Drill-Backend), the acknowledged
// receipts and the count of every status.
func castThrough(ctx context.Context, hc *http.Client, base string, creds []credential, n int) (map[string]int, []string, map[int]int) {
	var mu sync.Mutex
	perBackend := map[string]int{}
	statuses := map[int]int{}
	var acked []string
	queue := make(chan credential)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &apiClient{hc: hc, base: base}
			for cr := range queue {
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/ballots/"+cr.Token,
					bytes.NewReader(mustJSON(map[string]any{"id_check": cr.idCheck, "choices": choicesFor(cr.VoterID)})))
				req.Header.Set("Content-Type", "application/json")
				var out struct {
					Receipt string `json:"receipt"`
				}
				resp, err := cl.hc.Do(req)
				status, backend := 0, ""
				if err == nil {
					status, backend = resp.StatusCode, resp.Header.Get("X-Drill-Backend")
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					_ = jsonUnmarshal(body, &out)
				}
				mu.Lock()
				statuses[status]++
				if status == 201 {
					perBackend[backend]++
					acked = append(acked, normalise(out.Receipt))
				}
				mu.Unlock()
			}
		}()
	}
	for _, cr := range creds {
		select {
		case queue <- cr:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
	return perBackend, acked, statuses
}

// webOutcome is what the web-session check saw.
type webOutcome struct {
	login, pageOnB, logoutOnB, pageOnAAfter int
	location                                string
}

func (o webOutcome) ok() bool {
	return o.login == 303 && o.pageOnB == 200 && o.logoutOnB == 303 && o.pageOnAAfter == 303
}

func (o webOutcome) String() string {
	return fmt.Sprintf("sign-in on a: %d; /estates on b with a's cookie: %d; sign-out on b: %d; /estates on a afterwards: %d → %s",
		o.login, o.pageOnB, o.logoutOnB, o.pageOnAAfter, o.location)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// webSessionAcross signs in through a's login form, uses the cookie on b, signs
// out on b and checks a no longer honours it.
func webSessionAcross(ctx context.Context, hc *http.Client, a, b *server) (webOutcome, error) {
	var out webOutcome
	cookies := map[string]string{}
	do := func(method, url string, form url.Values) (int, string, string, error) {
		var body io.Reader
		if form != nil {
			body = bytes.NewReader([]byte(form.Encode()))
		}
		req, err := http.NewRequestWithContext(ctx, method, url, body)
		if err != nil {
			return 0, "", "", err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept", "text/html")
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", "", err
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		for _, c := range resp.Cookies() {
			if c.Value == "" || c.MaxAge < 0 {
				delete(cookies, c.Name)
			} else {
				cookies[c.Name] = c.Value
			}
		}
		csrf := ""
		if m := csrfField.FindSubmatch(page); m != nil {
			csrf = string(m[1])
		}
		return resp.StatusCode, csrf, resp.Header.Get("Location"), nil
	}
	_, csrf, _, err := do("GET", a.url()+"/login", nil)
	if err != nil {
		return out, err
	}
	if out.login, _, _, err = do("POST", a.url()+"/login", url.Values{"username": {streetUser}, "password": {streetPassword}, "_csrf": {csrf}}); err != nil {
		return out, err
	}
	if out.pageOnB, csrf, _, err = do("GET", b.url()+"/estates", nil); err != nil {
		return out, err
	}
	session := cookies["gz_session"]
	if out.logoutOnB, _, _, err = do("POST", b.url()+"/logout", url.Values{"_csrf": {csrf}}); err != nil {
		return out, err
	}
	if session != "" {
		cookies["gz_session"] = session // a stolen copy of the cookie must not outlive the sign-out
	}
	if out.pageOnAAfter, _, out.location, err = do("GET", a.url()+"/estates", nil); err != nil {
		return out, err
	}
	return out, nil
}

// closeOnce drafts a vote closing in about a minute, casts a few ballots through the
// balancer, waits for the automatic close and checks there was exactly one, and
// that both instances give the same result.
func closeOnce(ctx context.Context, w *workspace, c *checks, hc *http.Client, viaLB, onA, onB *apiClient, clients int) error {
	f, err := setupVote(ctx, viaLB, 60, 75*time.Second)
	if err != nil {
		return err
	}
	_, acked, _ := castThrough(ctx, hc, viaLB.base, f.creds[:40], min(clients, 8))
	closesBy := time.Now().Add(75*time.Second + 45*time.Second) // closes_at + two closer ticks and slack
	fmt.Printf("twoinstance: vote %d closes in 75 s; %d ballots cast; waiting for the automatic close\n", f.voteID, len(acked))
	var vote struct {
		State string `json:"state"`
	}
	for {
		if err := onA.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d", f.voteID), nil, &vote); err != nil {
			return err
		}
		if vote.State != "open" || time.Now().After(closesBy) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	var events []struct {
		Kind  string `json:"kind"`
		Actor string `json:"actor"`
	}
	if err := onB.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/events", f.voteID), nil, &events); err != nil {
		return err
	}
	closes := 0
	for _, e := range events {
		if e.Kind == "vote.close" {
			closes++
		}
	}
	_, resA, errA := onA.call(ctx, "GET", fmt.Sprintf("/api/v1/votes/%d/results", f.voteID), nil, nil)
	_, resB, errB := onB.call(ctx, "GET", fmt.Sprintf("/api/v1/votes/%d/results", f.voteID), nil, nil)
	if err := errors.Join(errA, errB); err != nil {
		return err
	}
	byA, byB := strings.Count(w.log("a"), `msg="closed votes"`), strings.Count(w.log("b"), `msg="closed votes"`)
	c.check(vote.State == "closed" && closes == 1 && byA+byB == 1, "vote closed exactly once",
		"state %q, %d vote.close event(s) in the trail; closers that closed a vote: a %d, b %d", vote.State, closes, byA, byB)
	c.check(bytes.Equal(resA, resB) && len(resA) > 0, "same results on a and b", "%d bytes from a, %d from b, identical: %v", len(resA), len(resB), bytes.Equal(resA, resB))
	return nil
}

// limitCoherent sends wrong identity checks to one link alternately on a and b,
// then the right answer: the link must lock after the profile's number of attempts,
// counted once across the instances.
func limitCoherent(ctx context.Context, c *checks, viaLB, onA, onB *apiClient, f *fixture) error {
	var profiles []struct {
		Code     string `json:"code"`
		Attempts int    `json:"identity_check_attempts"`
	}
	if err := viaLB.must(ctx, 200, "GET", "/api/v1/profiles", nil, &profiles); err != nil {
		return err
	}
	attempts := 0
	for _, p := range profiles {
		if p.Code == "national" {
			attempts = p.Attempts
		}
	}
	if attempts == 0 {
		return errors.New("no identity_check_attempts in the national profile")
	}
	// A new vote: the first one's voters have all voted.
	g, err := setupVote(ctx, viaLB, 50, 2*time.Hour)
	if err != nil {
		return err
	}
	cred := g.creds[0]
	wrong := "000000"
	if cred.idCheck == wrong {
		wrong = "111111"
	}
	owner := &apiClient{hc: onA.hc}
	var seen []int
	for i := range attempts {
		owner.base = []string{onA.base, onB.base}[i%2]
		status, _, err := cast(ctx, owner, cred, wrong)
		if err != nil {
			return err
		}
		seen = append(seen, status)
	}
	owner.base = []string{onA.base, onB.base}[attempts%2]
	right, _, err := cast(ctx, owner, cred, cred.idCheck)
	if err != nil {
		return err
	}
	var events []struct {
		Kind string `json:"kind"`
	}
	if err := onA.must(ctx, 200, "GET", fmt.Sprintf("/api/v1/votes/%d/events", g.voteID), nil, &events); err != nil {
		return err
	}
	failures := 0
	for _, e := range events {
		if e.Kind == "id_check_failed" {
			failures++
		}
	}
	// The other voters' links are unaffected.
	other, _, err := cast(ctx, owner, g.creds[1], g.creds[1].idCheck)
	if err != nil {
		return err
	}
	c.check(right == 403 && other == 201, "guess limit coherent",
		"%d wrong answers alternating a/b answered %v; then the right answer: %d (want 403, locked); %d id_check_failed events; another voter: %d",
		attempts, seen, right, failures, other)
	return nil
}

// ceilingPerInstance is BALLOT_RATE_LIMIT for both servers of the drill: above the
// cast load's share per instance (the drill's own client sends it from 127.0.0.1),
// low enough for the ceiling check to reach it in a few seconds.
const ceilingPerInstance = 1000

// ceilingPerAddress sends owner-route requests through the balancer from 127.0.0.3
// until well past two instances' ceilings: between 2 × the ceiling and that plus
// what the buckets refill meanwhile must pass, the rest get 429 with Retry-After.
// Then the same address with a forged X-Forwarded-For is still refused, and an
// owner on 127.0.0.4 is not.
func ceilingPerAddress(ctx context.Context, c *checks, lb string) error {
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 32}}
	}
	get := func(hc *http.Client, forged string) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", "http://"+lb+"/api/v1/ballots/drill-no-such-link", nil)
		if err != nil {
			return 0, "", err
		}
		if forged != "" {
			req.Header.Set("X-Forwarded-For", forged)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, "", err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After"), nil
	}
	owner := from("127.0.0.3")
	total := 2*ceilingPerInstance + 400
	var mu sync.Mutex
	passed, limited, retryAfter := 0, 0, 0
	var firstErr error
	start := time.Now()
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				st, ra, err := get(owner, "")
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
				case st == http.StatusTooManyRequests:
					limited++
					if ra != "" {
						retryAfter++
					}
				default:
					passed++
				}
				mu.Unlock()
			}
		}()
	}
	for range total {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return fmt.Errorf("ceiling check: %w", firstErr)
	}
	// Each instance's bucket refills at ceiling/minute while the burst runs.
	refill := int(2*float64(ceilingPerInstance)*elapsed.Minutes()) + 10 // + slack: the servers' clocks start before ours
	forged, _, err := get(owner, "203.0.113.9")
	if err != nil {
		return err
	}
	neighbour, _, err := get(from("127.0.0.4"), "")
	if err != nil {
		return err
	}
	c.check(passed >= 2*ceilingPerInstance && passed <= 2*ceilingPerInstance+refill && limited == retryAfter && limited > 0 &&
		forged == http.StatusTooManyRequests && neighbour != http.StatusTooManyRequests,
		"per-address ceiling per instance",
		"%d requests from 127.0.0.3 in %s: %d passed (want %d..%d: %d per instance plus refill), %d × 429 (%d with Retry-After); forged X-Forwarded-For from the same owner: %d (want 429); another owner: %d",
		total, elapsed.Round(time.Millisecond), passed, 2*ceilingPerInstance, 2*ceilingPerInstance+refill, ceilingPerInstance, limited, retryAfter, forged, neighbour)
	return nil
}
