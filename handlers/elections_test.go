package handlers_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
	"gongzhi/app/testkit/fixtures"
)

// TestElectionFullPathThroughVotes walks the path a street office takes on the demo
// estate, all through the API and real votes: a preparatory group, seven qualified
// candidates published as the slate, the election vote created from the slate, the
// golden tie-runoff ballots cast by the owners' personal links, the count recorded
// as a committee still forming (four elected, a runoff between T1 and T2), the runoff
// vote created from the result, cast and counted, and the committee formed.
func TestElectionFullPathThroughVotes(t *testing.T) {
	file := fixtures.LoadGolden(t)
	var g fmGoldenElection
	for _, e := range file.Elections {
		if e.Name == "small-election-tie-runoff" {
			g = e
		}
	}
	if g.Name == "" {
		t.Fatal("fixture small-election-tie-runoff missing")
	}
	eachVote(t, func(t *testing.T, env *voteEnv) {
		t0 := time.Now().Truncate(time.Minute)
		env.Clock.Set(t0)
		tok := env.DemoToken("street")
		estate := estateID(t, env.Env, "阳光花园")
		gid := fmFormGroup(t, env.Env, tok, estate)
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/publish", gid), tok, nil), 200, "publish members")
		rooms := []string{"1-1-301", "1-1-302", "1-1-401", "1-1-402", "1-1-501", "1-1-502", "1-1-601"}
		for j, key := range g.Candidates {
			political := "masses"
			if j < 4 {
				political = "cpc_member"
			}
			fmQualify(t, env.Env, tok, gid, "候选人"+key, rooms[j], political)
		}
		opens, closes := t0.AddDate(0, 0, 16), t0.AddDate(0, 0, 23)
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/groups/%d/candidate-lists", gid), tok, map[string]any{"vote_planned_at": opens}), 201, "publish list")

		// The election vote from the slate; the fixture's keys map to the slate's in order.
		r := env.API("POST", fmt.Sprintf("/api/v1/groups/%d/election-votes", gid), tok, map[string]any{
			"notice_published_at": t0, "opens_at": opens, "closes_at": closes, "seats": g.Seats, "alternates": g.Alternates})
		voteID := fmID(t, r, "election vote from slate")
		var detail struct {
			Items []struct {
				Key        string `json:"key"`
				Candidates []struct {
					Key  string `json:"key"`
					Name string `json:"name"`
				} `json:"candidates"`
			} `json:"items"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d", voteID), tok, nil).JSON(t, &detail)
		if len(detail.Items) != 1 || len(detail.Items[0].Candidates) != len(g.Candidates) {
			t.Fatalf("election vote items: %+v", detail.Items)
		}
		toVote := map[string]string{}
		for j, c := range detail.Items[0].Candidates {
			if c.Name != "候选人"+g.Candidates[j] {
				t.Fatalf("candidate %d is %s", j, c.Name)
			}
			toVote[g.Candidates[j]] = c.Key
		}
		env.openVote(t, tok, voteID)
		creds := env.credentials(t, tok, voteID)
		checks := idChecks(t)
		env.Clock.Set(opens.Add(time.Hour))
		for _, b := range g.Ballots {
			var agree []string
			for _, k := range b.Agree {
				agree = append(agree, toVote[k])
			}
			if r := env.cast(creds[b.Room].Token, checks[b.Room], map[string]any{"committee": agree}); r.Status != 201 {
				t.Fatalf("ballot of %s: %d %s", b.Room, r.Status, r.Body)
			}
		}
		env.Clock.Set(closes.Add(time.Minute))

		// Recording the count: four elected, T1 and T2 in a runoff, one seat vacant.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/committee", voteID), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 records another street's election: %d", r.Status)
		}
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/committee", voteID), tok, nil), 201, "record election")
		var cm fmCommitteeJSON
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/committee", estate), tok, nil).JSON(t, &cm)
		if cm.Status == "formed" || cm.VacantSeats != 1 || len(cm.Members) != 4 || !slices.Equal(cm.RunoffPending, []string{"候选人T1", "候选人T2"}) {
			t.Fatalf("committee after the first count: %+v", cm)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/committee", voteID), tok, nil); r.Status != 409 {
			t.Errorf("recording the same count twice: %d %s", r.Status, r.Body)
		}

		// The runoff vote from the result: one seat, T1 and T2.
		t1 := closes.Add(time.Hour)
		ropens, rcloses := t1.AddDate(0, 0, 16), t1.AddDate(0, 0, 23)
		r = env.API("POST", fmt.Sprintf("/api/v1/votes/%d/runoffs", voteID), tok, map[string]any{
			"notice_published_at": t1, "opens_at": ropens, "closes_at": rcloses})
		runoffID := fmID(t, r, "runoff vote")
		env.openVote(t, tok, runoffID)
		rcreds := env.credentials(t, tok, runoffID)
		env.Clock.Set(ropens.Add(time.Hour))
		n := 0
		for room, c := range rcreds {
			if c.VoterID == 0 || room != c.Rooms[0] {
				continue
			}
			n++
			pick := toVote["T1"]
			if n%4 == 0 {
				pick = toVote["T2"]
			}
			if r := env.cast(c.Token, checks[room], map[string]any{"committee": []string{pick}}); r.Status != 201 {
				t.Fatalf("runoff ballot of %s: %d %s", room, r.Status, r.Body)
			}
		}
		// Staff record the runoff ten days after it closed: the deadlines still run from the
		// close (docs/rules.md "Election edges").
		env.Clock.Set(rcloses.AddDate(0, 0, 10))
		fmWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/committee", runoffID), tok, nil), 201, "record runoff")
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/committee", estate), tok, nil).JSON(t, &cm)
		if cm.ChairElectBy == nil || !cm.ChairElectBy.Equal(rules.PeriodEnd(rcloses, 7, rules.OfficialCalendar())) ||
			cm.FilingDue == nil || !cm.FilingDue.Equal(rules.PeriodEnd(rcloses, 30, rules.OfficialCalendar())) {
			t.Errorf("deadlines after a late recording: chair by %v filing due %v, want 7 and 30 days from the runoff's close %v",
				cm.ChairElectBy, cm.FilingDue, rcloses)
		}
		// The runoff's loser T2 becomes the first alternate (E did not qualify).
		if len(cm.Alternates) != 1 || cm.Alternates[0].CandidateKey != toVote["T2"] || cm.Alternates[0].Rank != 1 {
			t.Errorf("alternates after the runoff: %+v, want the loser T2 (%s) first", cm.Alternates, toVote["T2"])
		}
		var names []string
		for _, m := range cm.Members {
			names = append(names, m.Name)
		}
		slices.Sort(names)
		if cm.Status != "formed" || cm.VacantSeats != 0 || !slices.Equal(names, []string{"候选人A", "候选人B", "候选人C", "候选人D", "候选人T1"}) {
			t.Fatalf("committee after the runoff: status %s vacant %d members %v", cm.Status, cm.VacantSeats, names)
		}
		// The same through the web: the slate form on the formation page creates a vote,
		// and the counted vote's page offers recording (refused the second time) and the runoff.
		b := env.Browser()
		b.Login("street", "Demo2026street")
		page := fmt.Sprintf("/estates/%d/formation", estate)
		local := func(t time.Time) string { return t.In(rules.Shanghai()).Format("2006-01-02T15:04") }
		wr := b.Submit(page, fmt.Sprintf("/estates/%d/formation/groups/%d/election-vote", estate, gid), url.Values{
			"title": {"第二次选举"}, "seats": {"5"}, "alternates": {"1"}, "form": {"written"},
			// Issue 16: the web form refuses a notice before today, so the notice is dated from the clock.
			"notice_published_at": {local(env.Clock.Now().Add(time.Hour))}, "opens_at": {local(env.Clock.Now().AddDate(0, 0, 17))}, "closes_at": {local(env.Clock.Now().AddDate(0, 0, 24))}})
		if wr.Status != 303 || !strings.HasPrefix(wr.Header.Get("Location"), "/votes/") {
			t.Fatalf("web election vote: %d %s %s", wr.Status, wr.Header.Get("Location"), regexp.MustCompile(`(?s)class="flash err".{0,400}`).Find(wr.Body))
		}
		if vp := b.Get(wr.Header.Get("Location")); vp.Status != 200 || !strings.Contains(string(vp.Body), "候选人T2") {
			t.Errorf("new election vote page: %d", vp.Status)
		}
		vote := fmt.Sprintf("/votes/%d", voteID)
		vp := b.Get(vote)
		if !strings.Contains(string(vp.Body), `action="/votes/`+fmt.Sprint(voteID)+`/committee"`) || !strings.Contains(string(vp.Body), `action="/votes/`+fmt.Sprint(voteID)+`/runoff"`) {
			t.Errorf("counted election page lacks the record and runoff forms")
		}
		if wr := b.Submit(vote, vote+"/committee", url.Values{"item_key": {"committee"}}); wr.Status != 409 {
			t.Errorf("web record twice: %d", wr.Status)
		}
		// No runoff is left to create.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/runoffs", runoffID), tok, map[string]any{
			"notice_published_at": t1, "opens_at": ropens, "closes_at": rcloses}); r.Status != 409 {
			t.Errorf("runoff of a runoff without a tie: %d %s", r.Status, r.Body)
		}
	})
}
