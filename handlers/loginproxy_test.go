package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
)

// Behind a trusted reverse proxy the sign-in back-off counts each real client (the
// address X-Forwarded-For names), not the proxy: one client's failures do not make
// another client behind the same proxy wait, and the "known address" exemption from
// an account's back-off belongs to the client that signed in, not to everyone
// behind the proxy.
func TestLoginBackOffBehindTrustedProxy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.NewWith(t, db, map[string]string{"TRUSTED_PROXIES": "127.0.0.2/32"})
		addr := serve(t, env)
		proxy := clientFrom(t, "127.0.0.2")
		login := func(client, username, password string) int {
			body, _ := json.Marshal(map[string]string{"username": username, "password": password})
			req, err := http.NewRequest("POST", "http://"+addr+"/api/v1/auth/token", strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", client)
			resp, err := proxy.Do(req)
			if err != nil {
				t.Fatalf("request from 127.0.0.2 (needs 127.0.0.0/8 on lo): %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
		// Client A fails 10 times (each at another username, so no account waits):
		// A's own next attempt waits, client B's does not.
		for i := range 10 {
			if s := login("198.51.100.1", fmt.Sprintf("nobody%d", i), "Wrong-Pass-2026"); s != http.StatusUnauthorized {
				t.Fatalf("failure %d from client A: %d", i+1, s)
			}
		}
		if s := login("198.51.100.1", "nobody-else", "Wrong-Pass-2026"); s != http.StatusTooManyRequests {
			t.Errorf("client A after 10 failures: %d, want 429", s)
		}
		if s := login("198.51.100.2", "nobody-else", "Wrong-Pass-2026"); s != http.StatusUnauthorized {
			t.Errorf("client B behind the same proxy after A's failures: %d, want 401", s)
		}
		// The admin signs in from client C; client D then guesses at the account: D
		// gets the account's back-off (C's success does not exempt D), C does not.
		if s := login("198.51.100.3", "admin", env.AdminPW); s != http.StatusOK {
			t.Fatalf("admin from client C: %d", s)
		}
		for i := range 5 {
			if s := login("198.51.100.4", "admin", "Wrong-Pass-2026"); s != http.StatusUnauthorized {
				t.Fatalf("guess %d from client D: %d", i+1, s)
			}
		}
		if s := login("198.51.100.4", "admin", "Wrong-Pass-2026"); s != http.StatusTooManyRequests {
			t.Errorf("client D after 5 guesses at the admin: %d, want 429 (the proxy's address must not be known to the account)", s)
		}
		if s := login("198.51.100.3", "admin", env.AdminPW); s != http.StatusOK {
			t.Errorf("the admin from its known client C during the account's back-off: %d, want 200", s)
		}
	})
}
