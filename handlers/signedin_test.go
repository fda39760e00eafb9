package handlers_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/valyala/fasthttp"

	"gongzhi/app/auth"
	"gongzhi/handlers/handlertest"
)

// serveSignedIn signs username in on the web and serves env's router on a
// 127.0.0.1 listener that sends every request with that session (a headless
// Chromium has no cookie of its own), stopped at the test's end; it returns the
// base URL. The screenshot tests and the 390 px layout test use it.
func serveSignedIn(t *testing.T, env *handlertest.Env, username, password string) string {
	t.Helper()
	s, err := env.Svc.Auth.Login(env.Ctx, auth.Credentials{Username: username, Password: password, Address: "127.0.0.1"}, auth.KindWeb)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := env.App.Handler()
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		ctx.Request.Header.SetCookie("gz_session", s.Token)
		h(ctx)
	}}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

// screenshots has headless Chromium render each page (path below base, by file
// name) at 1280 and 390 px wide and height tall into dir as name-width.png.
func screenshots(t *testing.T, chromium, base, dir string, height int, pages []struct{ path, name string }) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		for _, w := range []int{1280, 390} {
			out := filepath.Join(dir, fmt.Sprintf("%s-%d.png", page.name, w))
			cmd := exec.Command(chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=4000",
				"--screenshot="+out, fmt.Sprintf("--window-size=%d,%d", w, height), base+"/"+page.path)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium %s: %v\n%s", page.path, err, b)
			}
			t.Logf("wrote %s", out)
		}
	}
}
