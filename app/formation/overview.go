package formation

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Overview is the whole formation path of one estate, for its page.
type Overview struct {
	Status           FormationStatus
	Group            *GroupView     // the open group, if any
	Committee        *CommitteeView // the live committee (formed or filed, else forming), if any
	Successor        *CommitteeView // a next-term committee still forming while Committee serves
	PastGroups       []models.FormationGroup
	PastCommittees   []models.Committee
	Permissions      Permissions
	ReelectionNotDue bool // a re-election group may be formed, though the start date has not come
	// Transitional lists the estate's transitional bodies, the acting one first;
	// CanTransitional tells the page to offer forming or ending one.
	Transitional    []TransitionalView
	CanTransitional bool
}

// Overview loads everything about the estate's formation that the principal may see.
func (s *Service) Overview(ctx context.Context, p app.Principal, estateID int64) (Overview, error) {
	st, err := s.Status(ctx, p, estateID)
	if err != nil {
		return Overview{}, err
	}
	ov := Overview{Status: st}
	groups, err := models.GroupsOfEstate(ctx, s.db, estateID)
	if err != nil {
		return ov, app.Internal(err)
	}
	kind := models.GroupKindPrep
	for _, g := range groups {
		if g.Status != models.GroupDissolved && ov.Group == nil {
			gv, err := s.groupView(ctx, g, groupProfile(g, st.Profile))
			if err != nil {
				return ov, err
			}
			ov.Group, kind = &gv, g.Kind
		} else {
			ov.PastGroups = append(ov.PastGroups, g)
		}
	}
	committees, err := models.CommitteesOfEstate(ctx, s.db, estateID)
	if err != nil {
		return ov, app.Internal(err)
	}
	for _, c := range committees {
		switch {
		case c.Status == models.CommitteeEnded:
			ov.PastCommittees = append(ov.PastCommittees, c)
		case c.ID == st.CommitteeID:
			cv, err := s.committeeView(ctx, c)
			if err != nil {
				return ov, err
			}
			ov.Committee = &cv
		case c.Status == models.CommitteeForming:
			cv, err := s.committeeView(ctx, c)
			if err != nil {
				return ov, err
			}
			ov.Successor = &cv
		}
	}
	if ov.Group == nil && ov.Committee != nil && ov.Committee.Status != models.CommitteeForming {
		kind = models.GroupKindReelection
		ov.ReelectionNotDue = !st.ReelectionDue
	}
	ov.Permissions = permissionsFor(p, kind)
	if ov.Transitional, err = s.transitionalOf(ctx, estateID); err != nil {
		return ov, err
	}
	ov.CanTransitional = access.Can(p, access.TransitionalBody)
	return ov, nil
}

// PublicMember is one member of a published member list.
type PublicMember struct {
	PublishedMember
	RoleLabel string
}

// PublicView is what the estate's owners see without signing in: the published member
// list of the open group, the current candidate list, and the answered objections to it.
type PublicView struct {
	EstateName         string
	GroupKindLabel     string
	MembersPublishedAt string
	MembersVersion     int
	Members            []PublicMember
	CandidateList      *ListView
	Answered           []ObjectionView
}

// Public loads the estate's published lists for owners; it needs no principal. An estate
// with nothing published does not exist here.
func (s *Service) Public(ctx context.Context, estateID int64) (PublicView, error) {
	notFound := app.Fail(app.ENotFound, "err.formation.nothing_published")
	e, err := models.FindEstate(ctx, s.db, estateID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PublicView{}, notFound
	}
	if err != nil {
		return PublicView{}, app.Internal(err)
	}
	open, err := models.OpenGroups(ctx, s.db, []int64{estateID})
	if err != nil {
		return PublicView{}, app.Internal(err)
	}
	g, ok := open[estateID]
	if !ok || g.PublishedAt == nil {
		return PublicView{}, notFound
	}
	prof, _ := rules.ProfileByCode(e.ProfileCode)
	gv, err := s.groupView(ctx, g, groupProfile(g, prof))
	if err != nil {
		return PublicView{}, err
	}
	v := PublicView{EstateName: e.Name, GroupKindLabel: gv.KindLabel, MembersPublishedAt: day(*g.PublishedAt), MembersVersion: g.PublicationVersion,
		CandidateList: gv.CurrentList}
	for _, m := range gv.PublishedMembers {
		v.Members = append(v.Members, PublicMember{PublishedMember: m, RoleLabel: rules.PrepRole(m.Role).Label()})
	}
	for _, o := range gv.Objections {
		if o.Kind == models.ObjectionCandidateList && o.Status == models.ObjectionAnswered {
			o.Submitter = ""
			v.Answered = append(v.Answered, o)
		}
	}
	return v, nil
}
