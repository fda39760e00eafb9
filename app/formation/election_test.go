package formation_test

import (
	"slices"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/models"
)

// goldenElection is one committee election of testdata/tally-cases.json.
type goldenElection = fixtures.Election

func loadGoldenElections(t *testing.T) []goldenElection { return fixtures.LoadGolden(t).Elections }

// tallyOn counts ballots (room → agreed keys) over the estate's frozen register as the
// voting service does: one ballot per voter, the national profile's counting rule.
func (f *fixture) tallyOn(estateID int64, spec rules.ElectionSpec, ballots map[string][]string, order []string) rules.ElectionResult {
	f.t.Helper()
	snap, err := f.set.Roster.Snapshot(f.ctx, f.db.DB, estateID)
	f.must(err)
	reg := snap.Register
	byRoom := reg.VoterIndexByRoom()
	in := rules.TallyInput{Profile: rules.CivilCode2021, TotalArea: reg.TotalArea, TotalHeadcount: reg.TotalHeadcount,
		Elections: []rules.ElectionSpec{spec}}
	voted := map[int]bool{}
	for _, room := range order {
		i, ok := byRoom[room]
		if !ok {
			f.t.Fatalf("ballot names unknown room %s", room)
		}
		if voted[i] {
			continue
		}
		voted[i] = true
		in.Ballots = append(in.Ballots, rules.CastBallot{Area: reg.Voters[i].Area, Elections: map[string][]string{spec.Key: ballots[room]}})
	}
	return rules.Tally(in).Elections[spec.Key]
}

// nameRefs describes candidate keys by name only, as a vote not built from the slate does.
func nameRefs(keys ...string) map[string]formation.CandidateRef {
	out := map[string]formation.CandidateRef{}
	for _, k := range keys {
		out[k] = formation.CandidateRef{Name: "候选人" + k}
	}
	return out
}

func memberKeys(list []formation.CommitteeMemberView) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.CandidateKey)
	}
	return out
}

func TestRecordElectionGolden(t *testing.T) {
	golden := loadGoldenElections(t)
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street := f.who("street")
		for i, g := range golden {
			t.Run(g.Name, func(t *testing.T) {
				estate := f.newEstate("选举-"+g.Name, "national")
				f.importRoster(estate, g.Roster)
				gid := f.formGroup(street, estate, lawfulGroup())
				ballots := map[string][]string{}
				var order []string
				for _, b := range g.Ballots {
					if _, seen := ballots[b.Room]; !seen {
						ballots[b.Room] = b.Agree
					}
					order = append(order, b.Room)
				}
				spec := rules.ElectionSpec{Key: g.Name, Seats: g.Seats, Alternates: g.Alternates, MinMembers: g.MinMembers, Candidates: g.Candidates}
				res := f.tallyOn(estate, spec, ballots, order)
				if !slices.Equal(res.Elected, g.Expect.Elected) || !slices.Equal(res.Runoff, g.Expect.Runoff) || !slices.Equal(res.Alternates, g.Expect.Alternates) {
					t.Fatalf("tally over the imported roster: elected %v runoff %v alternates %v", res.Elected, res.Runoff, res.Alternates)
				}

				voteID := int64(1000 + i)
				cid, err := f.svc.RecordElection(f.ctx, street, estate, voteID, g.Name, res, nameRefs(g.Candidates...))
				f.must(err)
				cv, err := f.svc.Committee(f.ctx, street, cid)
				f.must(err)

				// The committee holds exactly the elected, with their counts, and the
				// alternates in rank order.
				got := memberKeys(cv.Members)
				if !slices.Equal(sorted(got), sorted(g.Expect.Elected)) {
					t.Errorf("members %v, want %v", got, g.Expect.Elected)
				}
				if alt := memberKeys(cv.Alternates); !slices.Equal(alt, nonNil(g.Expect.Alternates)) {
					t.Errorf("alternates %v, want %v", alt, g.Expect.Alternates)
				}
				for _, m := range append(slices.Clone(cv.Members), cv.Alternates...) {
					want := g.Expect.Candidates[m.CandidateKey]
					if m.AgreeHeadcount != want.AgreeHeadcount || m.AgreeAreaText != want.AgreeArea || m.VoteID != voteID || m.Name != "候选人"+m.CandidateKey {
						t.Errorf("member %s: %d/%s vote %d, want %d/%s", m.CandidateKey, m.AgreeHeadcount, m.AgreeAreaText, m.VoteID, want.AgreeHeadcount, want.AgreeArea)
					}
				}
				formed := cv.Status == models.CommitteeFormed
				if formed != g.Expect.CommitteeFormed || cv.VacantSeats != g.Expect.VacantSeats {
					t.Errorf("status %s vacant %d, want formed %v vacant %d", cv.Status, cv.VacantSeats, g.Expect.CommitteeFormed, g.Expect.VacantSeats)
				}
				var wantRunoff []string
				for _, k := range g.Expect.Runoff {
					wantRunoff = append(wantRunoff, "候选人"+k)
				}
				if !slices.Equal(cv.RunoffPending, wantRunoff) {
					t.Errorf("runoff pending %v, want %v", cv.RunoffPending, wantRunoff)
				}
				if len(cv.Elections) != 1 || cv.Elections[0].InvalidBallots != res.InvalidBallots || cv.Elections[0].Kind != models.ElectionFull {
					t.Errorf("election record %+v", cv.Elections)
				}
				// The same item again is a conflict.
				_, err = f.svc.RecordElection(f.ctx, street, estate, voteID, g.Name, res, nameRefs(g.Candidates...))
				wantCode(t, err, app.EConflict)

				switch {
				case len(g.Expect.Runoff) > 0:
					// The runoff among the tied for the last seat; the loser, also
					// qualified, would be an alternate.
					if cv.ByElectionNeeded {
						t.Error("a pending runoff is not a by-election")
					}
					runoffBallots := map[string][]string{}
					for j, room := range order {
						runoffBallots[room] = []string{g.Expect.Runoff[min(j%4, 1)]} // three of four for the first
					}
					rspec := rules.ElectionSpec{Key: "runoff", Seats: cv.VacantSeats, Alternates: 1, MinMembers: 1, Candidates: g.Expect.Runoff}
					rres := f.tallyOn(estate, rspec, runoffBallots, order)
					if len(rres.Elected) != 1 {
						t.Fatalf("runoff elected %v", rres.Elected)
					}
					_, err := f.svc.RecordElection(f.ctx, street, estate, voteID+100, "runoff", rres, nameRefs(g.Expect.Runoff...))
					f.must(err)
					cv, err = f.svc.Committee(f.ctx, street, cid)
					f.must(err)
					if cv.Status != models.CommitteeFormed || len(cv.Members) != g.Seats || len(cv.RunoffPending) != 0 || cv.Elections[1].Kind != models.ElectionBy {
						t.Errorf("after runoff: %s with %d members", cv.Status, len(cv.Members))
					}
				case !g.Expect.CommitteeFormed:
					// Too few elected: a by-election fills the vacant seats.
					if !cv.ByElectionNeeded {
						t.Error("by-election not flagged")
					}
					bySpec := rules.ElectionSpec{Key: "by", Seats: cv.VacantSeats, Alternates: 0, MinMembers: 1, Candidates: []string{"N1"}}
					all := map[string][]string{}
					for _, room := range order {
						all[room] = []string{"N1"}
					}
					// A by-election for more seats than are vacant is refused.
					tooMany := f.tallyOn(estate, rules.ElectionSpec{Key: "by", Seats: cv.VacantSeats + 1, MinMembers: 1, Candidates: []string{"N1"}}, all, order)
					_, err := f.svc.RecordElection(f.ctx, street, estate, voteID+200, "by", tooMany, nameRefs("N1"))
					wantCode(t, err, app.EInvalid)
					byRes := f.tallyOn(estate, bySpec, all, order)
					_, err = f.svc.RecordElection(f.ctx, street, estate, voteID+100, "by", byRes, nameRefs("N1"))
					f.must(err)
					cv, err = f.svc.Committee(f.ctx, street, cid)
					f.must(err)
					if cv.Status != models.CommitteeFormed || len(cv.Members) != g.Seats || cv.ByElectionNeeded {
						t.Errorf("after by-election: %s with %d members", cv.Status, len(cv.Members))
					}
				}

				// Formed: term, re-election start and deadlines follow the profile.
				prof, _ := rules.ProfileByCode("national")
				formedAt := *cv.FormedAt
				termEnd := rules.TermEnd(formedAt, prof.TermYears)
				electBy, publishBy, fileBy := rules.ChairDeadlines(formedAt, prof)
				if !cv.TermEnd.Equal(termEnd) || !cv.ReelectionStart.Equal(rules.ReelectionStart(termEnd, prof)) ||
					!cv.ChairElectBy.Equal(electBy) || !cv.OfficersPublishBy.Equal(publishBy) || !cv.FilingDue.Equal(fileBy) {
					t.Errorf("dates: term end %v reelection %v chair %v file %v", cv.TermEnd, cv.ReelectionStart, cv.ChairElectBy, cv.FilingDue)
				}
				if cv.GroupID == nil || *cv.GroupID != gid {
					t.Errorf("committee not linked to the group")
				}

				// Officers: an alternate cannot chair; an elected member can.
				if len(cv.Alternates) > 0 {
					_, err := f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: cv.Alternates[0].ID})
					wantCode(t, err, app.EInvalid)
				}
				_, err = f.svc.FileCommittee(f.ctx, street, cid, formation.FilingInput{Documents: []string{"选举结果公告"}})
				wantCode(t, err, app.EConflict) // officers first
				off, err := f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: cv.Members[0].ID,
					ViceChairMemberIDs: []int64{cv.Members[1].ID}})
				f.must(err)
				if off.Late {
					t.Error("officers elected at once flagged late")
				}
				_, err = f.svc.FileCommittee(f.ctx, f.who("community"), cid, formation.FilingInput{Documents: []string{"x"}})
				wantCode(t, err, app.EForbidden)
				fr, err := f.svc.FileCommittee(f.ctx, street, cid, formation.FilingInput{Documents: []string{"业主大会会议决议", "业主委员会委员名单", "管理规约", "业主大会议事规则"},
					ReferenceNo: "幸福备 2026-" + g.Name})
				f.must(err)
				if fr.Overdue || fr.Kind != models.FilingFormation {
					t.Errorf("filing %+v", fr)
				}
				gv, err := f.svc.Group(f.ctx, street, gid)
				f.must(err)
				if gv.Status != models.GroupDissolved || gv.DissolvedAt == nil {
					t.Errorf("group %s after filing", gv.Status)
				}
				st, err := f.svc.Status(f.ctx, street, estate)
				f.must(err)
				if st.Stage != formation.StageCommitteeFiled {
					t.Errorf("stage %s", st.Stage)
				}
			})
		}
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestReelectionByTheCommittee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street, committee := f.who("street"), f.who("committee")
		gid := f.formGroup(street, f.estate, lawfulGroup())
		_, err := f.svc.PublishMemberList(f.ctx, street, gid)
		f.must(err)
		var ids []int64
		for _, c := range []struct{ name, room string }{{"侯红红", "1-1-301"}, {"张宇", "1-1-302"}, {"廖杰涵", "1-1-401"},
			{"郭燕强", "1-1-402"}, {"江红博", "1-1-501"}, {"孟秋", "1-1-502"}} {
			ids = append(ids, f.qualify(street, gid, c.name, c.room, formation.PoliticalCPCMember))
		}
		_, err = f.svc.PublishCandidateList(f.ctx, street, gid, formation.ListInput{VotePlannedAt: sh(2026, 3, 20, 9, 0)})
		f.must(err)
		keys, refs, err := f.svc.SlateRefs(f.ctx, street, gid)
		f.must(err)
		// A key the result names but the refs do not describe is refused.
		_, err = f.svc.RecordElection(f.ctx, street, f.estate, 7, "committee", electAll(append(keys, "ghost"), 7, 0), refs)
		wantCode(t, err, app.EInvalid)
		// A candidate of another estate cannot stand in.
		bad := map[string]formation.CandidateRef{}
		for k, r := range refs {
			bad[k] = r
		}
		bad[keys[0]] = formation.CandidateRef{CandidateID: 999999}
		_, err = f.svc.RecordElection(f.ctx, street, f.estate, 7, "committee", electAll(keys, 5, 1), bad)
		wantCode(t, err, app.EInvalid)
		// Seats the profile does not allow are refused (national: odd, 5-11).
		_, err = f.svc.RecordElection(f.ctx, street, f.estate, 7, "committee", electAll(keys, 4, 2), refs)
		wantCode(t, err, app.EInvalid)

		f.clock.Set(sh(2026, 3, 20, 18, 0))
		first, err := f.svc.RecordElection(f.ctx, street, f.estate, 7, "committee", electAll(keys, 5, 1), refs)
		f.must(err)
		cv, err := f.svc.Committee(f.ctx, street, first)
		f.must(err)
		if len(cv.Members) != 5 || len(cv.Alternates) != 1 || cv.Alternates[0].CandidateID == nil || *cv.Alternates[0].CandidateID != ids[5] || cv.Ratio.Party != 5 {
			t.Fatalf("first committee %+v", cv)
		}
		// Term: 2026-03-20 + 5 years ends at 24:00 2031-03-20; the national re-election starts 3
		// months before, at 00:00 2030-12-21.
		if dayOf(cv.TermEnd.Add(-time.Second)) != "2031-03-20" || dayOf(*cv.ReelectionStart) != "2030-12-21" {
			t.Errorf("term end %v, re-election start %v", cv.TermEnd, cv.ReelectionStart)
		}
		// Chair elected 9 days later: recorded, flagged late (7 days, BJ 42).
		f.clock.Set(sh(2026, 3, 29, 10, 0))
		off, err := f.svc.SetOfficers(f.ctx, committee, first, formation.OfficersInput{ChairMemberID: cv.Members[0].ID})
		f.must(err)
		if !off.Late {
			t.Error("chair elected on day 9 not flagged late")
		}
		// Filing after 30 days: recorded, overdue.
		f.clock.Set(sh(2026, 4, 30, 10, 0))
		cv, err = f.svc.Committee(f.ctx, street, first)
		f.must(err)
		if !cv.FilingOverdue {
			t.Error("filing not flagged overdue")
		}
		_, err = f.svc.FileCommittee(f.ctx, committee, first, formation.FilingInput{Documents: []string{"x"}})
		wantCode(t, err, app.EForbidden) // the street office accepts the filing
		fr, err := f.svc.FileCommittee(f.ctx, street, first, formation.FilingInput{Documents: []string{"选举结果", "委员名单"}})
		f.must(err)
		if !fr.Overdue {
			t.Error("late filing not flagged")
		}

		// Five years on, the re-election is due; the committee account forms the group.
		f.clock.Set(sh(2030, 12, 21, 9, 0))
		due, err := f.svc.EstatesDue(f.ctx, street)
		f.must(err)
		if len(due) != 1 || !due[0].ReelectionDue {
			t.Fatalf("re-election not due: %+v", due)
		}
		_, err = f.svc.CreateGroup(f.ctx, committee, f.estate, formation.NewGroup{Kind: models.GroupKindPrep})
		wantCode(t, err, app.EForbidden)
		rg, err := f.svc.CreateGroup(f.ctx, committee, f.estate, formation.NewGroup{Kind: models.GroupKindReelection})
		f.must(err)
		rv, err := f.svc.Group(f.ctx, committee, rg)
		f.must(err)
		if !rv.MeetingDeadline.Equal(*cv.TermEnd) || len(rv.Duties) != 7 || rv.PredecessorCommitteeID == nil || *rv.PredecessorCommitteeID != first {
			t.Errorf("re-election group: deadline %v, %d duties", rv.MeetingDeadline, len(rv.Duties))
		}
		for _, m := range []formation.MemberInput{
			{Role: rules.PrepRoleOwnerRep, Name: "王建国", Room: "1-1-101", MeetsCriteria: true},
			{Role: rules.PrepRoleOwnerRep, Name: "李秀英", Room: "1-1-102", MeetsCriteria: true},
			{Role: rules.PrepRoleOwnerRep, Name: "刘洋", Room: "1-1-201", MeetsCriteria: true},
			{Role: rules.PrepRoleStreetOffice, Name: "周主任", Leader: true},
			{Role: rules.PrepRoleResidentsCommittee, Name: "吴书记"},
		} {
			_, err := f.svc.AddMember(f.ctx, committee, rg, m)
			f.must(err)
		}
		res, err := f.svc.PublishMemberList(f.ctx, committee, rg)
		f.must(err)
		if len(res.Warnings) != 0 {
			t.Errorf("a re-election group has no developer to miss: %v", codes(res.Warnings))
		}
		next := f.qualify(committee, rg, "戴秀敏", "2-1-102", formation.PoliticalMasses)
		second, err := f.svc.RecordElection(f.ctx, committee, f.estate, 8, "committee", electAll([]string{"x1", "x2", "x3", "x4", "x5"}, 5, 0),
			map[string]formation.CandidateRef{"x1": {CandidateID: next}, "x2": {Name: "乙"}, "x3": {Name: "丙"}, "x4": {Name: "丁"}, "x5": {Name: "戊"}})
		f.must(err)
		old, err := f.svc.Committee(f.ctx, street, first)
		f.must(err)
		if old.Status != models.CommitteeEnded || len(old.Members) != 0 || len(old.Former) != 6 {
			t.Errorf("predecessor %s with %d serving", old.Status, len(old.Members))
		}
		st, err := f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if st.CommitteeID != second || st.Stage != formation.StageReelection {
			t.Errorf("status after re-election: committee %d stage %s", st.CommitteeID, st.Stage)
		}
		// Filing the new committee dissolves the re-election group that organised it.
		cv2, err := f.svc.Committee(f.ctx, committee, second)
		f.must(err)
		_, err = f.svc.SetOfficers(f.ctx, committee, second, formation.OfficersInput{ChairMemberID: cv2.Members[0].ID})
		f.must(err)
		_, err = f.svc.FileCommittee(f.ctx, street, second, formation.FilingInput{Documents: []string{"换届选举结果"}})
		f.must(err)
		st, err = f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if st.Stage != formation.StageCommitteeFiled || st.OpenGroupID != 0 {
			t.Errorf("after filing the new committee: stage %s, open group %d", st.Stage, st.OpenGroupID)
		}
	})
}

// dayOf is the Asia/Shanghai date of an instant.
func dayOf(t time.Time) string { return t.In(rules.Shanghai()).Format(time.DateOnly) }
