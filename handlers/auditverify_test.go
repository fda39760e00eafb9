package handlers_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/auditview"
	"gongzhi/app/ballotlog"
)

// TestAuditVerifierKept: the workspace runs the offline verifier (the code of
// cmd/verify) on the auditors' bundle and the resolution PDF, keeps each result
// (when, by whom, OK or the first mismatch named) and shows it with the recounts;
// a tampered published result is caught and kept as a mismatch; an open vote is
// 409 and another street office's vote 404.
func TestAuditVerifierKept(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok, aud := env.DemoToken("street"), env.DemoToken("auditor")
		id := env.openDemoVote(t, tok)
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		env.Clock.Set(voteOpens().Add(time.Hour))
		for _, room := range []string{"1-1-101", "1-1-102", "1-1-201"} {
			if r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree"}); r.Status != 201 {
				t.Fatalf("cast %s: %d %s", room, r.Status, r.Body)
			}
		}
		avPaper(t, env, tok, id, "1-1-301", nil)
		path := fmt.Sprintf("/api/v1/votes/%d/audit/verifications", id)
		if r := env.API("POST", path, aud, nil); r.Status != 409 {
			t.Errorf("verify an open vote: %d %s", r.Status, r.Body)
		}
		env.Clock.Set(voteCloses().Add(time.Minute))
		if closed, err := env.Svc.Votes.Close(t.Context(), id); err != nil || !closed {
			t.Fatalf("close: %v %v", closed, err)
		}
		// Before the resolution is issued: the bundle alone.
		r := env.API("POST", path, aud, nil)
		var first auditview.Verification
		r.JSON(t, &first)
		if r.Status != 201 || !first.OK || first.WithPDF {
			t.Fatalf("verify without a resolution: %d %s", r.Status, r.Body)
		}
		// The street office issues the resolution (a download never issues, issue 16);
		// the bundle then names its hash.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/issues", id), tok, nil); r.Status != 200 && r.Status != 201 {
			t.Fatalf("resolution: %d %.200s", r.Status, r.Body)
		}
		if r := env.API("POST", path, env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("another street office: %d", r.Status)
		}
		r = env.API("POST", path, aud, nil)
		var ok auditview.Verification
		r.JSON(t, &ok)
		if r.Status != 201 || !ok.OK || !ok.WithPDF || ok.RunBy != "auditor" || len(ok.BundleSHA256) != 64 || strings.HasPrefix(ok.Summary, "MISMATCH") {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}

		// A tampered bundle (one leaf dropped) handed to the same verifier: the
		// mismatch is named and kept.
		env.Svc.AuditView.SetVerifySources(auditview.VerifySources{
			Bundle: func(ctx context.Context, p app.Principal, voteID int64) (*ballotlog.Bundle, error) {
				b, err := env.Svc.Votes.AuditorBundle(ctx, p, voteID)
				if err == nil {
					b.Leaves = b.Leaves[:len(b.Leaves)-1]
				}
				return b, err
			},
			Key: func() ed25519.PublicKey { return env.Svc.Votes.LogSigner().Public() },
		})
		r = env.API("POST", path, aud, nil)
		var bad auditview.Verification
		r.JSON(t, &bad)
		if r.Status != 201 {
			t.Fatalf("verify tampered: %d %s", r.Status, r.Body)
		}
		if bad.OK || !strings.HasPrefix(bad.Summary, "MISMATCH") || bad.WithPDF {
			t.Errorf("tampered result not caught: %+v", bad)
		}

		var w struct {
			Verifications []auditview.Verification `json:"verifications"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit", id), aud, nil).JSON(t, &w)
		if len(w.Verifications) != 3 || w.Verifications[0].ID != bad.ID || w.Verifications[1].ID != ok.ID || !w.Verifications[1].OK {
			t.Errorf("kept verifications %+v", w.Verifications)
		}
		var n int64
		env.DB.Raw("SELECT COUNT(*) FROM audit_logs WHERE action = 'vote.verify' AND target_id = ?", id).Scan(&n)
		if n != 3 {
			t.Errorf("audit entries %d", n)
		}

		// The page, both languages, and the form.
		br := env.Browser()
		br.Login("auditor", avPassword(env, "auditor"))
		for lang, label := range map[string]string{"zh-CN": "离线校验结果", "en": "Offline verifier results"} {
			br.Get("/lang?to=" + lang)
			page := br.Get(fmt.Sprintf("/votes/%d/audit", id))
			if page.Status != 200 || !strings.Contains(string(page.Body), label) || !strings.Contains(string(page.Body), ok.Summary[:20]) {
				t.Errorf("%s page: %d", lang, page.Status)
			}
		}
		ws := fmt.Sprintf("/votes/%d/audit", id)
		if r := br.Submit(ws, ws+"/verifications", url.Values{}); r.Status != http.StatusSeeOther {
			t.Errorf("form: %d %.300s", r.Status, r.Body)
		}
	})
}
