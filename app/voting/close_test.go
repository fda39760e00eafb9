package voting_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// openSmallVoteWithLinks is openSmallVote with the vote's credentials.
func (e *env) openSmallVoteWithLinks(t *testing.T) (int64, []voting.Credential) {
	t.Helper()
	id := e.openSmallVote(t)
	creds, err := e.Svc.Votes.Credentials(e.Ctx, e.Admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return id, creds
}

// openSmallVote drafts and opens a two-item vote on the demo estate and moves the
// clock into its voting period.
func (e *env) openSmallVote(t *testing.T) int64 {
	t.Helper()
	e.Clock.Set(t0)
	id := e.createVote(t, e.Demo.EstateID, string(rules.CivilCode2021), []voting.ItemInput{
		{Key: "dismiss", Title: "解聘物业", Text: "解聘现物业服务企业", Matter: string(rules.MatterHireDismissManager)},
		{Key: "fund", Title: "续筹维修资金", Text: "续筹专项维修资金", Matter: string(rules.MatterRaiseMaintenanceFund)},
	})
	if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
		t.Fatal(err)
	}
	_, opens, _ := schedule()
	e.Clock.Set(opens.Add(time.Hour))
	return id
}

func TestCloseExactlyOnceAcrossInstances(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.openSmallVote(t)
		for _, room := range []string{"1-1-101", "1-1-102", "1-1-201"} {
			if _, err := e.Svc.Votes.CastPaper(e.Ctx, e.Admin, id, voting.PaperBallot{Room: room, Choices: voting.Choices{"dismiss": {Option: "agree"}}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.Svc.Votes.Close(e.Ctx, id); app.ErrorCode(err) != app.EConflict {
			t.Errorf("closing early: %v", err)
		}
		// A second server instance over the same database.
		other := voting.New(e.DB.DB, e.Clock, e.Svc.Orgs, e.Svc.Roster, e.Svc.PII, "http://other.local", nil)
		_, _, closes := schedule()
		e.Clock.Set(closes)
		var closed atomic.Int64
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := e.Svc.Votes
				if i%2 == 1 {
					svc = other
				}
				ok, err := svc.Close(e.Ctx, id)
				if err != nil {
					t.Errorf("close: %v", err)
				}
				if ok {
					closed.Add(1)
				}
			}()
		}
		wg.Wait()
		if closed.Load() != 1 {
			t.Fatalf("%d callers closed the vote, want exactly 1", closed.Load())
		}
		v, err := models.FindVote(e.Ctx, e.DB.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != models.VoteClosed || v.TallySHA256 == "" || v.ReceiptsDigest == "" || v.BallotsCounted != 3 {
			t.Errorf("closed vote: state %s sha %q digest %q counted %d", v.State, v.TallySHA256, v.ReceiptsDigest, v.BallotsCounted)
		}
		var audits int64
		e.DB.Model(&models.AuditLog{}).Where("action = ?", "vote.close").Count(&audits)
		if audits != 1 {
			t.Errorf("%d close audit entries", audits)
		}
		if ok, err := e.Svc.Votes.Close(e.Ctx, id); ok || err != nil {
			t.Errorf("closing again: %v %v", ok, err)
		}
	})
}

func TestRunCloserClosesOverdueVotesOnStart(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		due := e.openSmallVote(t)
		// Open as well, but closing a day later: the closer must leave it open.
		later := e.openSmallVote(t)
		_, _, closes := schedule()
		if err := e.DB.Model(&models.Vote{}).Where("id = ?", later).Update("closes_at", closes.AddDate(0, 0, 1)).Error; err != nil {
			t.Fatal(err)
		}
		draft := e.createVote(t, e.Demo.EstateID, string(rules.CivilCode2021), []voting.ItemInput{
			{Key: "x", Title: "其他", Text: "其他事项", Matter: string(rules.MatterOther)}})
		e.Clock.Set(closes.Add(time.Minute))
		// The worker's first pass runs at once; the short deadline only ends the loop.
		ctx, cancel := context.WithTimeout(e.Ctx, 300*time.Millisecond)
		defer cancel()
		e.Svc.Votes.RunCloser(ctx, time.Hour, nil)
		for id, want := range map[int64]string{due: models.VoteClosed, later: models.VoteOpen, draft: models.VoteDraft} {
			v, err := models.FindVote(e.Ctx, e.DB.DB, id)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != want {
				t.Errorf("vote %d: state %s, want %s", id, v.State, want)
			}
		}
	})
}

func TestParticipationByBuildingHidesResults(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.openSmallVote(t)
		// 王建国 holds 1-1-101 and 2-1-101: one voter, counted in both buildings.
		if _, err := e.Svc.Votes.CastPaper(e.Ctx, e.Admin, id, voting.PaperBallot{Room: "2-1-101", Choices: voting.Choices{"fund": {Option: "oppose"}}}); err != nil {
			t.Fatal(err)
		}
		p, err := e.Svc.Votes.Participation(e.Ctx, e.Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.ParticipatingHeadcount != 1 || p.ParticipatingArea != rules.MustParseArea("181.95") || p.Phase != voting.PhaseVoting {
			t.Errorf("participation %+v", p)
		}
		if len(p.Buildings) != 2 || p.Buildings[0].Building != "1" || p.Buildings[0].ParticipatingHeadcount != 1 ||
			p.Buildings[0].ParticipatingArea != rules.MustParseArea("89.37") || p.Buildings[1].ParticipatingArea != rules.MustParseArea("92.58") {
			t.Errorf("buildings %+v", p.Buildings)
		}
		var units int
		var area rules.Area
		for _, b := range p.Buildings {
			units += b.Units
			area += b.Area
		}
		if units != 24 || area != p.TotalArea || p.TotalArea != rules.MustParseArea("2696.04") {
			t.Errorf("building totals %d units %s, total %s", units, area, p.TotalArea)
		}
		if len(p.Channels) != 1 || p.Channels[0].Channel != models.ChannelPaper {
			t.Errorf("channels %+v", p.Channels)
		}
	})
}

func TestRosterEditAfterOpeningDoesNotChangeTheVote(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.openSmallVote(t)
		// Re-import a roster with one room fewer: the open vote keeps its register.
		lines := strings.Split(strings.TrimSpace(string(testdata(t, "roster-small.csv"))), "\n")
		shorter := strings.Join(lines[:len(lines)-1], "\n") + "\n"
		if _, err := e.Svc.Roster.Import(e.Ctx, e.Admin, e.Demo.EstateID, "roster.csv", []byte(shorter)); err != nil {
			t.Fatal(err)
		}
		p, err := e.Svc.Votes.Participation(e.Ctx, e.Admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalHeadcount != 20 || p.TotalArea != rules.MustParseArea("2696.04") {
			t.Errorf("frozen totals changed: %d %s", p.TotalHeadcount, p.TotalArea)
		}
	})
}

func TestCastsRacingTheCloseAreCountedOrRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		// Instance A still sees the voting period; instance B is past the closing time.
		_, _, closes := schedule()
		e.Clock.Set(closes.Add(-time.Millisecond))
		closer := voting.New(e.DB.DB, app.NewManualClock(closes), e.Svc.Orgs, e.Svc.Roster, e.Svc.PII, "http://b.local", nil)
		var wg sync.WaitGroup
		var accepted atomic.Int64
		for _, c := range creds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: "agree"}})
				switch app.ErrorCode(err) {
				case "":
					accepted.Add(1)
				case app.EGone:
				default:
					t.Errorf("cast: %v", err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := closer.Close(e.Ctx, id); err != nil {
				t.Errorf("close: %v", err)
			}
		}()
		wg.Wait()
		v, err := models.FindVote(e.Ctx, e.DB.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		var stored int64
		e.DB.Model(&models.Ballot{}).Where("vote_id = ?", id).Count(&stored)
		if v.State != models.VoteClosed || int64(v.BallotsCounted) != stored || stored != accepted.Load() {
			t.Errorf("state %s: %d counted, %d stored, %d accepted", v.State, v.BallotsCounted, stored, accepted.Load())
		}
	})
}
