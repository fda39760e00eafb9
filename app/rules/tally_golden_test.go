package rules

import (
	"gongzhi/app/testkit/fixtures"
	"slices"
	"testing"
)

// loadGoldenTally reads testdata/tally-cases.json (its types: app/testkit/fixtures).
func loadGoldenTally(t *testing.T) fixtures.Golden { return fixtures.LoadGolden(t) }

// goldenRegisters builds and caches the register of each roster named by the golden file.
type goldenRegisters map[string]Register

// get returns the register of the roster under the default co-owner rule.
func (c goldenRegisters) get(t *testing.T, roster string) Register {
	t.Helper()
	if reg, ok := c[roster]; ok {
		return reg
	}
	reg := BuildRegister(loadRosterFixture(t, roster).Units, RegisterOptions{})
	c[roster] = reg
	return reg
}

// ballotBox accepts ballots naming a room, one per voter, as the voting service does.
type ballotBox struct {
	reg      Register
	byRoom   map[string]int
	voted    map[int]bool
	rejected int
}

// newBallotBox opens a ballot box over the register.
func newBallotBox(reg Register) *ballotBox {
	return &ballotBox{reg: reg, byRoom: reg.VoterIndexByRoom(), voted: make(map[int]bool)}
}

// accept returns the voter's area and true for the voter's first ballot, false for a repeat.
func (b *ballotBox) accept(t *testing.T, room string) (Area, bool) {
	t.Helper()
	i, ok := b.byRoom[room]
	if !ok {
		t.Fatalf("ballot names unknown room %s", room)
	}
	if b.voted[i] {
		b.rejected++
		return 0, false
	}
	b.voted[i] = true
	return b.reg.Voters[i].Area, true
}

func TestTallyGoldenCases(t *testing.T) {
	g := loadGoldenTally(t)
	regs := goldenRegisters{}
	for _, c := range g.Cases {
		reg := regs.get(t, c.Roster)
		for _, p := range LegalProfiles() {
			t.Run(c.Name+"/"+string(p), func(t *testing.T) {
				want, ok := c.Expect[string(p)]
				if !ok {
					t.Fatalf("no expectation for %s", p)
				}
				box := newBallotBox(reg)
				in := TallyInput{Profile: p, TotalArea: reg.TotalArea, TotalHeadcount: reg.TotalHeadcount}
				for _, it := range c.Items {
					in.Items = append(in.Items, ItemSpec{Key: it.Key, Matter: Matter(it.Matter)})
				}
				for _, b := range c.Ballots {
					if area, ok := box.accept(t, b.Room); ok {
						choices := map[string]Choice{}
						for k, v := range b.Choices {
							choices[k] = Choice(v)
						}
						in.Ballots = append(in.Ballots, CastBallot{Area: area, Choices: choices})
					}
				}
				res := Tally(in)

				if res.Profile != p {
					t.Errorf("profile = %s", res.Profile)
				}
				if res.Total.Area.String() != want.TotalArea || res.Total.Headcount != want.TotalHeadcount {
					t.Errorf("total = %s/%d, want %s/%d", res.Total.Area, res.Total.Headcount, want.TotalArea, want.TotalHeadcount)
				}
				if res.Participating.Area.String() != want.ParticipatingArea || res.Participating.Headcount != want.ParticipatingHeadcount {
					t.Errorf("participating = %s/%d, want %s/%d", res.Participating.Area, res.Participating.Headcount,
						want.ParticipatingArea, want.ParticipatingHeadcount)
				}
				if box.rejected != want.RejectedDuplicates {
					t.Errorf("rejected duplicates = %d, want %d", box.rejected, want.RejectedDuplicates)
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
					if string(got.Class) != w.Class || got.Passed != w.Passed ||
						got.Agree.Area.String() != w.AgreeArea || got.Agree.Headcount != w.AgreeHeadcount ||
						got.Oppose.Area.String() != w.OpposeArea || got.Oppose.Headcount != w.OpposeHeadcount ||
						got.Abstain.Area.String() != w.AbstainArea || got.Abstain.Headcount != w.AbstainHeadcount {
						t.Errorf("item %s: class %s agree %s/%d oppose %s/%d abstain %s/%d passed %v; want %+v",
							key, got.Class, got.Agree.Area, got.Agree.Headcount, got.Oppose.Area, got.Oppose.Headcount,
							got.Abstain.Area, got.Abstain.Headcount, got.Passed, w)
					}
				}
			})
		}
	}
}

func TestTallyGoldenElections(t *testing.T) {
	g := loadGoldenTally(t)
	regs := goldenRegisters{}
	for _, e := range g.Elections {
		t.Run(e.Name, func(t *testing.T) {
			reg := regs.get(t, e.Roster)
			box := newBallotBox(reg)
			spec := ElectionSpec{Key: e.Name, Seats: e.Seats, Alternates: e.Alternates, MinMembers: e.MinMembers, Candidates: e.Candidates}
			in := TallyInput{
				Profile:        CivilCode2021, // the national profile
				TotalArea:      reg.TotalArea,
				TotalHeadcount: reg.TotalHeadcount,
				Elections:      []ElectionSpec{spec},
			}
			overVoted := 0
			for _, b := range e.Ballots {
				if area, ok := box.accept(t, b.Room); ok {
					in.Ballots = append(in.Ballots, CastBallot{Area: area, Elections: map[string][]string{e.Name: b.Agree}})
					if len(b.Agree) > e.Seats {
						overVoted++
					}
				}
			}
			res := Tally(in)
			er := res.Elections[e.Name]
			want := e.Expect

			if res.Participating.Area.String() != want.ParticipatingArea || res.Participating.Headcount != want.ParticipatingHeadcount {
				t.Errorf("participating = %s/%d, want %s/%d", res.Participating.Area, res.Participating.Headcount,
					want.ParticipatingArea, want.ParticipatingHeadcount)
			}
			if res.QuorumMet != want.QuorumMet {
				t.Errorf("quorum met = %v, want %v", res.QuorumMet, want.QuorumMet)
			}
			if len(er.Candidates) != len(want.Candidates) {
				t.Errorf("%d candidates, want %d", len(er.Candidates), len(want.Candidates))
			}
			for key, w := range want.Candidates {
				got := er.Candidates[key]
				if got.Agree.Headcount != w.AgreeHeadcount || got.Agree.Area.String() != w.AgreeArea || got.Qualified != w.Qualified {
					t.Errorf("candidate %s: agree %s/%d qualified %v, want %s/%d %v",
						key, got.Agree.Area, got.Agree.Headcount, got.Qualified, w.AgreeArea, w.AgreeHeadcount, w.Qualified)
				}
			}
			for _, l := range []struct {
				what      string
				got, want []string
			}{
				{"elected", er.Elected, want.Elected},
				{"runoff", er.Runoff, want.Runoff},
				{"alternates", er.Alternates, want.Alternates},
			} {
				if !slices.Equal(l.got, l.want) {
					t.Errorf("%s = %v, want %v", l.what, l.got, l.want)
				}
			}
			if er.CommitteeFormed != want.CommitteeFormed || er.VacantSeats != want.VacantSeats {
				t.Errorf("committee formed %v vacant %d, want %v %d", er.CommitteeFormed, er.VacantSeats, want.CommitteeFormed, want.VacantSeats)
			}
			if er.InvalidBallots != overVoted {
				t.Errorf("invalid ballots = %d, want the %d over-voted", er.InvalidBallots, overVoted)
			}
		})
	}
}
