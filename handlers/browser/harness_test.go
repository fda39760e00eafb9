package browser_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
)

// axeJS is axe-core 4.14.1 from npm (testdata/axe-core/VERSION): injected into each
// page through the DevTools protocol, never served by the product.
//
//go:embed testdata/axe-core/axe.min.js
var axeJS string

// chromiumPath finds Debian's Chromium. Without it the suite is skipped, unless
// REQUIRE_BROWSER=1 (set by .ci/run), where it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REQUIRE_BROWSER") == "1" {
		t.Fatal("REQUIRE_BROWSER=1 but Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
	}
	t.Skip("Chromium is not installed: the browser suite is skipped (apt-get install chromium; REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// suite is the running application on a real listener and one headless Chromium.
type suite struct {
	t       *testing.T
	env     *handlertest.Env
	base    string // http://127.0.0.1:port
	dir     string // where screenshots and the axe summary go
	browser context.Context

	mu      sync.Mutex
	pages   []pageResult
	n       int
	shots   time.Duration // time spent taking screenshots
	axeTime time.Duration // time spent in axe-core
}

// pageResult is what the suite saw of one page: axe's violations by impact and the
// screenshot's path.
type pageResult struct {
	Name    string
	Path    string
	Impacts map[string]int
	Rules   []string
	Shot    string
}

// newSuite builds the application over SQLite on clock, serves it on 127.0.0.1:0 and
// starts Chromium.
func newSuite(t *testing.T, clock *app.ManualClock) *suite {
	t.Helper()
	chromium := chromiumPath(t)
	dir := os.Getenv("BROWSER_ARTEFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := handlertest.Build(t, dbtest.SQLite(t), handlertest.Options{Clock: clock})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.App.Listener(ln) }()
	t.Cleanup(func() { _ = env.App.ShutdownWithTimeout(5 * time.Second) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium %s: %v", chromium, err)
	}
	s := &suite{t: t, env: env, base: "http://" + ln.Addr().String(), dir: dir, browser: bctx}
	t.Cleanup(s.writeSummary)
	return s
}

// tab opens a tab with a browser context of its own (its own cookies) on a viewport:
// a desktop (1280×900) or a phone (390×844, mobile metrics). noJS disables scripts.
func (s *suite) tab(phone, noJS bool) context.Context {
	s.t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	s.t.Cleanup(cancel)
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1280, 900)}
	if phone {
		steps = []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)}
	}
	if noJS {
		steps = append(steps, scripts(false))
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("new tab: %v", err)
	}
	return ctx
}

// scripts switches the page's own scripts on or off (Emulation.setScriptExecutionDisabled).
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// stepTimeout bounds one browser step: chromedp waits for a selector to appear, so a
// selector the page lost would otherwise hang the suite until its overall timeout.
const stepTimeout = 30 * time.Second

// step is ctx bounded by stepTimeout.
func (s *suite) step(ctx context.Context) context.Context {
	c, cancel := context.WithTimeout(ctx, stepTimeout)
	s.t.Cleanup(cancel)
	return c
}

// open navigates to path and returns the HTTP status of the document.
func (s *suite) open(ctx context.Context, path string) int {
	s.t.Helper()
	ctx = s.step(ctx)
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(s.base+path))
	if err != nil {
		s.t.Fatalf("open %s: %v", path, err)
	}
	return int(resp.Status)
}

// submit clicks the element sel (a submit button or a link) and waits for the page it
// leads to; it returns that page's status.
func (s *suite) submit(ctx context.Context, sel string) int {
	s.t.Helper()
	ctx = s.step(ctx)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("click %s: %v", sel, err)
	}
	return int(resp.Status)
}

// download fetches path with the tab's cookies (the page's CSP keeps its own scripts
// from fetching): for a file the browser would save, such as a PDF.
func (s *suite) download(ctx context.Context, path string) (int, []byte) {
	s.t.Helper()
	var cookies []*network.Cookie
	err := chromedp.Do(s.step(ctx), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{s.base + path}})
		cookies = res.Cookies
		return err
	}))
	if err != nil {
		s.t.Fatalf("cookies for %s: %v", path, err)
	}
	req, err := http.NewRequestWithContext(s.t.Context(), "GET", s.base+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("download %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("download %s: %v", path, err)
	}
	return resp.StatusCode, body
}

// typeIn types v into the input sel as a person would (works without JavaScript).
func (s *suite) typeIn(ctx context.Context, sel, v string) {
	s.t.Helper()
	ctx = s.step(ctx)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), v)); err != nil {
		s.t.Fatalf("type into %s: %v", sel, err)
	}
}

// click clicks sel without waiting for a navigation (a radio, a checkbox).
func (s *suite) click(ctx context.Context, sel string) {
	s.t.Helper()
	ctx = s.step(ctx)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		s.t.Fatalf("click %s: %v", sel, err)
	}
}

// text is the visible text of the first element matching sel.
func (s *suite) text(ctx context.Context, sel string) string {
	s.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.AtLeast(0)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(v)
}

// count is the number of elements matching sel (the DOM domain: works without JavaScript).
func (s *suite) count(ctx context.Context, sel string) int {
	s.t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(chromedp.CSSAll(sel), chromedp.AtLeast(0)))
	if err != nil {
		s.t.Fatalf("count %s: %v", sel, err)
	}
	return len(ids)
}

// eval runs expr in the page (DevTools evaluation, not subject to the page's CSP);
// with the page's scripts off it switches them on for the call only.
func eval[T any](s *suite, ctx context.Context, noJS bool, expr string, opts ...chromedp.EvaluateOption) T {
	s.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{}
	if noJS {
		steps = append(steps, scripts(true))
	}
	var out T
	steps = append(steps, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](expr, opts...)(ctx, t)
		out = v
		return err
	}))
	if noJS {
		steps = append(steps, scripts(false))
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		s.t.Fatalf("evaluate %.60q: %v", expr, err)
	}
	return out
}

// axeViolation is one rule of axe-core's result.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))))`

// squeezedJS lists the texts of key/value values (dd) of more than 4 characters laid
// out narrower than 5em.
const squeezedJS = `Array.from(document.querySelectorAll('dd')).filter(d => {
  const em = parseFloat(getComputedStyle(d).fontSize) || 16, r = d.getBoundingClientRect();
  return r.width > 0 && r.width < 5 * em && d.textContent.trim().length > 4;
}).map(d => d.textContent.trim().slice(0, 30))`

// check looks at the page now shown: a full-page screenshot to the artefacts, axe-core
// (failing on serious and critical violations, with each rule and its targets), and
// on a phone no sideways scrolling of the page itself.
func (s *suite) check(ctx context.Context, name string, phone, noJS bool) {
	s.t.Helper()
	s.mu.Lock()
	s.n++
	file := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name))
	s.mu.Unlock()
	t0 := time.Now()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	t1 := time.Now()
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	path := strings.TrimPrefix(loc, s.base)

	if !eval[bool](s, ctx, noJS, "typeof axe === 'object'") {
		eval[bool](s, ctx, noJS, axeJS+"\n;true")
	}
	raw := eval[string](s, ctx, noJS, axeRun, chromedp.EvalAwaitPromise)
	t2 := time.Now()
	s.mu.Lock()
	s.shots += t1.Sub(t0)
	s.axeTime += t2.Sub(t1)
	s.mu.Unlock()
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		s.t.Fatalf("axe result on %s: %v", name, err)
	}
	res := pageResult{Name: name, Path: path, Impacts: map[string]int{}, Shot: file}
	for _, v := range vs {
		res.Impacts[v.Impact]++
		res.Rules = append(res.Rules, v.Impact+":"+v.ID)
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		msg := fmt.Sprintf("axe %s on %s (%s): %s [%s] at %s", v.Impact, name, path, v.ID, v.Help, strings.Join(targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			s.t.Error(msg)
		} else {
			s.t.Log(msg)
		}
	}
	if phone {
		w := eval[[]int](s, ctx, noJS, "[document.documentElement.scrollWidth, window.innerWidth]")
		if len(w) == 2 && w[0] > w[1] {
			s.t.Errorf("%s (%s) scrolls sideways on a phone: %d px wide in a %d px viewport", name, path, w[0], w[1])
		}
		// Issue 16 defect 2: a long label must not squeeze a value to a few characters a line.
		if squeezed := eval[[]string](s, ctx, noJS, squeezedJS); len(squeezed) > 0 {
			s.t.Errorf("%s (%s): values squeezed narrower than 5 characters on a phone: %q", name, path, squeezed)
		}
	}
	s.mu.Lock()
	s.pages = append(s.pages, res)
	s.mu.Unlock()
}

// writeSummary writes axe-summary.txt (one line a page) to the artefacts and logs it.
func (s *suite) writeSummary() {
	var b strings.Builder
	for _, p := range s.pages {
		var parts []string
		for _, imp := range []string{"critical", "serious", "moderate", "minor"} {
			parts = append(parts, fmt.Sprintf("%s=%d", imp, p.Impacts[imp]))
		}
		rules := append([]string(nil), p.Rules...)
		sort.Strings(rules)
		fmt.Fprintf(&b, "%-28s %-40s %s %s  %s\n", p.Name, p.Path, strings.Join(parts, " "), strings.Join(rules, ","), filepath.Base(p.Shot))
	}
	_ = os.WriteFile(filepath.Join(s.dir, "axe-summary.txt"), []byte(b.String()), 0o644)
	s.t.Logf("axe-core 4.14.1 per page (screenshots in %s; %s taking screenshots, %s in axe-core):\n%s",
		s.dir, s.shots.Round(time.Millisecond), s.axeTime.Round(time.Millisecond), b.String())
}

// cjk matches Chinese characters and CJK punctuation.
var cjk = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}]+`)

// citation is a legal citation of a profile's rule (《民法典》第二百七十八条): the law's
// own words, data like the names.
var citation = regexp.MustCompile(`《[^》]+》(第[^条]+条)?`)

// chineseLeft is the Chinese left in the page's text once the data is taken out: the
// given strings (names, titles, texts of the estate and the vote), legal citations,
// the elements of the selectors in skip (a stored document's own text) and the switch
// back to Chinese.
func (s *suite) chineseLeft(ctx context.Context, data []string, skip ...string) []string {
	s.t.Helper()
	sel, _ := json.Marshal(strings.Join(append([]string{"script", "style"}, skip...), ","))
	body := eval[string](s, ctx, false, fmt.Sprintf(`(() => { const c = document.body.cloneNode(true);
  c.querySelectorAll(%s).forEach(e => e.remove()); return c.textContent; })()`, sel))
	data = append(append([]string(nil), data...), "中文")
	sort.Slice(data, func(i, j int) bool { return len(data[i]) > len(data[j]) })
	for _, d := range data {
		if d != "" {
			body = strings.ReplaceAll(body, d, " ")
		}
	}
	return cjk.FindAllString(citation.ReplaceAllString(body, " "), -1)
}
