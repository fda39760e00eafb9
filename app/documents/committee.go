package documents

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// CommitteeNoticeInput is a notice about committee members issued by app/committee
// (issue 12): a suspension, a removal outcome or a change of members. Subject names it
// uniquely ("committee-case:7:suspension"); it is stored as a published attachment with
// its own number and verification QR, and announced on the estate's board.
type CommitteeNoticeInput struct {
	EstateID   int64
	Subject    string
	Title      string // the notice's kind as its title
	Subtitle   string
	Fields     []pdfdoc.NoticeField
	Paragraphs []string
	Issuer     string // "" : the estate's street office
	Board      string // the announcement's text on the board
}

// PreparedNotice is a rendered committee notice, numbered and ready to be stored inside
// the caller's transaction (StoreCommitteeNotice).
type PreparedNotice struct {
	series    models.DocumentSeries
	data      []byte
	number    string
	title     string
	board     string
	estate    models.EstateWithPath
	createdAt time.Time
}

// Number is the document number printed on the notice.
func (n PreparedNotice) Number() string { return n.number }

// PrepareCommitteeNotice renders the notice with the next number of its series. It
// reads and creates only the series (outside any transaction of the caller); the
// version is stored by StoreCommitteeNotice.
func (s *Service) PrepareCommitteeNotice(ctx context.Context, in CommitteeNoticeInput) (PreparedNotice, error) {
	names, err := s.namesOf(ctx, in.EstateID)
	if err != nil {
		return PreparedNotice{}, err
	}
	series, err := s.ensureSeries(ctx, s.db, seriesSpec{kind: models.DocAttachment, subject: in.Subject, estateID: in.EstateID})
	if err != nil {
		return PreparedNotice{}, app.Internal(err)
	}
	next := series.CurrentVersion + 1
	number := docNumber(series, next)
	issuer := in.Issuer
	if issuer == "" {
		issuer = names.Street
	}
	now := s.now()
	data, err := s.renderBounded(ctx, in.Subject, func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		err := s.renderer.CommitteeNotice(ctx, &buf, pdfdoc.CommitteeNotice{EstateName: names.Estate.Name, Kind: in.Title, Subtitle: in.Subtitle,
			DocNumber: number, Version: next, Fields: in.Fields, Paragraphs: in.Paragraphs, Issuer: issuer, IssuedAt: now,
			VerifyURL: s.VerifyURL(number)}, pdfdoc.Meta{CreatedAt: now})
		return buf.Bytes(), err
	})
	if err != nil {
		return PreparedNotice{}, err
	}
	return PreparedNotice{series: series, data: data, number: number, title: in.Title, board: in.Board, estate: names.Estate, createdAt: now}, nil
}

// StoreCommitteeNotice stores a prepared notice through the caller's transaction tx as a
// published document and announces it on the estate's board for the profile's days. It
// returns the document's id. A notice whose series moved meanwhile is a conflict.
func (s *Service) StoreCommitteeNotice(ctx context.Context, tx *gorm.DB, p app.Principal, n PreparedNotice) (int64, error) {
	prof := rules.ProfileOrDefault(n.estate.ProfileCode)
	until := showUntil(n.createdAt, prof, nil, nil)
	published := n.createdAt
	doc, err := s.insertVersion(ctx, tx, p, n.series, nil, version{title: n.title, basis: "committee:" + n.series.Subject, data: n.data,
		createdAt: n.createdAt, publishedAt: &published, showUntil: &until, summary: &Summary{EstateName: n.estate.Name}})
	if err == errRaced {
		return 0, app.Fail(app.EConflict, "err.documents.the_notice_was_issued_meanwhile")
	}
	if err != nil {
		return 0, err
	}
	docID := doc.ID
	body := n.board
	if body == "" {
		body = n.title
	}
	a := models.Announcement{EstateID: n.estate.ID, Kind: models.AnnounceOther, Title: n.title, Body: body, DocumentID: &docID,
		PublishedAt: n.createdAt, ShowUntil: until, CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: n.createdAt}
	if err := tx.WithContext(ctx).Create(&a).Error; err != nil {
		return 0, fmt.Errorf("announcing %s: %w", n.number, err)
	}
	return docID, nil
}

// suspendedAt names the members of the estate's committee suspended at the instant
// (a suspension not lifted since), for the committee minutes' page.
func suspendedAt(ctx context.Context, db *gorm.DB, estateID int64, at time.Time) ([]string, error) {
	var names []string
	err := db.WithContext(ctx).Model(&models.CommitteeMember{}).
		Joins("JOIN committees ON committees.id = committee_members.committee_id").
		Where("committees.estate_id = ? AND committee_members.status = ? AND committee_members.suspended_at IS NOT NULL AND committee_members.suspended_at <= ?",
			estateID, models.SeatServing, at).Order("committee_members.id").Pluck("committee_members.name", &names).Error
	if err != nil {
		return nil, fmt.Errorf("suspended members: %w", err)
	}
	return names, nil
}
