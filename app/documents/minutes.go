package documents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Decision is one decision recorded in minutes. At a committee meeting it carries the
// count of the members present; at an assembly meeting the count is the vote's and the
// text says it.
type Decision struct {
	Text    string `json:"text"`
	Agree   int    `json:"agree"`
	Oppose  int    `json:"oppose"`
	Abstain int    `json:"abstain"`
}

// Signature is one person's signature on the minutes: a name and a date.
type Signature struct {
	Name     string    `json:"name"`
	SignedAt time.Time `json:"signed_at"`
}

// MinutesInput is the editable content of minutes. Members and Present are used for
// committee meetings: every member of the committee, and those present.
type MinutesInput struct {
	Title       string
	Place       string
	HeldAt      time.Time
	Members     []string
	Present     []string
	Attendees   []string
	Agenda      []string
	Proceedings string
	Decisions   []Decision
	Signatures  []Signature
}

// NewMinutes starts minutes: for an assembly meeting the vote (its minutes are pre-filled
// from the vote and its tally), for a committee meeting the content so far (the members
// default to the estate's sitting committee).
type NewMinutes struct {
	Kind   string // "assembly" or "committee"
	VoteID int64
	MinutesInput
}

// DecisionView is a decision with what its count decides (committee meetings).
type DecisionView struct {
	Decision
	Counted bool // a committee decision, decided by DecideCommittee
	CommitteeOutcome
	Outcome string // 通过 or 未通过 for a committee decision
}

// MinutesView is minutes as their page and the API show them.
type MinutesView struct {
	ID          int64
	EstateID    int64
	EstateName  string
	Kind        string
	KindLabel   string
	VoteID      int64
	Content     MinutesInput
	State       string
	Revision    int
	CanEdit     bool
	Decisions   []DecisionView
	Absent      []string
	Quorum      bool // committee: more than half of all members present
	Rule        string
	LegalBasis  string
	Document    *Document
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedBy   string
	UpdatedAt   time.Time
	FinalisedAt *time.Time
	// MissingGlyphs are characters the PDF font cannot print (shown as 〓).
	MissingGlyphs string
	// Suspended names the committee's members suspended on a founded negative-list case
	// at the meeting (issue 12): counted among all members, taking no part.
	Suspended []string
}

// MinutesSummary is one line of an estate's list of minutes.
type MinutesSummary struct {
	ID             int64
	Kind           string
	KindLabel      string
	Title          string
	HeldAt         time.Time
	State          string
	VoteID         int64
	DocumentID     int64
	DocumentNumber string
}

// MinutesKindLabel is the Chinese name of a kind of meeting.
func MinutesKindLabel(kind string) string {
	switch kind {
	case models.MinutesAssembly:
		return "业主大会会议"
	case models.MinutesCommittee:
		return "业主委员会会议"
	}
	return kind
}

// Limits of the minutes' texts.
const (
	maxTitle       = 200
	maxPlace       = 200
	maxName        = 50
	maxNames       = 100
	maxAgendaEntry = 500
	maxEntries     = 50
	maxProceedings = 50000
	maxDecision    = 2000
)

// errMinutesNotFound is the answer for unknown minutes or minutes outside the caller's reach.
func errMinutesNotFound() error {
	return app.Fail(app.ENotFound, "err.documents.minutes_not_found")
}

// errMinutesFinal refuses any change to final minutes.
func errMinutesFinal() error {
	return app.Fail(app.EConflict, "err.documents.the_minutes_are_final_and_cannot_be_changed")
}

// cleanList trims entries, drops empty ones and checks count and length.
func cleanList(field string, in []string, maxCount, maxLen int) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if utf8.RuneCountInString(e) > maxLen {
			return nil, app.Invalid(field, app.M("err.documents.each_entry_at_most_characters", maxLen))
		}
		out = append(out, e)
	}
	if len(out) > maxCount {
		return nil, app.Invalid(field, app.M("err.documents.at_most_entries", maxCount))
	}
	return out, nil
}

// normalise validates the content of minutes of a kind and returns it cleaned.
func normalise(kind string, in MinutesInput) (MinutesInput, error) {
	var err error
	out := MinutesInput{Title: strings.TrimSpace(in.Title), Place: strings.TrimSpace(in.Place), HeldAt: in.HeldAt.UTC(),
		Proceedings: strings.TrimSpace(strings.ReplaceAll(in.Proceedings, "\r\n", "\n"))}
	switch n := utf8.RuneCountInString(out.Title); {
	case n == 0:
		return out, app.Invalid("title", app.M("err.documents.the_title_is_required"))
	case n > maxTitle:
		return out, app.Invalid("title", app.M("err.documents.at_most_characters", maxTitle))
	}
	if utf8.RuneCountInString(out.Place) > maxPlace {
		return out, app.Invalid("place", app.M("err.documents.at_most_characters", maxPlace))
	}
	if out.HeldAt.IsZero() {
		return out, app.Invalid("held_at", app.M("err.documents.the_time_of_the_meeting_is_required"))
	}
	if utf8.RuneCountInString(out.Proceedings) > maxProceedings {
		return out, app.Invalid("proceedings", app.M("err.documents.at_most_characters", maxProceedings))
	}
	if out.Attendees, err = cleanList("attendees", in.Attendees, maxNames, maxName*2); err != nil {
		return out, err
	}
	if out.Agenda, err = cleanList("agenda", in.Agenda, maxEntries, maxAgendaEntry); err != nil {
		return out, err
	}
	if kind == models.MinutesCommittee {
		if out.Members, err = cleanList("members", in.Members, maxNames, maxName); err != nil {
			return out, err
		}
		if out.Present, err = cleanList("present", in.Present, maxNames, maxName); err != nil {
			return out, err
		}
		seen := map[string]bool{}
		for _, m := range out.Members {
			if seen[m] {
				return out, app.Invalid("members", app.M("err.documents.member_listed_twice", m))
			}
			seen[m] = true
		}
		present := map[string]bool{}
		for _, m := range out.Present {
			if !seen[m] {
				return out, app.Invalid("present", app.M("err.documents.not_a_member_of_the_committee", m))
			}
			if present[m] {
				return out, app.Invalid("present", app.M("err.documents.listed_twice", m))
			}
			present[m] = true
		}
	}
	if len(in.Decisions) > maxEntries {
		return out, app.Invalid("decisions", app.M("err.documents.at_most_entries", maxEntries))
	}
	for i, d := range in.Decisions {
		d.Text = strings.TrimSpace(d.Text)
		if d.Text == "" && d.Agree == 0 && d.Oppose == 0 && d.Abstain == 0 {
			continue
		}
		field := fmt.Sprintf("decisions[%d]", i)
		switch n := utf8.RuneCountInString(d.Text); {
		case n == 0:
			return out, app.Invalid(field, app.M("err.documents.the_decision_s_text_is_required"))
		case n > maxDecision:
			return out, app.Invalid(field, app.M("err.documents.at_most_characters", maxDecision))
		}
		if kind == models.MinutesCommittee {
			cv := CommitteeVote{Members: max(len(out.Members), 1), Present: len(out.Present), Agree: d.Agree, Oppose: d.Oppose, Abstain: d.Abstain}
			if err := cv.Validate(); err != nil {
				ae := app.AsError(err)
				return out, app.Invalid(field, ae.Msg)
			}
		} else {
			d.Agree, d.Oppose, d.Abstain = 0, 0, 0
		}
		out.Decisions = append(out.Decisions, d)
	}
	if len(in.Signatures) > maxEntries {
		return out, app.Invalid("signatures", app.M("err.documents.at_most_entries", maxEntries))
	}
	for i, sg := range in.Signatures {
		sg.Name = strings.TrimSpace(sg.Name)
		if sg.Name == "" && sg.SignedAt.IsZero() {
			continue
		}
		field := fmt.Sprintf("signatures[%d]", i)
		if sg.Name == "" || utf8.RuneCountInString(sg.Name) > maxName {
			return out, app.Invalid(field, app.M("err.documents.a_name_of_1_to_characters", maxName))
		}
		if sg.SignedAt.IsZero() {
			return out, app.Invalid(field, app.M("err.documents.the_date_of_the_signature_is_required"))
		}
		sg.SignedAt = sg.SignedAt.UTC()
		out.Signatures = append(out.Signatures, sg)
	}
	return out, nil
}

// joinLines stores a list one entry per line.
func joinLines(list []string) string { return strings.Join(list, "\n") }

// splitLines reads a stored list.
func splitLines(s string) []string {
	if strings.TrimSpace(s) == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// apply writes content into a row (without saving it).
func apply(m *models.Minutes, in MinutesInput) error {
	dec, err := json.Marshal(in.Decisions)
	if err != nil {
		return fmt.Errorf("encoding decisions: %w", err)
	}
	sig, err := json.Marshal(in.Signatures)
	if err != nil {
		return fmt.Errorf("encoding signatures: %w", err)
	}
	if in.Decisions == nil {
		dec = []byte("[]")
	}
	if in.Signatures == nil {
		sig = []byte("[]")
	}
	m.Title, m.Place, m.HeldAt = in.Title, in.Place, in.HeldAt
	m.Members, m.Present, m.Attendees = joinLines(in.Members), joinLines(in.Present), joinLines(in.Attendees)
	m.Agenda, m.Proceedings = joinLines(in.Agenda), in.Proceedings
	m.DecisionsJSON, m.SignaturesJSON = string(dec), string(sig)
	return nil
}

// contentOf reads the content of a stored row.
func contentOf(m models.Minutes) (MinutesInput, error) {
	in := MinutesInput{Title: m.Title, Place: m.Place, HeldAt: m.HeldAt, Members: splitLines(m.Members), Present: splitLines(m.Present),
		Attendees: splitLines(m.Attendees), Agenda: splitLines(m.Agenda), Proceedings: m.Proceedings,
		Decisions: []Decision{}, Signatures: []Signature{}}
	if err := json.Unmarshal([]byte(m.DecisionsJSON), &in.Decisions); err != nil {
		return in, fmt.Errorf("minutes %d decisions: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(m.SignaturesJSON), &in.Signatures); err != nil {
		return in, fmt.Errorf("minutes %d signatures: %w", m.ID, err)
	}
	return in, nil
}

// sittingMembers names the members of the estate's committee in office (not alternates).
func (s *Service) sittingMembers(ctx context.Context, estateID int64) ([]string, error) {
	live, err := models.LiveCommittees(ctx, s.db, []int64{estateID})
	if err != nil {
		return nil, err
	}
	c, ok := live[estateID]
	if !ok {
		return nil, nil
	}
	members, err := models.CommitteeMembers(ctx, s.db, c.ID)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range members {
		if m.Role != models.RoleAlternate && m.Status == models.SeatServing {
			names = append(names, m.Name)
		}
	}
	return names, nil
}

// CreateMinutes starts minutes of an estate's meeting as a draft and returns their id.
// Assembly minutes are pre-filled from a closed vote of the estate and its tally (one
// record per vote); committee minutes start from the given content.
func (s *Service) CreateMinutes(ctx context.Context, p app.Principal, estateID int64, in NewMinutes) (int64, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return 0, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return 0, err
	}
	var content MinutesInput
	var voteID *int64
	switch in.Kind {
	case models.MinutesAssembly:
		if in.VoteID == 0 {
			return 0, app.Invalid("vote_id", app.M("err.documents.choose_the_vote"))
		}
		rec, err := s.closedVote(ctx, p, e, in.VoteID)
		if err != nil {
			return 0, err
		}
		if rec.Vote.EstateID != e.ID {
			return 0, app.Invalid("vote_id", app.M("err.documents.the_vote_belongs_to_another_estate"))
		}
		names, err := s.namesOf(ctx, e.ID)
		if err != nil {
			return 0, err
		}
		content = prefillAssembly(rec.Vote, rec.Items, *rec.Result, names)
		id := rec.Vote.ID
		voteID = &id
	case models.MinutesCommittee:
		content = in.MinutesInput
		if content.Title == "" {
			content.Title = e.Name + "业主委员会会议"
		}
		if len(content.Members) == 0 {
			if content.Members, err = s.sittingMembers(ctx, e.ID); err != nil {
				return 0, app.Internal(err)
			}
		}
	default:
		return 0, app.Invalid("kind", app.M("err.documents.kind_must_be_assembly_or_committee"))
	}
	content, err = normalise(in.Kind, content)
	if err != nil {
		return 0, err
	}
	if err := s.checkSuspended(ctx, e.ID, in.Kind, content); err != nil {
		return 0, err
	}
	now := s.now()
	m := models.Minutes{EstateID: e.ID, Kind: in.Kind, VoteID: voteID, State: models.MinutesDraft, Revision: 1,
		CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: now, UpdatedBy: userID(p), UpdatedByName: p.Username, UpdatedAt: now}
	if err := apply(&m, content); err != nil {
		return 0, app.Internal(err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&m).Error; err != nil {
			if database.IsDuplicate(err) {
				return app.Fail(app.EConflict, "err.documents.this_vote_already_has_minutes")
			}
			return fmt.Errorf("creating minutes: %w", err)
		}
		detail := map[string]any{"kind": in.Kind, "title": m.Title}
		if voteID != nil {
			detail["vote_id"] = *voteID
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "minutes.create", TargetType: "minutes", TargetID: m.ID, EstateID: e.ID, Detail: detail})
	})
	if err != nil {
		return 0, app.AsErrorOrNil(err)
	}
	return m.ID, nil
}

// closedVote reads a vote's record once (voting.Record, closing the vote first if due)
// for minutes of estate e, which p may change, and decides once whether p may have it:
// a vote of e, or of another estate of p's jurisdiction (404 outside it). A vote not yet
// counted is refused with 409.
func (s *Service) closedVote(ctx context.Context, p app.Principal, e models.EstateWithPath, voteID int64) (voting.VoteRecord, error) {
	rec, err := s.votes.Record(ctx, voteID)
	if err != nil {
		return voting.VoteRecord{}, err
	}
	if rec.Vote.EstateID != e.ID {
		if _, err := s.orgs.Estate(ctx, p, rec.Vote.EstateID); app.ErrorCode(err) == app.ENotFound {
			return voting.VoteRecord{}, voting.ErrVoteNotFound()
		} else if err != nil {
			return voting.VoteRecord{}, err
		}
	}
	if rec.Result == nil {
		return voting.VoteRecord{}, app.Fail(app.EConflict, "err.documents.voting_has_not_closed_yet")
	}
	return rec, nil
}

// textTime prints an instant in Asia/Shanghai for the minutes' text.
func textTime(t time.Time) string { return t.In(rules.Shanghai()).Format("2006年1月2日 15:04") }

// prefillAssembly writes the minutes of an assembly vote from the vote and its tally.
func prefillAssembly(d models.Vote, items []voting.Item, r voting.Result, names estateNames) MinutesInput {
	convenor := convenorName(d.Convenor, names)
	place := d.Location
	if place == "" {
		place = voting.FormLabel(d.Form) + "（电子表决与纸质表决）"
	}
	total, _ := rules.ParseArea(r.TotalArea)
	partArea, _ := rules.ParseArea(r.ParticipatingArea)
	in := MinutesInput{Title: d.Title, Place: place, HeldAt: d.OpensAt, Attendees: []string{}}
	for _, it := range items {
		title := it.Title
		if it.IsElection() {
			title += fmt.Sprintf("（应选 %d 名）", it.Seats)
		}
		in.Agenda = append(in.Agenda, title)
	}
	quorum := "已达到"
	if !r.QuorumMet {
		quorum = "未达到，本次表决不能形成有效决定"
	}
	paras := []string{
		fmt.Sprintf("%s于%s发出会议通知，以%s方式召开%s，表决期间为%s至%s。", convenor, textTime(d.NoticePublishedAt),
			voting.FormLabel(d.Form), d.Title, textTime(d.OpensAt), textTime(d.ClosesAt)),
		fmt.Sprintf("表决开启时冻结的表决权人名册：专有部分总面积 %s 平方米，业主总人数 %d 人。", total, r.TotalHeadcount),
		fmt.Sprintf("表决期间共收到有效表决票 %d 张（另有 %d 张经登记作废，不计入）；参与表决的业主专有部分面积 %s 平方米，占总面积 %s；人数 %d 人，占总人数 %s。参与表决要求：%s（%s）。",
			r.BallotsCounted, r.BallotsVoided, partArea, rules.Percent(int64(partArea), int64(total)), r.ParticipatingHeadcount,
			rules.Percent(int64(r.ParticipatingHeadcount), int64(r.TotalHeadcount)), r.QuorumRule, quorum),
		fmt.Sprintf("表决于%s截止，由系统按有效表决票自动计票；计票结果 SHA-256：%s，表决回执摘要：%s。", textTime(r.ClosedAt), d.TallySHA256, r.ReceiptsDigest),
	}
	if d.PublishedAt != nil {
		p := fmt.Sprintf("计票结果于%s公布", textTime(*d.PublishedAt))
		if d.ObjectionDeadline != nil {
			p += "，异议期至" + textTime(*d.ObjectionDeadline)
		}
		paras = append(paras, p+"。")
	}
	in.Proceedings = strings.Join(paras, "\n")
	for _, it := range items {
		if it.IsElection() {
			er := r.Elections[it.Key]
			byKey := map[string]string{}
			for _, c := range it.Candidates {
				byKey[c.Key] = c.Name
			}
			list := func(keys []string) string {
				names := make([]string, 0, len(keys))
				for _, k := range keys {
					names = append(names, byKey[k])
				}
				if len(names) == 0 {
					return "无"
				}
				return strings.Join(names, "、")
			}
			formed := "业主委员会组成"
			if !er.CommitteeFormed {
				formed = "当选人数未达到组成要求，需另行补选"
			} else if er.VacantSeats > 0 {
				formed = fmt.Sprintf("业主委员会组成，尚有 %d 个席位空缺需补选", er.VacantSeats)
			}
			in.Decisions = append(in.Decisions, Decision{Text: fmt.Sprintf("%s：当选 %s；候补委员 %s；%s。", it.Title, list(er.Elected), list(er.Alternates), formed)})
			continue
		}
		ir := r.Items[it.Key]
		agreeArea, _ := rules.ParseArea(ir.AgreeArea)
		in.Decisions = append(in.Decisions, Decision{Text: fmt.Sprintf("%s：同意的专有部分面积 %s 平方米（占参与表决面积 %s）、人数 %d 人（占参与表决人数 %s）；%s（%s）；%s。",
			it.Title, agreeArea, rules.Percent(int64(agreeArea), int64(partArea)), ir.AgreeHeadcount,
			rules.Percent(int64(ir.AgreeHeadcount), int64(r.ParticipatingHeadcount)), ir.Rule, ir.LegalBasis, outcomeWord(ir.Passed))})
	}
	return in
}

// loadMinutes loads minutes the principal may see.
func (s *Service) loadMinutes(ctx context.Context, p app.Principal, id int64) (models.Minutes, models.EstateWithPath, error) {
	m, err := models.FindMinutes(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, models.EstateWithPath{}, errMinutesNotFound()
	}
	if err != nil {
		return m, models.EstateWithPath{}, app.Internal(err)
	}
	e, err := s.orgs.Estate(ctx, p, m.EstateID)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return m, e, errMinutesNotFound()
		}
		return m, e, err
	}
	return m, e, nil
}

// Minutes returns minutes with what their counts decide.
func (s *Service) Minutes(ctx context.Context, p app.Principal, id int64) (MinutesView, error) {
	m, e, err := s.loadMinutes(ctx, p, id)
	if err != nil {
		return MinutesView{}, err
	}
	return s.view(ctx, p, m, e)
}

// view shapes minutes for display.
func (s *Service) view(ctx context.Context, p app.Principal, m models.Minutes, e models.EstateWithPath) (MinutesView, error) {
	content, err := contentOf(m)
	if err != nil {
		return MinutesView{}, app.Internal(err)
	}
	v := MinutesView{ID: m.ID, EstateID: m.EstateID, EstateName: e.Name, Kind: m.Kind, KindLabel: MinutesKindLabel(m.Kind),
		Content: content, State: m.State, Revision: m.Revision, CanEdit: m.State == models.MinutesDraft && access.Can(p, access.KeepRecords),
		CreatedBy: m.CreatedByName, CreatedAt: m.CreatedAt, UpdatedBy: m.UpdatedByName, UpdatedAt: m.UpdatedAt, FinalisedAt: m.FinalisedAt}
	if m.VoteID != nil {
		v.VoteID = *m.VoteID
	}
	if m.Kind == models.MinutesCommittee {
		members := len(content.Members)
		present := map[string]bool{}
		for _, n := range content.Present {
			present[n] = true
		}
		for _, n := range content.Members {
			if !present[n] {
				v.Absent = append(v.Absent, n)
			}
		}
		v.Quorum = members > 0 && 2*len(content.Present) > members
		if v.Suspended, err = suspendedAt(ctx, s.db, m.EstateID, content.HeldAt); err != nil {
			return MinutesView{}, app.Internal(err)
		}
		v.Rule, v.LegalBasis = committeeRule(members), committeeBasis(e.ProfileCode)
		for _, d := range content.Decisions {
			out := DecideCommittee(CommitteeVote{Members: members, Present: len(content.Present), Agree: d.Agree, Oppose: d.Oppose, Abstain: d.Abstain})
			v.Decisions = append(v.Decisions, DecisionView{Decision: d, Counted: true, CommitteeOutcome: out, Outcome: outcomeWord(out.Passed)})
		}
	} else {
		for _, d := range content.Decisions {
			v.Decisions = append(v.Decisions, DecisionView{Decision: d})
		}
	}
	if m.DocumentID != nil {
		d, err := models.FindDocument(ctx, s.db, *m.DocumentID)
		if err != nil {
			return MinutesView{}, app.Internal(err)
		}
		doc, err := s.describeOne(ctx, d)
		if err != nil {
			return MinutesView{}, err
		}
		v.Document = &doc
	}
	pdf := s.minutesPDF(m, content, v, e, "", "")
	text := strings.Join(append(append([]string{pdf.Title, pdf.Place, pdf.Proceedings}, pdf.Attendees...), append(pdf.Agenda, pdf.Decisions...)...), "")
	for _, sg := range pdf.Signatures {
		text += sg.Name
	}
	v.MissingGlyphs = string(s.renderer.MissingGlyphs(text))
	return v, nil
}

// ListMinutes lists an estate's minutes, newest meeting first.
func (s *Service) ListMinutes(ctx context.Context, p app.Principal, estateID int64) ([]MinutesSummary, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	list, err := models.MinutesOfEstate(ctx, s.db, estateID)
	if err != nil {
		return nil, app.Internal(err)
	}
	numbers := map[int64]string{}
	var docIDs []int64
	for _, m := range list {
		if m.DocumentID != nil {
			docIDs = append(docIDs, *m.DocumentID)
		}
	}
	if len(docIDs) > 0 {
		var rows []struct {
			ID        int64
			DocNumber string
		}
		if err := s.db.WithContext(ctx).Model(&models.Document{}).Select("id, doc_number").Where("id IN ?", docIDs).Scan(&rows).Error; err != nil {
			return nil, app.Internal(fmt.Errorf("minutes documents: %w", err))
		}
		for _, r := range rows {
			numbers[r.ID] = r.DocNumber
		}
	}
	out := make([]MinutesSummary, 0, len(list))
	for _, m := range list {
		sm := MinutesSummary{ID: m.ID, Kind: m.Kind, KindLabel: MinutesKindLabel(m.Kind), Title: m.Title, HeldAt: m.HeldAt, State: m.State}
		if m.VoteID != nil {
			sm.VoteID = *m.VoteID
		}
		if m.DocumentID != nil {
			sm.DocumentID, sm.DocumentNumber = *m.DocumentID, numbers[*m.DocumentID]
		}
		out = append(out, sm)
	}
	return out, nil
}

// changedFields names the fields an edit changes, for the audit trail.
func changedFields(old, in MinutesInput) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	add("title", old.Title != in.Title)
	add("place", old.Place != in.Place)
	add("held_at", !old.HeldAt.Equal(in.HeldAt))
	add("members", !slices.Equal(old.Members, in.Members))
	add("present", !slices.Equal(old.Present, in.Present))
	add("attendees", !slices.Equal(old.Attendees, in.Attendees))
	add("agenda", !slices.Equal(old.Agenda, in.Agenda))
	add("proceedings", old.Proceedings != in.Proceedings)
	add("decisions", !slices.Equal(old.Decisions, in.Decisions))
	add("signatures", !slices.EqualFunc(old.Signatures, in.Signatures, func(a, b Signature) bool {
		return a.Name == b.Name && a.SignedAt.Equal(b.SignedAt)
	}))
	return out
}

// UpdateMinutes replaces the content of draft minutes; the edit is audited with the fields
// it changed. With revision > 0 the edit applies only to that revision (409 if someone else
// saved meanwhile). Final minutes refuse every change with 409.
func (s *Service) UpdateMinutes(ctx context.Context, p app.Principal, id int64, in MinutesInput, revision int) (MinutesView, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return MinutesView{}, err
	}
	m, e, err := s.loadMinutes(ctx, p, id)
	if err != nil {
		return MinutesView{}, err
	}
	if m.State != models.MinutesDraft {
		return MinutesView{}, errMinutesFinal()
	}
	clean, err := normalise(m.Kind, in)
	if err != nil {
		return MinutesView{}, err
	}
	if err := s.checkSuspended(ctx, m.EstateID, m.Kind, clean); err != nil {
		return MinutesView{}, err
	}
	old, err := contentOf(m)
	if err != nil {
		return MinutesView{}, app.Internal(err)
	}
	changed := changedFields(old, clean)
	next := m
	if err := apply(&next, clean); err != nil {
		return MinutesView{}, app.Internal(err)
	}
	now := s.now()
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		q := tx.Model(&models.Minutes{}).Where("id = ? AND state = ?", m.ID, models.MinutesDraft)
		if revision > 0 {
			q = q.Where("revision = ?", revision)
		}
		res := q.Updates(map[string]any{"title": next.Title, "place": next.Place, "held_at": next.HeldAt, "members": next.Members,
			"present": next.Present, "attendees": next.Attendees, "agenda": next.Agenda, "proceedings": next.Proceedings,
			"decisions_json": next.DecisionsJSON, "signatures_json": next.SignaturesJSON, "revision": gorm.Expr("revision + 1"),
			"updated_by": userID(p), "updated_by_name": p.Username, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("saving minutes %d: %w", m.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			cur, err := models.FindMinutes(ctx, tx, m.ID)
			if err != nil {
				return err
			}
			if cur.State != models.MinutesDraft {
				return errMinutesFinal()
			}
			return app.Fail(app.EConflict, "err.documents.changed_by_someone_else_meanwhile", cur.Revision)
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "minutes.update", TargetType: "minutes", TargetID: m.ID, EstateID: m.EstateID,
			Detail: map[string]any{"changed": changed, "revision": m.Revision + 1}})
	})
	if err != nil {
		return MinutesView{}, app.AsErrorOrNil(err)
	}
	cur, err := models.FindMinutes(ctx, s.db, m.ID)
	if err != nil {
		return MinutesView{}, app.Internal(err)
	}
	return s.view(ctx, p, cur, e)
}

// minutesPDF shapes the printed minutes. A committee meeting's record states the members
// in office and present, and each decision with its count against all members.
func (s *Service) minutesPDF(m models.Minutes, c MinutesInput, v MinutesView, e models.EstateWithPath, number, verifyURL string) pdfdoc.Minutes {
	out := pdfdoc.Minutes{Title: c.Title, EstateName: e.Name, Kind: MinutesKindLabel(m.Kind), Place: c.Place, HeldAt: c.HeldAt,
		Agenda: c.Agenda, DocNumber: number, VerifyURL: verifyURL}
	if out.Place == "" {
		out.Place = "—"
	}
	proceedings := c.Proceedings
	if m.Kind == models.MinutesCommittee {
		out.Attendees = append(out.Attendees, c.Present...)
		members := len(c.Members)
		quorum := "出席委员超过全体委员半数"
		if !v.Quorum {
			quorum = "出席委员未超过全体委员半数，会议不能作出决定"
		}
		absent := "无"
		if len(v.Absent) > 0 {
			absent = strings.Join(v.Absent, "、")
		}
		head := fmt.Sprintf("本届业主委员会共有委员 %d 人，出席 %d 人，缺席 %d 人（%s）；%s。%s（%s）。",
			members, len(c.Present), len(v.Absent), absent, quorum, v.Rule, v.LegalBasis)
		proceedings = head + "\n" + proceedings
		for _, d := range v.Decisions {
			exceeds := "未超过"
			if d.Passed {
				exceeds = "超过"
			}
			out.Decisions = append(out.Decisions, fmt.Sprintf("%s（同意 %d 人、反对 %d 人、弃权 %d 人；同意人数%s全体委员 %d 人的半数，%s）",
				d.Text, d.Agree, d.Oppose, d.Abstain, exceeds, members, d.Outcome))
		}
	} else {
		for _, d := range v.Decisions {
			out.Decisions = append(out.Decisions, d.Text)
		}
	}
	out.Attendees = append(out.Attendees, c.Attendees...)
	out.Proceedings = proceedings
	for _, sg := range c.Signatures {
		out.Signatures = append(out.Signatures, pdfdoc.Signature{Name: sg.Name, SignedAt: sg.SignedAt})
	}
	return out
}

// FinaliseMinutes makes draft minutes final: they must carry at least one signature (and a
// committee's members). In one transaction the record becomes immutable, its PDF is
// rendered, numbered and stored as a published document, and for a committee meeting its
// passed decisions are published as an announcement (BJ 45: within the profile's days; a
// later publication is flagged late). Finalising again is refused with 409.
func (s *Service) FinaliseMinutes(ctx context.Context, p app.Principal, id int64) (MinutesView, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return MinutesView{}, err
	}
	m, e, err := s.loadMinutes(ctx, p, id)
	if err != nil {
		return MinutesView{}, err
	}
	if m.State != models.MinutesDraft {
		return MinutesView{}, errMinutesFinal()
	}
	v, err := s.view(ctx, p, m, e)
	if err != nil {
		return MinutesView{}, err
	}
	c := v.Content
	if len(c.Signatures) == 0 {
		return MinutesView{}, app.Invalid("signatures", app.M("err.documents.the_minutes_need_at_least_one_signature"))
	}
	if m.Kind == models.MinutesCommittee && len(c.Members) == 0 {
		return MinutesView{}, app.Invalid("members", app.M("err.documents.list_the_members_of_the_committee"))
	}
	// The PDF is rendered inside the transaction: take the rendering slot before it
	// begins, so no transaction waits for a slot.
	release, err := s.acquireRender(ctx)
	if err != nil {
		return MinutesView{}, err
	}
	defer release()
	prof := rules.ProfileOrDefault(e.ProfileCode)
	now := s.now()
	minutesID := m.ID
	until, err := s.strictShowUntil(ctx, nil, now, prof)
	if err != nil {
		return MinutesView{}, err
	}
	var due time.Time
	if m.Kind == models.MinutesCommittee {
		if due, err = s.strictPeriodEnd(ctx, nil, c.HeldAt, prof.DecisionPublishDays); err != nil {
			return MinutesView{}, err
		}
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&models.Minutes{}).Where("id = ? AND state = ? AND revision = ?", m.ID, models.MinutesDraft, m.Revision).
			Updates(map[string]any{"state": models.MinutesFinal, "finalised_by": userID(p), "finalised_at": now,
				"updated_by": userID(p), "updated_by_name": p.Username, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("finalising minutes %d: %w", m.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return app.Fail(app.EConflict, "err.documents.changed_or_finalised_meanwhile")
		}
		series, err := s.ensureSeries(ctx, tx, seriesSpec{kind: models.DocMinutes, subject: subjectOf("minutes", m.ID), estateID: m.EstateID,
			voteID: m.VoteID, minutesID: &minutesID})
		if err != nil {
			return err
		}
		number := docNumber(series, series.CurrentVersion+1)
		var buf bytes.Buffer
		if err := s.renderer.Minutes(ctx, &buf, s.minutesPDF(m, c, v, e, number, s.VerifyURL(number)), pdfdoc.Meta{CreatedAt: now}); err != nil {
			return renderError(fmt.Sprintf("minutes %d", m.ID), err)
		}
		published := now
		held := c.HeldAt
		summary := &Summary{EstateName: e.Name, MeetingTitle: c.Title, MeetingKind: MinutesKindLabel(m.Kind), HeldAt: &held}
		var passed []string
		for i, d := range v.Decisions {
			line := c.Decisions[i].Text
			if d.Counted {
				line = fmt.Sprintf("%s（同意 %d 人，全体委员 %d 人，%s）", d.Text, d.Agree, len(c.Members), d.Outcome)
				if d.Passed {
					passed = append(passed, line)
				}
			}
			summary.Decisions = append(summary.Decisions, line)
		}
		doc, err := s.insertVersion(ctx, tx, p, series, nil, version{title: MinutesKindLabel(m.Kind) + "会议记录：" + c.Title,
			basis: fmt.Sprintf("minutes:%d|revision:%d", m.ID, m.Revision), summary: summary, data: buf.Bytes(), createdAt: now,
			publishedAt: &published, showUntil: &until})
		if err != nil {
			return err
		}
		if err := tx.Model(&models.Minutes{}).Where("id = ?", m.ID).Update("document_id", doc.ID).Error; err != nil {
			return fmt.Errorf("linking minutes %d to their document: %w", m.ID, err)
		}
		detail := map[string]any{"number": doc.DocNumber, "sha256": doc.SHA256, "revision": m.Revision}
		if m.Kind == models.MinutesCommittee && len(passed) > 0 {
			docID := doc.ID
			a := models.Announcement{EstateID: m.EstateID, Kind: models.AnnounceCommitteeDecision, Title: "业主委员会决定：" + c.Title,
				Body: strings.Join(passed, "\n"), DocumentID: &docID, MinutesID: &minutesID, PublishedAt: now, ShowUntil: until,
				Late: now.After(due), CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: now}
			if err := tx.Create(&a).Error; err != nil {
				return fmt.Errorf("publishing the decisions of minutes %d: %w", m.ID, err)
			}
			detail["announcement_id"], detail["late"] = a.ID, a.Late
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "minutes.finalise", TargetType: "minutes", TargetID: m.ID, EstateID: m.EstateID, Detail: detail})
	})
	if errors.Is(err, errRaced) {
		return MinutesView{}, app.Fail(app.EConflict, "err.documents.the_minutes_are_already_final")
	}
	if err != nil {
		return MinutesView{}, app.AsErrorOrNil(err)
	}
	cur, err := models.FindMinutes(ctx, s.db, m.ID)
	if err != nil {
		return MinutesView{}, app.Internal(err)
	}
	return s.view(ctx, p, cur, e)
}

// MinutesPDF returns the stored PDF of final minutes.
func (s *Service) MinutesPDF(ctx context.Context, p app.Principal, id int64) (File, error) {
	m, _, err := s.loadMinutes(ctx, p, id)
	if err != nil {
		return File{}, err
	}
	if m.State != models.MinutesFinal || m.DocumentID == nil {
		return File{}, app.Fail(app.EConflict, "err.documents.the_minutes_are_not_final_yet")
	}
	d, err := models.FindDocument(ctx, s.db, *m.DocumentID)
	if err != nil {
		return File{}, app.Internal(err)
	}
	return s.load(ctx, d)
}

// checkSuspended applies the rule on suspended members to committee minutes (issue 12,
// BJ 45): a member suspended at the meeting stays one of "all members" (the list must name
// them, so that the > 1/2 of all members counts them) but takes no part, so they cannot be
// present and vote. A refusal names the field.
func (s *Service) checkSuspended(ctx context.Context, estateID int64, kind string, c MinutesInput) error {
	if kind != models.MinutesCommittee {
		return nil
	}
	suspended, err := suspendedAt(ctx, s.db, estateID, c.HeldAt)
	if err != nil {
		return app.Internal(err)
	}
	for _, n := range suspended {
		if slices.Contains(c.Present, n) {
			return app.Invalid("present", app.M("err.documents.is_suspended_and_cannot_take_part", n))
		}
	}
	for _, n := range suspended {
		if len(c.Members) > 0 && !slices.Contains(c.Members, n) {
			return app.Invalid("members", app.M("err.documents.is_suspended_but_still_one_of_all_members", n))
		}
	}
	return nil
}
