package handlers_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
)

// rawPostLen sends the head of a POST that announces a body of declared bytes and only
// the first 64 KB of it, and returns the status line of the answer: a server that read
// the body before answering would not answer (the deadline guards against a hang).
func rawPostLen(t *testing.T, addr, path, headers string, declared int) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: test.local\r\nContent-Length: " + strconv.Itoa(declared) + "\r\n" + headers + "\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write(make([]byte, 64<<10))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// uploadRoutes are the signed-in upload routes (handlers/routes.go): the API's, then
// the web's.
func uploadRoutes(estate int64) (apiRoutes, webRoutes []string) {
	return []string{
			fmt.Sprintf("/api/v1/estates/%d/roster", estate),
			"/api/v1/votes/1/ballots/1/scans",
			fmt.Sprintf("/api/v1/estates/%d/announcements", estate),
		}, []string{
			fmt.Sprintf("/estates/%d/roster", estate),
			"/votes/1/ballots/1/scans",
			"/votes/1/paper",
			fmt.Sprintf("/estates/%d/announcements", estate),
		}
}

// A read-only role (auditor, district) posting to an upload route is refused with 403
// before its body is read: the answer comes after 64 KB of a 5 MB body, and a body
// announced past the route's limit is 403 too, never 413 (issue 10, finding 7).
func TestReadOnlyRolesRefusedBeforeUploadRead(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		addr := serve(t, env)
		estate := estateID(t, env, "阳光花园")
		apiRoutes, webRoutes := uploadRoutes(estate)
		multipart := "Content-Type: multipart/form-data; boundary=XYZ\r\n"
		for _, role := range []string{"auditor", "district"} {
			bearer := "Authorization: Bearer " + env.DemoToken(role) + "\r\nAccept: application/json\r\n"
			b := env.Browser()
			b.Login(role, "Demo2026"+role)
			cookie := b.CookieHeader() + "Accept: text/html\r\n"
			for _, declared := range []int{5 << 20, 100 << 20} {
				for _, p := range apiRoutes {
					if got := rawPostLen(t, addr, p, multipart+bearer, declared); !strings.Contains(got, " 403 ") {
						t.Errorf("%s: %d-byte POST %s: %q, want 403", role, declared, p, got)
					}
				}
				for _, p := range webRoutes {
					if got := rawPostLen(t, addr, p, multipart+cookie, declared); !strings.Contains(got, " 403 ") {
						t.Errorf("%s: %d-byte web POST %s: %q, want 403", role, declared, p, got)
					}
				}
			}
		}
		// A whole 5 MB file sent by the auditor: 403 as well.
		data := make([]byte, 5<<20)
		if r := env.Upload(apiRoutes[0], env.DemoToken("auditor"), "big.csv", data); r.Status != http.StatusForbidden {
			t.Errorf("auditor's 5 MB roster: %d %s", r.Status, r.Body)
		}
	})
}

// Every upload route still reads its body for a role that may write: bounded by the
// route's limit (a body announced past it is 413, unread), and a web upload checks its
// CSRF token (a forged one is 403 with the form-expired message).
func TestUploadRoutesReadAfterAllow(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		addr := serve(t, env)
		estate := estateID(t, env, "阳光花园")
		apiRoutes, webRoutes := uploadRoutes(estate)
		multipart := "Content-Type: multipart/form-data; boundary=XYZ\r\n"
		bearer := "Authorization: Bearer " + env.DemoToken("street") + "\r\nAccept: application/json\r\n"
		b := env.Browser()
		b.Login("street", "Demo2026street")
		cookie := b.CookieHeader() + "Accept: text/html\r\n"
		for _, p := range apiRoutes {
			if got := rawPostLen(t, addr, p, multipart+bearer, 100<<20); !strings.Contains(got, " 413 ") {
				t.Errorf("street: 100 MB POST %s: %q, want 413", p, got)
			}
		}
		page := fmt.Sprintf("/estates/%d/roster", estate)
		for _, p := range webRoutes {
			if got := rawPostLen(t, addr, p, multipart+cookie, 100<<20); !strings.Contains(got, " 413 ") {
				t.Errorf("street: 100 MB web POST %s: %q, want 413", p, got)
			}
			r := b.SubmitFile(page, p, "file", "a.pdf", []byte("%PDF-1.4\n"), url.Values{"_csrf": {"forged"}})
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "表单已失效") {
				t.Errorf("street: web upload %s with a forged token: %d", p, r.Status)
			}
		}
	})
}

// The anonymous read-only pages and API routes (published results, resolutions,
// document verification, public lists) share one ceiling per client address: past
// PUBLIC_RATE_LIMIT a minute, 429 with Retry-After on every one of them; another
// address is not affected.
func TestPublicPagesCeiling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.NewWith(t, db, map[string]string{"PUBLIC_RATE_LIMIT": "5"})
		estate := estateID(t, env, "阳光花园")
		addr := serve(t, env)
		get := func(from, path string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
			req.Header.Set("Accept", "application/json")
			r, err := clientFrom(t, from).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = r.Body.Close()
			return r
		}
		for i := range 5 {
			if r := get("127.0.0.1", "/verify"); r.StatusCode != http.StatusOK {
				t.Fatalf("request %d of 5 under the ceiling: %d", i+1, r.StatusCode)
			}
		}
		for _, p := range []string{
			"/verify", "/public/votes/1", "/votes/1/resolution.pdf", "/verify/ABCD1234", "/verify/ABCD1234/download",
			fmt.Sprintf("/public/estates/%d", estate), fmt.Sprintf("/estates/%d/public/candidates", estate),
			"/api/v1/votes/1/results", "/api/v1/votes/1/participation-list", "/api/v1/votes/1/resolution.pdf",
		} {
			r := get("127.0.0.1", p)
			if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); r.StatusCode != http.StatusTooManyRequests || err != nil || ra < 1 {
				t.Errorf("GET %s past the ceiling: %d, Retry-After %q", p, r.StatusCode, r.Header.Get("Retry-After"))
			}
		}
		if r := get("127.0.0.2", "/public/votes/1"); r.StatusCode == http.StatusTooManyRequests {
			t.Errorf("another address was limited: %d", r.StatusCode)
		}
	})
}
