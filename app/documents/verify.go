package documents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/models"
)

// Verification is what the public verification page of a document number shows.
type Verification struct {
	Document Document `json:"document"`
	// Latest is the version in force of the same document when Document is superseded.
	Latest *Document `json:"latest,omitempty"`
	// SupersededBy is the version that directly replaced Document.
	SupersededBy *Document `json:"superseded_by,omitempty"`
	// CanDownload tells whether the caller may fetch the bytes: anyone for a published
	// document, staff of the estate for the others.
	CanDownload bool `json:"can_download"`
	// Restricted is set when only the number, kind, status and digest are shown (a notice
	// batch, or a resolution whose result is not yet published).
	Restricted bool `json:"restricted"`
}

// NormaliseNumber is a document number as stored: trimmed and upper-case.
func NormaliseNumber(number string) string { return strings.ToUpper(strings.TrimSpace(number)) }

// restrict keeps what anyone may learn about a document that is not public.
func restrict(d Document) Document {
	return Document{ID: d.ID, Number: d.Number, Kind: d.Kind, Version: d.Version, SHA256: d.SHA256, Size: d.Size, Status: d.Status,
		SupersededByNumber: d.SupersededByNumber, SupersedesNumber: d.SupersedesNumber, CreatedAt: d.CreatedAt, VerifyURL: d.VerifyURL,
		Annotation: d.Annotation}
}

// staffOf tells whether p is staff of the document's estate.
func (s *Service) staffOf(ctx context.Context, p *app.Principal, d models.Document) (bool, error) {
	if p == nil {
		return false, nil
	}
	return s.reaches(ctx, *p, d)
}

// Verify describes a document version by its number (public): the version, its SHA-256,
// whether it is in force or superseded (and by which version), the version now in force,
// and for a published resolution its tally. p is the signed-in staff member, if any.
func (s *Service) Verify(ctx context.Context, p *app.Principal, number string) (Verification, error) {
	d, err := models.FindDocumentByNumber(ctx, s.db, NormaliseNumber(number))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Verification{}, app.Fail(app.ENotFound, "err.documents.no_document_has_this_number", NormaliseNumber(number))
	}
	if err != nil {
		return Verification{}, app.Internal(err)
	}
	staff, err := s.staffOf(ctx, p, d)
	if err != nil {
		return Verification{}, err
	}
	now := s.now()
	public := isPublic(d, now)
	doc, err := s.describeOne(ctx, d)
	if err != nil {
		return Verification{}, err
	}
	out := Verification{Document: doc, CanDownload: public || (staff && (d.Kind != models.DocNotices || access.Can(*p, access.ReadBallotLinks))), Restricted: !public && !staff}
	if out.Restricted {
		out.Document = restrict(doc)
	}
	if d.SupersededByID != nil {
		next, err := models.FindDocument(ctx, s.db, *d.SupersededByID)
		if err != nil {
			return Verification{}, app.Internal(err)
		}
		nd, err := s.describeOne(ctx, next)
		if err != nil {
			return Verification{}, err
		}
		if out.Restricted || !isPublic(next, now) && !staff {
			nd = restrict(nd)
		}
		out.SupersededBy = &nd
		latest, err := models.InForceDocument(ctx, s.db, d.SeriesID)
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return Verification{}, app.Internal(err)
		}
		if err == nil && latest.ID != next.ID {
			ld, err := s.describeOne(ctx, latest)
			if err != nil {
				return Verification{}, err
			}
			if !isPublic(latest, now) && !staff {
				ld = restrict(ld)
			}
			out.Latest = &ld
		} else if err == nil {
			out.Latest = out.SupersededBy
		}
	}
	return out, nil
}

// Download returns the bytes of a version by its number: to anyone once it is published,
// to staff of its estate always (notice batches only to staff who may change the vote).
func (s *Service) Download(ctx context.Context, p *app.Principal, number string) (File, error) {
	d, err := models.FindDocumentByNumber(ctx, s.db, NormaliseNumber(number))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return File{}, errDocumentNotFound()
	}
	if err != nil {
		return File{}, app.Internal(err)
	}
	if isPublic(d, s.now()) {
		return s.load(ctx, d)
	}
	if p == nil {
		return File{}, app.Fail(app.EUnauthorized, "err.documents.not_public_sign_in")
	}
	if err := s.staffDocument(ctx, *p, d); err != nil {
		return File{}, err
	}
	return s.load(ctx, d)
}

// UploadCheck answers whether uploaded bytes are identical to a stored document.
type UploadCheck struct {
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Identical bool   `json:"identical"`
	// Matches are the stored versions with exactly these bytes (restricted to number,
	// kind, status and digest unless published).
	Matches []Verification `json:"matches"`
}

// VerifyUpload compares uploaded bytes with every stored document by SHA-256 (public):
// identical bytes name the version they are; anything else, even one changed byte, is not
// a published document.
func (s *Service) VerifyUpload(ctx context.Context, p *app.Principal, data []byte) (UploadCheck, error) {
	sum := sha256.Sum256(data)
	return s.VerifyDigest(ctx, p, hex.EncodeToString(sum[:]), int64(len(data)))
}

// VerifyDigest is VerifyUpload for a file hashed as it arrived: its SHA-256 (hex) and
// size in bytes.
func (s *Service) VerifyDigest(ctx context.Context, p *app.Principal, sha256Hex string, size int64) (UploadCheck, error) {
	out := UploadCheck{SHA256: sha256Hex, Size: size}
	docs, err := models.DocumentsWithSHA256(ctx, s.db, out.SHA256)
	if err != nil {
		return UploadCheck{}, app.Internal(err)
	}
	for _, d := range docs {
		if d.SizeBytes != out.Size {
			continue
		}
		v, err := s.Verify(ctx, p, d.DocNumber)
		if err != nil {
			return UploadCheck{}, err
		}
		out.Matches = append(out.Matches, v)
	}
	out.Identical = len(out.Matches) > 0
	return out, nil
}
