package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/ballotlog"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// resolutionVote is a closed vote with everything its resolution prints.
type resolutionVote struct {
	vote    models.Vote
	items   []voting.Item
	result  voting.Result
	names   estateNames
	profile rules.JurisdictionProfile
	staff   bool            // the caller is staff of the estate (not only the public)
	logHead *ballotlog.Head // the ballot log's closing head (nil: none)
}

// loadResolutionVote reads the vote's record once (voting.Record, which closes a vote
// past its closing time that the closer has not yet closed) and decides once who may have
// its resolution: staff of its estate once it is closed, anyone once its result is
// published. A vote not yet closed is refused with 409.
func (s *Service) loadResolutionVote(ctx context.Context, p *app.Principal, voteID int64) (resolutionVote, error) {
	rec, err := s.votes.Record(ctx, voteID)
	if err != nil {
		return resolutionVote{}, err
	}
	v := rec.Vote
	staff := false
	if p != nil {
		_, err := s.orgs.Estate(ctx, *p, v.EstateID)
		switch {
		case err == nil:
			staff = true
		case app.ErrorCode(err) != app.ENotFound:
			return resolutionVote{}, err
		}
	}
	if !staff && !v.Published() {
		if p == nil {
			return resolutionVote{}, app.Fail(app.EUnauthorized, "err.documents.the_resolution_is_not_published_yet_sign_in")
		}
		return resolutionVote{}, voting.ErrVoteNotFound()
	}
	if v.State == models.VoteDraft {
		return resolutionVote{}, app.Fail(app.EConflict, "err.documents.the_vote_has_not_been_opened")
	}
	names, err := s.namesOf(ctx, v.EstateID)
	if err != nil {
		return resolutionVote{}, err
	}
	return resolutionOf(rec, names, staff)
}

// resolutionOf is the resolution's vote from a vote's record, once access is decided.
func resolutionOf(rec voting.VoteRecord, names estateNames, staff bool) (resolutionVote, error) {
	if rec.Result == nil {
		return resolutionVote{}, app.Fail(app.EConflict, "err.documents.voting_has_not_closed_yet_2")
	}
	return resolutionVote{vote: rec.Vote, items: rec.Items, result: *rec.Result, names: names,
		profile: rules.ProfileOrDefault(rec.Vote.ProfileCode), staff: staff, logHead: rec.ClosingHead}, nil
}

// Resolution returns the resolution (业主大会决议) of a closed vote: to staff of the estate
// (p non-nil) once the vote is closed, to anyone (p nil, or staff of another estate) once
// its result is published. It never issues anything (a GET changes nothing): it serves
// the version in force when one has been issued (on publication, or by staff through
// IssueResolution), and otherwise an unnumbered preview marked 草稿 / DRAFT, rendered on
// the fly and not stored (File.Draft; no number, no verification QR).
func (s *Service) Resolution(ctx context.Context, p *app.Principal, voteID int64) (File, error) {
	rv, err := s.loadResolutionVote(ctx, p, voteID)
	if err != nil {
		return File{}, err
	}
	series, err := models.FindDocumentSeries(ctx, s.db, models.DocResolution, subjectOf("vote", voteID))
	switch {
	case err == nil:
		cur, err := models.InForceDocument(ctx, s.db, series.ID)
		if err == nil {
			return s.load(ctx, cur)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return File{}, app.Internal(err)
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return File{}, app.Internal(err)
	}
	return s.resolutionDraft(ctx, rv)
}

// resolutionDraft renders the unnumbered preview of a resolution, stored nowhere.
func (s *Service) resolutionDraft(ctx context.Context, rv resolutionVote) (File, error) {
	doc, _, err := s.buildResolution(rv)
	if err != nil {
		return File{}, err
	}
	doc.Draft = true
	createdAt := s.now()
	data, err := s.renderBounded(ctx, subjectOf("vote", rv.vote.ID), func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		if err := s.renderer.Resolution(ctx, &buf, doc, pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	return File{Document: Document{Kind: models.DocResolution, Title: "业主大会决议（草稿）：" + rv.vote.Title, EstateID: rv.vote.EstateID,
		VoteID: rv.vote.ID, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Pages: countPages(data), Status: StatusDraft,
		CreatedAt: createdAt, Draft: true}, Data: data}, nil
}

// StatusDraft is the status of an unnumbered preview (never stored).
const StatusDraft = "draft"

// IssueResolution issues the resolution of a closed vote: the first version, or, when the
// result has been published since the version in force was issued, an annotated version
// (补注) that adds the publication and objection dates and supersedes it. When the
// version in force already says all there is, it is returned unchanged. Staff of the
// estate who may run its votes only (access.RunVote); the issue is audited.
func (s *Service) IssueResolution(ctx context.Context, p app.Principal, voteID int64) (File, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return File{}, err
	}
	rv, err := s.loadResolutionVote(ctx, &p, voteID)
	if err != nil {
		return File{}, err
	}
	if !rv.staff {
		return File{}, voting.ErrVoteNotFound()
	}
	if _, err := s.orgs.EstateForChange(ctx, p, rv.vote.EstateID); err != nil {
		return File{}, err
	}
	f, _, err := s.issueResolution(ctx, p, rv, false, "")
	return f, err
}

// VotePublished issues (or annotates) the resolution of a vote whose result has just
// been published, as the one who published it (voting.PublishListener).
func (s *Service) VotePublished(ctx context.Context, p app.Principal, voteID int64) error {
	_, err := s.IssueResolution(ctx, p, voteID)
	return err
}

// annotationReason is the reason of a version that only adds the publication and
// objection dates to the one it supersedes (an annotation, 补注, not a correction).
const annotationReason = "err.documents.result_published_dates_of_publication_and" // a catalogue key, stored as the version's reason

// maxReasonRunes bounds a correction's reason.
const maxReasonRunes = 500

// CorrectResolution issues a corrected version of a vote's resolution: a new number and
// version that supersedes the one in force, which stays stored and verifiable as
// superseded. Staff of the estate who may change it only; the reason is required and kept.
func (s *Service) CorrectResolution(ctx context.Context, p app.Principal, voteID int64, reason string) (File, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return File{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return File{}, app.Invalid("reason", app.M("err.documents.give_the_reason_for_the_correction"))
	}
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		return File{}, app.Invalid("reason", app.M("err.documents.at_most_characters", maxReasonRunes))
	}
	rv, err := s.loadResolutionVote(ctx, &p, voteID)
	if err != nil {
		return File{}, err
	}
	if !rv.staff {
		return File{}, voting.ErrVoteNotFound()
	}
	if _, err := models.FindDocumentSeries(ctx, s.db, models.DocResolution, subjectOf("vote", voteID)); errors.Is(err, gorm.ErrRecordNotFound) {
		return File{}, app.Fail(app.EConflict, "err.documents.no_resolution_has_been_issued_yet")
	} else if err != nil {
		return File{}, app.Internal(err)
	}
	f, _, err := s.issueResolution(ctx, p, rv, true, reason)
	return f, err
}

// issueResolution serves or issues the resolution of rv.
func (s *Service) issueResolution(ctx context.Context, p app.Principal, rv resolutionVote, force bool, reason string) (File, bool, error) {
	doc, summary, err := s.buildResolution(rv)
	if err != nil {
		return File{}, false, err
	}
	v := rv.vote
	basis := "tally:" + v.TallySHA256 + "|unpublished"
	var publishedAt, until *time.Time
	if v.Published() && v.PublishedAt != nil {
		basis = fmt.Sprintf("tally:%s|published:%s|objections:%s", v.TallySHA256, v.PublishedAt.UTC().Format(time.RFC3339Nano),
			formatOptional(v.ObjectionDeadline))
		pub := v.PublishedAt.UTC()
		cal, err := s.workingCalendar(ctx, nil)
		if err != nil {
			return File{}, false, err
		}
		end := showUntil(pub, rv.profile, v.ObjectionDeadline, cal)
		publishedAt, until = &pub, &end
	}
	voteID := v.ID
	spec := issueSpec{
		series:  seriesSpec{kind: models.DocResolution, subject: subjectOf("vote", v.ID), estateID: v.EstateID, voteID: &voteID},
		title:   "业主大会决议：" + v.Title,
		basis:   basis,
		reason:  reason,
		force:   force,
		summary: &summary,
		render: func(ctx context.Context, number string, version int, supersedes string, createdAt time.Time) ([]byte, error) {
			doc.DocNumber, doc.Version, doc.Supersedes, doc.VerifyURL = number, version, supersedes, s.VerifyURL(number)
			doc.Annotated = supersedes != "" && !force
			var buf bytes.Buffer
			if err := s.renderer.Resolution(ctx, &buf, doc, pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		},
		autoReason:  annotationReason,
		publishedAt: publishedAt,
		showUntil:   until,
	}
	return s.issue(ctx, p, spec)
}

// formatOptional prints an optional instant for a basis string.
func formatOptional(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// figureOf formats an area (decimal string) and headcount with their percentages of a
// whole, for display only (rules.Percent; no decision is taken from it).
func figureOf(area string, heads int, wholeArea rules.Area, wholeHeads int) (pdfdoc.Figure, error) {
	a, err := rules.ParseArea(area)
	if err != nil {
		return pdfdoc.Figure{}, fmt.Errorf("area %q: %w", area, err)
	}
	return pdfdoc.Figure{Area: a.String(), AreaPercent: rules.Percent(int64(a), int64(wholeArea)), Headcount: heads,
		HeadcountPercent: rules.Percent(int64(heads), int64(wholeHeads))}, nil
}

// Outcome words, as the documents print them.
func outcomeWord(passed bool) string {
	if passed {
		return pdfdoc.OutcomePassed
	}
	return pdfdoc.OutcomeFailed
}

// buildResolution shapes the printed resolution and its summary from the vote, its agenda
// and its stored result. Items follow the agenda's order.
func (s *Service) buildResolution(rv resolutionVote) (pdfdoc.Resolution, Summary, error) {
	r, v := rv.result, rv.vote
	total, err := rules.ParseArea(r.TotalArea)
	if err != nil {
		return pdfdoc.Resolution{}, Summary{}, app.Internal(fmt.Errorf("vote %d total area: %w", v.ID, err))
	}
	part, err := figureOf(r.ParticipatingArea, r.ParticipatingHeadcount, total, r.TotalHeadcount)
	if err != nil {
		return pdfdoc.Resolution{}, Summary{}, app.Internal(err)
	}
	partArea, _ := rules.ParseArea(r.ParticipatingArea)
	doc := pdfdoc.Resolution{
		EstateName: rv.names.Estate.Name, CommunityName: rv.names.Community, StreetName: rv.names.Street,
		MeetingTitle: v.Title, Convenor: convenorName(v.Convenor, rv.names), Form: voting.FormLabel(v.Form),
		NoticeAt: v.NoticePublishedAt, OpensAt: v.OpensAt, ClosesAt: v.ClosesAt,
		LegalProfileLabel: legalProfileLabel(v.LegalProfile), JurisdictionLabel: rv.profile.Name,
		TotalArea: total.String(), TotalHeadcount: r.TotalHeadcount, Participating: part,
		QuorumRule: r.QuorumRule, QuorumMet: r.QuorumMet,
	}
	if v.Published() {
		if v.PublishedAt != nil {
			doc.PublishedAt = *v.PublishedAt
		}
		if v.ObjectionDeadline != nil {
			doc.ObjectionUntil = *v.ObjectionDeadline
		}
	}
	sum := Summary{EstateName: rv.names.Estate.Name, MeetingTitle: v.Title, QuorumMet: r.QuorumMet, QuorumRule: r.QuorumRule,
		TotalArea: total.String(), TotalHeadcount: r.TotalHeadcount, ParticipatingArea: part.Area,
		ParticipatingAreaPercent: part.AreaPercent, ParticipatingHeadcount: part.Headcount,
		ParticipatingHeadcountPercent: part.HeadcountPercent}
	if v.Published() {
		sum.PublishedAt, sum.ObjectionUntil = v.PublishedAt, v.ObjectionDeadline
	}
	if h := rv.logHead; h != nil {
		doc.LogRoot, doc.LogSize = h.RootHash, h.Size
		sum.LogRoot, sum.LogSize = h.RootHash, h.Size
	}
	electionBasis := rules.ThresholdOf(rules.LegalProfile(v.LegalProfile), rules.MatterElectCommittee).LegalBasis
	for _, it := range rv.items {
		if it.IsElection() {
			er, ok := r.Elections[it.Key]
			if !ok {
				return pdfdoc.Resolution{}, Summary{}, app.Internal(fmt.Errorf("vote %d: no result for election %s", v.ID, it.Key))
			}
			e, se, err := resolutionElection(it, er, partArea, r.ParticipatingHeadcount, electionBasis)
			if err != nil {
				return pdfdoc.Resolution{}, Summary{}, app.Internal(fmt.Errorf("vote %d election %s: %w", v.ID, it.Key, err))
			}
			doc.Elections = append(doc.Elections, e)
			sum.Elections = append(sum.Elections, se)
			continue
		}
		ir, ok := r.Items[it.Key]
		if !ok {
			return pdfdoc.Resolution{}, Summary{}, app.Internal(fmt.Errorf("vote %d: no result for item %s", v.ID, it.Key))
		}
		item := pdfdoc.ResolutionItem{Title: it.Title, Text: it.Text, MatterLabel: it.MatterLabel, Rule: ir.Rule,
			LegalBasis: ir.LegalBasis, Passed: ir.Passed}
		for _, f := range []struct {
			dst   *pdfdoc.Figure
			area  string
			heads int
		}{{&item.Agree, ir.AgreeArea, ir.AgreeHeadcount}, {&item.Oppose, ir.OpposeArea, ir.OpposeHeadcount},
			{&item.Abstain, ir.AbstainArea, ir.AbstainHeadcount}} {
			if *f.dst, err = figureOf(f.area, f.heads, partArea, r.ParticipatingHeadcount); err != nil {
				return pdfdoc.Resolution{}, Summary{}, app.Internal(fmt.Errorf("vote %d item %s: %w", v.ID, it.Key, err))
			}
		}
		doc.Items = append(doc.Items, item)
		sum.Items = append(sum.Items, summaryItem(item))
	}
	return doc, sum, nil
}

// summaryItem is the verification page's line of an item.
func summaryItem(item pdfdoc.ResolutionItem) SummaryItem {
	return SummaryItem{
		Title:                   item.Title,
		AgreeArea:               item.Agree.Area,
		AgreeAreaPercent:        item.Agree.AreaPercent,
		AgreeHeadcount:          item.Agree.Headcount,
		AgreeHeadcountPercent:   item.Agree.HeadcountPercent,
		OpposeArea:              item.Oppose.Area,
		OpposeAreaPercent:       item.Oppose.AreaPercent,
		OpposeHeadcount:         item.Oppose.Headcount,
		OpposeHeadcountPercent:  item.Oppose.HeadcountPercent,
		AbstainArea:             item.Abstain.Area,
		AbstainAreaPercent:      item.Abstain.AreaPercent,
		AbstainHeadcount:        item.Abstain.Headcount,
		AbstainHeadcountPercent: item.Abstain.HeadcountPercent,
		Rule:                    item.Rule,
		LegalBasis:              item.LegalBasis,
		Passed:                  item.Passed,
		Outcome:                 outcomeWord(item.Passed),
	}
}

// resolutionElection shapes one committee election: candidates in the order of the
// published list with their agreeing figures (percentages of the participating area and
// headcount), and the elected, alternates and runoff by name.
func resolutionElection(it voting.Item, er voting.ElectionResult, partArea rules.Area, partHeads int, basis string) (pdfdoc.ResolutionElection, SummaryElection, error) {
	names := map[string]string{}
	e := pdfdoc.ResolutionElection{Title: it.Title, Seats: er.Seats, CommitteeFormed: er.CommitteeFormed, VacantSeats: er.VacantSeats,
		Rule: er.Rule, LegalBasis: basis}
	e.HowTo, _ = rules.ElectionHowTo(er.Seats)
	for _, c := range it.Candidates {
		cr, ok := er.Candidates[c.Key]
		if !ok {
			return e, SummaryElection{}, fmt.Errorf("no count for candidate %s", c.Key)
		}
		names[c.Key] = c.Name
		f, err := figureOf(cr.AgreeArea, cr.AgreeHeadcount, partArea, partHeads)
		if err != nil {
			return e, SummaryElection{}, fmt.Errorf("candidate %s: %w", c.Key, err)
		}
		e.Candidates = append(e.Candidates, pdfdoc.ElectionCandidate{Name: c.Name, Agree: f, Qualified: cr.Qualified})
	}
	byName := func(keys []string) []string {
		out := make([]string, 0, len(keys))
		for _, k := range keys {
			if n, ok := names[k]; ok {
				out = append(out, n)
			} else {
				out = append(out, k)
			}
		}
		return out
	}
	e.Elected, e.Alternates, e.Runoff = byName(er.Elected), byName(er.Alternates), byName(er.Runoff)
	return e, SummaryElection{Title: it.Title, Seats: er.Seats, Elected: e.Elected, Alternates: e.Alternates, Runoff: e.Runoff,
		CommitteeFormed: er.CommitteeFormed, VacantSeats: er.VacantSeats}, nil
}

// recordDownload audits a staff member's download of a document that carries personal data.
func recordDownload(ctx context.Context, tx *gorm.DB, p app.Principal, f File, action string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["number"], detail["sha256"], detail["pages"] = f.Number, f.SHA256, f.Pages
	return audit.Record(ctx, tx, p, audit.Entry{Action: action, TargetType: "document", TargetID: f.ID, EstateID: f.EstateID, Detail: detail})
}
