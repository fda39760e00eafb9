package voting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// BuildingParticipation is the register and the participation of one building.
// A voter with units in two buildings counts in both.
type BuildingParticipation struct {
	Building               string
	Units                  int
	Area                   rules.Area
	Voters                 int
	ParticipatingUnits     int
	ParticipatingArea      rules.Area
	ParticipatingHeadcount int
}

// ChannelParticipation is the live ballots of one channel.
type ChannelParticipation struct {
	Channel   string
	Headcount int
	Area      rules.Area
}

// Participation is the live participation of an opened vote against its quorum
// lines, overall and by building. It never holds item results.
type Participation struct {
	VoteID                 int64
	Phase                  Phase
	LegalProfile           string
	AsOf                   time.Time
	TotalArea              rules.Area
	TotalHeadcount         int
	ParticipatingArea      rules.Area
	ParticipatingHeadcount int
	QuorumRule             string
	QuorumRuleEN           string
	QuorumArea             rules.Area // the least participating area that meets the quorum
	QuorumHeadcount        int        // the least participating headcount that meets the quorum
	QuorumReached          bool       // participation so far meets both lines
	Buildings              []BuildingParticipation
	Channels               []ChannelParticipation
	Voided                 int
}

// quorumLines returns the least area and headcount that meet the quorum of profile
// lp: ≥ 2/3 of the total under civil-code-2021, > 1/2 under property-law-2007.
func quorumLines(lp rules.LegalProfile, total rules.Count) (rules.Area, int) {
	if lp == rules.PropertyLaw2007 {
		return total.Area/2 + 1, total.Headcount/2 + 1
	}
	return (2*total.Area + 2) / 3, (2*total.Headcount + 2) / 3
}

// participation computes the live participation of v through db.
func (s *Service) participation(ctx context.Context, db *gorm.DB, v models.Vote) (Participation, error) {
	lp := rules.LegalProfile(v.LegalProfile)
	total := rules.Count{Area: rules.Area(v.TotalArea), Headcount: v.TotalHeadcount}
	out := Participation{VoteID: v.ID, Phase: phaseOf(v, s.now()), LegalProfile: v.LegalProfile, AsOf: s.now(),
		TotalArea: total.Area, TotalHeadcount: total.Headcount, Buildings: []BuildingParticipation{}, Channels: []ChannelParticipation{}}
	out.QuorumRule, out.QuorumRuleEN = rules.QuorumRuleText(lp)
	out.QuorumArea, out.QuorumHeadcount = quorumLines(lp, total)
	if v.State == models.VoteDraft {
		return out, nil
	}
	channels, err := models.ParticipationByChannel(ctx, db, v.ID)
	if err != nil {
		return out, err
	}
	for _, c := range channels {
		out.Channels = append(out.Channels, ChannelParticipation{Channel: c.Channel, Headcount: c.Headcount, Area: rules.Area(c.Area)})
		out.ParticipatingArea += rules.Area(c.Area)
		out.ParticipatingHeadcount += c.Headcount
	}
	buildings, err := models.ParticipationByBuilding(ctx, db, v.ID)
	if err != nil {
		return out, err
	}
	for _, b := range buildings {
		out.Buildings = append(out.Buildings, BuildingParticipation{Building: b.Building, Units: b.Units, Area: rules.Area(b.Area),
			Voters: b.Voters, ParticipatingUnits: b.ParticipatingUnits, ParticipatingArea: rules.Area(b.ParticipatingArea),
			ParticipatingHeadcount: b.ParticipatingHeadcount})
	}
	sortBuildings(out.Buildings)
	if out.Voided, err = models.CountVoids(ctx, db, v.ID); err != nil {
		return out, err
	}
	out.QuorumReached = rules.QuorumMet(lp, rules.Count{Area: out.ParticipatingArea, Headcount: out.ParticipatingHeadcount}, total)
	return out, nil
}

// sortBuildings orders buildings naturally ("2" before "10").
func sortBuildings(list []BuildingParticipation) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && rules.CompareRooms(list[j].Building, list[j-1].Building) < 0; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// Participation is the live participation of a vote for staff and the street office:
// participating area and headcount against the quorum lines, by building and by
// channel. Item results stay hidden until the vote closes.
func (s *Service) Participation(ctx context.Context, p app.Principal, voteID int64) (Participation, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return Participation{}, err
	}
	out, err := s.participation(ctx, s.db, v)
	if err != nil {
		return Participation{}, app.Internal(err)
	}
	return out, nil
}

// ResultsView is the answer of GET results: after the closing time the stored
// Result (closing the vote first if the closer has not yet), before it only the
// live Participation.
type ResultsView struct {
	VoteID            int64
	State             string
	Phase             Phase
	Result            *Result
	Participation     *Participation
	TallySHA256       string
	PublishedAt       *time.Time
	PublishDueAt      *time.Time
	PublishLate       bool
	ObjectionDeadline *time.Time
	FinalisedAt       *time.Time
}

// Results returns a vote's result: to staff of the estate (p non-nil) at any time,
// to anyone (p nil) once published. Before the closing time it holds participation
// only; after it, the stored result, checked against its SHA-256.
func (s *Service) Results(ctx context.Context, p *app.Principal, voteID int64) (ResultsView, error) {
	v, err := s.resultsVote(ctx, p, voteID)
	if err != nil {
		return ResultsView{}, err
	}
	if v.State == models.VoteOpen && !s.now().Before(v.ClosesAt) {
		if _, err := s.Close(ctx, v.ID); err != nil {
			return ResultsView{}, err
		}
		if v, err = models.FindVote(ctx, s.db, v.ID); err != nil {
			return ResultsView{}, app.Internal(err)
		}
	}
	out := ResultsView{VoteID: v.ID, State: v.State, Phase: phaseOf(v, s.now()), TallySHA256: v.TallySHA256, PublishedAt: v.PublishedAt,
		PublishDueAt: v.PublishDueAt, PublishLate: v.PublishLate, ObjectionDeadline: v.ObjectionDeadline, FinalisedAt: v.FinalisedAt}
	if v.TallyJSON == nil {
		part, err := s.participation(ctx, s.db, v)
		if err != nil {
			return ResultsView{}, app.Internal(err)
		}
		out.Participation = &part
		return out, nil
	}
	if out.Result, err = storedResult(v); err != nil {
		return ResultsView{}, err
	}
	return out, nil
}

// resultsVote loads a vote for a results-like read: staff by jurisdiction, anyone
// once the result is published.
func (s *Service) resultsVote(ctx context.Context, p *app.Principal, voteID int64) (models.Vote, error) {
	if p != nil {
		v, _, err := s.loadVote(ctx, *p, voteID)
		return v, err
	}
	v, err := models.FindVote(ctx, s.db, voteID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, ErrVoteNotFound()
	}
	if err != nil {
		return v, app.Internal(err)
	}
	if !v.Published() {
		return v, app.Errorf(app.EUnauthorized, "结果尚未公布；工作人员请登录后查看 / the result is not published yet: sign in")
	}
	return v, nil
}

// Publication is the publication of a preliminary result.
type Publication struct {
	PublishedAt       time.Time
	PublishDueAt      time.Time // the last moment within the profile's publication days
	Late              bool      // published after PublishDueAt (allowed, flagged)
	ObjectionDeadline time.Time // objections accepted until then
}

// Publish publishes the preliminary result of a closed vote with the profile's
// objection window. It should happen within the profile's publication days after
// the closing time (BJ 37: 3 days); later is still allowed but flagged late.
func (s *Service) Publish(ctx context.Context, p app.Principal, voteID int64) (Publication, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Publication{}, err
	}
	if v.State == models.VoteOpen {
		if s.now().Before(v.ClosesAt) {
			return Publication{}, app.Errorf(app.EConflict, "表决尚未截止，不能公布结果 / voting has not closed")
		}
		if _, err := s.Close(ctx, v.ID); err != nil {
			return Publication{}, err
		}
		if v, err = models.FindVote(ctx, s.db, v.ID); err != nil {
			return Publication{}, app.Internal(err)
		}
	}
	switch v.State {
	case models.VoteClosed:
	case models.VoteDraft:
		return Publication{}, app.Errorf(app.EConflict, "表决尚未开启 / the vote is not open")
	default:
		return Publication{}, app.Errorf(app.EConflict, "结果已公布 / the result is already published")
	}
	prof := profileOf(v)
	now := s.now()
	out := Publication{PublishedAt: now}
	if out.PublishDueAt, err = s.deadline(ctx, nil, v.ClosesAt, prof.ResultsPublishDays); err != nil {
		return Publication{}, err
	}
	if out.ObjectionDeadline, err = s.deadline(ctx, nil, now, prof.ObjectionDays); err != nil {
		return Publication{}, err
	}
	out.Late = now.After(out.PublishDueAt)
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VoteClosed).Updates(map[string]any{
			"state": models.VotePublished, "published_at": now, "published_by": by, "publish_due_at": out.PublishDueAt,
			"publish_late": out.Late, "objection_deadline": out.ObjectionDeadline, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("publishing vote %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.EConflict, "结果已公布 / the result is already published")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.publish", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"late": out.Late, "publish_due_at": out.PublishDueAt, "objection_deadline": out.ObjectionDeadline,
				"tally_sha256": v.TallySHA256}})
	})
	if err != nil {
		return Publication{}, app.AsErrorOrNil(err)
	}
	return out, nil
}

// Objection is an objection to a preliminary result and its answer.
type Objection struct {
	ID         int64
	VoteID     int64
	ByOwner    bool     // filed through the owner's ballot link (identity checked)
	Rooms      []string // the owner's rooms when ByOwner
	Submitter  string   // who the staff member recorded it for, otherwise
	EnteredBy  string
	Content    string
	CreatedAt  time.Time
	Answered   bool
	Answer     string
	AnsweredBy string
	AnsweredAt *time.Time
}

// objectionsOnly narrows the objections read: of one voter, or one objection (0: any).
type objectionsOnly struct{ voterID, id int64 }

// objections lists the objections of a vote, narrowed by only.
func (s *Service) objections(ctx context.Context, db *gorm.DB, voteID int64, only objectionsOnly) ([]Objection, error) {
	var rows []struct {
		models.VoteObjection
		Rooms         *string
		EnteredByName *string
	}
	q := db.WithContext(ctx).Table("vote_objections").
		Select("vote_objections.*, vote_voters.rooms, users.username AS entered_by_name").
		Joins("LEFT JOIN vote_voters ON vote_voters.id = vote_objections.voter_id").
		Joins("LEFT JOIN users ON users.id = vote_objections.entered_by").
		Where("vote_objections.vote_id = ?", voteID).Order("vote_objections.id")
	if only.voterID != 0 {
		q = q.Where("vote_objections.voter_id = ?", only.voterID)
	}
	if only.id != 0 {
		q = q.Where("vote_objections.id = ?", only.id)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("objections of vote %d: %w", voteID, err)
	}
	out := make([]Objection, 0, len(rows))
	for _, r := range rows {
		o := Objection{ID: r.ID, VoteID: r.VoteID, ByOwner: r.VoterID != nil && r.CredentialID != nil, Rooms: []string{},
			Submitter: r.Submitter, Content: r.Content, CreatedAt: r.CreatedAt, Answered: r.Answer != nil,
			AnsweredBy: r.AnsweredByName, AnsweredAt: r.AnsweredAt}
		if r.Rooms != nil {
			o.Rooms = splitRooms(*r.Rooms)
		}
		if r.EnteredByName != nil {
			o.EnteredBy = *r.EnteredByName
		}
		if r.Answer != nil {
			o.Answer = *r.Answer
		}
		out = append(out, o)
	}
	return out, nil
}

// objectionWindow refuses an objection outside the window: 409 before publication,
// 410 after the deadline or once final.
func objectionWindow(v models.Vote, now time.Time) error {
	switch v.State {
	case models.VotePublished:
		if v.ObjectionDeadline != nil && now.Before(*v.ObjectionDeadline) {
			return nil
		}
		return app.Errorf(app.EGone, "异议期已于 %s 结束 / the objection period has ended", showTime(derefTime(v.ObjectionDeadline)))
	case models.VoteFinal:
		return app.Errorf(app.EGone, "结果已确定，异议期已结束 / the result is final")
	}
	return app.Errorf(app.EConflict, "结果尚未公布，暂不能提出异议 / the result is not published yet")
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// objectionText checks the text of an objection or an answer.
func objectionText(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", app.Invalid(field, "必填 / required")
	}
	if utf8.RuneCountInString(text) > 2000 {
		return "", app.Invalid(field, "不能超过 2000 个字符 / at most 2000 characters")
	}
	return text, nil
}

// FileObjection files an owner's objection to a published preliminary result
// through the personal ballot link, after the same identity check as a ballot,
// through the same door (admitCheck): the answer is counted before it is compared,
// and only during the objection window. The objection's transaction reads the link
// and the vote again, refusing a link locked or revoked since its check and a
// window closed meanwhile.
func (s *Service) FileObjection(ctx context.Context, token, idCheck, content string) (Objection, error) {
	if err := checkIDAnswer(idCheck); err != nil {
		return Objection{}, err
	}
	content, err := objectionText("content", content)
	if err != nil {
		return Objection{}, err
	}
	checked, err := s.admitCheck(ctx, token, idCheck, objectionWindow)
	if err != nil {
		return Objection{}, err
	}
	var row models.VoteObjection
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		cred, err := s.tokenCredential(ctx, tx, checked.TokenHash)
		if err != nil {
			return err
		}
		v, err := models.FindVote(ctx, tx, cred.VoteID)
		if err != nil {
			return err
		}
		if err := objectionWindow(v, now); err != nil {
			return err
		}
		if cred.Status == models.CredentialLocked {
			return errLocked(profileOf(v).IdentityCheckAttempts)
		}
		voterID, credID := cred.VoterID, cred.CredentialID
		row = models.VoteObjection{VoteID: v.ID, VoterID: &voterID, CredentialID: &credID, Content: content, CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("filing objection: %w", err)
		}
		return recordEvent(ctx, tx, models.VoteEvent{VoteID: v.ID, VoterID: &voterID, CredentialID: &credID, Kind: "objection_filed",
			At: now, Detail: fmt.Sprintf("objection %d", row.ID)})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, row.VoteID, row.ID)
}

// objectionByID loads one objection of a vote.
func (s *Service) objectionByID(ctx context.Context, voteID, id int64) (Objection, error) {
	list, err := s.objections(ctx, s.db, voteID, objectionsOnly{id: id})
	if err != nil {
		return Objection{}, app.Internal(err)
	}
	if len(list) == 0 {
		return Objection{}, app.Errorf(app.ENotFound, "异议不存在 / objection not found")
	}
	return list[0], nil
}

// RecordObjection records an objection received on paper, for the person named in
// submitter, during the objection window.
func (s *Service) RecordObjection(ctx context.Context, p app.Principal, voteID int64, submitter, content string) (Objection, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Objection{}, err
	}
	submitter = strings.TrimSpace(submitter)
	if submitter == "" {
		return Objection{}, app.Invalid("submitter", "请填写提出异议的业主及房号 / name the owner and room")
	}
	if utf8.RuneCountInString(submitter) > 100 {
		return Objection{}, app.Invalid("submitter", "不能超过 100 个字符 / at most 100 characters")
	}
	if content, err = objectionText("content", content); err != nil {
		return Objection{}, err
	}
	var row models.VoteObjection
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		cur, err := models.FindVote(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		if err := objectionWindow(cur, now); err != nil {
			return err
		}
		row = models.VoteObjection{VoteID: v.ID, Submitter: submitter, Content: content, CreatedAt: now}
		if p.UserID != 0 {
			uid := p.UserID
			row.EnteredBy = &uid
		}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("recording objection: %w", err)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.objection.record", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"objection_id": row.ID}})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, v.ID, row.ID)
}

// AnswerObjection records the answer to an objection, once.
func (s *Service) AnswerObjection(ctx context.Context, p app.Principal, voteID, objectionID int64, answer string) (Objection, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return Objection{}, err
	}
	if answer, err = objectionText("answer", answer); err != nil {
		return Objection{}, err
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var by *int64
		if p.UserID != 0 {
			uid := p.UserID
			by = &uid
		}
		res := tx.Model(&models.VoteObjection{}).Where("id = ? AND vote_id = ? AND answer IS NULL", objectionID, v.ID).
			Updates(map[string]any{"answer": answer, "answered_by": by, "answered_by_name": p.Username, "answered_at": now})
		if res.Error != nil {
			return fmt.Errorf("answering objection: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&models.VoteObjection{}).Where("id = ? AND vote_id = ?", objectionID, v.ID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return app.Errorf(app.ENotFound, "异议不存在 / objection not found")
			}
			return app.Errorf(app.EConflict, "该异议已答复 / the objection has already been answered")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.objection.answer", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"objection_id": objectionID}})
	})
	if err != nil {
		return Objection{}, app.AsErrorOrNil(err)
	}
	return s.objectionByID(ctx, v.ID, objectionID)
}

// Objections lists the objections of a vote with their answers.
func (s *Service) Objections(ctx context.Context, p app.Principal, voteID int64) ([]Objection, error) {
	v, _, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	list, err := s.objections(ctx, s.db, v.ID, objectionsOnly{})
	if err != nil {
		return nil, app.Internal(err)
	}
	return list, nil
}

// Finalise declares the published result final once the objection window has ended
// and every objection has been answered.
func (s *Service) Finalise(ctx context.Context, p app.Principal, voteID int64) (time.Time, error) {
	v, e, err := s.loadVoteForChange(ctx, p, voteID)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	switch {
	case v.State == models.VoteFinal:
		return time.Time{}, app.Errorf(app.EConflict, "结果已确定 / the result is already final")
	case v.State != models.VotePublished:
		return time.Time{}, app.Errorf(app.EConflict, "结果尚未公布 / the result is not published yet")
	case v.ObjectionDeadline != nil && now.Before(*v.ObjectionDeadline):
		return time.Time{}, app.Errorf(app.EConflict, "异议期至 %s 结束，之后才能确定结果 / the objection period ends %s",
			showTime(*v.ObjectionDeadline), v.ObjectionDeadline.Format(time.RFC3339))
	}
	var by *int64
	if p.UserID != 0 {
		uid := p.UserID
		by = &uid
	}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var open int64
		if err := tx.Model(&models.VoteObjection{}).Where("vote_id = ? AND answer IS NULL", v.ID).Count(&open).Error; err != nil {
			return fmt.Errorf("counting open objections: %w", err)
		}
		if open > 0 {
			return app.Errorf(app.EConflict, "尚有 %d 条异议未答复 / %d objections are not answered yet", open, open)
		}
		res := tx.Model(&models.Vote{}).Where("id = ? AND state = ?", v.ID, models.VotePublished).
			Updates(map[string]any{"state": models.VoteFinal, "finalised_at": now, "finalised_by": by, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("finalising vote %d: %w", v.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Errorf(app.EConflict, "结果已确定 / the result is already final")
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "vote.finalise", TargetType: "vote", TargetID: v.ID, EstateID: e.ID,
			Detail: map[string]any{"tally_sha256": v.TallySHA256}})
	})
	if err != nil {
		return time.Time{}, app.AsErrorOrNil(err)
	}
	return now, nil
}

// ParticipationEntry is one participating voter on the published list: rooms and
// area only, never choices (Beijing style).
type ParticipationEntry struct {
	Rooms []string
	Area  rules.Area
}

// ParticipationList lists the voters holding a live ballot, in register order: to
// staff of the estate (p non-nil) once the vote is open, to anyone once the result
// is published.
func (s *Service) ParticipationList(ctx context.Context, p *app.Principal, voteID int64) ([]ParticipationEntry, error) {
	v, err := s.resultsVote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	if v.State == models.VoteDraft {
		return nil, app.Errorf(app.EConflict, "表决尚未开启 / the vote is not open")
	}
	var rows []struct {
		Rooms string
		Area  int64
	}
	err = s.db.WithContext(ctx).Raw(`SELECT vv.rooms, vv.area FROM vote_voters vv
		WHERE vv.vote_id = ? AND EXISTS (SELECT 1 FROM ballots b LEFT JOIN ballot_voids bv ON bv.ballot_id = b.id
			WHERE b.vote_id = vv.vote_id AND b.voter_id = vv.id AND bv.id IS NULL)
		ORDER BY vv.position`, v.ID).Scan(&rows).Error
	if err != nil {
		return nil, app.Internal(fmt.Errorf("participation list of vote %d: %w", v.ID, err))
	}
	out := make([]ParticipationEntry, len(rows))
	for i, r := range rows {
		out[i] = ParticipationEntry{Rooms: splitRooms(r.Rooms), Area: rules.Area(r.Area)}
	}
	return out, nil
}

// ReceiptCheck is what anyone learns from a receipt code: the vote, when and by which
// channel the ballot was cast, and whether it was voided or counted; never the choices.
type ReceiptCheck struct {
	Code       string
	VoteID     int64
	VoteTitle  string
	EstateName string
	Channel    string
	CastAt     time.Time
	Voided     bool
	VoidedAt   *time.Time
	Counted    bool // the vote has been counted and this ballot was in it
}

// VerifyReceipt checks a receipt code (public).
func (s *Service) VerifyReceipt(ctx context.Context, code string) (ReceiptCheck, error) {
	code = NormalizeReceipt(code)
	if len(code) != 19 {
		return ReceiptCheck{}, app.Invalid("code", "回执编号应为 16 位字母数字，如 ABCD-EFGH-JKLM-NPQR / a receipt has 16 characters")
	}
	var row struct {
		models.Ballot
		Title      string
		EstateName string
		ClosedAt   *time.Time
		VoidedAt   *time.Time
	}
	res := s.db.WithContext(ctx).Table("ballots").
		Select("ballots.*, votes.title, votes.closed_at, estates.name AS estate_name, ballot_voids.voided_at").
		Joins("JOIN votes ON votes.id = ballots.vote_id").
		Joins("JOIN estates ON estates.id = votes.estate_id").
		Joins("LEFT JOIN ballot_voids ON ballot_voids.ballot_id = ballots.id").
		Where("ballots.receipt = ?", code).Limit(1).Scan(&row)
	if res.Error != nil {
		return ReceiptCheck{}, app.Internal(fmt.Errorf("receipt: %w", res.Error))
	}
	if res.RowsAffected == 0 {
		return ReceiptCheck{}, app.Errorf(app.ENotFound, "没有这张回执 / no ballot has this receipt")
	}
	return ReceiptCheck{Code: code, VoteID: row.VoteID, VoteTitle: row.Title, EstateName: row.EstateName, Channel: row.Channel,
		CastAt: row.CastAt, Voided: row.VoidedAt != nil, VoidedAt: row.VoidedAt,
		Counted: row.VoidedAt == nil && row.ClosedAt != nil}, nil
}
