package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pdfdoc"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// RecordIssue is an official record of an estate that a sibling service (app/handover)
// issues through documents (issue 13): the termination notice, the handover record, the
// public-income disclosure. It is stored as a document series of Kind keyed by Subject,
// numbered and verifiable like every other document.
type RecordIssue struct {
	EstateID int64
	// Kind is the document kind (models.DocTermination, DocHandover, DocPublicIncome);
	// empty: models.DocAttachment.
	Kind    string
	Subject string // unique per record, e.g. "termination:12"
	Title   string
	// Basis is what the record is built from: the version in force is served while it
	// is unchanged, a different basis issues a new version that supersedes it.
	Basis string
	// Public records are published when issued: anyone may download and verify them.
	Public bool
	// Build shapes the record for its number and verification URL.
	Build func(number, verifyURL string) pdfdoc.Record
}

// IssueRecord serves the record's version in force when its basis is unchanged and
// otherwise renders, numbers and stores a new version. It checks no access: the calling
// service has decided who may have the record.
func (s *Service) IssueRecord(ctx context.Context, p app.Principal, in RecordIssue) (File, error) {
	names, err := s.namesOf(ctx, in.EstateID)
	if err != nil {
		return File{}, err
	}
	var published *time.Time
	if in.Public {
		now := s.now()
		published = &now
	}
	f, _, err := s.issue(ctx, p, issueSpec{
		series:      seriesSpec{kind: in.kind(), subject: in.Subject, estateID: in.EstateID},
		title:       in.Title,
		basis:       in.Basis,
		summary:     &Summary{EstateName: names.Estate.Name, MeetingTitle: in.Title},
		publishedAt: published,
		render: func(ctx context.Context, number string, _ int, _ string, createdAt time.Time) ([]byte, error) {
			var buf bytes.Buffer
			if err := s.renderer.Record(ctx, &buf, in.Build(number, s.VerifyURL(number)), pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		},
		autoReason: "err.documents.the_record_changed",
	})
	return f, err
}

// ServeRecord serves the record's version in force when its basis is unchanged, and
// otherwise an unnumbered draft preview rendered on the fly and stored nowhere: it never
// issues anything (for downloads, issue 16; the record is issued by the write that makes
// it, through IssueRecord). It checks no access: the calling service has.
func (s *Service) ServeRecord(ctx context.Context, in RecordIssue) (File, error) {
	series, err := models.FindDocumentSeries(ctx, s.db, in.kind(), in.Subject)
	switch {
	case err == nil:
		cur, err := models.InForceDocument(ctx, s.db, series.ID)
		if err == nil && cur.Basis == in.Basis {
			return s.load(ctx, cur)
		}
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return File{}, app.Internal(err)
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return File{}, app.Internal(err)
	}
	createdAt := s.now()
	data, err := s.renderBounded(ctx, in.Subject, func(ctx context.Context) ([]byte, error) {
		rec := in.Build("", "")
		rec.Draft = true
		var buf bytes.Buffer
		if err := s.renderer.Record(ctx, &buf, rec, pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
	if err != nil {
		return File{}, err
	}
	sum := sha256.Sum256(data)
	return File{Document: Document{Kind: models.DocAttachment, Title: in.Title, EstateID: in.EstateID, SHA256: hex.EncodeToString(sum[:]),
		Size: int64(len(data)), Pages: countPages(data), Status: StatusDraft, CreatedAt: createdAt, Draft: true}, Data: data}, nil
}

// PublishRecord publishes a record on the estate's board as an announcement of kind
// "other" with the record as its PDF, in one transaction: shown for the profile's days
// (at least 15), archived after, verifiable by its number. It checks no access: the
// calling service has. within, when set, runs in the same transaction with the new
// announcement's id (the caller's own rows). It returns the announcement's id and the
// document number.
func (s *Service) PublishRecord(ctx context.Context, p app.Principal, title, body string, in RecordIssue, within func(tx *gorm.DB, announcementID int64) error) (int64, string, error) {
	names, err := s.namesOf(ctx, in.EstateID)
	if err != nil {
		return 0, "", err
	}
	release, err := s.acquireRender(ctx)
	if err != nil {
		return 0, "", err
	}
	defer release()
	now := s.now()
	until, err := s.strictShowUntil(ctx, nil, now, rules.ProfileOrDefault(names.Estate.ProfileCode))
	if err != nil {
		return 0, "", err
	}
	var id int64
	var number string
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		a := models.Announcement{EstateID: in.EstateID, Kind: models.AnnounceOther, Title: title, Body: body, PublishedAt: now, ShowUntil: until,
			CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: now}
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("creating announcement: %w", err)
		}
		series, err := s.ensureSeries(ctx, tx, seriesSpec{kind: in.kind(), subject: in.Subject, estateID: in.EstateID})
		if err != nil {
			return err
		}
		num := docNumber(series, series.CurrentVersion+1)
		var buf bytes.Buffer
		if err := s.renderer.Record(ctx, &buf, in.Build(num, s.VerifyURL(num)), pdfdoc.Meta{CreatedAt: now}); err != nil {
			return renderError(in.Subject, err)
		}
		var prev *models.Document
		if cur, err := models.InForceDocument(ctx, tx, series.ID); err == nil {
			prev = &cur
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		published := now
		doc, err := s.insertVersion(ctx, tx, p, series, prev, version{title: title, basis: in.Basis, data: buf.Bytes(), createdAt: now,
			publishedAt: &published, showUntil: &until, summary: &Summary{EstateName: names.Estate.Name, MeetingTitle: title}})
		if err != nil {
			return err
		}
		if err := tx.Model(&a).Update("document_id", doc.ID).Error; err != nil {
			return fmt.Errorf("linking the record: %w", err)
		}
		id, number = a.ID, doc.DocNumber
		if within != nil {
			if err := within(tx, a.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "announcement.publish", TargetType: "announcement", TargetID: a.ID, EstateID: in.EstateID,
			Detail: map[string]any{"kind": a.Kind, "title": a.Title, "document": doc.DocNumber, "sha256": doc.SHA256}})
	})
	if errors.Is(err, errRaced) {
		return 0, "", app.Fail(app.EConflict, "err.documents.the_record_is_being_published_try_again")
	}
	if err != nil {
		return 0, "", app.AsErrorOrNil(err)
	}
	return id, number, nil
}

// kind is the record's document kind.
func (in RecordIssue) kind() string {
	if in.Kind == "" {
		return models.DocAttachment
	}
	return in.Kind
}

// OrgRecordIssue is an official record of an org, not of an estate (migration 00028): a
// district's monthly red/black lists, a street office's monthly supervision report. It is
// numbered, stored and verified at /verify/<number> like every estate document.
type OrgRecordIssue struct {
	OrgID   int64
	Kind    string // models.DocCreditList, models.DocSupervision
	Subject string // unique per record within Kind, e.g. "credit-list:7:2026-05"
	Title   string
	// Basis is what the record is built from: the version in force is served while it
	// is unchanged, a different basis issues a new version that supersedes it.
	Basis string
	// Force issues a new version even when the basis is unchanged (a re-publication).
	Force bool
	// Public records are published when issued: anyone may download them.
	Public bool
	// Detail is the record's own figures (JSON), stored in the version's summary for the
	// next record to compare with (OrgRecordDetail).
	Detail json.RawMessage
	// Build shapes the record for its number and verification URL.
	Build func(number, verifyURL string) pdfdoc.Record
	// Within, when set, runs in the transaction that stores a new version, with it.
	Within func(tx *gorm.DB, doc models.Document) error
}

// IssueOrgRecord serves the org record's version in force when its basis is unchanged
// (and not Force) and otherwise renders, numbers and stores a new version. It returns
// the file and whether a new version was stored. It checks no access: the calling
// service has decided who may issue the record.
func (s *Service) IssueOrgRecord(ctx context.Context, p app.Principal, in OrgRecordIssue) (File, bool, error) {
	o, err := models.FindOrg(ctx, s.db, in.OrgID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return File{}, false, app.Fail(app.ENotFound, "err.documents.no_such_org")
	}
	if err != nil {
		return File{}, false, app.Internal(err)
	}
	if in.Kind != models.DocCreditList && in.Kind != models.DocSupervision {
		return File{}, false, app.Internal(fmt.Errorf("documents: %q is not an org-level kind", in.Kind))
	}
	var published *time.Time
	if in.Public {
		now := s.now()
		published = &now
	}
	orgID := o.ID
	return s.issue(ctx, p, issueSpec{
		series:      seriesSpec{kind: in.Kind, subject: in.Subject, orgID: &orgID},
		title:       in.Title,
		basis:       in.Basis,
		force:       in.Force,
		summary:     &Summary{OrgName: o.Name, MeetingTitle: in.Title, Report: in.Detail},
		publishedAt: published,
		render: func(ctx context.Context, number string, _ int, _ string, createdAt time.Time) ([]byte, error) {
			var buf bytes.Buffer
			if err := s.renderer.Record(ctx, &buf, in.Build(number, s.VerifyURL(number)), pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		},
		autoReason: "err.documents.the_record_changed",
		reason:     "err.documents.published_again", // a catalogue key
		within:     in.Within,
	})
}

// OrgRecordDetail is the version in force of an org-level record of a kind and subject:
// its number and the Detail it was issued with; ok is false when none was issued. It
// checks no access: the calling service has decided who may read it.
func (s *Service) OrgRecordDetail(ctx context.Context, kind, subject string) (number string, detail json.RawMessage, ok bool, err error) {
	series, err := models.FindDocumentSeries(ctx, s.db, kind, subject)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, app.Internal(err)
	}
	d, err := models.InForceDocument(ctx, s.db, series.ID)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, app.Internal(err)
	}
	var sum Summary
	if d.SummaryJSON != "" {
		if err := json.Unmarshal([]byte(d.SummaryJSON), &sum); err != nil {
			return "", nil, false, app.Internal(fmt.Errorf("summary of %s: %w", d.DocNumber, err))
		}
	}
	return d.DocNumber, sum.Report, true, nil
}

// OrgDocuments lists every stored version of an org's own documents of a kind, newest
// first, to staff whose jurisdiction covers the org.
func (s *Service) OrgDocuments(ctx context.Context, p app.Principal, orgID int64, kind string) ([]Document, error) {
	o, err := models.FindOrg(ctx, s.db, orgID)
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !p.CoversOrgPath(o.Path)) {
		return nil, app.Fail(app.ENotFound, "err.documents.no_such_org")
	}
	if err != nil {
		return nil, app.Internal(err)
	}
	var docs []models.Document
	if err := s.db.WithContext(ctx).Where("org_id = ? AND kind = ?", o.ID, kind).Order("id DESC").Find(&docs).Error; err != nil {
		return nil, app.Internal(fmt.Errorf("documents of org %d: %w", o.ID, err))
	}
	return s.describe(ctx, docs)
}

// RenderRecord renders a record that is not an estate's (a district's red and black
// lists) in one of the render slots; the caller numbers and stores it.
func (s *Service) RenderRecord(ctx context.Context, rec pdfdoc.Record, createdAt time.Time) ([]byte, error) {
	return s.renderBounded(ctx, rec.Title, func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		if err := s.renderer.Record(ctx, &buf, rec, pdfdoc.Meta{CreatedAt: createdAt}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
}
