package handlers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app/auditview"
)

// TestAuditAddressFlag: every online ballot records a keyed hash of its client
// address in the cast's own INSERT (never the address), paper ballots record none,
// and the auditor's flag "many ballots from one address in a short time" groups by
// that hash: AddressMin ballots within AddressWindow, a later one outside it.
func TestAuditAddressFlag(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		env.Svc.AuditView.SetThresholds(auditview.Thresholds{ClusterWindow: time.Minute, ClusterMin: 100,
			AddressWindow: 10 * time.Minute, AddressMin: 3})
		tok, aud := env.DemoToken("street"), env.DemoToken("auditor")
		id := env.openDemoVote(t, tok)
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		base := voteOpens().Add(time.Hour)
		cast := func(room string, d time.Duration) int64 {
			t.Helper()
			env.Clock.Set(base.Add(d))
			if r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree"}); r.Status != 201 {
				t.Fatalf("cast %s: %d %s", room, r.Status, r.Body)
			}
			return swFirstID(t, env, "SELECT MAX(id) FROM ballots WHERE vote_id = ?", id)
		}
		// Two ballots, then a gap longer than the window: no flag yet.
		cast("1-1-101", 0)
		cast("1-1-102", 4*time.Minute)
		if w := avGet(t, env, aud, id); len(w.Flags) != 0 {
			t.Fatalf("two ballots flagged: %+v", w.Flags)
		}
		var want []int64
		for i, room := range []string{"1-1-201", "1-1-202", "1-1-301"} {
			want = append(want, cast(room, time.Hour+time.Duration(i)*3*time.Minute))
		}
		avPaper(t, env, tok, id, "1-1-302", nil)

		var hashes []struct {
			Channel    string
			ClientHash *string
		}
		if err := env.DB.Raw("SELECT channel, client_hash FROM ballots WHERE vote_id = ? ORDER BY id", id).Scan(&hashes).Error; err != nil {
			t.Fatal(err)
		}
		if len(hashes) != 6 {
			t.Fatalf("ballots %d", len(hashes))
		}
		for _, h := range hashes {
			switch {
			case h.Channel == "online" && (h.ClientHash == nil || len(*h.ClientHash) != 64 || *h.ClientHash != *hashes[0].ClientHash):
				t.Errorf("online ballot's client hash %v", h.ClientHash)
			case h.Channel != "online" && h.ClientHash != nil:
				t.Errorf("%s ballot has a client hash %q", h.Channel, *h.ClientHash)
			}
		}

		w := avGet(t, env, aud, id)
		if got := avKinds(w.Flags); !slices.Equal(got, []string{"address"}) {
			t.Fatalf("flags %v", got)
		}
		f := w.Flags[0]
		if !slices.Equal(f.BallotIDs, want) || f.Count != 3 {
			t.Errorf("address flag %+v, want ballots %v", f, want)
		}
		// The page names the flag in the page's language.
		br := env.Browser()
		br.Login("auditor", avPassword(env, "auditor"))
		for lang, label := range map[string]string{"zh-CN": "同一地址短时间内多张线上选票", "en": "Many online ballots from one address"} {
			br.Get("/lang?to=" + lang)
			if page := br.Get(fmt.Sprintf("/votes/%d/audit", id)); page.Status != 200 || !strings.Contains(string(page.Body), label) {
				t.Errorf("%s workspace page does not name the address flag: %d", lang, page.Status)
			}
		}
	})
}
