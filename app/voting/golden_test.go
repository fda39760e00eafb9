package voting_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// paperBallot is one golden ballot to enter by room.
type paperBallot struct {
	room    string
	choices voting.Choices
}

// castAll enters the ballots as paper ballots, several voters at a time but each
// voter's ballots in file order (so the first ballot of a voter is the one that
// counts), and returns how many were refused as a voter's second ballot.
func (e *env) castAll(t *testing.T, voteID int64, ballots []paperBallot) int {
	t.Helper()
	voterOf := e.roomVoters(t, voteID)
	byVoter := map[int64][]paperBallot{}
	var order []int64
	for _, b := range ballots {
		v, ok := voterOf[b.room]
		if !ok {
			t.Fatalf("room %s not in the register", b.room)
		}
		if _, seen := byVoter[v]; !seen {
			order = append(order, v)
		}
		byVoter[v] = append(byVoter[v], b)
	}
	var rejected atomic.Int64
	work := make(chan int64)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := range work {
				for _, b := range byVoter[v] {
					_, err := e.Svc.Votes.CastPaper(e.Ctx, e.Admin, voteID, voting.PaperBallot{Room: b.room, Choices: b.choices})
					switch app.ErrorCode(err) {
					case "":
					case app.EConflict:
						rejected.Add(1)
					default:
						t.Errorf("room %s: %v", b.room, err)
					}
				}
			}
		}()
	}
	for _, v := range order {
		work <- v
	}
	close(work)
	wg.Wait()
	return int(rejected.Load())
}

// closeAndResult moves the clock past the closing time and reads the result.
func (e *env) closeAndResult(t *testing.T, voteID int64) *voting.Result {
	t.Helper()
	_, _, closes := schedule()
	e.Clock.Set(closes.Add(1))
	p := e.Admin
	r, err := e.Svc.Votes.Results(e.Ctx, &p, voteID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Result == nil {
		t.Fatalf("no result after closing: state %s", r.State)
	}
	return r.Result
}

func TestGoldenCasesThroughService(t *testing.T) {
	g := loadGolden(t)
	each(t, func(t *testing.T, e *env) {
		for _, c := range g.Cases {
			for _, profile := range rules.LegalProfiles() {
				t.Run(c.Name+"/"+string(profile), func(t *testing.T) {
					want := c.Expect[string(profile)]
					e.Clock.Set(t0)
					estate := e.estateWithRoster(t, c.Roster)
					var items []voting.ItemInput
					for _, it := range c.Items {
						items = append(items, voting.ItemInput{Key: it.Key, Title: it.Title, Text: it.Title + "（全文）", Matter: it.Matter})
					}
					id := e.createVote(t, estate, string(profile), items)
					if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
						t.Fatal(err)
					}
					_, opens, _ := schedule()
					e.Clock.Set(opens.Add(1))
					var ballots []paperBallot
					for _, b := range c.Ballots {
						ch := voting.Choices{}
						for k, v := range b.Choices {
							ch[k] = voting.Choice{Option: v}
						}
						ballots = append(ballots, paperBallot{room: b.Room, choices: ch})
					}
					if rejected := e.castAll(t, id, ballots); rejected != want.RejectedDuplicates {
						t.Errorf("rejected duplicates = %d, want %d", rejected, want.RejectedDuplicates)
					}
					res := e.closeAndResult(t, id)
					checkCase(t, res, want)
					if _, matches, err := e.Svc.Votes.Recount(e.Ctx, e.Admin, id); err != nil || !matches {
						t.Errorf("recount matches = %v, %v", matches, err)
					}
				})
			}
		}
	})
}

func checkCase(t *testing.T, res *voting.Result, want goldenExpect) {
	t.Helper()
	if res.TotalArea != want.TotalArea || res.TotalHeadcount != want.TotalHeadcount {
		t.Errorf("total = %s/%d, want %s/%d", res.TotalArea, res.TotalHeadcount, want.TotalArea, want.TotalHeadcount)
	}
	if res.ParticipatingArea != want.ParticipatingArea || res.ParticipatingHeadcount != want.ParticipatingHeadcount {
		t.Errorf("participating = %s/%d, want %s/%d", res.ParticipatingArea, res.ParticipatingHeadcount, want.ParticipatingArea, want.ParticipatingHeadcount)
	}
	if res.QuorumMet != want.QuorumMet {
		t.Errorf("quorum met = %v, want %v", res.QuorumMet, want.QuorumMet)
	}
	if len(res.Items) != len(want.Items) {
		t.Errorf("%d items, want %d", len(res.Items), len(want.Items))
	}
	for key, w := range want.Items {
		got, ok := res.Items[key]
		if !ok {
			t.Errorf("item %s missing", key)
			continue
		}
		if got.Class != w.Class || got.Passed != w.Passed || got.AgreeArea != w.AgreeArea || got.AgreeHeadcount != w.AgreeHeadcount ||
			got.OpposeArea != w.OpposeArea || got.OpposeHeadcount != w.OpposeHeadcount ||
			got.AbstainArea != w.AbstainArea || got.AbstainHeadcount != w.AbstainHeadcount {
			t.Errorf("item %s = %+v, want %+v", key, got, w)
		}
		if got.Rule == "" || got.RuleEN == "" || got.LegalBasis == "" {
			t.Errorf("item %s carries no rule in words: %+v", key, got)
		}
	}
}

func TestGoldenElectionsThroughService(t *testing.T) {
	g := loadGolden(t)
	each(t, func(t *testing.T, e *env) {
		for _, el := range g.Elections {
			t.Run(el.Name, func(t *testing.T) {
				e.Clock.Set(t0)
				estate := e.estateWithRoster(t, el.Roster)
				item := voting.ItemInput{Key: el.Name, Title: "选举业主委员会委员", Text: "选举第一届业主委员会委员", Matter: string(rules.MatterElectCommittee),
					Seats: el.Seats, Alternates: el.Alternates}
				for _, c := range el.Candidates {
					item.Candidates = append(item.Candidates, voting.CandidateInput{Key: c, Name: "候选人" + c})
				}
				id := e.createVote(t, estate, string(rules.CivilCode2021), []voting.ItemInput{item})
				if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
					t.Fatal(err)
				}
				_, opens, _ := schedule()
				e.Clock.Set(opens.Add(1))
				var ballots []paperBallot
				for _, b := range el.Ballots {
					ballots = append(ballots, paperBallot{room: b.Room, choices: voting.Choices{el.Name: {Candidates: b.Agree, IsList: true}}})
				}
				if rejected := e.castAll(t, id, ballots); rejected != 0 {
					t.Errorf("%d ballots rejected", rejected)
				}
				res := e.closeAndResult(t, id)
				checkElection(t, res, el.Name, el.Expect)
			})
		}
	})
}

func checkElection(t *testing.T, res *voting.Result, key string, want goldenElection) {
	t.Helper()
	if res.ParticipatingArea != want.ParticipatingArea || res.ParticipatingHeadcount != want.ParticipatingHeadcount {
		t.Errorf("participating = %s/%d, want %s/%d", res.ParticipatingArea, res.ParticipatingHeadcount, want.ParticipatingArea, want.ParticipatingHeadcount)
	}
	if res.QuorumMet != want.QuorumMet {
		t.Errorf("quorum met = %v, want %v", res.QuorumMet, want.QuorumMet)
	}
	er, ok := res.Elections[key]
	if !ok {
		t.Fatalf("election %s missing from %+v", key, res.Elections)
	}
	if len(er.Candidates) != len(want.Candidates) {
		t.Errorf("%d candidates, want %d", len(er.Candidates), len(want.Candidates))
	}
	for k, w := range want.Candidates {
		got := er.Candidates[k]
		if got.AgreeArea != w.AgreeArea || got.AgreeHeadcount != w.AgreeHeadcount || got.Qualified != w.Qualified {
			t.Errorf("candidate %s = %+v, want %+v", k, got, w)
		}
	}
	for _, l := range []struct {
		what      string
		got, want []string
	}{{"elected", er.Elected, want.Elected}, {"runoff", er.Runoff, want.Runoff}, {"alternates", er.Alternates, want.Alternates}} {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s = %v, want %v", l.what, l.got, l.want)
		}
	}
	if er.CommitteeFormed != want.CommitteeFormed || er.VacantSeats != want.VacantSeats {
		t.Errorf("committee formed %v vacant %d, want %v %d", er.CommitteeFormed, er.VacantSeats, want.CommitteeFormed, want.VacantSeats)
	}
	if er.Rule == "" {
		t.Error("election carries no rule in words")
	}
}
