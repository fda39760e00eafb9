package formation_test

import (
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// lawfulBody is a transitional body of 7: the street office (leader), the residents'
// committee and five owner representatives meeting the criteria (HZ 39).
func lawfulBody() []formation.TransitionalMemberInput {
	m := []formation.TransitionalMemberInput{
		{Role: rules.PrepRoleStreetOffice, Name: "周主任", Organisation: "幸福街道办事处", Leader: true},
		{Role: rules.PrepRoleResidentsCommittee, Name: "吴书记", Organisation: "和谐社区居委会"},
	}
	for i, name := range []string{"王建国", "李秀英", "刘洋", "陈静", "赵敏"} {
		m = append(m, formation.TransitionalMemberInput{Role: rules.PrepRoleOwnerRep, Name: name, Room: []string{"1-1-101", "1-1-102", "1-1-201", "1-1-202", "1-1-301"}[i], MeetsCriteria: true})
	}
	return m
}

// The transitional body: bad compositions name their fields and store nothing; a lawful
// one acts, shows as the estate's stage, may convene votes, refuses a second one, and
// ends when a committee is filed.
func TestTransitionalBody(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		f := newFixture(t, db)
		street, community := f.who("street"), f.who("community")

		wantCode(t, func() error {
			_, err := f.svc.FormTransitional(f.ctx, community, f.estate, formation.TransitionalInput{Reason: "x", Members: lawfulBody()})
			return err
		}(), "forbidden")
		wantCode(t, func() error {
			_, err := f.svc.FormTransitional(f.ctx, f.who("street2"), f.estate, formation.TransitionalInput{Reason: "x", Members: lawfulBody()})
			return err
		}(), "not_found")
		bad := lawfulBody()[:4] // 4 members: even, owners 2 of 4 is half (allowed), leader fine
		bad[2].MeetsCriteria = false
		_, err := f.svc.FormTransitional(f.ctx, street, f.estate, formation.TransitionalInput{Kind: "council", Members: bad})
		fields := detailFields(wantCode(t, err, "invalid"))
		for _, want := range []string{"kind", "members", "reason"} {
			found := false
			for _, f := range fields {
				found = found || f == want
			}
			if !found {
				t.Errorf("fields %v lack %s", fields, want)
			}
		}
		noLeader := lawfulBody()
		noLeader[0].Leader, noLeader[3].Leader = false, true
		_, err = f.svc.FormTransitional(f.ctx, street, f.estate, formation.TransitionalInput{Reason: "首次选举未能选出", Members: noLeader})
		if fields := detailFields(wantCode(t, err, "invalid")); len(fields) != 1 || fields[0] != "leader" {
			t.Errorf("owner as leader: %v", fields)
		}
		var n int64
		f.must(db.Model(&models.TransitionalBody{}).Count(&n).Error)
		if n != 0 {
			t.Fatalf("%d bodies stored by refused requests", n)
		}

		id, err := f.svc.FormTransitional(f.ctx, street, f.estate, formation.TransitionalInput{Reason: "两次选举均未能选出足额委员", Members: lawfulBody()})
		f.must(err)
		st, err := f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if st.Stage != formation.StageTransitional || st.TransitionalID != id || st.TransitionalLabel != "物业管理委员会" {
			t.Errorf("status with an acting body: stage %s id %d label %s", st.Stage, st.TransitionalID, st.TransitionalLabel)
		}
		_, err = f.svc.FormTransitional(f.ctx, street, f.estate, formation.TransitionalInput{Reason: "再次", Members: lawfulBody()})
		wantCode(t, err, "conflict")
		list, err := f.svc.Transitional(f.ctx, f.who("auditor"), f.estate)
		f.must(err)
		if len(list) != 1 || !list[0].Acting || len(list[0].Members) != 7 || !list[0].Members[0].Leader {
			t.Errorf("bodies: %+v", list)
		}

		// It organises the election; the committee is formed, then filed: the body ends.
		f.formGroup(street, f.estate, lawfulGroup())
		cid, err := f.svc.RecordElection(f.ctx, street, f.estate, 901, "committee", fiveElected("committee"), nameRefs("A", "B", "C", "D", "E"))
		f.must(err)
		st, err = f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		if st.TransitionalID != id || st.Stage != formation.StageCommitteeFormed {
			t.Errorf("formed, not yet filed: body %d stage %s", st.TransitionalID, st.Stage)
		}
		cv, err := f.svc.Committee(f.ctx, street, cid)
		f.must(err)
		_, err = f.svc.SetOfficers(f.ctx, street, cid, formation.OfficersInput{ChairMemberID: cv.Members[0].ID})
		f.must(err)
		_, err = f.svc.FileCommittee(f.ctx, street, cid, formation.FilingInput{Documents: []string{"选举结果公告"}})
		f.must(err)
		st, err = f.svc.Status(f.ctx, street, f.estate)
		f.must(err)
		list, err = f.svc.Transitional(f.ctx, street, f.estate)
		f.must(err)
		if st.TransitionalID != 0 || len(list) != 1 || list[0].Acting || list[0].SuccessorCommitteeID == nil || *list[0].SuccessorCommitteeID != cid {
			t.Errorf("after the filing: status body %d, bodies %+v", st.TransitionalID, list)
		}
		// With a filed committee no new body may be formed.
		_, err = f.svc.FormTransitional(f.ctx, street, f.estate, formation.TransitionalInput{Reason: "再次", Members: lawfulBody()})
		wantCode(t, err, "conflict")
		wantCode(t, f.svc.EndTransitional(f.ctx, street, id, "已结束"), "conflict")
	})
}
