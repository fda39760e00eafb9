package property

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
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

// AddAttachment attaches a photo (JPEG, PNG, GIF, WebP) or a PDF to the complaint.
func (s *Service) AddAttachment(ctx context.Context, p app.Principal, complaintID int64, filename string, data []byte) (int64, error) {
	if err := access.Require(p, access.PropertyRecords); err != nil {
		return 0, err
	}
	c, err := s.complaintFor(ctx, p, complaintID, true)
	if err != nil {
		return 0, err
	}
	if len(data) == 0 {
		return 0, app.Invalid("file", "请选择文件 / a file is required")
	}
	if len(data) > MaxAttachment {
		return 0, app.Invalid("file", "文件超过 8 MB / the file exceeds 8 MB")
	}
	ct := http.DetectContentType(data)
	if !attachmentTypes[ct] {
		return 0, app.Invalid("file", "只接受照片（JPEG、PNG、GIF、WebP）或 PDF / photos or PDF only")
	}
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, "\\", "/")))
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	a := models.ComplaintAttachment{ComplaintID: c.ID, Filename: name, ContentType: ct, SizeBytes: len(data), Data: data,
		CreatedByName: p.Username, CreatedAt: s.now()}
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
