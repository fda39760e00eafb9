package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/audit"
	"gongzhi/app/database"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Announcement is one entry of an estate's board (公告栏): a vote's meeting notice, result
// or resolution (derived from the vote), or a stored announcement (a committee decision,
// or one published by staff with an optional PDF).
type Announcement struct {
	ID          int64     `json:"id,omitempty"` // stored announcements only
	Kind        string    `json:"kind"`
	KindLabel   string    `json:"kind_label"`
	Title       string    `json:"title"`
	Lines       []string  `json:"lines"`
	PublishedAt time.Time `json:"published_at"`
	ShowUntil   time.Time `json:"show_until"`
	Archived    bool      `json:"archived"`
	Late        bool      `json:"late"`
	VoteID      int64     `json:"vote_id,omitempty"`
	// DownloadPath fetches the PDF, when there is one; DocumentNumber and VerifyPath name
	// the version in force once it has been issued.
	DownloadPath   string `json:"download_path,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
	VerifyPath     string `json:"verify_path,omitempty"`
}

// AnnouncementKindLabel is the Chinese name of a kind of announcement.
func AnnouncementKindLabel(kind string) string {
	switch kind {
	case models.AnnounceNotice:
		return "会议通知"
	case models.AnnounceResults:
		return "表决结果"
	case models.AnnounceResolution:
		return "业主大会决议"
	case models.AnnounceCommitteeDecision:
		return "业主委员会决定"
	case models.AnnounceOther:
		return "其他公告"
	}
	return kind
}

// Board is an estate's announcements: those still within their showing period, and the
// archive of those past it (kept for good).
type Board struct {
	EstateID      int64          `json:"estate_id"`
	EstateName    string         `json:"estate_name"`
	CommunityName string         `json:"community_name"`
	StreetName    string         `json:"street_name"`
	ShowDays      int            `json:"show_days"`
	Current       []Announcement `json:"current"`
	Archive       []Announcement `json:"archive"`
}

// PublicBoard is an estate's board for anyone (no login).
func (s *Service) PublicBoard(ctx context.Context, estateID int64) (Board, error) {
	return s.board(ctx, estateID)
}

// StaffBoard is an estate's board for its staff (the same entries).
func (s *Service) StaffBoard(ctx context.Context, p app.Principal, estateID int64) (Board, error) {
	if _, err := s.orgs.Estate(ctx, p, estateID); err != nil {
		return Board{}, err
	}
	return s.board(ctx, estateID)
}

// board collects an estate's announcements, newest first, split at now into current and archive.
func (s *Service) board(ctx context.Context, estateID int64) (Board, error) {
	names, err := s.namesOf(ctx, estateID)
	if err != nil {
		return Board{}, err
	}
	prof := rules.ProfileOrDefault(names.Estate.ProfileCode)
	now := s.now()
	b := Board{EstateID: estateID, EstateName: names.Estate.Name, CommunityName: names.Community, StreetName: names.Street, ShowDays: showDays(prof)}
	var all []Announcement
	votes, err := models.VotesOfEstate(ctx, s.db, estateID)
	if err != nil {
		return Board{}, app.Internal(err)
	}
	for _, v := range votes {
		list, err := s.voteAnnouncements(ctx, v, names, now)
		if err != nil {
			return Board{}, err
		}
		all = append(all, list...)
	}
	stored, err := models.AnnouncementsOf(ctx, s.db, estateID)
	if err != nil {
		return Board{}, app.Internal(err)
	}
	for _, a := range stored {
		if a.PublishedAt.After(now) {
			continue
		}
		out := Announcement{ID: a.ID, Kind: a.Kind, KindLabel: AnnouncementKindLabel(a.Kind), Title: a.Title, Lines: splitLines(a.Body),
			PublishedAt: a.PublishedAt, ShowUntil: a.ShowUntil, Late: a.Late}
		if a.DocumentID != nil {
			d, err := models.FindDocument(ctx, s.db, *a.DocumentID)
			if err != nil {
				return Board{}, app.Internal(err)
			}
			if latest, err := models.InForceDocument(ctx, s.db, d.SeriesID); err == nil {
				d = latest
			}
			out.DocumentNumber, out.VerifyPath, out.DownloadPath = d.DocNumber, "/verify/"+d.DocNumber, "/verify/"+d.DocNumber+"/download"
		}
		all = append(all, out)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].PublishedAt.After(all[j].PublishedAt) })
	b.Current, b.Archive = []Announcement{}, []Announcement{}
	for _, a := range all {
		a.Archived = !now.Before(a.ShowUntil)
		if a.Archived {
			b.Archive = append(b.Archive, a)
		} else {
			b.Current = append(b.Current, a)
		}
	}
	return b, nil
}

// noticeTitle is the title of a vote's meeting notice on the board: "关于召开…的公告"
// when the vote is named as a meeting (…会议), else "业主大会表决公告：…", so that a vote
// named "临时表决：…" never reads "关于召开临时表决：…的公告" (issue 16, item 9).
func noticeTitle(title string) string {
	if strings.HasSuffix(title, "会议") {
		return "关于召开" + title + "的公告"
	}
	return "业主大会表决公告：" + title
}

// voteAnnouncements derives a vote's announcements: its meeting notice from the notice
// date (shown at least until voting closes), and once the result is published the result
// and the resolution (shown at least until objections close).
func (s *Service) voteAnnouncements(ctx context.Context, v models.Vote, names estateNames, now time.Time) ([]Announcement, error) {
	if v.State == models.VoteDraft || v.NoticePublishedAt.After(now) {
		return nil, nil
	}
	prof := rules.ProfileOrDefault(v.ProfileCode)
	// The board is public: it shows the notice of every vote past its notice date, and
	// results and resolution once published (checked below).
	rec, err := s.votes.RecordOf(ctx, v)
	if err != nil {
		return nil, err
	}
	convenor := convenorName(v.Convenor, names)
	cal, err := s.workingCalendar(ctx, nil)
	if err != nil {
		return nil, err
	}
	closes := v.ClosesAt
	// The board shows when the notice went up on it: the notice's date, or the moment the
	// vote was opened when that came later; the paper notice's own date is a line of its
	// own (issue 16, item 9).
	posted := v.NoticePublishedAt
	if v.OpenedAt != nil && v.OpenedAt.After(posted) {
		posted = *v.OpenedAt
	}
	notice := Announcement{Kind: models.AnnounceNotice, KindLabel: AnnouncementKindLabel(models.AnnounceNotice),
		Title: noticeTitle(v.Title), PublishedAt: posted.UTC(), ShowUntil: showUntil(v.NoticePublishedAt, prof, &closes, cal), VoteID: v.ID,
		Lines: []string{
			"公告日期：" + v.NoticePublishedAt.In(rules.Shanghai()).Format(time.DateOnly),
			"召集人：" + convenor,
			"会议形式：" + voting.FormLabel(v.Form),
			"表决期间：" + textTime(v.OpensAt) + " 至 " + textTime(v.ClosesAt),
		}}
	if v.Location != "" {
		notice.Lines = append(notice.Lines, "地点："+v.Location)
	}
	for i, it := range rec.Items {
		line := fmt.Sprintf("表决事项%d：%s", i+1, it.Title)
		if it.IsElection() {
			names := make([]string, 0, len(it.Candidates))
			for _, c := range it.Candidates {
				names = append(names, c.Name)
			}
			line += fmt.Sprintf("（应选 %d 名；候选人：%s）", it.Seats, strings.Join(names, "、"))
		}
		notice.Lines = append(notice.Lines, line)
	}
	out := []Announcement{notice}
	if !v.Published() || v.PublishedAt == nil {
		return out, nil
	}
	rv, err := resolutionOf(rec, names, false)
	if err != nil {
		return nil, err
	}
	_, sum, err := s.buildResolution(rv)
	if err != nil {
		return nil, err
	}
	until := showUntil(*v.PublishedAt, prof, v.ObjectionDeadline, cal)
	results := Announcement{Kind: models.AnnounceResults, KindLabel: AnnouncementKindLabel(models.AnnounceResults),
		Title: v.Title + "表决结果公告", PublishedAt: v.PublishedAt.UTC(), ShowUntil: until, Late: v.PublishLate, VoteID: v.ID}
	quorum := "已达到"
	if !sum.QuorumMet {
		quorum = "未达到，本次表决不能形成有效决定"
	}
	results.Lines = append(results.Lines, fmt.Sprintf("参与表决：专有部分面积 %s 平方米（占 %s），业主 %d 人（占 %s）；参与表决要求%s。",
		sum.ParticipatingArea, sum.ParticipatingAreaPercent, sum.ParticipatingHeadcount, sum.ParticipatingHeadcountPercent, quorum))
	for _, it := range sum.Items {
		results.Lines = append(results.Lines, fmt.Sprintf("%s：%s（同意面积占 %s，同意人数占 %s）", it.Title, it.Outcome, it.AgreeAreaPercent, it.AgreeHeadcountPercent))
	}
	for _, e := range sum.Elections {
		line := fmt.Sprintf("%s：当选 %s", e.Title, joinOrNone(e.Elected))
		if len(e.Alternates) > 0 {
			line += "；候补委员 " + joinOrNone(e.Alternates)
		}
		results.Lines = append(results.Lines, line)
	}
	if v.ObjectionDeadline != nil {
		results.Lines = append(results.Lines, "对表决结果有异议的，可于"+rules.DeadlineText(*v.ObjectionDeadline, rules.DayLayoutZH)+"前向召集人书面提出。")
	}
	resolution := Announcement{Kind: models.AnnounceResolution, KindLabel: AnnouncementKindLabel(models.AnnounceResolution),
		Title: v.Title + "业主大会决议", PublishedAt: v.PublishedAt.UTC(), ShowUntil: until, VoteID: v.ID,
		DownloadPath: fmt.Sprintf("/votes/%d/resolution.pdf", v.ID),
		Lines:        []string{"决议全文见 PDF；扫描决议上的二维码或在本平台“文件核验”页面可核验其真实性。"}}
	if series, err := models.FindDocumentSeries(ctx, s.db, models.DocResolution, subjectOf("vote", v.ID)); err == nil {
		if d, err := models.InForceDocument(ctx, s.db, series.ID); err == nil && isPublic(d, now) {
			resolution.DocumentNumber, resolution.VerifyPath = d.DocNumber, "/verify/"+d.DocNumber
		}
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, app.Internal(err)
	}
	return append(out, results, resolution), nil
}

// joinOrNone joins names with the enumeration comma, or says 无.
func joinOrNone(names []string) string {
	if len(names) == 0 {
		return "无"
	}
	return strings.Join(names, "、")
}

// NewAnnouncement is an announcement staff publish on an estate's board, with an optional PDF.
type NewAnnouncement struct {
	Kind     string // notice, results, committee_decision or other
	Title    string
	Body     string
	Filename string
	PDF      []byte
}

// Limits of a staff announcement.
const (
	maxBody       = 20000
	MaxAttachment = 32 << 20 // bytes of an attached PDF
)

// PublishAnnouncement publishes an announcement on an estate's board now, shown for the
// profile's days and archived after. An attached PDF is stored byte-identical as a
// published document with its own number, so its copies can be verified.
func (s *Service) PublishAnnouncement(ctx context.Context, p app.Principal, estateID int64, in NewAnnouncement) (Announcement, error) {
	if err := access.Require(p, access.KeepRecords); err != nil {
		return Announcement{}, err
	}
	e, err := s.orgs.EstateForChange(ctx, p, estateID)
	if err != nil {
		return Announcement{}, err
	}
	switch in.Kind {
	case models.AnnounceNotice, models.AnnounceResults, models.AnnounceCommitteeDecision, models.AnnounceOther:
	case "":
		in.Kind = models.AnnounceOther
	default:
		return Announcement{}, app.Invalid("kind", app.M("err.documents.unknown_kind"))
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		return Announcement{}, app.Invalid("title", app.M("err.documents.the_title_is_required_2"))
	case n > maxTitle:
		return Announcement{}, app.Invalid("title", app.M("err.documents.at_most_characters", maxTitle))
	}
	if utf8.RuneCountInString(in.Body) > maxBody {
		return Announcement{}, app.Invalid("body", app.M("err.documents.at_most_characters", maxBody))
	}
	if in.Body == "" && len(in.PDF) == 0 {
		return Announcement{}, app.Invalid("body", app.M("err.documents.give_a_text_or_attach_a_pdf"))
	}
	if len(in.PDF) > 0 {
		if len(in.PDF) > MaxAttachment {
			return Announcement{}, app.Invalid("file", app.M("err.documents.at_most_mb", MaxAttachment>>20))
		}
		if !bytes.HasPrefix(in.PDF, []byte("%PDF-")) {
			return Announcement{}, app.Invalid("file", app.M("err.documents.the_attachment_must_be_a_pdf"))
		}
	}
	now := s.now()
	until, err := s.strictShowUntil(ctx, nil, now, rules.ProfileOrDefault(e.ProfileCode))
	if err != nil {
		return Announcement{}, err
	}
	a := models.Announcement{EstateID: e.ID, Kind: in.Kind, Title: in.Title, Body: in.Body, PublishedAt: now, ShowUntil: until,
		CreatedBy: userID(p), CreatedByName: p.Username, CreatedAt: now}
	var number string
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&a).Error; err != nil {
			return fmt.Errorf("creating announcement: %w", err)
		}
		detail := map[string]any{"kind": a.Kind, "title": a.Title}
		if len(in.PDF) > 0 {
			series, err := s.ensureSeries(ctx, tx, seriesSpec{kind: models.DocAttachment, subject: subjectOf("announcement", a.ID), estateID: e.ID})
			if err != nil {
				return err
			}
			published := now
			doc, err := s.insertVersion(ctx, tx, p, series, nil, version{title: a.Title, basis: "upload", data: in.PDF, createdAt: now,
				publishedAt: &published, showUntil: &until, summary: &Summary{EstateName: e.Name}})
			if err != nil {
				return err
			}
			if err := tx.Model(&a).Update("document_id", doc.ID).Error; err != nil {
				return fmt.Errorf("linking the attachment: %w", err)
			}
			number = doc.DocNumber
			detail["document"], detail["sha256"], detail["filename"] = doc.DocNumber, doc.SHA256, in.Filename
		}
		return audit.Record(ctx, tx, p, audit.Entry{Action: "announcement.publish", TargetType: "announcement", TargetID: a.ID, EstateID: e.ID, Detail: detail})
	})
	if err != nil {
		return Announcement{}, app.AsErrorOrNil(err)
	}
	out := Announcement{ID: a.ID, Kind: a.Kind, KindLabel: AnnouncementKindLabel(a.Kind), Title: a.Title, Lines: splitLines(a.Body),
		PublishedAt: a.PublishedAt, ShowUntil: a.ShowUntil}
	if number != "" {
		out.DocumentNumber, out.VerifyPath, out.DownloadPath = number, "/verify/"+number, "/verify/"+number+"/download"
	}
	return out, nil
}
