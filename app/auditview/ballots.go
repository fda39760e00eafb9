package auditview

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"gongzhi/app"
	"gongzhi/models"
)

// Choice is one entered answer of a paper or proxy ballot: the item's key and the
// choice as stored (canonical JSON of the answer).
type Choice struct {
	Item   string `json:"item"`
	Choice string `json:"choice"`
}

// Scan is a scanned original of a ballot; its file is served by the votes pages
// (/votes/{id}/scans/{scan}).
type Scan struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	At          time.Time `json:"at"`
}

// Image tells whether the scan can be shown inline.
func (s Scan) Image() bool { return s.ContentType == "image/png" || s.ContentType == "image/jpeg" }

// Ballot is one ballot as the workspace lists it. Choices are given for paper and
// proxy ballots only (to compare with their scans); an online ballot's choices stay
// apart from who cast it.
type Ballot struct {
	ID            int64     `json:"id"`
	Channel       string    `json:"channel"`
	Rooms         string    `json:"rooms"`
	CastAt        time.Time `json:"cast_at"`
	Receipt       string    `json:"receipt"`
	EnteredBy     string    `json:"entered_by,omitempty"`
	ProxyName     string    `json:"proxy_name,omitempty"`
	ProxyIDMasked string    `json:"proxy_id_masked,omitempty"`
	Authorisation string    `json:"proxy_authorisation,omitempty"`
	Note          string    `json:"note,omitempty"`
	Choices       []Choice  `json:"choices,omitempty"`
	Scans         []Scan    `json:"scans,omitempty"`
	VoidReason    string    `json:"void_reason,omitempty"`
	Voided        bool      `json:"voided"`
}

// BallotPage is one page of a vote's ballots.
type BallotPage struct {
	Vote     VoteHead `json:"vote"`
	Channel  string   `json:"channel"`
	Page     int      `json:"page"`
	Pages    int      `json:"pages"`
	Total    int64    `json:"total"`
	PageSize int      `json:"page_size"`
	Ballots  []Ballot `json:"ballots"`
}

// Ballots lists a page (from 1) of the vote's ballots in cast order, of one
// channel ("" for all).
func (s *Service) Ballots(ctx context.Context, p app.Principal, voteID int64, channel string, page int) (BallotPage, error) {
	v, e, err := s.loadVote(ctx, p, voteID)
	if err != nil {
		return BallotPage{}, err
	}
	switch channel {
	case "", models.ChannelOnline, models.ChannelPaper, models.ChannelProxy:
	default:
		return BallotPage{}, app.Invalid("channel", app.M("err.auditview.must_be_online_paper_or_proxy"))
	}
	if page < 1 {
		return BallotPage{}, app.Invalid("page", app.M("err.auditview.must_be_a_positive_whole_number"))
	}
	out := BallotPage{Vote: headOf(v, e), Channel: channel, Page: page, PageSize: PageSize, Ballots: []Ballot{}}
	q := s.db.WithContext(ctx).Model(&models.Ballot{}).Where("vote_id = ?", v.ID)
	if channel != "" {
		q = q.Where("channel = ?", channel)
	}
	if err := q.Count(&out.Total).Error; err != nil {
		return BallotPage{}, app.Internal(err)
	}
	out.Pages = int((out.Total + PageSize - 1) / PageSize)
	var rows []models.Ballot
	if err := q.Order("cast_at, id").Offset((page - 1) * PageSize).Limit(PageSize).Find(&rows).Error; err != nil {
		return BallotPage{}, app.Internal(err)
	}
	list, err := s.describe(ctx, rows)
	if err != nil {
		return BallotPage{}, app.Internal(err)
	}
	out.Ballots = list
	return out, nil
}

// describe adds rooms, voids, scans and (paper and proxy) choices to ballots.
func (s *Service) describe(ctx context.Context, rows []models.Ballot) ([]Ballot, error) {
	out := make([]Ballot, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(rows))
	voters := make([]int64, 0, len(rows))
	for _, b := range rows {
		ids, voters = append(ids, b.ID), append(voters, b.VoterID)
	}
	db := s.db.WithContext(ctx)
	var vv []models.VoteVoter
	if err := db.Select("id", "rooms").Where("id IN ?", voters).Find(&vv).Error; err != nil {
		return nil, fmt.Errorf("voters: %w", err)
	}
	rooms := map[int64]string{}
	for _, x := range vv {
		rooms[x.ID] = x.Rooms
	}
	var voids []models.BallotVoid
	if err := db.Where("ballot_id IN ?", ids).Find(&voids).Error; err != nil {
		return nil, fmt.Errorf("voids: %w", err)
	}
	voided := map[int64]string{}
	for _, x := range voids {
		voided[x.BallotID] = x.Reason
	}
	var scans []models.BallotScan
	if err := db.Select("id", "ballot_id", "filename", "content_type", "sha256", "uploaded_by_name", "created_at").
		Where("ballot_id IN ?", ids).Order("id").Find(&scans).Error; err != nil {
		return nil, fmt.Errorf("scans: %w", err)
	}
	scansOf := map[int64][]Scan{}
	for _, x := range scans {
		scansOf[x.BallotID] = append(scansOf[x.BallotID], Scan{ID: x.ID, Filename: x.Filename, ContentType: x.ContentType,
			SHA256: x.SHA256, UploadedBy: x.UploadedByName, At: x.CreatedAt})
	}
	var paperIDs []int64
	for _, b := range rows {
		if b.Channel != models.ChannelOnline {
			paperIDs = append(paperIDs, b.ID)
		}
	}
	choices := map[int64][]Choice{}
	if len(paperIDs) > 0 {
		var contents []models.BallotContent
		if err := db.Where("ballot_id IN ?", paperIDs).Find(&contents).Error; err != nil {
			return nil, fmt.Errorf("ballot contents: %w", err)
		}
		for _, c := range contents {
			choices[c.BallotID] = parseChoices(c.Choices)
		}
	}
	for _, b := range rows {
		reason, isVoid := voided[b.ID]
		out = append(out, Ballot{ID: b.ID, Channel: b.Channel, Rooms: rooms[b.VoterID], CastAt: b.CastAt, Receipt: b.Receipt,
			EnteredBy: b.EnteredByName, ProxyName: b.ProxyName, ProxyIDMasked: b.ProxyIDMasked, Authorisation: b.ProxyAuthorisation,
			Note: b.Note, Choices: choices[b.ID], Scans: scansOf[b.ID], VoidReason: reason, Voided: isVoid})
	}
	return out, nil
}

// parseChoices reads a ballot's canonical choices (a JSON object keyed by item) as
// sorted pairs; anything else is shown whole.
func parseChoices(raw string) []Choice {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return []Choice{{Item: "", Choice: raw}}
	}
	out := make([]Choice, 0, len(m))
	for k, v := range m {
		var str string
		if json.Unmarshal(v, &str) == nil {
			out = append(out, Choice{Item: k, Choice: str})
		} else {
			out = append(out, Choice{Item: k, Choice: string(v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Item < out[j].Item })
	return out
}
