package handlers_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/documents"
	"gongzhi/app/formation"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

// TestOversightScreenshots (run by hand: H11_SHOTS=<dir>) serves the seeded committee
// pages through a proxy that carries the street office's session and takes phone-width
// screenshots with headless Chromium.
func TestOversightScreenshots(t *testing.T) {
	dir := os.Getenv("H11_SHOTS")
	if dir == "" {
		t.Skip("H11_SHOTS not set")
	}
	env := newVoteEnv(t, dbtest.SQLite(t), handlertest.Options{})
	cid := cmSeed(t, env, 1)
	street, community := env.DemoToken("street"), env.DemoToken("community")
	v := cmGet(t, env, street, cid)
	caseID := cmFounded(t, env, cid, cmMemberID(t, v, "王建国"), "N6")
	base := fmt.Sprintf("/api/v1/committees/%d", cid)
	fmWant(t, env.API("POST", base+"/ratings", community, map[string]any{"period": "2026年上半年", "raters": 12, "satisfied": 7, "basic": 3,
		"dissatisfied": 2, "summary": "财务公开不够及时，会议通知过晚"}), 201, "rating")
	mid := ovMinutes(t, env, "同意与物业公司续签合同五年，不经业主大会表决")
	due := env.Clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	rid := fmID(t, env.API("POST", base+"/rectifications", street, map[string]any{"matters": "续签物业服务合同须经业主大会决定，请撤回该决定",
		"basis": "《民法典》第二百七十八条", "due_on": due, "minutes_id": mid, "decision": 2}), "order")
	fmID(t, env.API("POST", base+"/rectifications", street, map[string]any{"matters": "每季度公开共有收益账目", "due_on": due}), "order 2")
	env.Clock.Set(env.Clock.Now().AddDate(0, 0, 12))
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/committee-rectifications/%d/outcome", rid), street, map[string]any{"status": "not_rectified",
		"outcome": "逾期未撤回该决定"}), 200, "outcome")
	fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/committee-rectifications/%d/revocation", rid), street, map[string]any{"grounds": "续签合同属业主大会决定事项",
		"basis": "《民法典》第二百七十八条"}), 201, "revoke")
	minutesID, _ := env.Svc.Documents.CreateMinutes(env.Ctx, fmSystem, env.Demo.EstateID, documentsCommitteeDraft(env))

	if _, err := env.Svc.Formation.CreateGroup(env.Ctx, fmSystem, env.Demo.EstateID, formation.NewGroup{Kind: models.GroupKindReelection}); err != nil {
		t.Fatalf("re-election group: %v", err)
	}
	b := env.Browser()
	b.Login("street", "Demo2026street")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.App.Listener(ln) }()
	defer func() { _ = env.App.Shutdown() }()
	target, _ := url.Parse("http://" + ln.Addr().String())
	proxy := httputil.NewSingleHostReverseProxy(target)
	cookie := strings.TrimSpace(strings.TrimPrefix(b.CookieHeader(), "Cookie: "))
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Cookie", cookie)
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(pln) }()
	defer srv.Close()
	pages := map[string]string{
		"committee": fmt.Sprintf("/estates/%d/committee-office", env.Demo.EstateID),
		"case":      fmt.Sprintf("/committee-cases/%d", caseID),
		"oversight": fmt.Sprintf("/estates/%d/committee-oversight", env.Demo.EstateID),
		"minutes":   fmt.Sprintf("/minutes/%d", minutesID),
		"formation": fmt.Sprintf("/estates/%d/formation", env.Demo.EstateID),
		"votenew":   fmt.Sprintf("/estates/%d/votes/new?removal_case=%d", env.Demo.EstateID, caseID),
	}
	for name, path := range pages {
		out := filepath.Join(dir, name+".png")
		cmd := exec.Command("chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot="+out,
			"--window-size=390,"+os.Getenv("H11_HEIGHT"), "http://"+pln.Addr().String()+path)
		o, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v %s", name, err, o)
		}
		t.Logf("%s: %s", name, lastLine(string(o)))
	}
}

// documentsCommitteeDraft is committee minutes in draft over the sitting committee.
func documentsCommitteeDraft(env *voteEnv) documents.NewMinutes {
	return documents.NewMinutes{Kind: "committee", MinutesInput: documents.MinutesInput{Title: "业委会第四次会议", Place: "会议室",
		HeldAt: env.Clock.Now().Add(-time.Hour)}}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}
