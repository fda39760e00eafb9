package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

func TestVoteConcurrentSubmissionsOneBallot(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		body, err := json.Marshal(map[string]any{"id_check": answers["1-1-101"], "choices": map[string]any{"dismiss": "agree", "fund": "oppose"}})
		if err != nil {
			t.Fatal(err)
		}
		const n = 200
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				req := httptest.NewRequest("POST", "/api/v1/ballots/"+creds["1-1-101"].Token, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				resp, err := env.App.Test(req, -1)
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[201] != 1 || count[409] != n-1 {
			t.Fatalf("statuses %v, want one 201 and %d × 409", count, n-1)
		}
		var ballots, contents int64
		env.DB.Model(&models.Ballot{}).Where("vote_id = ?", id).Count(&ballots)
		env.DB.Model(&models.BallotContent{}).Where("vote_id = ?", id).Count(&contents)
		if ballots != 1 || contents != 1 {
			t.Errorf("%d ballots and %d contents stored, want 1", ballots, contents)
		}
	})
}

func TestVoteJurisdictionAndRoles(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		other := env.DemoToken("street2")
		for _, path := range []string{"/api/v1/votes/%d", "/api/v1/votes/%d/credentials", "/api/v1/votes/%d/results", "/api/v1/votes/%d/participation"} {
			if r := env.API("GET", fmt.Sprintf(path, id), other, nil); r.Status != 404 {
				t.Errorf("street2 %s: %d", path, r.Status)
			}
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), other, voteBody("civil-code-2021", defaultItems()...)); r.Status != 404 {
			t.Errorf("street2 creates a vote elsewhere: %d", r.Status)
		}
		aud := env.DemoToken("auditor")
		if r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), aud, voteBody("civil-code-2021", defaultItems()...)); r.Status != 403 {
			t.Errorf("auditor creates: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/credentials", id), aud, nil); r.Status != 403 {
			t.Errorf("auditor sees tokens: %d", r.Status)
		}
		for _, path := range []string{"/api/v1/votes/%d", "/api/v1/votes/%d/results", "/api/v1/votes/%d/ballots", "/api/v1/votes/%d/events", "/api/v1/votes/%d/participation"} {
			if r := env.API("GET", fmt.Sprintf(path, id), aud, nil); r.Status != 200 {
				t.Errorf("auditor %s: %d %s", path, r.Status, r.Body)
			}
		}
		var list []struct {
			ID    int64  `json:"id"`
			Phase string `json:"phase"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), env.DemoToken("committee"), nil).JSON(t, &list)
		if len(list) != 1 || list[0].ID != id || list[0].Phase != "voting" {
			t.Errorf("committee's list: %+v", list)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d", id), "bad-token", nil); r.Status != 401 {
			t.Errorf("bad token: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/results", id), "bad-token", nil); r.Status != 401 {
			t.Errorf("results with a bad token: %d", r.Status)
		}
		if r := env.API("GET", "/api/v1/votes/999999/results", "", nil); r.Status != 404 {
			t.Errorf("anonymous results of a missing vote: %d", r.Status)
		}
	})
}

func TestVoteOpenRefusesEmptyRosterAndTwice(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street2")
		var estate models.Estate
		if err := env.DB.Where("name = ?", "光明家园").Take(&estate).Error; err != nil {
			t.Fatal(err)
		}
		r := env.API("POST", fmt.Sprintf("/api/v1/estates/%d/votes", estate.ID), tok, voteBody("civil-code-2021", defaultItems()...))
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := int64(r.Map(t)["id"].(float64))
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/open", id), tok, nil); r.Status != 409 || !strings.Contains(errorMessage(r), "名册为空") {
			t.Errorf("open with an empty roster: %d %s", r.Status, r.Body)
		}
		var voters int64
		env.DB.Model(&models.VoteVoter{}).Where("vote_id = ?", id).Count(&voters)
		if voters != 0 {
			t.Errorf("%d voters frozen for a refused opening", voters)
		}
		st := env.DemoToken("street")
		id2 := env.createVote(t, st, voteBody("civil-code-2021", defaultItems()...))
		env.openVote(t, st, id2)
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/open", id2), st, nil); r.Status != 409 {
			t.Errorf("second opening: %d", r.Status)
		}
		creds := env.credentials(t, st, id2)
		if len(creds) != 24 { // every room of the 20 voters
			t.Errorf("%d rooms with credentials, want 24", len(creds))
		}
		seen := map[string]bool{}
		for _, c := range creds {
			seen[c.Token] = true
			if !strings.HasPrefix(c.URL, "http://test.local/b/") {
				t.Errorf("url %s", c.URL)
			}
		}
		if len(seen) != 20 {
			t.Errorf("%d distinct tokens, want 20", len(seen))
		}
	})
}

func TestVotePublicationObjectionsFinal(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("committee")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		var receipt string
		for _, room := range []string{"1-1-101", "1-1-102", "1-1-202"} {
			r := env.cast(creds[room].Token, answers[room], map[string]any{"dismiss": "agree", "fund": "agree"})
			if r.Status != 201 {
				t.Fatalf("cast: %d %s", r.Status, r.Body)
			}
			receipt = r.Map(t)["receipt"].(string)
		}
		base := fmt.Sprintf("/api/v1/votes/%d", id)
		if r := env.API("POST", base+"/publish", tok, nil); r.Status != 409 {
			t.Errorf("publish before closing: %d", r.Status)
		}
		// Closed one day after closes_at (no worker ran): publishing closes it first.
		closedAt := voteCloses().Add(24 * time.Hour)
		env.Clock.Set(closedAt)
		objectionBody := map[string]any{"id_check": answers["1-1-101"], "content": "对计票有疑问"}
		if r := env.API("POST", "/api/v1/ballots/"+creds["1-1-101"].Token+"/objections", "", objectionBody); r.Status != 409 {
			t.Errorf("objection before publication: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", base+"/participation-list", "", nil); r.Status != 401 {
			t.Errorf("anonymous participation list before publication: %d", r.Status)
		}
		pub := env.API("POST", base+"/publish", tok, nil)
		if pub.Status != 200 || pub.Map(t)["late"] != false {
			t.Fatalf("publish: %d %s", pub.Status, pub.Body)
		}
		if r := env.API("POST", base+"/publish", tok, nil); r.Status != 409 {
			t.Errorf("second publish: %d", r.Status)
		}
		// Anyone may now read the result and the participation list (rooms and areas only).
		anon := env.API("GET", base+"/results", "", nil)
		if sum, _ := anon.Map(t)["tally_sha256"].(string); anon.Status != 200 || anon.Map(t)["state"] != "published" || len(sum) != 64 {
			t.Errorf("anonymous results: %d %s", anon.Status, anon.Body)
		}
		pl := env.API("GET", base+"/participation-list", "", nil)
		if pl.Status != 200 || strings.Contains(string(pl.Body), "agree") || !strings.Contains(string(pl.Body), `"1-1-101"`) || pl.Map(t)["count"] != float64(3) {
			t.Errorf("participation list: %d %s", pl.Status, pl.Body)
		}
		// The receipt's own fields never show the choices; its ballot log entry (issue
		// 14, docs/bundle.md) carries the leaf, which holds them.
		if r := env.API("GET", "/api/v1/receipts/"+receipt, "", nil); r.Status != 200 || r.Map(t)["counted"] != true ||
			strings.Contains(fmt.Sprint(withoutKey(r.Map(t), "log")), "agree") || r.Map(t)["log"] == nil {
			t.Errorf("receipt: %d %s", r.Status, r.Body)
		}
		// Objections: one by an owner through the ballot link, one recorded by staff.
		if r := env.API("POST", "/api/v1/ballots/"+creds["1-1-101"].Token+"/objections", "", map[string]any{"id_check": "ZZZZZZ", "content": "x"}); r.Status != 403 {
			t.Errorf("objection with a wrong identity check: %d", r.Status)
		}
		own := env.API("POST", "/api/v1/ballots/"+creds["1-1-101"].Token+"/objections", "", objectionBody)
		if own.Status != 201 || own.Map(t)["by_owner"] != true {
			t.Fatalf("owner's objection: %d %s", own.Status, own.Body)
		}
		staff := env.API("POST", base+"/objections", tok, map[string]any{"submitter": "2-1-302 赵女士", "content": "书面异议：公示期太短"})
		if staff.Status != 201 {
			t.Fatalf("recorded objection: %d %s", staff.Status, staff.Body)
		}
		if r := env.API("POST", base+"/finalise", tok, nil); r.Status != 409 {
			t.Errorf("finalise during the objection window: %d", r.Status)
		}
		// The link's view (no identity check) shows the window, not the owner's objections.
		var view struct {
			MyObjections   any  `json:"my_objections"`
			ObjectionsOpen bool `json:"objections_open"`
		}
		env.API("GET", "/api/v1/ballots/"+creds["1-1-101"].Token, "", nil).JSON(t, &view)
		if view.MyObjections != nil || !view.ObjectionsOpen {
			t.Errorf("ballot view during the window: %+v", view)
		}
		env.Clock.Set(closedAt.AddDate(0, 0, 10))
		if r := env.API("POST", "/api/v1/ballots/"+creds["1-1-101"].Token+"/objections", "", objectionBody); r.Status != 410 {
			t.Errorf("objection after the window: %d %s", r.Status, r.Body)
		}
		r := env.API("POST", base+"/finalise", tok, nil)
		if r.Status != 409 || !strings.Contains(errorMessage(r), "2 条异议未答复") {
			t.Errorf("finalise with open objections: %d %s", r.Status, r.Body)
		}
		for _, o := range []handlertest.Response{own, staff} {
			oid := int64(o.Map(t)["id"].(float64))
			ans := env.API("POST", fmt.Sprintf("%s/objections/%d/answer", base, oid), tok, map[string]any{"answer": "经复核，计票无误。"})
			if ans.Status != 200 || ans.Map(t)["answered"] != true {
				t.Fatalf("answer: %d %s", ans.Status, ans.Body)
			}
			if again := env.API("POST", fmt.Sprintf("%s/objections/%d/answer", base, oid), tok, map[string]any{"answer": "再答"}); again.Status != 409 {
				t.Errorf("second answer: %d", again.Status)
			}
		}
		if r := env.API("POST", base+"/finalise", tok, nil); r.Status != 200 {
			t.Fatalf("finalise: %d %s", r.Status, r.Body)
		}
		final := env.API("GET", base+"/results", "", nil).Map(t)
		if final["state"] != "final" || final["finalised_at"] == nil {
			t.Errorf("final results: %v", final)
		}
		var objections []map[string]any
		env.API("GET", base+"/objections", env.DemoToken("auditor"), nil).JSON(t, &objections)
		if len(objections) != 2 || objections[0]["answer"] != "经复核，计票无误。" {
			t.Errorf("objections: %v", objections)
		}
		var rc map[string]any
		env.API("GET", base+"/recount", env.DemoToken("auditor"), nil).JSON(t, &rc)
		if rc["matches"] != true {
			t.Errorf("recount: %v", rc)
		}
	})
}
