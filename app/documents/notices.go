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
	"gongzhi/app/database"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Notices returns the batch of ballot notices (表决通知书) of an opened vote: one notice per
// voter, starting on its own page, with the meeting, every item in full, the voting period,
// how to vote, the paper channel and the voter's personal QR code (the ballot link). Only
// staff who may change the vote get it, while the vote is open and before it closes. The
// batch is stored (encrypted: it holds every voter's ballot link) and served again while no
// credential has been reissued; a reissue makes the next print a new version. Every print
// is audited with who printed it.
//
// A download never issues (issue 16): Notices serves the batch in force, and refuses with
// 409 when none has been issued yet or the credentials changed since; IssueNotices (a
// POST) issues it.
func (s *Service) Notices(ctx context.Context, p app.Principal, voteID int64) (File, error) {
	return s.notices(ctx, p, voteID, noticesServe, "")
}

// IssueNotices issues the vote's notice batch when none is in force or the credentials
// changed since (a reissue), and otherwise keeps the one in force; it returns the batch
// in force. Staff who run the vote (access.RunVote).
func (s *Service) IssueNotices(ctx context.Context, p app.Principal, voteID int64) (File, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return File{}, err
	}
	return s.notices(ctx, p, voteID, noticesIssue, "")
}

// How notices treats the batch: serve the one in force, issue one if needed, or force a
// new version.
const (
	noticesServe = iota
	noticesIssue
	noticesForce
)

// RegenerateNotices renders and stores a new version of a vote's notice batch even when
// no credential changed (for example after the paper channel moved), superseding the
// previous one. The reason is required and kept.
func (s *Service) RegenerateNotices(ctx context.Context, p app.Principal, voteID int64, reason string) (File, error) {
	if err := access.Require(p, access.RunVote); err != nil {
		return File{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return File{}, app.Invalid("reason", app.M("err.documents.give_the_reason"))
	}
	if utf8.RuneCountInString(reason) > maxReasonRunes {
		return File{}, app.Invalid("reason", app.M("err.documents.at_most_characters", maxReasonRunes))
	}
	return s.notices(ctx, p, voteID, noticesForce, reason)
}

// notices serves or issues the notice batch (mode: noticesServe, noticesIssue, noticesForce).
func (s *Service) notices(ctx context.Context, p app.Principal, voteID int64, mode int, reason string) (File, error) {
	creds, err := s.votes.Credentials(ctx, p, voteID) // jurisdiction, access.ReadBallotLinks, opened
	if err != nil {
		return File{}, err
	}
	d, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return File{}, err
	}
	switch d.Phase {
	case voting.PhaseScheduled, voting.PhaseVoting:
	default:
		return File{}, app.Fail(app.EConflict, "err.documents.voting_has_closed_notices_can_no_longer_be")
	}
	if len(creds) == 0 {
		return File{}, app.Fail(app.EConflict, "err.documents.the_vote_has_no_voters")
	}
	names, err := s.namesOf(ctx, d.EstateID)
	if err != nil {
		return File{}, err
	}
	v, err := models.FindVote(ctx, s.db, voteID)
	if err != nil {
		return File{}, app.Internal(err)
	}
	notices := buildNotices(v, d, creds, names)
	voteRef := v.ID
	spec := issueSpec{
		series:  seriesSpec{kind: models.DocNotices, subject: subjectOf("vote", v.ID), estateID: v.EstateID, voteID: &voteRef},
		title:   "表决通知书：" + v.Title,
		basis:   noticesBasis(v, creds),
		reason:  reason,
		force:   mode == noticesForce,
		encrypt: true,
		summary: &Summary{EstateName: names.Estate.Name, MeetingTitle: v.Title, Voters: len(creds)},
		render: func(ctx context.Context, _ string, _ int, _ string, createdAt time.Time) ([]byte, error) {
			var buf bytes.Buffer
			if err := s.renderer.Notices(ctx, &buf, notices, pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		},
		autoReason: "err.documents.credentials_reissued",
	}
	if mode != noticesServe {
		f, _, err := s.issue(ctx, p, spec)
		return f, err
	}
	f, err := s.noticesInForce(ctx, v.ID, spec.basis)
	if err != nil {
		return File{}, err
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		return recordDownload(ctx, tx, p, f, "document.notices.print", map[string]any{"vote_id": v.ID, "voters": len(creds)})
	})
	if err != nil {
		return File{}, app.AsErrorOrNil(err)
	}
	return f, nil
}

// noticesInForce loads the notice batch in force when it was built from basis.
func (s *Service) noticesInForce(ctx context.Context, voteID int64, basis string) (File, error) {
	notYet := app.Fail(app.EConflict, "err.documents.issue_the_notices_first_none_yet_or_credentials")
	series, err := models.FindDocumentSeries(ctx, s.db, models.DocNotices, subjectOf("vote", voteID))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return File{}, notYet
	}
	if err != nil {
		return File{}, app.Internal(err)
	}
	cur, err := models.InForceDocument(ctx, s.db, series.ID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && cur.Basis != basis) {
		return File{}, notYet
	}
	if err != nil {
		return File{}, app.Internal(err)
	}
	return s.load(ctx, cur)
}

// noticesBasis fingerprints what a notice batch prints that can change after opening:
// the agenda revision and every voter's current credential (a reissue changes it).
func noticesBasis(v models.Vote, creds []voting.Credential) string {
	h := sha256.New()
	fmt.Fprintf(h, "agenda %d location %q\n", v.AgendaRevision, v.Location)
	for _, c := range creds {
		fmt.Fprintf(h, "%d %d %s %s\n", c.VoterID, c.Generation, c.Status, c.URL)
	}
	return "credentials:" + hex.EncodeToString(h.Sum(nil))
}

// buildNotices shapes one notice per voter, in register order.
func buildNotices(v models.Vote, d voting.VoteDetail, creds []voting.Credential, names estateNames) []pdfdoc.Notice {
	convenor := convenorName(v.Convenor, names)
	items := make([]pdfdoc.NoticeItem, 0, len(d.Items))
	for _, it := range d.Items {
		ni := pdfdoc.NoticeItem{Title: it.Title, Text: it.Text, MatterLabel: it.MatterLabel, IsElection: it.IsElection(), Seats: it.Seats}
		if ni.IsElection {
			ni.SeatsLine, _ = rules.ElectionSeatsLine(it.Seats, it.Alternates)
			ni.HowTo, _ = rules.ElectionHowTo(it.Seats)
		}
		for _, c := range it.Candidates {
			ni.Candidates = append(ni.Candidates, c.Name)
		}
		items = append(items, ni)
	}
	how := "请用手机扫描右上方二维码，打开本户专用的电子表决页面，输入本户任一业主证件号码的后 6 位核验身份后投票。" +
		"无法扫码时，在浏览器打开二维码下方的短网址，输入 8 位投票码，同样进入本户的表决页面。" +
		"二维码和投票码仅限本户使用，请妥善保管，不要转给他人。"
	paper := fmt.Sprintf("不便使用电子表决的业主，可于表决期间向%s领取纸质表决票，填写签名后交回，由工作人员登记；"+
		"也可书面委托代理人投票，一名代理人最多接受 %d 户委托。纸质表决票与电子表决具有同等效力。", convenor, d.ProxyMaxPrincipals)
	if loc := strings.TrimSpace(v.Location); loc != "" {
		paper = fmt.Sprintf("不便使用电子表决的业主，可于表决期间到%s领取纸质表决票，填写签名后投入票箱或交工作人员登记；"+
			"也可书面委托代理人投票，一名代理人最多接受 %d 户委托。纸质表决票与电子表决具有同等效力。", loc, d.ProxyMaxPrincipals)
	}
	out := make([]pdfdoc.Notice, 0, len(creds))
	for _, c := range creds {
		// Addressed to the household by its rooms, not to a masked name (issue 16): the
		// notice goes to the door, and a masked name reads as a mistake.
		label := strings.Join(c.Rooms, "、") + " 业主"
		if c.Developer {
			label = "建设单位（" + strings.Join(c.Rooms, "、") + "）"
		}
		if len(c.Rooms) == 0 {
			label = "业主"
		}
		out = append(out, pdfdoc.Notice{EstateName: names.Estate.Name, MeetingTitle: v.Title, Convenor: convenor,
			Form: voting.FormLabel(v.Form), NoticeAt: v.NoticePublishedAt, OpensAt: v.OpensAt, ClosesAt: v.ClosesAt,
			Rooms: c.Rooms, VoterLabel: label, Items: items, BallotURL: c.URL, Code: c.Code, CodeURL: c.CodeURL, HowToVote: how, PaperChannel: paper})
	}
	return out
}
