package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// chunkSize is the largest piece of a document stored in one row: well below MariaDB's
// default max_allowed_packet of 16 MiB, also after encryption and base64 (×4/3).
const chunkSize = 4 << 20

// numberPrefix starts every document number.
const numberPrefix = "GZ"

// docNumber is the number of a version: prefix, year of the series, serial, version,
// e.g. "GZ-2026-000012-V1".
func docNumber(s models.DocumentSeries, version int) string {
	return fmt.Sprintf("%s-%04d-%06d-V%d", numberPrefix, s.Year, s.ID, version)
}

// Document describes one stored version of a document.
type Document struct {
	ID                 int64      `json:"id"`
	Number             string     `json:"number"`
	Kind               string     `json:"kind"`
	Title              string     `json:"title"`
	EstateID           int64      `json:"estate_id"`
	OrgID              int64      `json:"org_id,omitempty"` // an org-level document (no estate)
	VoteID             int64      `json:"vote_id,omitempty"`
	MinutesID          int64      `json:"minutes_id,omitempty"`
	Version            int        `json:"version"`
	SHA256             string     `json:"sha256"`
	Size               int64      `json:"size"`
	Pages              int        `json:"pages"`
	Status             string     `json:"status"`
	SupersedesNumber   string     `json:"supersedes,omitempty"`
	SupersededByNumber string     `json:"superseded_by,omitempty"`
	SupersededAt       *time.Time `json:"superseded_at,omitempty"`
	Reason             string     `json:"reason,omitempty"`
	CreatedBy          string     `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
	PublishedAt        *time.Time `json:"published_at"`
	ShowUntil          *time.Time `json:"show_until"`
	Public             bool       `json:"public"`
	VerifyURL          string     `json:"verify_url"`
	Summary            *Summary   `json:"summary,omitempty"`
	// Annotation tells that this version only adds the publication and objection dates
	// to the one it supersedes (补注), rather than correcting it.
	Annotation bool `json:"annotation,omitempty"`
	// Draft marks an unnumbered preview, rendered on request and stored nowhere.
	Draft bool `json:"draft,omitempty"`
}

// File is a document version with its bytes, exactly as stored.
type File struct {
	Document
	Data []byte
}

// Filename is the download name of the file.
func (f File) Filename() string {
	if f.Draft && f.VoteID != 0 {
		return fmt.Sprintf("resolution-%d-draft.pdf", f.VoteID)
	}
	if f.Draft {
		return "draft.pdf"
	}
	return f.Number + ".pdf"
}

// KindLabel is the Chinese name of a document kind.
func KindLabel(kind string) string {
	switch kind {
	case models.DocResolution:
		return "业主大会决议"
	case models.DocNotices:
		return "表决通知书"
	case models.DocMinutes:
		return "会议记录"
	case models.DocAttachment:
		return "公告附件"
	case models.DocTermination:
		return "解除物业服务合同通知书"
	case models.DocHandover:
		return "物业交接记录"
	case models.DocPublicIncome:
		return "公共收益年度公示"
	case models.DocCreditList:
		return "物业服务企业红黑榜"
	case models.DocSupervision:
		return "物业监管月报"
	}
	return kind
}

// Summary is what the verification page shows of a document besides its bytes: for a
// resolution the tally, for minutes the meeting and its decisions.
type Summary struct {
	EstateName string `json:"estate_name"`
	// OrgName is the issuing district or street office of an org-level document.
	OrgName      string `json:"org_name,omitempty"`
	MeetingTitle string `json:"meeting_title,omitempty"`

	QuorumMet                     bool              `json:"quorum_met,omitempty"`
	QuorumRule                    string            `json:"quorum_rule,omitempty"`
	TotalArea                     string            `json:"total_area,omitempty"`
	TotalHeadcount                int               `json:"total_headcount,omitempty"`
	ParticipatingArea             string            `json:"participating_area,omitempty"`
	ParticipatingAreaPercent      string            `json:"participating_area_percent,omitempty"`
	ParticipatingHeadcount        int               `json:"participating_headcount,omitempty"`
	ParticipatingHeadcountPercent string            `json:"participating_headcount_percent,omitempty"`
	Items                         []SummaryItem     `json:"items,omitempty"`
	Elections                     []SummaryElection `json:"elections,omitempty"`
	PublishedAt                   *time.Time        `json:"published_at,omitempty"`
	ObjectionUntil                *time.Time        `json:"objection_until,omitempty"`
	// LogRoot and LogSize are the ballot log's closing head (app/ballotlog).
	LogRoot string `json:"log_root,omitempty"`
	LogSize uint64 `json:"log_size,omitempty"`

	MeetingKind string     `json:"meeting_kind,omitempty"`
	HeldAt      *time.Time `json:"held_at,omitempty"`
	Decisions   []string   `json:"decisions,omitempty"`
	Voters      int        `json:"voters,omitempty"`

	// Report is an org-level record's own figures (JSON), kept for the next record to
	// compare with: the monthly supervision report's rates and counts (app/supervision).
	Report json.RawMessage `json:"report,omitempty"`
}

// SummaryItem is one ordinary item of a resolution with its figures and outcome.
type SummaryItem struct {
	Title                   string `json:"title"`
	AgreeArea               string `json:"agree_area"`
	AgreeAreaPercent        string `json:"agree_area_percent"`
	AgreeHeadcount          int    `json:"agree_headcount"`
	AgreeHeadcountPercent   string `json:"agree_headcount_percent"`
	OpposeArea              string `json:"oppose_area"`
	OpposeAreaPercent       string `json:"oppose_area_percent"`
	OpposeHeadcount         int    `json:"oppose_headcount"`
	OpposeHeadcountPercent  string `json:"oppose_headcount_percent"`
	AbstainArea             string `json:"abstain_area"`
	AbstainAreaPercent      string `json:"abstain_area_percent"`
	AbstainHeadcount        int    `json:"abstain_headcount"`
	AbstainHeadcountPercent string `json:"abstain_headcount_percent"`
	Rule                    string `json:"rule"`
	LegalBasis              string `json:"legal_basis"`
	Passed                  bool   `json:"passed"`
	Outcome                 string `json:"outcome"` // 通过 or 未通过
}

// SummaryElection is one committee election of a resolution.
type SummaryElection struct {
	Title           string   `json:"title"`
	Seats           int      `json:"seats"`
	Elected         []string `json:"elected"`
	Alternates      []string `json:"alternates"`
	Runoff          []string `json:"runoff"`
	CommitteeFormed bool     `json:"committee_formed"`
	VacantSeats     int      `json:"vacant_seats"`
}

// isPublic tells whether anyone may download a version: it has been published and is not
// a notices batch (those carry personal ballot links and stay with staff).
func isPublic(d models.Document, now time.Time) bool {
	return d.Kind != models.DocNotices && d.PublishedAt != nil && !d.PublishedAt.After(now)
}

// describe shapes stored versions, resolving the numbers of superseding and superseded
// versions with one query.
func (s *Service) describe(ctx context.Context, docs []models.Document) ([]Document, error) {
	related := map[int64]string{}
	var ids []int64
	for _, d := range docs {
		related[d.ID] = d.DocNumber
	}
	for _, d := range docs {
		for _, id := range []*int64{d.SupersedesID, d.SupersededByID} {
			if id != nil {
				if _, ok := related[*id]; !ok {
					ids = append(ids, *id)
				}
			}
		}
	}
	if len(ids) > 0 {
		var rows []struct {
			ID        int64
			DocNumber string
		}
		if err := s.db.WithContext(ctx).Model(&models.Document{}).Select("id, doc_number").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
			return nil, app.Internal(fmt.Errorf("related documents: %w", err))
		}
		for _, r := range rows {
			related[r.ID] = r.DocNumber
		}
	}
	now := s.now()
	out := make([]Document, len(docs))
	for i, d := range docs {
		doc := Document{ID: d.ID, Number: d.DocNumber, Kind: d.Kind, Title: d.Title, EstateID: d.EstateID, Version: d.Version,
			SHA256: d.SHA256, Size: d.SizeBytes, Pages: d.Pages, Status: d.Status, SupersededAt: d.SupersededAt, Reason: d.Reason,
			CreatedBy: d.CreatedByName, CreatedAt: d.CreatedAt, PublishedAt: d.PublishedAt, ShowUntil: d.ShowUntil,
			Public: isPublic(d, now), VerifyURL: s.VerifyURL(d.DocNumber),
			Annotation: d.Kind == models.DocResolution && d.Reason == annotationReason}
		if d.VoteID != nil {
			doc.VoteID = *d.VoteID
		}
		if d.OrgID != nil {
			doc.OrgID = *d.OrgID
		}
		if d.MinutesID != nil {
			doc.MinutesID = *d.MinutesID
		}
		if d.SupersedesID != nil {
			doc.SupersedesNumber = related[*d.SupersedesID]
		}
		if d.SupersededByID != nil {
			doc.SupersededByNumber = related[*d.SupersededByID]
		}
		if d.SummaryJSON != "" {
			var sum Summary
			if err := json.Unmarshal([]byte(d.SummaryJSON), &sum); err != nil {
				return nil, app.Internal(fmt.Errorf("summary of document %s: %w", d.DocNumber, err))
			}
			doc.Summary = &sum
		}
		out[i] = doc
	}
	return out, nil
}

// describeOne shapes one stored version.
func (s *Service) describeOne(ctx context.Context, d models.Document) (Document, error) {
	list, err := s.describe(ctx, []models.Document{d})
	if err != nil {
		return Document{}, err
	}
	return list[0], nil
}

// load reads the bytes of a stored version, decrypting them when needed, and checks them
// against the stored SHA-256 and size: a mismatch is an internal error, never served.
func (s *Service) load(ctx context.Context, d models.Document) (File, error) {
	chunks, err := models.DocumentData(ctx, s.db, d.ID)
	if err != nil {
		return File{}, app.Internal(err)
	}
	var buf bytes.Buffer
	buf.Grow(int(d.SizeBytes))
	for _, c := range chunks {
		if d.Encrypted {
			plain, err := s.pii.Decrypt(string(c))
			if err != nil {
				return File{}, app.Internal(fmt.Errorf("document %s: decrypting: %w", d.DocNumber, err))
			}
			buf.WriteString(plain)
			continue
		}
		buf.Write(c)
	}
	data := buf.Bytes()
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != d.SHA256 || int64(len(data)) != d.SizeBytes {
		return File{}, app.Internal(fmt.Errorf("document %s: stored bytes do not match their SHA-256", d.DocNumber))
	}
	doc, err := s.describeOne(ctx, d)
	if err != nil {
		return File{}, err
	}
	return File{Document: doc, Data: data}, nil
}

// seriesSpec names a series: its kind and subject, and what it belongs to.
type seriesSpec struct {
	kind      string
	subject   string
	estateID  int64
	orgID     *int64 // an org-level series (estateID 0)
	voteID    *int64
	minutesID *int64
}

// ensureSeries finds or creates the series (the unique (kind, subject) key settles a race).
func (s *Service) ensureSeries(ctx context.Context, db *gorm.DB, spec seriesSpec) (models.DocumentSeries, error) {
	series, err := models.FindDocumentSeries(ctx, db, spec.kind, spec.subject)
	if err == nil {
		return series, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return series, err
	}
	now := s.now()
	series = models.DocumentSeries{Kind: spec.kind, Subject: spec.subject, EstateID: spec.estateID, OrgID: spec.orgID, VoteID: spec.voteID,
		MinutesID: spec.minutesID, Year: now.In(rules.Shanghai()).Year(), CreatedAt: now}
	if err := db.WithContext(ctx).Create(&series).Error; err != nil {
		if database.IsDuplicate(err) {
			return models.FindDocumentSeries(ctx, db, spec.kind, spec.subject)
		}
		return series, fmt.Errorf("creating document series %s %s: %w", spec.kind, spec.subject, err)
	}
	return series, nil
}

// version is a new version to store.
type version struct {
	title       string
	basis       string
	reason      string
	summary     *Summary
	data        []byte
	encrypt     bool
	createdAt   time.Time
	publishedAt *time.Time
	showUntil   *time.Time
}

// errRaced reports that another request stored a version of the series meanwhile.
var errRaced = errors.New("documents: series changed concurrently")

// insertVersion stores v as the next version of series through tx: the series' version
// moves from series.CurrentVersion to the next only if nobody else moved it (errRaced
// otherwise), the previous version in force (prev) is marked superseded, the bytes are
// written in chunks, and the issue is audited.
func (s *Service) insertVersion(ctx context.Context, tx *gorm.DB, p app.Principal, series models.DocumentSeries, prev *models.Document, v version) (models.Document, error) {
	next := series.CurrentVersion + 1
	res := tx.WithContext(ctx).Model(&models.DocumentSeries{}).Where("id = ? AND current_version = ?", series.ID, series.CurrentVersion).
		Update("current_version", next)
	if res.Error != nil {
		return models.Document{}, fmt.Errorf("numbering document series %d: %w", series.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Document{}, errRaced
	}
	sum := sha256.Sum256(v.data)
	doc := models.Document{SeriesID: series.ID, EstateID: series.EstateID, OrgID: series.OrgID, Kind: series.Kind, VoteID: series.VoteID, MinutesID: series.MinutesID,
		Version: next, DocNumber: docNumber(series, next), Title: v.title, SHA256: hex.EncodeToString(sum[:]), SizeBytes: int64(len(v.data)),
		Pages: countPages(v.data), Encrypted: v.encrypt, Status: models.DocInForce, Basis: v.basis, Reason: v.reason,
		CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: v.createdAt, PublishedAt: v.publishedAt, ShowUntil: v.showUntil}
	if v.summary != nil {
		b, err := json.Marshal(v.summary)
		if err != nil {
			return models.Document{}, fmt.Errorf("encoding document summary: %w", err)
		}
		doc.SummaryJSON = string(b)
	}
	if prev != nil {
		id := prev.ID
		doc.SupersedesID = &id
	}
	if err := tx.WithContext(ctx).Create(&doc).Error; err != nil {
		if database.IsDuplicate(err) {
			return models.Document{}, errRaced
		}
		return models.Document{}, fmt.Errorf("storing document %s: %w", doc.DocNumber, err)
	}
	for seq, start := 0, 0; start < len(v.data) || seq == 0; seq, start = seq+1, start+chunkSize {
		piece := v.data[start:min(start+chunkSize, len(v.data))]
		if v.encrypt {
			enc, err := s.pii.Encrypt(string(piece))
			if err != nil {
				return models.Document{}, fmt.Errorf("encrypting document %s: %w", doc.DocNumber, err)
			}
			piece = []byte(enc)
		}
		if err := tx.WithContext(ctx).Create(&models.DocumentChunk{DocumentID: doc.ID, Seq: seq, Data: piece}).Error; err != nil {
			return models.Document{}, fmt.Errorf("storing document %s part %d: %w", doc.DocNumber, seq, err)
		}
	}
	detail := map[string]any{"number": doc.DocNumber, "kind": doc.Kind, "version": next, "sha256": doc.SHA256, "size": doc.SizeBytes}
	if v.reason != "" {
		detail["reason"] = v.reason
	}
	if doc.OrgID != nil {
		detail["org_id"] = *doc.OrgID
	}
	if prev != nil {
		upd := tx.WithContext(ctx).Model(&models.Document{}).Where("id = ? AND status = ?", prev.ID, models.DocInForce).
			Updates(map[string]any{"status": models.DocSuperseded, "superseded_by_id": doc.ID, "superseded_at": v.createdAt})
		if upd.Error != nil {
			return models.Document{}, fmt.Errorf("superseding document %s: %w", prev.DocNumber, upd.Error)
		}
		if upd.RowsAffected == 0 {
			return models.Document{}, errRaced
		}
		detail["supersedes"] = prev.DocNumber
	}
	entry := audit.Entry{Action: "document.issue", TargetType: "document", TargetID: doc.ID, EstateID: doc.EstateID, Detail: detail}
	if doc.OrgID != nil {
		entry.OrgID = *doc.OrgID // an org-level document: audited in the org's trail
	}
	if err := audit.Record(ctx, tx, p, entry); err != nil {
		return models.Document{}, err
	}
	return doc, nil
}

// countPages counts the page objects of a PDF written by gofpdf.
func countPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page\n"))
}

// issueSpec describes a rendered document to serve or issue.
type issueSpec struct {
	series  seriesSpec
	title   string
	basis   string // what the document is built from; a different basis issues a new version
	reason  string // why a new version is issued (a correction)
	force   bool   // issue a new version even if the basis is unchanged (a correction)
	encrypt bool
	summary *Summary
	// publishedAt and showUntil are recorded on the version; nil while unpublished.
	publishedAt, showUntil *time.Time
	// render writes the PDF for a number and version under ctx; supersedes is the number
	// of the version it replaces ("" for the first).
	render func(ctx context.Context, number string, version int, supersedes string, createdAt time.Time) ([]byte, error)
	// autoReason explains a new version caused by a changed basis.
	autoReason string
	// within, when set, runs in the transaction that stores a new version (the caller's
	// own rows about it).
	within func(tx *gorm.DB, doc models.Document) error
}

// maxIssueAttempts bounds the retries when concurrent requests issue the same series.
const maxIssueAttempts = 4

// issue serves the version of a series in force when it was built from the same basis,
// and otherwise renders, numbers and stores a new version that supersedes it. With force
// it always issues a new version (a correction). Two concurrent first requests store one
// version: the loser of the race serves the winner's bytes.
func (s *Service) issue(ctx context.Context, p app.Principal, spec issueSpec) (File, bool, error) {
	for attempt := 0; attempt < maxIssueAttempts; attempt++ {
		series, err := s.ensureSeries(ctx, s.db, spec.series)
		if err != nil {
			return File{}, false, app.Internal(err)
		}
		var prev *models.Document
		cur, err := models.InForceDocument(ctx, s.db, series.ID)
		switch {
		case err == nil:
			prev = &cur
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return File{}, false, app.Internal(err)
		}
		if prev != nil && !spec.force && prev.Basis == spec.basis {
			f, err := s.load(ctx, *prev)
			return f, false, err
		}
		if prev != nil && prev.Version != series.CurrentVersion {
			continue // a version is being stored right now; read again
		}
		next := series.CurrentVersion + 1
		supersedes := ""
		if prev != nil {
			supersedes = prev.DocNumber
		}
		createdAt := s.now()
		data, err := s.renderBounded(ctx, spec.series.subject, func(ctx context.Context) ([]byte, error) {
			return spec.render(ctx, docNumber(series, next), next, supersedes, createdAt)
		})
		if err != nil {
			return File{}, false, err
		}
		reason := spec.reason
		if !spec.force && prev != nil {
			reason = spec.autoReason
		}
		if prev == nil {
			reason = "" // a first version replaces nothing
		}
		var doc models.Document
		err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
			var err error
			doc, err = s.insertVersion(ctx, tx, p, series, prev, version{title: spec.title, basis: spec.basis, reason: reason,
				summary: spec.summary, data: data, encrypt: spec.encrypt, createdAt: createdAt, publishedAt: spec.publishedAt,
				showUntil: spec.showUntil})
			if err == nil && spec.within != nil {
				err = spec.within(tx, doc)
			}
			return err
		})
		if errors.Is(err, errRaced) {
			if spec.force {
				return File{}, false, app.Fail(app.EConflict, "err.documents.the_document_was_just_corrected_by_someone_else")
			}
			continue
		}
		if err != nil {
			return File{}, false, app.AsErrorOrNil(err)
		}
		desc, err := s.describeOne(ctx, doc)
		if err != nil {
			return File{}, false, err
		}
		return File{Document: desc, Data: data}, true, nil
	}
	return File{}, false, app.Fail(app.EConflict, "err.documents.the_document_is_being_issued_try_again")
}

// staffDocument loads a version for staff of its estate. Notice batches carry ballot
// links: only staff who may read them (access.ReadBallotLinks, as the credentials) get them.
func (s *Service) staffDocument(ctx context.Context, p app.Principal, d models.Document) error {
	ok, err := s.reaches(ctx, p, d)
	if err != nil {
		return err
	}
	if !ok {
		return errDocumentNotFound()
	}
	if d.Kind == models.DocNotices && !access.Can(p, access.ReadBallotLinks) {
		return app.Errorf(app.EForbidden, "表决通知书含投票链接，只有组织表决的账号可以下载")
	}
	return nil
}

// errDocumentNotFound is the answer for an unknown document or one outside the caller's reach.
func errDocumentNotFound() error {
	return app.Fail(app.ENotFound, "err.documents.document_not_found")
}

// DocumentByID returns a version with its bytes to staff of its estate.
func (s *Service) DocumentByID(ctx context.Context, p app.Principal, id int64) (File, error) {
	d, err := models.FindDocument(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return File{}, errDocumentNotFound()
	}
	if err != nil {
		return File{}, app.Internal(err)
	}
	if err := s.staffDocument(ctx, p, d); err != nil {
		return File{}, err
	}
	return s.load(ctx, d)
}

// DocumentInfo describes a version (no bytes) to staff of its estate.
func (s *Service) DocumentInfo(ctx context.Context, p app.Principal, id int64) (Document, error) {
	d, err := models.FindDocument(ctx, s.db, id)
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Document{}, errDocumentNotFound()
	}
	if err != nil {
		return Document{}, app.Internal(err)
	}
	ok, err := s.reaches(ctx, p, d)
	if err != nil {
		return Document{}, err
	}
	if !ok {
		return Document{}, errDocumentNotFound()
	}
	return s.describeOne(ctx, d)
}

// EstateDocuments lists every stored version of an estate's documents, newest first.
func (s *Service) EstateDocuments(ctx context.Context, p app.Principal, estateID int64) ([]Document, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return nil, err
	}
	docs, err := models.DocumentsOf(ctx, s.db, estateID, 0)
	if err != nil {
		return nil, app.Internal(err)
	}
	return s.describe(ctx, docs)
}

// VoteDocuments lists every stored version of a vote's documents (resolutions and
// notices), newest first.
func (s *Service) VoteDocuments(ctx context.Context, p app.Principal, voteID int64) ([]Document, error) {
	v, err := s.votes.Vote(ctx, p, voteID)
	if err != nil {
		return nil, err
	}
	docs, err := models.DocumentsOf(ctx, s.db, v.EstateID, v.ID)
	if err != nil {
		return nil, app.Internal(err)
	}
	return s.describe(ctx, docs)
}

// subjectOf names the subject of a series about a record.
func subjectOf(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// reaches tells whether p is staff over the document: of its estate, or for an
// org-level document of its org (p's org path covers the org's).
func (s *Service) reaches(ctx context.Context, p app.Principal, d models.Document) (bool, error) {
	if d.OrgID != nil && d.EstateID == 0 {
		o, err := models.FindOrg(ctx, s.db, *d.OrgID)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return false, nil
		}
		if err != nil {
			return false, app.Internal(err)
		}
		return p.CoversOrgPath(o.Path), nil
	}
	if _, err := s.orgs.Estate(ctx, p, d.EstateID); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
