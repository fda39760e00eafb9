package property

import (
	"context"

	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/models"
)

// MaxAttachment is the largest attachment accepted (a phone photo or a scanned page).
const MaxAttachment = 8 << 20

// attachmentTypes are the kinds of file a complaint may carry, by sniffed content.
var attachmentTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "application/pdf": true}

// Bounds of the files an owner attaches from the estate's public complaint form: the
// form takes no sign-in, so each file and their number are smaller than for staff (a
// few phone photos or one scanned page), and the route is rate-limited per address.
const (
	MaxPublicAttachments = 3
	MaxPublicAttachment  = 2 << 20
)

// Upload is a file sent with a complaint: its name as the browser gave it and its bytes.
type Upload struct {
	Filename string
	Data     []byte
}

// checkUpload validates one file (field names it in the error) against max bytes and
// the accepted types, sniffed from the content, and returns it as an attachment row.
func checkUpload(field string, u Upload, max int, by string, now time.Time) (models.ComplaintAttachment, error) {
	if len(u.Data) == 0 {
		return models.ComplaintAttachment{}, app.Invalid(field, app.M("err.property.a_file_is_required"))
	}
	if len(u.Data) > max {
		return models.ComplaintAttachment{}, app.Invalid(field, app.M("err.property.the_file_exceeds_mb", max>>20))
	}
	ct := http.DetectContentType(u.Data)
	if !attachmentTypes[ct] {
		return models.ComplaintAttachment{}, app.Invalid(field, app.M("err.property.photos_or_pdf_only"))
	}
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(u.Filename, "\\", "/")))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	return models.ComplaintAttachment{Filename: name, ContentType: ct, SizeBytes: len(u.Data), Data: u.Data, CreatedByName: by, CreatedAt: now}, nil
}

// checkPublicUploads validates the files of an owner's public complaint (field "files"):
// at most MaxPublicAttachments, each at most MaxPublicAttachment, photos or PDF.
func checkPublicUploads(files []Upload, now time.Time) ([]models.ComplaintAttachment, error) {
	if len(files) > MaxPublicAttachments {
		return nil, app.Invalid("files", app.M("err.property.at_most_files", MaxPublicAttachments))
	}
	out := make([]models.ComplaintAttachment, 0, len(files))
	for _, f := range files {
		a, err := checkUpload("files", f, MaxPublicAttachment, "err.property.owner_online", now) // stored as a catalogue key
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AddAttachment attaches a photo (JPEG, PNG, GIF, WebP) or a PDF to the complaint.
func (s *Service) AddAttachment(ctx context.Context, p app.Principal, complaintID int64, filename string, data []byte) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	c, err := s.complaintFor(ctx, p, complaintID, true)
	if err != nil {
		return 0, err
	}
	a, err := checkUpload("file", Upload{Filename: filename, Data: data}, MaxAttachment, p.Username, s.now())
	if err != nil {
		return 0, err
	}
	a.ComplaintID = c.ID
	ct := a.ContentType
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		a.ID = 0
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "complaint.attach", TargetType: "complaint", TargetID: c.ID, EstateID: c.EstateID,
			Detail: map[string]any{"attachment_id": a.ID, "size": len(data), "type": ct}})
	})
	if err != nil {
		return 0, app.AsError(err)
	}
	return a.ID, nil
}

// attachmentColumns are the columns of an attachment without its data.
const attachmentColumns = "id, complaint_id, filename, content_type, size_bytes, created_by_name, created_at"

// attachments lists a complaint's attachments without their data.
func (s *Service) attachments(ctx context.Context, complaintID int64) ([]models.ComplaintAttachment, error) {
	var list []models.ComplaintAttachment
	err := s.db.WithContext(ctx).Select(attachmentColumns).Where("complaint_id = ?", complaintID).Order("id").Find(&list).Error
	return list, err
}

// Attachment returns one attachment of a complaint p may see, with its data.
func (s *Service) Attachment(ctx context.Context, p app.Principal, complaintID, attachmentID int64) (models.ComplaintAttachment, error) {
	var a models.ComplaintAttachment
	if _, err := s.complaintFor(ctx, p, complaintID, false); err != nil {
		return a, err
	}
	err := s.db.WithContext(ctx).Where("id = ? AND complaint_id = ?", attachmentID, complaintID).First(&a).Error
	if isNotFound(err) {
		return a, notFound("附件")
	}
	if err != nil {
		return a, app.Internal(err)
	}
	return a, nil
}
