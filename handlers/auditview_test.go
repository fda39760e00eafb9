package handlers_test

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongzhi/app/audit"
	"gongzhi/app/auditview"
	"gongzhi/app/ballotlog"
	"gongzhi/handlers/handlertest"
)

type avFlag struct {
	Kind      string  `json:"kind"`
	Count     int     `json:"count"`
	BallotIDs []int64 `json:"ballot_ids"`
}

type avWorkspace struct {
	Channels []struct {
		Channel string `json:"channel"`
		Live    int    `json:"live"`
		Voided  int    `json:"voided"`
	} `json:"channels"`
	Flags []avFlag `json:"flags"`
	Voids []struct {
		Reason string `json:"reason"`
	} `json:"voids"`
	Events []struct {
		Kind  string `json:"kind"`
		Rooms string `json:"rooms"`
	} `json:"events"`
	Reissues []struct {
		Rooms  string `json:"rooms"`
		Reason string `json:"reason"`
	} `json:"reissues"`
	PaperAudits []struct {
		ID   int64 `json:"id"`
		Rate struct {
			Fraction string `json:"fraction"`
			Percent  string `json:"percent"`
		} `json:"rate"`
	} `json:"paper_audits"`
	Recounts []struct {
		Matches bool `json:"matches"`
	} `json:"recounts"`
	ProxyLimit int `json:"proxy_limit"`
}

func avGet(t *testing.T, env *voteEnv, token string, id int64) avWorkspace {
	t.Helper()
	r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit", id), token, nil)
	if r.Status != 200 {
		t.Fatalf("workspace: %d %s", r.Status, r.Body)
	}
	var w avWorkspace
	r.JSON(t, &w)
	return w
}

func avVoter(t *testing.T, env *voteEnv, voteID int64, room string) int64 {
	t.Helper()
	return swFirstID(t, env, "SELECT voter_id FROM vote_voter_units WHERE vote_id = ? AND room_key = ?", voteID, room)
}

func avPaper(t *testing.T, env *voteEnv, tok string, id int64, room string, proxy map[string]any) {
	t.Helper()
	body := map[string]any{"room": room, "choices": map[string]any{"dismiss": "agree", "fund": "oppose"},
		"scan": map[string]any{"filename": "ballot-" + room + ".png", "data": swPNG(t)}}
	if proxy != nil {
		body["proxy"] = proxy
	}
	if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok, body); r.Status != 201 {
		t.Fatalf("paper ballot %s: %d %s", room, r.Status, r.Body)
	}
}

func avKinds(flags []avFlag) []string {
	var out []string
	for _, f := range flags {
		out = append(out, f.Kind)
	}
	slices.Sort(out)
	return out
}

// TestAuditFlags: each flag is raised on a constructed case and not on a clean one.
func TestAuditFlags(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		env.Svc.AuditView.SetThresholds(auditview.Thresholds{ClusterWindow: 2 * time.Minute, ClusterMin: 3, AfterReissue: 10 * time.Minute})
		tok, aud := env.DemoToken("street"), env.DemoToken("auditor")
		id := env.openDemoVote(t, tok)
		creds, answers := env.credentials(t, tok, id), idChecks(t)
		base := voteOpens().Add(time.Hour)
		at := func(d time.Duration) { env.Clock.Set(base.Add(d)) }
		cast := func(room, token string) int64 {
			t.Helper()
			if token == "" {
				token = creds[room].Token
			}
			r := env.cast(token, answers[room], map[string]any{"dismiss": "agree"})
			if r.Status != 201 {
				t.Fatalf("cast %s: %d %s", room, r.Status, r.Body)
			}
			return swFirstID(t, env, "SELECT MAX(id) FROM ballots WHERE vote_id = ?", id)
		}
		proxyA := map[string]any{"name": "周代理", "id_number": "110101199003078515", "authorisation": "委托书 A"}
		proxyB := map[string]any{"name": "吴代理", "id_number": "310104195510125038", "authorisation": "委托书 B"}

		// The clean case: ballots ten minutes apart, a paper ballot, a proxy with two
		// principals, a reissue long before its ballot, a failed identity check, a void.
		at(0)
		voided := cast("1-1-101", "")
		at(10 * time.Minute)
		cast("1-1-102", "")
		at(20 * time.Minute)
		cast("1-1-201", "")
		at(30 * time.Minute)
		avPaper(t, env, tok, id, "1-1-301", nil)
		at(40 * time.Minute)
		avPaper(t, env, tok, id, "1-1-302", proxyB)
		avPaper(t, env, tok, id, "1-1-401", proxyB)
		at(50 * time.Minute)
		rr := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/credentials/%d/reissue", id, creds["1-1-501"].VoterID), tok, map[string]any{"reason": "业主遗失通知书"})
		if rr.Status != 200 {
			t.Fatalf("reissue: %d %s", rr.Status, rr.Body)
		}
		var late voteCredential
		rr.JSON(t, &late)
		at(80 * time.Minute)
		cast("1-1-501", late.Token)
		if r := env.cast(creds["2-1-301"].Token, "000000", map[string]any{"dismiss": "agree"}); r.Status < 400 {
			t.Fatalf("wrong identity answer accepted: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, voided), tok, map[string]any{"reason": "业主称非本人投票"}); r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		w := avGet(t, env, aud, id)
		if len(w.Flags) != 0 {
			t.Fatalf("clean vote flagged: %+v", w.Flags)
		}
		if w.Channels[0].Live != 3 || w.Channels[0].Voided != 1 || w.Channels[1].Live != 1 || w.Channels[2].Live != 2 {
			t.Errorf("channels %+v", w.Channels)
		}
		if len(w.Voids) != 1 || w.Voids[0].Reason != "业主称非本人投票" {
			t.Errorf("voids %+v", w.Voids)
		}
		if len(w.Events) != 1 || w.Events[0].Kind != "id_check_failed" || w.Events[0].Rooms != "2-1-301" {
			t.Errorf("events %+v", w.Events)
		}
		if len(w.Reissues) != 1 || w.Reissues[0].Reason != "业主遗失通知书" {
			t.Errorf("reissues %+v", w.Reissues)
		}

		// The constructed cases.
		at(2 * time.Hour)
		rr = env.API("POST", fmt.Sprintf("/api/v1/votes/%d/credentials/%d/reissue", id, creds["1-1-402"].VoterID), tok, map[string]any{"reason": "链接锁定"})
		var soon voteCredential
		rr.JSON(t, &soon)
		at(2*time.Hour + 5*time.Minute)
		afterReissue := cast("1-1-402", soon.Token)
		var burst []int64
		for i, room := range []string{"1-1-502", "1-1-601", "1-1-602"} {
			at(3*time.Hour + time.Duration(i)*30*time.Second)
			burst = append(burst, cast(room, ""))
		}
		at(4 * time.Hour)
		for _, room := range []string{"2-1-302", "2-1-401", "2-1-402"} {
			avPaper(t, env, tok, id, room, proxyA)
		}
		// A paper ballot entered after the close cannot be made through the service
		// (it refuses with 410); the row is written as a faulty import would.
		if err := env.DB.Exec(`INSERT INTO ballots (vote_id, voter_id, attempt, channel, cast_at, receipt, entered_by_name)
			VALUES (?, ?, 1, 'paper', ?, 'LATE-0000-0000-0001', 'street')`, id, avVoter(t, env, id, "2-1-202"), voteCloses().Add(time.Hour).UTC()).Error; err != nil {
			t.Fatal(err)
		}
		w = avGet(t, env, aud, id)
		if got := avKinds(w.Flags); !slices.Equal(got, []string{"after_reissue", "burst", "paper_late", "proxy_limit"}) {
			t.Fatalf("flags %v", got)
		}
		for _, f := range w.Flags {
			switch f.Kind {
			case "burst":
				if !slices.Equal(f.BallotIDs, burst) {
					t.Errorf("burst %v, want %v", f.BallotIDs, burst)
				}
			case "after_reissue":
				if !slices.Equal(f.BallotIDs, []int64{afterReissue}) {
					t.Errorf("after reissue %v, want %d", f.BallotIDs, afterReissue)
				}
			case "proxy_limit":
				if f.Count != w.ProxyLimit || len(f.BallotIDs) != 3 {
					t.Errorf("proxy at the limit %+v (limit %d)", f, w.ProxyLimit)
				}
			}
		}

		// The ballots pages: paged, paper and proxy entries with choices and scans.
		r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit/ballots?channel=proxy", id), aud, nil)
		var page auditview.BallotPage
		r.JSON(t, &page)
		if r.Status != 200 || page.Total != 5 || len(page.Ballots) != 5 || len(page.Ballots[0].Scans) != 1 || len(page.Ballots[0].Choices) != 2 || page.Ballots[0].EnteredBy != "street" {
			t.Errorf("proxy ballots: %d %+v", r.Status, page)
		}
		r = env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit/ballots?channel=online", id), aud, nil)
		var online auditview.BallotPage
		r.JSON(t, &online)
		if online.Total == 0 || online.Ballots[0].Choices != nil || online.Ballots[0].Channel != "online" {
			t.Errorf("online ballots show their choices: %+v", online.Ballots)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit/ballots?page=0", id), aud, nil); r.Status != 422 || !strings.Contains(string(r.Body), "page") {
			t.Errorf("page 0: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit/ballots?channel=fax", id), aud, nil); r.Status != 422 {
			t.Errorf("channel fax: %d", r.Status)
		}
	})
}

// TestAuditPaperSample: a sample's seed is derived from the log root and a server
// random (both recorded; a chosen seed is refused), the sample is reproducible from it, each check is
// recorded once, and the discrepancy rate is exact; the recount is kept. The auditor
// can change nothing else, and another street office's vote is 404.
func TestAuditPaperSample(t *testing.T) {
	mustSQL := func(t *testing.T, env *voteEnv) ballotlog.Conn {
		c, err := env.DB.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok, aud := env.DemoToken("street"), env.DemoToken("auditor")
		id := env.openDemoVote(t, tok)
		rooms := []string{"1-1-101", "1-1-102", "1-1-201", "1-1-301", "1-1-302", "1-1-401", "1-1-402"}
		for _, room := range rooms {
			avPaper(t, env, tok, id, room, nil)
		}
		var pop []int64
		if err := env.DB.Raw("SELECT id FROM ballots WHERE vote_id = ? ORDER BY id", id).Scan(&pop).Error; err != nil {
			t.Fatal(err)
		}
		draw := func() (auditview.PaperAudit, int64) {
			t.Helper()
			r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits", id), aud, map[string]any{"size": 4})
			if r.Status != 201 {
				t.Fatalf("draw: %d %s", r.Status, r.Body)
			}
			var info auditview.PaperAuditInfo
			r.JSON(t, &info)
			r = env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits/%d", id, info.ID), aud, nil)
			var pa auditview.PaperAudit
			r.JSON(t, &pa)
			return pa, info.ID
		}
		a, aID := draw()
		b, _ := draw()
		var ga, gb []int64
		for i := range a.Items {
			ga, gb = append(ga, a.Items[i].Ballot.ID), append(gb, b.Items[i].Ballot.ID)
		}
		// The seed is derived from the log's root at the draw and a server random,
		// both recorded: an outsider recomputes it and redraws the same sample.
		var root string
		var size int64
		env.DB.Raw("SELECT size FROM ballot_log_state WHERE vote_id = ?", id).Scan(&size)
		if hs, err := ballotlog.LeafHashes(t.Context(), mustSQL(t, env), id, uint64(size)); err != nil {
			t.Fatal(err)
		} else if r, err := ballotlog.RootOf(hs); err != nil {
			t.Fatal(err)
		} else {
			root = hex.EncodeToString(r)
		}
		for _, pa := range []auditview.PaperAudit{a, b} {
			if pa.Info.Anchor != root || len(pa.Info.Nonce) != 64 || pa.Info.Seed != auditview.DeriveSeed(id, pa.Info.Anchor, pa.Info.Nonce) {
				t.Fatalf("sample %d: anchor %s (log root %s), nonce %q, seed %s", pa.Info.ID, pa.Info.Anchor, root, pa.Info.Nonce, pa.Info.Seed)
			}
		}
		if a.Info.Nonce == b.Info.Nonce {
			t.Fatal("two draws with one nonce")
		}
		if want := auditview.Sample(pop, 4, a.Info.Seed); !slices.Equal(ga, want) {
			t.Fatalf("sample %v, want %v from the recorded seed", ga, want)
		}
		if want := auditview.Sample(pop, 4, b.Info.Seed); !slices.Equal(gb, want) {
			t.Fatalf("sample %v, want %v from the recorded seed", gb, want)
		}
		var logged int64
		env.DB.Raw("SELECT COUNT(*) FROM audit_logs WHERE action = 'paper_audit.draw' AND detail LIKE ?", "%"+a.Info.Nonce+"%").Scan(&logged)
		if logged != 1 {
			t.Errorf("the draw's nonce is in %d audit entries", logged)
		}
		if a.Info.Population != 7 || len(a.Items[0].Ballot.Scans) != 1 || len(a.Items[0].Ballot.Choices) != 2 {
			t.Errorf("sample %+v", a)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits", id), aud, map[string]any{"size": 8}); r.Status != 422 || !strings.Contains(string(r.Body), "size") {
			t.Errorf("size beyond the population: %d %s", r.Status, r.Body)
		}
		// A seed chosen by the requester (who has seen the ballots) is refused, and
		// nothing is drawn.
		var audits int64
		env.DB.Raw("SELECT COUNT(*) FROM paper_audits").Scan(&audits)
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits", id), aud, map[string]any{"size": 2, "seed": "dice-31415"}); r.Status != 422 || !strings.Contains(string(r.Body), "seed") {
			t.Errorf("chosen seed: %d %s", r.Status, r.Body)
		}
		var audits2 int64
		env.DB.Raw("SELECT COUNT(*) FROM paper_audits").Scan(&audits2)
		if audits2 != audits {
			t.Errorf("a refused draw stored %d audits", audits2-audits)
		}
		check := func(item int64, outcome, note string) handlertest.Response {
			return env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits/%d/items/%d", id, aID, item), aud, map[string]any{"outcome": outcome, "note": note})
		}
		if r := check(a.Items[0].ID, "discrepancy", ""); r.Status != 422 || !strings.Contains(string(r.Body), "note") {
			t.Errorf("discrepancy without a note: %d %s", r.Status, r.Body)
		}
		for i, it := range a.Items {
			outcome, note := "match", ""
			if i == 2 {
				outcome, note = "discrepancy", "扫描件第二项为反对，录入为同意"
			}
			if r := check(it.ID, outcome, note); r.Status != 200 {
				t.Fatalf("check: %d %s", r.Status, r.Body)
			}
		}
		if r := check(a.Items[0].ID, "discrepancy", "改主意"); r.Status != 409 {
			t.Errorf("second check of one ballot: %d", r.Status)
		}
		if r := check(b.Items[0].ID, "match", ""); r.Status != 404 {
			t.Errorf("an item of another audit: %d", r.Status)
		}
		w := avGet(t, env, aud, id)
		var rate string
		for _, pa := range w.PaperAudits {
			if pa.ID == aID {
				rate = pa.Rate.Fraction + " " + pa.Rate.Percent
			}
		}
		if rate != "1/4 25.00%" {
			t.Errorf("rate %q", rate)
		}
		var audited int64
		env.DB.Raw("SELECT COUNT(*) FROM audit_logs WHERE action IN ('paper_audit.draw', 'paper_audit.check') AND username = 'auditor'").Scan(&audited)
		if audited != 2+4 {
			t.Errorf("%d audit rows for the draws and checks", audited)
		}

		// The auditor changes nothing else: every other write is 403, nothing written.
		var before int64
		env.DB.Raw("SELECT COUNT(*) FROM ballots").Scan(&before)
		for _, w := range []struct{ path string }{
			{fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id)},
			{fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, pop[0])},
			{fmt.Sprintf("/api/v1/votes/%d/publish", id)},
			{fmt.Sprintf("/api/v1/votes/%d/credentials/%d/reissue", id, avVoter(t, env, id, "1-1-101"))},
		} {
			if r := env.API("POST", w.path, aud, map[string]any{"reason": "x", "room": "1-1-501", "choices": map[string]any{"dismiss": "agree"}}); r.Status != 403 {
				t.Errorf("auditor POST %s: %d", w.path, r.Status)
			}
		}
		var after int64
		env.DB.Raw("SELECT COUNT(*) FROM ballots").Scan(&after)
		if after != before {
			t.Error("an auditor's refused POST wrote a ballot")
		}
		// Another street office's vote does not exist for it; the district may not use the workspace.
		other := env.DemoToken("street2")
		for _, path := range []string{"/api/v1/votes/%d/audit", "/api/v1/votes/%d/audit/ballots"} {
			if r := env.API("GET", fmt.Sprintf(path, id), other, nil); r.Status != 404 {
				t.Errorf("street2 %s: %d", path, r.Status)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/paper-audits", id), other, map[string]any{"size": 1}); r.Status != 404 {
			t.Errorf("street2 draws: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/audit", id), env.DemoToken("district"), nil); r.Status != 403 {
			t.Errorf("district: %d", r.Status)
		}

		// Recount: refused before the count, kept after it.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/recounts", id), aud, nil); r.Status != 409 {
			t.Errorf("recount of an open vote: %d %s", r.Status, r.Body)
		}
		env.Clock.Set(voteCloses().Add(time.Minute))
		if closed, err := env.Svc.Votes.Close(t.Context(), id); err != nil || !closed {
			t.Fatalf("close: %v %v", closed, err)
		}
		r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/audit/recounts", id), aud, nil)
		var rc auditview.Recount
		r.JSON(t, &rc)
		if r.Status != 201 || !rc.Matches || rc.RecountSHA256 != rc.StoredSHA256 {
			t.Errorf("recount: %d %s", r.Status, r.Body)
		}
		if w := avGet(t, env, aud, id); len(w.Recounts) != 1 || !w.Recounts[0].Matches {
			t.Errorf("recounts kept: %+v", w.Recounts)
		}

		// The pages, in both languages, as the auditor; a check through the form.
		br := env.Browser()
		br.Login("auditor", avPassword(env, "auditor"))
		for _, lang := range []string{"zh-CN", "en"} {
			br.Get("/lang?to=" + lang)
			for _, path := range []string{"/audit/votes", fmt.Sprintf("/votes/%d/audit", id), fmt.Sprintf("/votes/%d/audit/ballots?channel=paper", id),
				fmt.Sprintf("/votes/%d/audit/paper-audits/%d", id, aID)} {
				page := br.Get(path)
				if page.Status != 200 || strings.Contains(string(page.Body), "auditview.") {
					t.Errorf("%s %s: %d (untranslated key?) %.300s", lang, path, page.Status, page.Body)
				}
			}
		}
		sample := fmt.Sprintf("/votes/%d/audit/paper-audits/%d", id, b.Info.ID)
		r = br.Submit(sample, fmt.Sprintf("%s/items/%d", sample, b.Items[0].ID), url.Values{"outcome": {"match"}})
		if r.Status != http.StatusSeeOther {
			t.Errorf("check through the form: %d %.300s", r.Status, r.Body)
		}
		if r := br.Submit(sample, fmt.Sprintf("%s/items/%d", sample, b.Items[1].ID), url.Values{"outcome": {"discrepancy"}}); r.Status != 422 {
			t.Errorf("a discrepancy without a note through the form: %d", r.Status)
		}
		if r := br.Get(fmt.Sprintf("/votes/%d/audit", id)); !strings.Contains(string(r.Body), "25.00%") {
			t.Error("the workspace does not show the rate")
		}
		other2 := env.Browser()
		other2.Login("street2", avPassword(env, "street2"))
		if r := other2.Get(fmt.Sprintf("/votes/%d/audit", id)); r.Status != 404 {
			t.Errorf("street2 page: %d", r.Status)
		}
	})
}

func avPassword(env *voteEnv, name string) string {
	for _, a := range env.Demo.Accounts {
		if a.Username == name {
			return a.Password
		}
	}
	return ""
}

// The two translation files of the workspace carry the same keys.
func TestAuditTranslationsMatch(t *testing.T) {
	read := func(name string) map[string]bool {
		b, err := os.ReadFile("../views/i18n/" + name)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^\s*"([^"]+)":`).FindAllSubmatch(b, -1) {
			keys[string(m[1])] = true
		}
		return keys
	}
	zh, en := read("h8.zh-CN.json"), read("h8.en.json")
	for k := range zh {
		if !en[k] {
			t.Errorf("%s missing in English", k)
		}
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("%s missing in Chinese", k)
		}
	}
}

// TestAuditChainUnderConcurrentUseCases: real use cases (paper ballots, reissues)
// recording at once through the API leave one unbroken chain.
func TestAuditChainUnderConcurrentUseCases(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		rooms := []string{"1-1-101", "1-1-102", "1-1-201", "1-1-301", "1-1-302", "1-1-401", "1-1-402", "1-1-501"}
		others := []string{"1-1-502", "1-1-601", "2-1-202", "2-1-301", "2-1-302", "2-1-401", "2-1-402", "2-1-501"}
		var wg sync.WaitGroup
		statuses := make(chan int, 2*len(rooms))
		for i := range rooms {
			wg.Add(2)
			go func() {
				defer wg.Done()
				r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok,
					map[string]any{"room": rooms[i], "choices": map[string]any{"dismiss": "agree"}})
				statuses <- r.Status
			}()
			go func() {
				defer wg.Done()
				r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/credentials/%d/reissue", id, creds[others[i]].VoterID), tok, map[string]any{"reason": "并发测试"})
				statuses <- r.Status
			}()
		}
		wg.Wait()
		close(statuses)
		for st := range statuses {
			if st != 200 && st != 201 {
				t.Fatalf("a use case failed: %d", st)
			}
		}
		rep, err := audit.Check(t.Context(), env.DB.DB, env.Svc.Votes.LogSigner().Public())
		if err != nil || rep.Broken != nil {
			t.Fatalf("chain: %+v %v", rep.Broken, err)
		}
		var rows int64
		env.DB.Raw("SELECT COUNT(*) FROM audit_logs").Scan(&rows)
		if rep.Entries != rows || rows < int64(2*len(rooms)) {
			t.Errorf("%d entries walked of %d rows", rep.Entries, rows)
		}
	})
}
