package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestVotePageBallotLog: the staff vote page links the signed heads while the vote
// runs and offers "sign a checkpoint now" (a CSRF form, the API route's role), the
// auditors' bundle once counted (a session download, also for the auditor) and
// the public bundle once published; in both languages.
func TestVotePageBallotLog(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		env.Clock.Set(voteOpens().Add(time.Hour))
		if r := env.cast(creds["1-1-101"].Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 201 {
			t.Fatalf("cast: %d %s", r.Status, r.Body)
		}
		page := fmt.Sprintf("/votes/%d", id)
		staff := env.Browser()
		staff.Login("street", avPassword(env, "street"))
		for lang, want := range map[string]string{"zh-CN": "立即签署检查点", "en": "Sign a checkpoint now"} {
			staff.Get("/lang?to=" + lang)
			body := string(staff.Get(page).Body)
			if !strings.Contains(body, want) || !strings.Contains(body, fmt.Sprintf("/api/v1/votes/%d/log/heads", id)) ||
				strings.Contains(body, "bundle.json") || strings.Contains(body, "h14.") {
				t.Errorf("%s open vote page: %.400s", lang, body)
			}
		}
		var before int64
		env.DB.Raw("SELECT COUNT(*) FROM ballot_log_heads WHERE vote_id = ?", id).Scan(&before)
		r := staff.Submit(page, page+"/log/checkpoints", url.Values{})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("checkpoint: %d %.300s", r.Status, r.Body)
		}
		var after int64
		env.DB.Raw("SELECT COUNT(*) FROM ballot_log_heads WHERE vote_id = ?", id).Scan(&after)
		if after != before+1 {
			t.Errorf("heads %d → %d", before, after)
		}
		// Without the CSRF token: refused, nothing signed.
		if r := staff.Post(page+"/log/checkpoints", url.Values{}); r.Status < 400 {
			t.Errorf("checkpoint without CSRF: %d", r.Status)
		}
		// The auditor sees the page but cannot sign.
		aud := env.Browser()
		aud.Login("auditor", avPassword(env, "auditor"))
		if body := string(aud.Get(page).Body); strings.Contains(body, "/log/checkpoints") {
			t.Errorf("auditor offered the checkpoint form")
		}
		if r := aud.Post(page+"/log/checkpoints", url.Values{"_csrf": {aud.CSRF(page)}}); r.Status != http.StatusForbidden {
			t.Errorf("auditor signs a checkpoint: %d", r.Status)
		}

		env.Clock.Set(voteCloses().Add(time.Minute))
		if closed, err := env.Svc.Votes.Close(t.Context(), id); err != nil || !closed {
			t.Fatalf("close: %v %v", closed, err)
		}
		body := string(staff.Get(page).Body)
		if !strings.Contains(body, page+"/auditor-bundle.json") || strings.Contains(body, "/log/checkpoints") || strings.Contains(body, "/bundle.json\"") {
			t.Errorf("closed vote page: %.400s", body)
		}
		if r := aud.Get(page + "/auditor-bundle.json"); r.Status != 200 || !strings.Contains(string(r.Body), `"rooms"`) {
			t.Errorf("auditor's bundle download: %d %.200s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		if body := string(staff.Get(page).Body); !strings.Contains(body, fmt.Sprintf("/api/v1/votes/%d/bundle.json", id)) {
			t.Errorf("published vote page lacks the public bundle")
		}
	})
}
