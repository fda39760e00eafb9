package property

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/calendar"
	"gongzhi/app/database"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// Complaint sources (seed 004 §(十三)): in person, phone, the 12345 hotline, the
// provincial complaints system, the owners' committee, and the estate's public page.
var Sources = []string{"in_person", "phone", "12345", "provincial", "committee", "online"}

// Event kinds of a complaint.
const (
	EventResponded   = "responded"
	EventFirstResult = "first_result"
	EventResolved    = "resolved"
	EventVerified    = "verified"
	EventUnfounded   = "unfounded"
	EventRevisited   = "revisited"
	EventReopened    = "reopened"
)

// EventKinds lists the kinds in their usual order.
var EventKinds = []string{EventResponded, EventFirstResult, EventResolved, EventVerified, EventUnfounded, EventRevisited, EventReopened}

// NewComplaint is a complaint to register.
type NewComplaint struct {
	Complainant string // phone or ID number: kept only as keyed hash and mask
	ReceivedAt  string // RFC 3339
	Source      string
	Category    string
	Text        string
}

// maskComplainant masks a phone number or an ID number for display.
func maskComplainant(norm string) string {
	digits := strings.IndexFunc(norm, func(r rune) bool { return r < '0' || r > '9' }) < 0
	switch {
	case digits && len(norm) == 11: // a mobile number: 138****5678, as carriers print it
		return pii.MaskPhone(norm)
	case digits && len(norm) < 11: // a landline: only its last two digits (62345678 → ******78)
		return strings.Repeat("*", len(norm)-2) + norm[len(norm)-2:]
	}
	return pii.MaskID(norm)
}

// validateComplaint checks the fields shared by staff and public filing.
func validateComplaint(in NewComplaint) (norm string, err error) {
	norm = rules.NormalizeComplainant(in.Complainant)
	if utf8.RuneCountInString(norm) < 5 || utf8.RuneCountInString(norm) > 32 {
		return "", app.Invalid("complainant", app.M("err.property.complainant_s_phone_or_id_number_required"))
	}
	if !slices.Contains(Sources, in.Source) {
		return "", app.Invalid("source", app.M("err.property.unknown_source"))
	}
	if utf8.RuneCountInString(in.Category) > 32 {
		return "", app.Invalid("category", app.M("err.property.category_too_long"))
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || utf8.RuneCountInString(text) > 4000 {
		return "", app.Invalid("text", app.M("err.property.text_required_at_most_4000_characters"))
	}
	return norm, nil
}

// FileComplaint registers a complaint received by staff. It is against the company
// serving the estate on the Shanghai date of receipt (none → 422 naming received_at).
func (s *Service) FileComplaint(ctx context.Context, p app.Principal, estateID int64, in NewComplaint) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	received, err := s.parseInstant("received_at", in.ReceivedAt, now)
	if err != nil {
		return 0, err
	}
	c, err := s.insertComplaint(ctx, p, e.ID, e.CommunityID, in, received, nil)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// FilePublic registers a complaint an owner filed on the estate's public page,
// received now. It returns the private follow-up token (256 random bits; only its
// SHA-256 is stored).
func (s *Service) FilePublic(ctx context.Context, estateID int64, in NewComplaint, files ...Upload) (string, error) {
	var e models.Estate
	if err := s.db.WithContext(ctx).First(&e, estateID).Error; err != nil {
		if isNotFound(err) {
			return "", notFound("小区")
		}
		return "", app.Internal(err)
	}
	in.Source = "online"
	attached, err := checkPublicUploads(files, s.now())
	if err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", app.Internal(err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	h := hashToken(token)
	if _, err := s.insertComplaint(ctx, app.System(), e.ID, e.CommunityID, in, s.now(), &h, attached...); err != nil {
		return "", err
	}
	return token, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// insertComplaint stores a complaint with its attachments (already checked) in one
// transaction and re-evaluates the exit check.
func (s *Service) insertComplaint(ctx context.Context, p app.Principal, estateID, communityID int64, in NewComplaint, received time.Time, tokenHash *string, files ...models.ComplaintAttachment) (models.Complaint, error) {
	norm, err := validateComplaint(in)
	if err != nil {
		return models.Complaint{}, err
	}
	now := s.now()
	c := models.Complaint{EstateID: estateID, Source: in.Source, Category: strings.TrimSpace(in.Category), Body: strings.TrimSpace(in.Text),
		ComplainantHash: s.pii.HashID(norm), ComplainantMask: maskComplainant(norm), ReceivedAt: received, Cycle: 1, CycleStartedAt: received,
		PublicTokenHash: tokenHash, CreatedAt: now, UpdatedAt: now}
	if p.UserID != 0 {
		c.CreatedBy = ptr(p.UserID)
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return models.Complaint{}, err
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		company, ok, err := companyOn(ctx, tx, estateID, dayOf(received))
		if err != nil {
			return err
		}
		if !ok {
			return app.Invalid("received_at", app.M("err.property.no_service_contract_covers_that_day"))
		}
		c.ID, c.CompanyID = 0, company
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		prof, err := estateProfile(ctx, tx, estateID)
		if err != nil {
			return err
		}
		if err := summaryChange(ctx, tx, nil, c, prof, cal); err != nil {
			return err
		}
		sizes := make([]int, len(files))
		for i := range files {
			a := files[i]
			a.ID, a.ComplaintID = 0, c.ID
			if err := tx.Create(&a).Error; err != nil {
				return err
			}
			sizes[i] = a.SizeBytes
		}
		detail := map[string]any{"source": c.Source, "company_id": company}
		if len(files) > 0 {
			detail["attachment_sizes"] = sizes
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "complaint.file", TargetType: "complaint", TargetID: c.ID, OrgID: communityID,
			EstateID: estateID, Detail: detail}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, estateID, company)
	})
	if err != nil {
		return c, app.AsError(err)
	}
	return c, nil
}

// Event is a step to record on a complaint.
type Event struct {
	Kind string
	At   string // RFC 3339
	Note string
}

// complaintFor loads a complaint of an estate p may see (else 404).
func (s *Service) complaintFor(ctx context.Context, p app.Principal, id int64, change bool) (models.Complaint, error) {
	var c models.Complaint
	if err := s.db.WithContext(ctx).First(&c, id).Error; err != nil {
		if isNotFound(err) {
			return c, notFound("投诉")
		}
		return c, app.Internal(err)
	}
	var err error
	if change {
		_, err = s.orgs.EstateForChange(ctx, p, c.EstateID)
	} else {
		_, err = s.orgs.Estate(ctx, p, c.EstateID)
	}
	if app.ErrorCode(err) == app.ENotFound {
		return c, notFound("投诉")
	}
	return c, err
}

// AddEvent records a step of the complaint. An instant before the cycle's start
// (resolved before received) → 422 naming at; a stage recorded twice in a cycle,
// a revisit before resolution or a reopening of an open complaint → 409 naming kind.
// Reopening starts a new cycle: the 三三三 clock restarts at the reopening.
func (s *Service) AddEvent(ctx context.Context, p app.Principal, id int64, in Event) error {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return err
	}
	c, err := s.complaintFor(ctx, p, id, true)
	if err != nil {
		return err
	}
	if !slices.Contains(EventKinds, in.Kind) {
		return app.Invalid("kind", app.M("err.property.unknown_kind"))
	}
	now := s.now()
	at, err := s.parseInstant("at", in.At, now)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Note) > 2000 {
		return app.Invalid("note", app.M("err.property.note_too_long"))
	}
	conflict := func(msg app.Msg) error {
		return &app.Error{Code: app.EConflict, Msg: msg, Details: []app.Detail{{Field: "kind", Msg: msg}}}
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return err
	}
	return app.AsErrorOrNil(database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var cur models.Complaint
		if err := tx.Raw("SELECT * FROM complaints WHERE id = ?"+database.DialectOf(tx).ForUpdate(), c.ID).Scan(&cur).Error; err != nil {
			return err
		}
		if at.Before(cur.CycleStartedAt) {
			return app.Invalid("at", app.M("err.property.before_the_complaint_was_received_or_reopened"))
		}
		set := map[string]any{"updated_at": now}
		switch in.Kind {
		case EventResponded, EventFirstResult, EventResolved:
			col := map[string]string{EventResponded: "responded_at", EventFirstResult: "first_result_at", EventResolved: "resolved_at"}[in.Kind]
			prev := map[string]*time.Time{EventResponded: cur.RespondedAt, EventFirstResult: cur.FirstResultAt, EventResolved: cur.ResolvedAt}[in.Kind]
			if prev != nil {
				return conflict(app.M("err.property.already_recorded_in_this_cycle"))
			}
			set[col] = at
		case EventVerified, EventUnfounded:
			set["verification"], set["verified_at"] = in.Kind, at
		case EventRevisited:
			if cur.ResolvedAt == nil {
				return conflict(app.M("err.property.not_resolved_yet"))
			}
			if at.Before(*cur.ResolvedAt) {
				return app.Invalid("at", app.M("err.property.revisit_before_resolution"))
			}
		case EventReopened:
			if cur.ResolvedAt == nil && cur.Verification != EventUnfounded {
				return conflict(app.M("err.property.the_complaint_is_still_open"))
			}
			if cur.ResolvedAt != nil && at.Before(*cur.ResolvedAt) {
				return app.Invalid("at", app.M("err.property.reopened_before_resolution"))
			}
			set["cycle"], set["cycle_started_at"] = cur.Cycle+1, at
			set["responded_at"], set["first_result_at"], set["resolved_at"] = nil, nil, nil
			set["escalated_at"], set["escalated_stages"] = nil, ""
		}
		cycle := cur.Cycle
		if in.Kind == EventReopened {
			cycle++
		}
		ev := models.ComplaintEvent{ComplaintID: cur.ID, Kind: in.Kind, At: at, Cycle: cycle, Note: strings.TrimSpace(in.Note),
			CreatedByName: p.Username, CreatedAt: now}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if err := tx.Model(&models.Complaint{}).Where("id = ?", cur.ID).Updates(set).Error; err != nil {
			return err
		}
		var next models.Complaint
		if err := tx.First(&next, cur.ID).Error; err != nil {
			return err
		}
		prof, err := estateProfile(ctx, tx, cur.EstateID)
		if err != nil {
			return err
		}
		if err := summaryChange(ctx, tx, &cur, next, prof, cal); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, p, audit.Entry{Action: "complaint." + in.Kind, TargetType: "complaint", TargetID: cur.ID,
			EstateID: cur.EstateID, Detail: map[string]any{"at": at.Format(time.RFC3339), "cycle": cycle}}); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, cur.EstateID, cur.CompanyID)
	}))
}

// SLA is the 三三三 clock of a complaint's current cycle.
type SLA struct {
	rules.SLAResult
	Overdue   bool   // a stage's deadline missed
	Open      bool   // not resolved in this cycle
	NextStage string // the next stage due ("" when resolved)
	NextDue   time.Time
	Remaining time.Duration // until NextDue (negative: overdue)
}

// ComplaintView is a complaint with its clock and events.
type ComplaintView struct {
	models.Complaint
	EstateName  string
	CompanyName string
	SLA         SLA
	Events      []models.ComplaintEvent
	Attachments []models.ComplaintAttachment // without their data
	Escalated   bool                         // a missed stage of this cycle, escalated to the street office
}

func (s *Service) slaOf(c models.Complaint, profile rules.JurisdictionProfile, cal rules.Calendar, now time.Time) SLA {
	r := rules.ComplaintSLA(rules.SLAInput{ReceivedAt: c.CycleStartedAt, RespondedAt: c.RespondedAt, FirstResultAt: c.FirstResultAt,
		ResolvedAt: c.ResolvedAt, ResponseMinutes: profile.ComplaintResponseMinutes, FirstResultHours: profile.ComplaintFirstResultHours,
		ResolveDays: profile.ComplaintResolveDays, Calendar: cal, Now: now})
	out := SLA{SLAResult: r, Open: c.ResolvedAt == nil}
	out.Overdue = r.Response.Overdue() || r.FirstResult.Overdue() || r.Resolve.Overdue()
	for _, st := range []struct {
		name  string
		stage rules.SLAStage
	}{{"response", r.Response}, {"first_result", r.FirstResult}, {"resolve", r.Resolve}} {
		if st.stage.Done == nil && out.Open {
			out.NextStage, out.NextDue = st.name, st.stage.Deadline
			out.Remaining = st.stage.Deadline.Sub(now)
			break
		}
	}
	return out
}

// missedStages are the stages of the cycle whose deadline was missed.
func missedStages(sla SLA) []string {
	var out []string
	if sla.Response.Overdue() {
		out = append(out, "response")
	}
	if sla.FirstResult.Overdue() {
		out = append(out, "first_result")
	}
	if sla.Resolve.Overdue() {
		out = append(out, "resolve")
	}
	return out
}

// Complaint returns one complaint with its 三三三 clock and events.
func (s *Service) Complaint(ctx context.Context, p app.Principal, id int64) (ComplaintView, error) {
	c, err := s.complaintFor(ctx, p, id, false)
	if err != nil {
		return ComplaintView{}, err
	}
	return s.view(ctx, c)
}

func (s *Service) view(ctx context.Context, c models.Complaint) (ComplaintView, error) {
	e, err := s.orgs.Estate(ctx, app.System(), c.EstateID)
	if err != nil {
		return ComplaintView{}, err
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return ComplaintView{}, err
	}
	v := ComplaintView{Complaint: c, EstateName: e.Name, SLA: s.slaOf(c, profileOf(e), cal, s.now())}
	v.Escalated = v.SLA.Overdue
	if co, err := s.company(ctx, s.db, c.CompanyID, ""); err == nil {
		v.CompanyName = co.Name
	}
	if err := s.db.WithContext(ctx).Where("complaint_id = ?", c.ID).Order("at, id").Find(&v.Events).Error; err != nil {
		return v, app.Internal(err)
	}
	if v.Attachments, err = s.attachments(ctx, c.ID); err != nil {
		return v, app.Internal(err)
	}
	return v, nil
}

// ComplaintFilter narrows the complaint list.
type ComplaintFilter struct {
	EstateID  int64 // 0: every estate in jurisdiction
	CompanyID int64 // 0: every company
	OpenOnly  bool  // only complaints not resolved in their current cycle
}

// Complaints lists the complaints of the estates p may see with live countdowns:
// overdue ones first (longest overdue first), then by the next deadline.
func (s *Service) Complaints(ctx context.Context, p app.Principal, f ComplaintFilter) ([]ComplaintView, error) {
	ids, by, err := s.visibleEstates(ctx, p)
	if err != nil {
		return nil, err
	}
	if f.EstateID != 0 {
		if _, ok := by[f.EstateID]; !ok {
			return nil, notFound("小区")
		}
		ids = []int64{f.EstateID}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx).Where("estate_id IN ?", ids)
	if f.CompanyID != 0 {
		q = q.Where("company_id = ?", f.CompanyID)
	}
	if f.OpenOnly {
		q = q.Where("resolved_at IS NULL")
	}
	var list []models.Complaint
	if err := q.Order("received_at DESC, id DESC").Limit(1000).Find(&list).Error; err != nil {
		return nil, app.Internal(err)
	}
	cal, err := calendar.Working(ctx, s.cal, s.db)
	if err != nil {
		return nil, err
	}
	now := s.now()
	names := map[int64]string{}
	out := make([]ComplaintView, len(list))
	for i, c := range list {
		e := by[c.EstateID]
		out[i] = ComplaintView{Complaint: c, EstateName: e.Name, SLA: s.slaOf(c, profileOf(e), cal, now)}
		out[i].Escalated = out[i].SLA.Overdue
		if _, ok := names[c.CompanyID]; !ok {
			if co, err := s.company(ctx, s.db, c.CompanyID, ""); err == nil {
				names[c.CompanyID] = co.Name
			}
		}
		out[i].CompanyName = names[c.CompanyID]
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].SLA, out[j].SLA
		ao, bo := a.Open && a.Remaining < 0, b.Open && b.Remaining < 0
		if ao != bo {
			return ao
		}
		if a.Open != b.Open {
			return a.Open
		}
		if a.Open {
			return a.Remaining < b.Remaining
		}
		return false
	})
	return out, nil
}

// Tracking is what an owner sees through the private follow-up link: the clock
// and the steps, never the complainant or staff notes.
type Tracking struct {
	EstateName string
	Category   string
	ReceivedAt time.Time
	Cycle      int
	SLA        SLA
	Steps      []models.ComplaintEvent // Note cleared
	Resolved   bool
}

// Track returns the complaint behind a private follow-up token (unknown → 404).
func (s *Service) Track(ctx context.Context, token string) (Tracking, error) {
	if len(token) < 20 || len(token) > 100 {
		return Tracking{}, notFound("投诉")
	}
	var c models.Complaint
	if err := s.db.WithContext(ctx).Where("public_token_hash = ?", hashToken(token)).First(&c).Error; err != nil {
		if isNotFound(err) {
			return Tracking{}, notFound("投诉")
		}
		return Tracking{}, app.Internal(err)
	}
	v, err := s.view(ctx, c)
	if err != nil {
		return Tracking{}, err
	}
	t := Tracking{EstateName: v.EstateName, Category: c.Category, ReceivedAt: c.ReceivedAt, Cycle: c.Cycle, SLA: v.SLA, Resolved: c.ResolvedAt != nil}
	for _, ev := range v.Events {
		ev.Note, ev.CreatedByName = "", ""
		t.Steps = append(t.Steps, ev)
	}
	return t, nil
}

// PublicEstate is the estate's name for its public complaint form (404 if none).
func (s *Service) PublicEstate(ctx context.Context, estateID int64) (string, error) {
	var e models.Estate
	if err := s.db.WithContext(ctx).First(&e, estateID).Error; err != nil {
		if isNotFound(err) {
			return "", notFound("小区")
		}
		return "", app.Internal(err)
	}
	return e.Name, nil
}
