package formation

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// TransitionalKindLabel is the Chinese name of a transitional body's kind.
func TransitionalKindLabel(kind string) string {
	switch kind {
	case models.TransitionalPMC:
		return "物业管理委员会"
	case models.TransitionalSelf:
		return "小区自管组织"
	}
	return kind
}

// TransitionalMemberInput is one member of a transitional body.
type TransitionalMemberInput struct {
	Role          rules.PrepRole
	Name          string
	Organisation  string
	Room          string
	Leader        bool
	MeetsCriteria bool // an owner representative meets the committee candidate criteria (HZ 39 ¶2)
}

// TransitionalInput forms a transitional body: its kind, why no committee can be formed,
// when the street office formed it (nil: now) and its members.
type TransitionalInput struct {
	Kind     string
	Reason   string
	FormedAt *time.Time
	Members  []TransitionalMemberInput
}

// TransitionalMemberView is a member with the label of the body they represent.
type TransitionalMemberView struct {
	models.TransitionalBodyMember
	RoleLabel string
}

// TransitionalView is a transitional body with its members, for every page that shows the
// estate: it is always marked transitional (过渡).
type TransitionalView struct {
	models.TransitionalBody
	KindLabel string
	Acting    bool
	Members   []TransitionalMemberView
	FormedDay string
	EndedDay  string
}

// FormTransitional records the transitional body (物业管理委员会 / 小区自管组织) that the street
// office forms with the residents' committee and owner representatives where no committee
// can be formed (HZ 38-40, seed 003 §(四)). It may convene assembly votes and organise the
// formation of the committee, and is shown as transitional; it ends when a committee is
// filed (FileCommittee) or when the street office ends it. Refused while the estate has a
// formed or filed committee or another acting body. The composition is checked by
// rules.ValidateTransitionalBody; every problem names its field and nothing is stored.
func (s *Service) FormTransitional(ctx context.Context, p app.Principal, estateID int64, in TransitionalInput) (int64, error) {
	if err := access.Require(p, access.TransitionalBody); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	prof := rules.ProfileOrDefault(e.ProfileCode)
	var d app.Error
	d.Code = app.EInvalid
	d.Msg = app.M("err.formation.the_transitional_body_is_not_valid")
	add := func(field string, msg app.Msg) { d.Details = append(d.Details, app.Detail{Field: field, Msg: msg}) }
	if in.Kind == "" {
		in.Kind = models.TransitionalPMC
	}
	if in.Kind != models.TransitionalPMC && in.Kind != models.TransitionalSelf {
		add("kind", app.M("err.formation.must_be_property_management_committee_or_self"))
	}
	reason, err := text("reason", in.Reason, 1, 1000, app.M("err.formation.label_cannot_form_reason"))
	if err != nil {
		add("reason", app.AsError(err).Msg)
	}
	now := s.clock()
	formedAt := now
	if in.FormedAt != nil {
		formedAt = in.FormedAt.UTC().Truncate(time.Second)
		if formedAt.After(now) {
			add("formed_at", app.M("err.formation.the_body_cannot_be_formed_in_the_future"))
		}
	}
	var rm []rules.TransitionalMember
	members := make([]models.TransitionalBodyMember, 0, len(in.Members))
	for i, m := range in.Members {
		f := fmt.Sprintf("members[%d]", i)
		if !m.Role.Valid() {
			add(f+".role", app.M("err.formation.unknown_role"))
		}
		name, err := text(f+".name", m.Name, 1, 64, app.M("err.formation.label_name"))
		if err != nil {
			add(f+".name", app.AsError(err).Msg)
		}
		org, err := text(f+".organisation", m.Organisation, 0, 200, app.M("err.formation.label_organisation"))
		if err != nil {
			add(f+".organisation", app.AsError(err).Msg)
		}
		room, err := text(f+".room", m.Room, 0, 64, app.M("err.formation.label_room"))
		if err != nil {
			add(f+".room", app.AsError(err).Msg)
		}
		if m.Role == rules.PrepRoleOwnerRep && room == "" {
			add(f+".room", app.M("err.formation.an_owner_representative_gives_their_room"))
		}
		rm = append(rm, rules.TransitionalMember{Role: m.Role, Leader: m.Leader, MeetsCriteria: m.MeetsCriteria})
		members = append(members, models.TransitionalBodyMember{Position: i + 1, Role: string(m.Role), Name: name, Organisation: org,
			Room: room, Leader: m.Leader, CreatedAt: now})
	}
	for _, pr := range rules.ValidateTransitionalBody(prof, rm) {
		add(pr.Field, pr.Message)
	}
	if len(d.Details) > 0 {
		return 0, &d
	}
	body := models.TransitionalBody{EstateID: e.ID, OpenEstateID: ptr(e.ID), Kind: in.Kind, Reason: reason, Status: models.TransitionalActing,
		FormedAt: formedAt, ProfileCode: prof.Code, ProfileVersion: prof.Version, CreatedBy: p.Username, CreatedAt: now, UpdatedAt: now}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		live, err := models.LiveCommittees(ctx, tx, []int64{e.ID})
		if err != nil {
			return err
		}
		if c, ok := live[e.ID]; ok && (c.Status == models.CommitteeFormed || c.Status == models.CommitteeFiled) {
			return app.Fail(app.EConflict, "err.formation.the_estate_has_a_committee")
		}
		body.ID = 0
		if err := tx.Create(&body).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.formation.the_estate_already_has_an_acting_transitional")
			}
			return fmt.Errorf("creating transitional body: %w", err)
		}
		rows := make([]models.TransitionalBodyMember, len(members))
		for i, m := range members {
			m.BodyID = body.ID
			rows[i] = m
		}
		if err := tx.Create(&rows).Error; err != nil {
			return fmt.Errorf("creating transitional body members: %w", err)
		}
		return record(ctx, tx, p, e, "formation.transitional.form", "transitional_body", body.ID, map[string]any{
			"kind": body.Kind, "formed_at": day(formedAt), "members": len(rows), "profile": prof.Code + "@" + prof.Version})
	})
	if err != nil {
		return 0, err
	}
	return body.ID, nil
}

// EndTransitional ends an acting transitional body with a reason (the street office's
// decision); a body ends by itself when a committee is filed.
func (s *Service) EndTransitional(ctx context.Context, p app.Principal, bodyID int64, reason string) error {
	if err := access.Require(p, access.TransitionalBody); err != nil {
		return err
	}
	var b models.TransitionalBody
	found := s.db.WithContext(ctx).Where("id = ?", bodyID).Limit(1).Find(&b)
	if found.Error != nil {
		return app.Internal(found.Error)
	}
	if found.RowsAffected == 0 {
		return app.Fail(app.ENotFound, "err.formation.no_such_transitional_body")
	}
	e, err := s.orgs.EstateForChange(ctx, p, b.EstateID)
	if err != nil {
		return outOfSight(err, app.Fail(app.ENotFound, "err.formation.no_such_transitional_body"))
	}
	reason, err = text("reason", reason, 1, 500, app.M("err.formation.label_end_reason"))
	if err != nil {
		return err
	}
	now := s.clock()
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		n, err := endTransitional(tx, b.EstateID, reason, nil, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return app.Fail(app.EConflict, "err.formation.the_body_has_already_ended")
		}
		return record(ctx, tx, p, e, "formation.transitional.end", "transitional_body", b.ID, map[string]any{"reason": reason})
	})
}

// endTransitional ends the estate's acting transitional body, if any; it returns how many
// ended (0 or 1).
func endTransitional(tx *gorm.DB, estateID int64, reason string, successor *int64, now time.Time) (int64, error) {
	res := tx.Model(&models.TransitionalBody{}).Where("open_estate_id = ? AND status = ?", estateID, models.TransitionalActing).
		Updates(map[string]any{"status": models.TransitionalEnded, "open_estate_id": nil, "ended_at": now, "ended_reason": reason,
			"successor_committee_id": successor, "updated_at": now})
	if res.Error != nil {
		return 0, fmt.Errorf("ending transitional body: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Transitional lists an estate's transitional bodies, the acting one first, then the ended
// ones newest first.
func (s *Service) Transitional(ctx context.Context, p app.Principal, estateID int64) ([]TransitionalView, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	return s.transitionalOf(ctx, estateID)
}

func (s *Service) transitionalOf(ctx context.Context, estateID int64) ([]TransitionalView, error) {
	var bodies []models.TransitionalBody
	if err := s.db.WithContext(ctx).Where("estate_id = ?", estateID).Order("id DESC").Find(&bodies).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("reading transitional bodies: %w", err))
	}
	out := make([]TransitionalView, 0, len(bodies))
	for _, b := range bodies {
		v := TransitionalView{TransitionalBody: b, KindLabel: TransitionalKindLabel(b.Kind), Acting: b.Status == models.TransitionalActing,
			FormedDay: day(b.FormedAt)}
		if b.EndedAt != nil {
			v.EndedDay = day(*b.EndedAt)
		}
		var members []models.TransitionalBodyMember
		if err := s.db.WithContext(ctx).Where("body_id = ?", b.ID).Order("position").Find(&members).Error; err != nil {
			return nil, app.Internal(fmt.Errorf("reading transitional body members: %w", err))
		}
		for _, m := range members {
			v.Members = append(v.Members, TransitionalMemberView{TransitionalBodyMember: m, RoleLabel: rules.PrepRole(m.Role).Label()})
		}
		if v.Acting {
			out = append([]TransitionalView{v}, out...)
		} else {
			out = append(out, v)
		}
	}
	return out, nil
}
