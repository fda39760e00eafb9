package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/pdfdoc"
	"gongzhi/models"
)

// Org-level records (issue 15): records issued by or for a street office or a
// district, not an estate — the monthly supervision report first. The documents table
// holds estate documents only (estate_id NOT NULL), so these are kept in org_records
// (migration 00026) behind the three functions of this file that touch it
// (latestOrgRecord, insertOrgRecord, orgRecordByNumber): when documents takes org-level
// rows, those are the functions to re-point. Numbers are GZ-O<org>-<code>-V<n>; the QR
// leads to /verify/org/<number>.

// OrgReportIssue is an org-level record a sibling service issues.
type OrgReportIssue struct {
	OrgID   int64
	Subject string // unique per record of the org, e.g. "supervision-report:2026-05"
	Code    string // the number's middle part: letters and digits, e.g. "SR202605"
	Title   string
	// Basis is what the record is built from: the version in force is served while it
	// is unchanged; a different basis issues a new version that supersedes it.
	Basis string
	// Summary is stored with the version (JSON) for the next record to compare with.
	Summary string
	// Build shapes the record for its number and verification URL.
	Build func(number, verifyURL string) pdfdoc.Record
}

// OrgFile is one stored version of an org-level record with its bytes.
type OrgFile struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	OrgName      string     `json:"org_name"`
	Subject      string     `json:"subject"`
	Number       string     `json:"number"`
	Title        string     `json:"title"`
	Version      int        `json:"version"`
	SHA256       string     `json:"sha256"`
	Size         int64      `json:"size"`
	CreatedAt    time.Time  `json:"created_at"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
	InForce      bool       `json:"in_force"`
	Summary      string     `json:"-"`
	Data         []byte     `json:"-"`
	Created      bool       `json:"-"` // this call issued the version
}

// Filename is the download name of the file.
func (f OrgFile) Filename() string { return f.Number + ".pdf" }

var orgCode = regexp.MustCompile(`^[A-Z0-9]{1,16}$`)

// orgRecordNumber is the number of a version.
func orgRecordNumber(orgID int64, code string, version int) string {
	return fmt.Sprintf("%s-O%06d-%s-V%d", numberPrefix, orgID, code, version)
}

// OrgVerifyURL is the public verification page of an org-level record's number.
func (s *Service) OrgVerifyURL(number string) string { return s.publicURL + "/verify/org/" + number }

func basisHash(basis string) string {
	sum := sha256.Sum256([]byte(basis))
	return hex.EncodeToString(sum[:])
}

// latestOrgRecord is the newest version of a subject (gorm.ErrRecordNotFound: none).
func latestOrgRecord(ctx context.Context, db *gorm.DB, orgID int64, subject string, withPDF bool) (models.OrgRecord, error) {
	var r models.OrgRecord
	q := db.WithContext(ctx)
	if !withPDF {
		q = q.Omit("pdf")
	}
	err := q.Where("org_id = ? AND subject = ?", orgID, subject).Order("version DESC").Take(&r).Error
	return r, err
}

// insertOrgRecord stores a new version and marks the one it supersedes.
func insertOrgRecord(tx *gorm.DB, r *models.OrgRecord, prev *models.OrgRecord) error {
	if err := tx.Create(r).Error; err != nil {
		return err
	}
	if prev != nil {
		if err := tx.Model(&models.OrgRecord{}).Where("id = ? AND superseded_at IS NULL", prev.ID).Update("superseded_at", r.CreatedAt).Error; err != nil {
			return err
		}
	}
	return nil
}

// orgRecordByNumber finds a version by its number.
func orgRecordByNumber(ctx context.Context, db *gorm.DB, number string) (models.OrgRecord, error) {
	var r models.OrgRecord
	err := db.WithContext(ctx).Where("doc_number = ?", NormaliseNumber(number)).Take(&r).Error
	return r, err
}

func (s *Service) orgFile(ctx context.Context, r models.OrgRecord, data bool) (OrgFile, error) {
	f := OrgFile{ID: r.ID, OrgID: r.OrgID, Subject: r.Subject, Number: r.DocNumber, Title: r.Title, Version: r.Version, SHA256: r.SHA256,
		Size: r.SizeBytes, CreatedAt: r.CreatedAt, SupersededAt: r.SupersededAt, InForce: r.SupersededAt == nil, Summary: r.Summary}
	if data {
		f.Data = r.PDF
	}
	o, err := models.FindOrg(ctx, s.db, r.OrgID)
	if err != nil {
		return f, app.Internal(err)
	}
	f.OrgName = o.Name
	return f, nil
}

// IssueOrgReport serves the version in force of an org-level record when its basis is
// unchanged and otherwise renders, numbers and stores a new version superseding it, with
// an audit entry in the same transaction. Two instances issuing the same version at once
// store it once (a unique key); the loser serves the winner's. It checks no access: the
// calling service has decided who may have the record.
func (s *Service) IssueOrgReport(ctx context.Context, p app.Principal, in OrgReportIssue) (OrgFile, error) {
	if !orgCode.MatchString(in.Code) || in.Subject == "" || in.Title == "" || in.Build == nil {
		return OrgFile{}, app.Internal(fmt.Errorf("org record: bad issue %q %q", in.Subject, in.Code))
	}
	basis := basisHash(in.Basis)
	prev, err := latestOrgRecord(ctx, s.db, in.OrgID, in.Subject, true)
	switch {
	case err == nil && prev.BasisSHA256 == basis && prev.SupersededAt == nil:
		return s.orgFile(ctx, prev, true)
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		return OrgFile{}, app.Internal(err)
	}
	var prevPtr *models.OrgRecord
	version := 1
	if err == nil {
		prevPtr, version = &prev, prev.Version+1
	}
	now := s.now()
	number := orgRecordNumber(in.OrgID, in.Code, version)
	data, err := s.renderBounded(ctx, in.Title, func(ctx context.Context) ([]byte, error) {
		var buf bytes.Buffer
		if err := s.renderer.Record(ctx, &buf, in.Build(number, s.OrgVerifyURL(number)), pdfdoc.Meta{CreatedAt: now}); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
	if err != nil {
		return OrgFile{}, err
	}
	sum := sha256.Sum256(data)
	rec := models.OrgRecord{OrgID: in.OrgID, Subject: in.Subject, Version: version, DocNumber: number, Title: in.Title, BasisSHA256: basis,
		SHA256: hex.EncodeToString(sum[:]), SizeBytes: int64(len(data)), PDF: data, Summary: in.Summary, CreatedBy: userID(p), CreatedAt: now}
	if rec.Summary == "" {
		rec.Summary = "{}"
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		r := rec
		if err := insertOrgRecord(tx, &r, prevPtr); err != nil {
			return err
		}
		rec.ID = r.ID
		return audit.Record(ctx, tx, p, audit.Entry{Action: "org_record.issue", TargetType: "org_record", TargetID: r.ID,
			Detail: map[string]any{"org_id": in.OrgID, "subject": in.Subject, "document": number, "sha256": rec.SHA256}})
	})
	if database.IsDuplicate(err) {
		won, err := orgRecordByNumber(ctx, s.db, number)
		if err != nil {
			return OrgFile{}, app.Internal(err)
		}
		return s.orgFile(ctx, won, true)
	}
	if err != nil {
		return OrgFile{}, app.Internal(err)
	}
	f, err := s.orgFile(ctx, rec, true)
	f.Created = true
	return f, err
}

// LatestOrgReport is the newest version of a subject with its summary, without its
// bytes; ok is false when none was issued. It checks no access.
func (s *Service) LatestOrgReport(ctx context.Context, orgID int64, subject string) (OrgFile, bool, error) {
	r, err := latestOrgRecord(ctx, s.db, orgID, subject, false)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OrgFile{}, false, nil
	}
	if err != nil {
		return OrgFile{}, false, app.Internal(err)
	}
	f, err := s.orgFile(ctx, r, false)
	return f, err == nil, err
}

// OrgVerification is what the public verification page of an org-level record shows:
// the version (never its bytes or summary), whether it is in force, and the version in
// force when it is superseded.
type OrgVerification struct {
	Record OrgFile  `json:"record"`
	Latest *OrgFile `json:"latest,omitempty"`
}

// VerifyOrgReport describes an org-level record by its number (public).
func (s *Service) VerifyOrgReport(ctx context.Context, number string) (OrgVerification, error) {
	r, err := orgRecordByNumber(ctx, s.db, number)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OrgVerification{}, app.Fail(app.ENotFound, "err.documents.no_document_has_this_number", NormaliseNumber(number))
	}
	if err != nil {
		return OrgVerification{}, app.Internal(err)
	}
	f, err := s.orgFile(ctx, r, false)
	if err != nil {
		return OrgVerification{}, err
	}
	out := OrgVerification{Record: f}
	if !f.InForce {
		if l, err := latestOrgRecord(ctx, s.db, r.OrgID, r.Subject, false); err == nil && l.ID != r.ID {
			lf, err := s.orgFile(ctx, l, false)
			if err != nil {
				return out, err
			}
			out.Latest = &lf
		}
	}
	return out, nil
}

// OrgReportFile is a version's bytes by number, for staff whose jurisdiction covers the
// org (others: not found). The caller checks the role.
func (s *Service) OrgReportFile(ctx context.Context, p app.Principal, number string) (OrgFile, error) {
	notFound := app.Fail(app.ENotFound, "err.documents.document_not_found")
	r, err := orgRecordByNumber(ctx, s.db, number)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OrgFile{}, notFound
	}
	if err != nil {
		return OrgFile{}, app.Internal(err)
	}
	o, err := models.FindOrg(ctx, s.db, r.OrgID)
	if err != nil {
		return OrgFile{}, app.Internal(err)
	}
	if !p.CoversOrgPath(o.Path) {
		return OrgFile{}, notFound
	}
	return s.orgFile(ctx, r, true)
}
