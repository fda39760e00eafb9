package handlers_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// answersOf maps each room of a roster CSV to the identity-check answer.
func answersOf(t *testing.T, roster []byte) map[string]string { return fixtures.IDChecksOf(t, roster) }

var (
	reCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	rePass = regexp.MustCompile(`name="pass" value="([^"]+)"`)
)

// tally counts responses by status, and keeps the first unexpected one.
type tally struct {
	mu     sync.Mutex
	counts map[int]int
	first  string
}

func (s *tally) add(step string, r handlertest.Response, want int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[r.Status]++
	if r.Status != want && s.first == "" {
		body := string(r.Body)
		if len(body) > 300 {
			body = body[:300]
		}
		s.first = fmt.Sprintf("%s: %d %s", step, r.Status, body)
	}
	return r.Status == want
}

// ownerWeb votes through every step of the owner's web flow: open the link, the
// identity check, review, cast, the receipt (the cast's answer or a redirect to it).
func ownerWeb(env *voteEnv, s *tally, token, answer string) {
	page := "/b/" + token
	b := env.Browser()
	r := b.Get(page)
	m := reCSRF.FindSubmatch(r.Body)
	if !s.add("open", r, 200) || m == nil {
		return
	}
	csrf := html.UnescapeString(string(m[1]))
	r = b.Post(page+"/check", url.Values{"_csrf": {csrf}, "id_check": {answer}})
	p := rePass.FindSubmatch(r.Body)
	if !s.add("check", r, 200) || p == nil {
		return
	}
	choose := url.Values{"_csrf": {csrf}, "pass": {html.UnescapeString(string(p[1]))}, "c.dismiss": {"agree"}, "c.fund": {"oppose"}}
	if !s.add("review", b.Post(page+"/review", choose), 200) {
		return
	}
	r = b.Post(page+"/cast", choose)
	if r.Status == http.StatusOK { // the receipt is the cast's answer
		s.add("cast", r, http.StatusOK)
		return
	}
	if s.add("cast", r, http.StatusSeeOther) { // or a redirect to it
		s.add("receipt", b.Get(page+"/receipt"), 200)
	}
}

// ownerAPI votes through the JSON API: read the ballot, cast it.
func ownerAPI(env *voteEnv, s *tally, token, answer string) {
	if !s.add("api read", env.API("GET", "/api/v1/ballots/"+token, "", nil), 200) {
		return
	}
	s.add("api cast", env.cast(token, answer, map[string]any{"dismiss": "agree", "fund": "abstain"}), 201)
}

// An assembly on one Wi-Fi: 300 owners behind one address vote through every step of
// the web flow and 300 more through the API, as fast as the test can send them
// (stricter than the 60 s of the report), under the product's default ceilings:
// every one votes and none is refused with 429.
func TestAssemblyOnOneAddressAllVote(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		// "" restores the product's defaults instead of the tests' generous ones.
		env := newVoteEnv(t, db, handlertest.Options{Config: map[string]string{"BALLOT_RATE_LIMIT": "", "LOGIN_RATE_LIMIT": ""}})
		tok := env.DemoToken("street")
		roster := fixture(t, "roster-medium.csv")
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", env.Demo.EstateID), tok, "roster.csv", roster); r.Status != 200 {
			t.Fatalf("roster import: %d %s", r.Status, r.Body)
		}
		voteID := env.openDemoVote(t, tok)
		answers := answersOf(t, roster)
		type owner struct{ token, answer string }
		var owners []owner
		seen := map[string]bool{}
		for room, c := range env.credentials(t, tok, voteID) {
			if !seen[c.Token] && len(owners) < 600 {
				seen[c.Token] = true
				owners = append(owners, owner{c.Token, answers[room]})
			}
		}
		if len(owners) < 600 {
			t.Fatalf("only %d voters in the fixture", len(owners))
		}
		s := &tally{counts: map[int]int{}}
		work := make(chan int)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					if i < 300 {
						ownerWeb(env, s, owners[i].token, owners[i].answer)
					} else {
						ownerAPI(env, s, owners[i].token, owners[i].answer)
					}
				}
			}()
		}
		for i := range owners {
			work <- i
		}
		close(work)
		wg.Wait()
		t.Logf("responses by status: %v", s.counts)
		if s.counts[http.StatusOK]+s.counts[http.StatusCreated]+s.counts[http.StatusSeeOther] < 300*4+300*2 {
			t.Errorf("fewer answered steps than 300 × 4 on the web and 300 × 2 through the API: %v", s.counts)
		}
		if n := s.counts[http.StatusTooManyRequests]; n != 0 {
			t.Errorf("%d × 429 for owners of one assembly; first: %s", n, s.first)
		}
		if s.first != "" {
			t.Errorf("an owner's step failed: %s", s.first)
		}
		var cast int64
		if err := env.DB.Model(&models.Ballot{}).Where("vote_id = ?", voteID).Count(&cast).Error; err != nil {
			t.Fatal(err)
		}
		if cast != 600 {
			t.Errorf("%d ballots stored, want 600", cast)
		}
	})
}

// A flood from one address well past the ceiling is refused with 429, a message that
// says when to retry, and Retry-After; another address is not affected.
func TestFloodPastTheCeilingRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.NewWith(t, db, map[string]string{"BALLOT_RATE_LIMIT": "40"})
		var refused handlertest.Response
		passed := 0
		for range 100 {
			r := env.API("GET", "/api/v1/ballots/no-such-link-0123456789abcdef", "", nil)
			if r.Status == http.StatusTooManyRequests {
				refused = r
				continue
			}
			passed++
		}
		if passed != 40 {
			t.Errorf("%d of 100 requests passed a ceiling of 40 a minute", passed)
		}
		if refused.Status != http.StatusTooManyRequests || refused.ErrorCode() != "rate_limited" {
			t.Fatalf("flood: %d %s", refused.Status, refused.Body)
		}
		if ra, err := strconv.Atoi(refused.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After = %q", refused.Header.Get("Retry-After"))
		}
		if msg := errorMessage(refused); !strings.Contains(msg, "秒后再试") {
			t.Errorf("429 message %q does not say when to retry", msg)
		}
		// The web pages of the same address: an HTML page with the message.
		r := env.Browser().Get("/b/no-such-link-0123456789abcdef")
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "秒后再试") {
			t.Errorf("web flood: %d %q", r.Status, r.Header.Get("Retry-After"))
		}
	})
}

// serve runs the application on a real listener on 127.0.0.1 and returns its address.
func serve(t *testing.T, env *handlertest.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.App.Listener(ln) }()
	t.Cleanup(func() { _ = env.App.Shutdown() })
	return ln.Addr().String()
}

// clientFrom is an HTTP client whose connections come from the local address from.
func clientFrom(t *testing.T, from string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// Behind a reverse proxy: X-Forwarded-For is honoured only from TRUSTED_PROXIES, and
// then its right-most address that is not a trusted proxy is the client. A client
// talking to the server directly cannot choose its address by sending the header.
func TestTrustedProxiesAndForwardedFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.NewWith(t, db, map[string]string{"BALLOT_RATE_LIMIT": "2", "TRUSTED_PROXIES": "127.0.0.2/32, 10.0.0.0/8"})
		addr := serve(t, env)
		get := func(c *http.Client, xff string) int {
			req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/ballots/no-such-link-0123456789abcdef", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", "application/json")
			if xff != "" {
				req.Header.Set("X-Forwarded-For", xff)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("request from a local address (needs 127.0.0.0/8 on lo): %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		// An untrusted peer: three different forged addresses are one client.
		direct := clientFrom(t, "127.0.0.3")
		got := []int{get(direct, "203.0.113.1"), get(direct, "203.0.113.2"), get(direct, "203.0.113.3")}
		if got[2] != http.StatusTooManyRequests {
			t.Errorf("a forged X-Forwarded-For from an untrusted peer was honoured: %v", got)
		}
		// The trusted proxy: each forwarded owner has a ceiling of its own.
		proxy := clientFrom(t, "127.0.0.2")
		for _, xff := range []string{"198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.1"} {
			if s := get(proxy, xff); s == http.StatusTooManyRequests {
				t.Errorf("owner %s behind the trusted proxy refused: %d", xff, s)
			}
		}
		// What the owner put in front of the chain is ignored: the right-most untrusted
		// hop (198.51.100.1, now at its third request) is the client; the trusted inner
		// proxy 10.1.2.3 is skipped.
		if s := get(proxy, "192.0.2.77, 198.51.100.1, 10.1.2.3"); s != http.StatusTooManyRequests {
			t.Errorf("a forged left-most address escaped the ceiling: %d", s)
		}
	})
}

// bigForm is a url-encoded form of about n bytes.
func bigForm(n int) string { return "_csrf=x&id_check=123456&pad=" + strings.Repeat("a", n) }

// A public route refuses a body past its limit with 413 and a message naming the
// limit: JSON for the API, a page for the web.
func TestPublicRoutesRefuseLargeBodies(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		r := env.API("POST", "/api/v1/ballots/no-such-link-0123456789abcdef", "", `{"id_check":"`+strings.Repeat("1", 2<<20)+`"}`)
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(errorMessage(r), "1 MB") {
			t.Errorf("2 MB JSON to the ballot API: %d %s", r.Status, r.Body[:min(len(r.Body), 300)])
		}
		req := httptest.NewRequest("POST", "/b/no-such-link-0123456789abcdef/cast", strings.NewReader(bigForm(2<<20)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		r = env.Do(req)
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.Body), "1 MB") || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("2 MB form to the web cast: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		// A compressed body would unpack past any limit: refused.
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write([]byte(`{"id_check":"123456"}`))
		_ = zw.Close()
		req = httptest.NewRequest("POST", "/api/v1/ballots/no-such-link-0123456789abcdef", &gz)
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Content-Type", "application/json")
		if r := env.Do(req); r.Status != http.StatusUnsupportedMediaType {
			t.Errorf("gzip body: %d %s", r.Status, r.Body)
		}
		// An ordinary small body still works.
		if r := env.API("POST", "/api/v1/ballots/no-such-link-0123456789abcdef", "", map[string]any{"id_check": "123456"}); r.Status != http.StatusNotFound {
			t.Errorf("small body: %d %s", r.Status, r.Body)
		}
	})
}

// bigRoster is a valid roster CSV of 3,000 units (buildings of 2 units × 30 floors × 4
// rooms, one owner each with a valid ID number) with a remarks column (unknown columns
// are ignored) of about 1 KB a row: 3 MB.
func bigRoster() []byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	const checks = "10X98765432"
	var buf bytes.Buffer
	buf.WriteString("building,unit,room,area,owner_name,id_number,phone,owner_kind,representative,remarks\n")
	remark := strings.Repeat("交房时已验收，车位另行登记。", 25) // 1,000 bytes
	for i := range 3000 {
		building, unit, floor, room := i/240+1, i/120%2+1, i/4%30+1, i%4+1
		born := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
		id := fmt.Sprintf("110101%s%03d", born.Format("20060102"), i%900)
		sum := 0
		for k := range 17 {
			sum += int(id[k]-'0') * weights[k]
		}
		id += string(checks[sum%11])
		fmt.Fprintf(&buf, "%d,%d,%d%02d,%d.%02d,业主%d,%s,139%08d,person,1,%s\n", building, unit, floor, room, 80+i%60, i%100, i, id, i, remark)
	}
	return buf.Bytes()
}

// Signed-in uploads still take large bodies: a roster of several MB imports through
// the API and the web form.
func TestLargeRosterStillImports(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		data := bigRoster()
		if len(data) < 3<<20 {
			t.Fatalf("the roster is only %d bytes", len(data))
		}
		r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), env.DemoToken("street"), "big.csv", data)
		if r.Status != 200 {
			t.Fatalf("3 MB roster through the API: %d %s", r.Status, r.Body[:min(len(r.Body), 300)])
		}
		units := r.Map(t)["units"].(float64)
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := fmt.Sprintf("/estates/%d/roster", estate)
		r = awaitImport(t, b, b.SubmitFile(page, page, "file", "big.csv", data, nil))
		if !strings.Contains(string(r.Body), "导入完成") {
			t.Fatalf("3 MB roster through the web: %d %s", r.Status, r.Body[:min(len(r.Body), 300)])
		}
		if n := countUnits(t, env, estate); float64(n) != units || n != 3000 {
			t.Errorf("units after import: %d (API said %v)", n, units)
		}
		// The web upload still checks its CSRF token.
		r = b.SubmitFile(page, page, "file", "big.csv", data, url.Values{"_csrf": {"forged"}})
		if r.Status != http.StatusForbidden {
			t.Errorf("web upload with a forged token: %d", r.Status)
		}
	})
}

// rawPost sends the head of a POST that announces a 60 MB body and only the first
// 64 KB of it, and returns the status line of the answer. A server that waited for
// the body before answering would not answer at all (the read deadline is a guard
// against a hang, not a measured time).
func rawPost(t *testing.T, addr, path, headers string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: test.local\r\nContent-Length: 62914560\r\n" + headers + "\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write(make([]byte, 64<<10))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// Anonymous callers cannot make the server hold large bodies: a 60 MB POST to a
// public route, or to an upload route without signing in, is answered before its body
// is read; eight of them at once as well.
func TestLargeBodiesRefusedBeforeReading(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		addr := serve(t, env)
		estate := estateID(t, env, "阳光花园")
		multipart := "Content-Type: multipart/form-data; boundary=XYZ\r\nAccept: application/json\r\n"
		cases := []struct{ path, headers, want string }{
			{"/api/v1/ballots/no-such-link-0123456789abcdef", "Content-Type: application/json\r\n", " 413 "},
			{"/b/no-such-link-0123456789abcdef/cast", "Content-Type: application/x-www-form-urlencoded\r\n", " 413 "},
			{"/verify", multipart, " 413 "},
			{fmt.Sprintf("/api/v1/estates/%d/roster", estate), multipart, " 401 "},
			{fmt.Sprintf("/estates/%d/roster", estate), multipart, " 303 "}, // to the sign-in page
			{"/api/v1/ballots/no-such-link-0123456789abcdef", multipart, " 413 "},
		}
		for _, c := range cases {
			if got := rawPost(t, addr, c.path, c.headers); !strings.Contains(got, c.want) {
				t.Errorf("60 MB POST %s: %q, want a status starting %q", c.path, got, c.want)
			}
		}
		// Without a length (chunked): read up to the limit, then refused.
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, _ = conn.Write([]byte("POST /api/v1/ballots/no-such-link-0123456789abcdef HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"))
			chunk := fmt.Sprintf("%x\r\n%s\r\n", 64<<10, strings.Repeat("a", 64<<10))
			for range 32 {
				if _, err := conn.Write([]byte(chunk)); err != nil {
					return
				}
			}
			_, _ = conn.Write([]byte("0\r\n\r\n"))
		}()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if line, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.Contains(line, " 413 ") {
			t.Errorf("chunked 2 MB: %q %v", line, err)
		}
		conn.Close()
		var wg sync.WaitGroup
		var answered atomic.Int32
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", addr)
				if err != nil {
					return
				}
				defer conn.Close()
				_, _ = conn.Write([]byte("POST /api/v1/ballots/no-such-link-0123456789abcdef HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 62914560\r\n\r\n"))
				_, _ = conn.Write(make([]byte, 64<<10))
				_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
				if line, err := bufio.NewReader(conn).ReadString('\n'); err == nil && strings.Contains(line, " 413 ") {
					answered.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := answered.Load(); n != 8 {
			t.Errorf("%d of 8 concurrent 60 MB POSTs answered 413 after 64 KB of their bodies", n)
		}
	})
}

// The public verification upload takes files past 1 MB, hashed as they stream: the
// digest and size are the file's; a forged CSRF token is refused; past its limit, 413.
func TestVerifyUploadStreams(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		data := bytes.Repeat([]byte("%PDF-1.4 not a stored document\n"), (3<<20)/31)
		b := env.Browser()
		r := b.SubmitFile("/verify", "/verify", "file", "copy.pdf", data, nil)
		sum := sha256.Sum256(data)
		if got := strings.TrimSpace(vwDoc(t, r).Find("#upload-sha256").Text()); r.Status != 200 || got != hex.EncodeToString(sum[:]) {
			t.Fatalf("3 MB verification: %d, digest %q", r.Status, got)
		}
		if r := b.SubmitFile("/verify", "/verify", "file", "copy.pdf", data, url.Values{"_csrf": {"forged"}}); r.Status != http.StatusForbidden {
			t.Errorf("forged token: %d", r.Status)
		}
		if r := b.SubmitFile("/verify", "/verify", "other", "copy.pdf", data[:100], nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("no file field: %d", r.Status)
		}
		if r := b.SubmitFile("/verify", "/verify", "file", "big.pdf", make([]byte, 34<<20), nil); r.Status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(string(r.Body), "33 MB") {
			t.Errorf("34 MB verification: %d", r.Status)
		}
	})
}
