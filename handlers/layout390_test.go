package handlers_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongzhi/app/database/dbtest"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// overflowJS lists what does not fit a phone's width (issue 16, defect 2): the document
// scrolling sideways, an element reaching past the right edge outside a horizontal
// scroller (only a table or a preformatted block may scroll inside its card; a key/value list,
// a paragraph or a hash must wrap), and a
// value column squeezed to a character or two a line.
const overflowJS = `(() => {
  const W = window.innerWidth, bad = [];
  const name = el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : '') +
    ' "' + el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > W) bad.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
  const scrolls = el => {
    if (!el.closest('table, pre')) return false;
    for (let s = el.parentElement; s; s = s.parentElement) {
      const o = getComputedStyle(s).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('main *, header *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > W + 1 && !scrolls(el)) bad.push('past the right edge (' + Math.round(r.right) + ' px): ' + name(el));
    if ((el.tagName === 'DD' || el.tagName === 'TD') && el.textContent.trim().length >= 4 && r.width < 40) bad.push('squeezed to ' + Math.round(r.width) + ' px: ' + name(el));
  }
  return bad.slice(0, 12);
})()`

// TestStaffPagesFitAPhone opens staff pages of an estate with an open vote in headless
// Chromium at 390 px and fails when one of them does not fit (overflowJS); at 1280 px it
// only screenshots. With $LAYOUT_SHOTS set, the screenshots are written there for a
// person to look at. Skipped when chromium is not installed.
func TestStaffPagesFitAPhone(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed")
	}
	dir := os.Getenv("LAYOUT_SHOTS")
	env := newVoteEnv(t, dbtest.SQLite(t), handlertest.Options{})
	tok := env.DemoToken("street")
	// A vote whose facts have a long label and a long value: the title and an item of
	// long unbroken text, as staff type them.
	long := ordinaryItem("dismiss", "hire_dismiss_manager")
	long["title"] = "关于选聘新的物业服务企业并授权业主委员会与其签订物业服务合同及相关补充协议的决定"
	long["text"] = strings.Repeat("https://example.com/a-very-long-unbroken-address-with-no-spaces/", 3)
	id := env.openDemoVote(t, tok, long, ordinaryItem("fund", "raise_maintenance_fund"))
	creds, answers := env.credentials(t, tok, id), idChecks(t)
	for room, c := range creds {
		if r := env.cast(c.Token, answers[room], map[string]any{"dismiss": "agree", "fund": "agree"}); r.Status == 201 {
			break
		}
	}
	// A filed committee, for the committee's pages.
	now := env.Clock.Now()
	c := models.Committee{EstateID: env.Demo.EstateID, Status: models.CommitteeFiled, Seats: 5, MinMembers: 5, AlternatesMax: 2, FirstElectedAt: now,
		FormedAt: &now, ProfileCode: "national", ProfileVersion: "t", CreatedAt: now, UpdatedAt: now}
	if err := env.DB.DB.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	base := serveSignedIn(t, env.Env, "street", "Demo2026street")
	est := env.Demo.EstateID
	pages := map[string]string{
		"vote":               fmt.Sprintf("/votes/%d", id),
		"vote-ballots":       fmt.Sprintf("/votes/%d/ballots", id),
		"vote-credentials":   fmt.Sprintf("/votes/%d/credentials", id),
		"vote-documents":     fmt.Sprintf("/votes/%d/documents", id),
		"votes":              fmt.Sprintf("/estates/%d/votes", est),
		"estate":             fmt.Sprintf("/estates/%d", est),
		"roster":             fmt.Sprintf("/estates/%d/roster", est),
		"formation":          fmt.Sprintf("/estates/%d/formation", est),
		"transitional":       fmt.Sprintf("/estates/%d/transitional", est),
		"committee-office":   fmt.Sprintf("/estates/%d/committee-office", est),
		"committee-oversite": fmt.Sprintf("/estates/%d/committee-oversight", est),
		"estate-documents":   fmt.Sprintf("/estates/%d/documents", est),
		"audit":              "/audit",
		"home":               "/",
		"orgs":               "/orgs",
		"users":              "/users",
		"supervision":        "/supervision",
		"complaints":         "/complaints",
		"companies":          "/companies",
		"handovers":          "/handovers",
		"worklist":           "/worklist",
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("hide-scrollbars", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 4*time.Minute)
	defer cancel()
	for name, path := range pages {
		for _, w := range []int64{390, 1280} {
			resp, err := chromedp.RunResponse(bctx, chromedp.EmulateViewport(w, 844), chromedp.Navigate(base+path), chromedp.WaitReady("body"))
			if err != nil {
				t.Fatalf("%s at %d px: %v", path, w, err)
			}
			if resp == nil || resp.Status != 200 {
				status := 0
				if resp != nil {
					status = int(resp.Status)
				}
				t.Errorf("%s: status %d, want 200", path, status)
			}
			bad, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](overflowJS))
			if err != nil {
				t.Fatalf("%s at %d px: %v", path, w, err)
			}
			png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s at %d px: %v", path, w, err)
			}
			if w == 390 && len(bad) > 0 {
				t.Errorf("%s (%s) does not fit 390 px:\n  %s", name, path, strings.Join(bad, "\n  "))
			}
			if dir != "" {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
