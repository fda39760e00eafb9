package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Kinds of stored documents.
const (
	DocResolution = "resolution" // 业主大会决议 of a closed vote
	DocNotices    = "notices"    // a batch of personal ballot notices (表决通知书) of a vote
	DocMinutes    = "minutes"    // 会议记录, stored when the minutes are finalised
	DocAttachment = "attachment" // a PDF published with an announcement
	// The property records of issue 13 (migration 00028 gave them their own kinds).
	DocTermination  = "termination"   // 解除物业服务合同通知书, the termination notice to the company
	DocHandover     = "handover"      // 物业交接记录, the signed handover record
	DocPublicIncome = "public_income" // 公共收益年度公示, the annual public-income disclosure
	// Org-level kinds: documents of a district or street office, not of an estate.
	DocCreditList  = "credit_list" // 物业服务企业红黑榜, a district's monthly red/black lists
	DocSupervision = "supervision" // 物业监管月报, a street office's monthly supervision report
)

// States of a stored document version.
const (
	DocInForce    = "in_force"
	DocSuperseded = "superseded"
)

// DocumentSeries groups the versions of one document: the resolution of a vote, the
// notices of a vote, the minutes of a meeting, the attachment of an announcement.
// Subject names what the series is about ("vote:12", "minutes:3", "announcement:7");
// (kind, subject) is unique. The series id is the serial part of the document number.
type DocumentSeries struct {
	ID      int64 `gorm:"primaryKey"`
	Kind    string
	Subject string
	// EstateID is 0 (NULL in the table) for an org-level series, which has OrgID.
	EstateID       int64 `gorm:"default:null"`
	OrgID          *int64
	VoteID         *int64
	MinutesID      *int64
	Year           int
	CurrentVersion int
	CreatedAt      time.Time
}

// TableName is the table of document series.
func (DocumentSeries) TableName() string { return "document_series" }

// Document is one published version of a document. Its bytes live in DocumentChunk rows
// (encrypted when Encrypted); SHA256 and SizeBytes are of the plain bytes. A version is
// never deleted or changed, except that a later version marks it superseded.
type Document struct {
	ID       int64 `gorm:"primaryKey"`
	SeriesID int64
	// EstateID is 0 (NULL in the table) for an org-level document (a district's red/black
	// lists, a street office's report), which has OrgID instead; a CHECK keeps one set.
	EstateID       int64 `gorm:"default:null"`
	OrgID          *int64
	Kind           string
	VoteID         *int64
	MinutesID      *int64
	Version        int
	DocNumber      string
	Title          string
	SHA256         string `gorm:"column:sha256"`
	SizeBytes      int64
	Pages          int
	Encrypted      bool
	Status         string
	SupersedesID   *int64
	SupersededByID *int64
	SupersededAt   *time.Time
	Basis          string
	Reason         string
	SummaryJSON    string `gorm:"column:summary_json"`
	CreatedBy      *int64
	CreatedByName  string
	CreatedAt      time.Time
	PublishedAt    *time.Time
	ShowUntil      *time.Time
}

// DocumentChunk is one piece of a document's bytes, in order of Seq. Documents are split
// so that no single row exceeds the MySQL packet size.
type DocumentChunk struct {
	DocumentID int64 `gorm:"primaryKey;autoIncrement:false"`
	Seq        int   `gorm:"primaryKey;autoIncrement:false"`
	Data       []byte
}

// Kinds of announcements (公告) stored on an estate's board. Notices, results and
// resolutions of votes are derived from the votes themselves and not stored here.
const (
	AnnounceNotice            = "notice"
	AnnounceResults           = "results"
	AnnounceResolution        = "resolution"
	AnnounceCommitteeDecision = "committee_decision"
	AnnounceOther             = "other"
)

// Announcement is a stored announcement of an estate: a committee decision published when
// its minutes were finalised, or one published by staff with an optional PDF. It is shown
// until ShowUntil and archived after, never deleted.
type Announcement struct {
	ID            int64 `gorm:"primaryKey"`
	EstateID      int64
	Kind          string
	Title         string
	Body          string
	DocumentID    *int64
	MinutesID     *int64
	PublishedAt   time.Time
	ShowUntil     time.Time
	Late          bool
	CreatedBy     *int64
	CreatedByName string
	CreatedAt     time.Time
}

// FindDocumentSeries loads the series of a kind and subject.
func FindDocumentSeries(ctx context.Context, db *gorm.DB, kind, subject string) (DocumentSeries, error) {
	var s DocumentSeries
	if err := db.WithContext(ctx).Where("kind = ? AND subject = ?", kind, subject).Take(&s).Error; err != nil {
		return s, fmt.Errorf("document series %s %s: %w", kind, subject, err)
	}
	return s, nil
}

// InForceDocument loads the version of a series that is in force.
func InForceDocument(ctx context.Context, db *gorm.DB, seriesID int64) (Document, error) {
	var d Document
	if err := db.WithContext(ctx).Where("series_id = ? AND status = ?", seriesID, DocInForce).
		Order("version DESC").Take(&d).Error; err != nil {
		return d, fmt.Errorf("document in force of series %d: %w", seriesID, err)
	}
	return d, nil
}

// FindDocument loads one document version by id.
func FindDocument(ctx context.Context, db *gorm.DB, id int64) (Document, error) {
	var d Document
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil {
		return d, fmt.Errorf("document %d: %w", id, err)
	}
	return d, nil
}

// FindDocumentByNumber loads one document version by its number.
func FindDocumentByNumber(ctx context.Context, db *gorm.DB, number string) (Document, error) {
	var d Document
	if err := db.WithContext(ctx).Where("doc_number = ?", number).Take(&d).Error; err != nil {
		return d, fmt.Errorf("document %s: %w", number, err)
	}
	return d, nil
}

// DocumentsWithSHA256 lists the versions whose bytes have that digest, oldest first.
func DocumentsWithSHA256(ctx context.Context, db *gorm.DB, sum string) ([]Document, error) {
	var list []Document
	if err := db.WithContext(ctx).Where("sha256 = ?", sum).Order("id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("documents by digest: %w", err)
	}
	return list, nil
}

// DocumentData reads and joins the chunks of a document in order.
func DocumentData(ctx context.Context, db *gorm.DB, documentID int64) ([][]byte, error) {
	var chunks []DocumentChunk
	if err := db.WithContext(ctx).Where("document_id = ?", documentID).Order("seq").Find(&chunks).Error; err != nil {
		return nil, fmt.Errorf("chunks of document %d: %w", documentID, err)
	}
	out := make([][]byte, len(chunks))
	for i, c := range chunks {
		if c.Seq != i {
			return nil, fmt.Errorf("document %d: chunk %d missing", documentID, i)
		}
		out[i] = c.Data
	}
	return out, nil
}

// DocumentsOf lists the versions of an estate's documents, optionally of one vote
// (0: any), newest first.
func DocumentsOf(ctx context.Context, db *gorm.DB, estateID, voteID int64) ([]Document, error) {
	q := db.WithContext(ctx).Where("estate_id = ?", estateID)
	if voteID != 0 {
		q = q.Where("vote_id = ?", voteID)
	}
	var list []Document
	if err := q.Order("id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("documents of estate %d: %w", estateID, err)
	}
	return list, nil
}

// AnnouncementsOf lists an estate's stored announcements, newest first.
func AnnouncementsOf(ctx context.Context, db *gorm.DB, estateID int64) ([]Announcement, error) {
	var list []Announcement
	if err := db.WithContext(ctx).Where("estate_id = ?", estateID).Order("published_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("announcements of estate %d: %w", estateID, err)
	}
	return list, nil
}
