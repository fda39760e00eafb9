package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
)

// VoteHandlers serves the assembly-vote endpoints (API.md: votes, open, credentials,
// ballots, paper ballots, results) and their extensions.
type VoteHandlers struct {
	Votes    *voting.Service
	Validate *httpx.Validator
	Proxies  httpx.Proxies // TRUSTED_PROXIES: a cast's client address (kept as a keyed hash) is the client behind them
}

// OptionalToken authenticates a bearer token when the request carries one (with
// require, the RequireToken middleware) and lets an anonymous request through.
func OptionalToken(require fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Get(fiber.HeaderAuthorization) == "" {
			return c.Next()
		}
		return require(c)
	}
}

type voteCandidateRequest struct {
	Key  string `json:"key" validate:"max=64"`
	Name string `json:"name" validate:"max=100"`
}

type voteItemRequest struct {
	Key         string                 `json:"key" validate:"max=64"`
	Title       string                 `json:"title" validate:"max=200"`
	Text        string                 `json:"text"`
	Matter      string                 `json:"matter" validate:"max=32"`
	Seats       int                    `json:"seats"`
	Alternates  int                    `json:"alternates"`
	ByElection  bool                   `json:"by_election"`
	VacantSeats int                    `json:"vacant_seats"`
	Candidates  []voteCandidateRequest `json:"candidates" validate:"dive"`
	ContractID  *int64                 `json:"contract_id"` // hire_dismiss_manager: the contract dismissed
	CompanyID   *int64                 `json:"company_id"`  // hire_dismiss_manager: the company proposed
	// RemovalCaseID makes an elect_committee item a removal (issue 12).
	RemovalCaseID int64 `json:"removal_case_id"`
}

func (r voteItemRequest) input() voting.ItemInput {
	in := voting.ItemInput{Key: r.Key, Title: r.Title, Text: r.Text, Matter: r.Matter, Seats: r.Seats, Alternates: r.Alternates,
		ByElection: r.ByElection, VacantSeats: r.VacantSeats, ContractID: r.ContractID, CompanyID: r.CompanyID, RemovalCaseID: r.RemovalCaseID}
	for _, c := range r.Candidates {
		in.Candidates = append(in.Candidates, voting.CandidateInput{Key: c.Key, Name: c.Name})
	}
	return in
}

type voteRequest struct {
	Title             string            `json:"title" validate:"max=200"`
	LegalProfile      string            `json:"legal_profile" validate:"max=32"`
	Form              string            `json:"form" validate:"max=16"`
	Convenor          string            `json:"convenor" validate:"max=32"`
	Location          string            `json:"location" validate:"max=200"`
	NoticePublishedAt string            `json:"notice_published_at"`
	OpensAt           string            `json:"opens_at"`
	ClosesAt          string            `json:"closes_at"`
	FollowMajority    bool              `json:"follow_majority"`
	Items             []voteItemRequest `json:"items" validate:"dive"`
}

// CreateVote drafts a vote of an estate: 201 {"id"}.
func (h *VoteHandlers) CreateVote(c *fiber.Ctx) error {
	estateID, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req voteRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	in := voting.NewVote{Title: req.Title, LegalProfile: req.LegalProfile, Form: req.Form, Convenor: req.Convenor,
		Location: req.Location, FollowMajority: req.FollowMajority}
	if in.NoticePublishedAt, err = parseTime("notice_published_at", req.NoticePublishedAt); err != nil {
		return err
	}
	if in.OpensAt, err = parseTime("opens_at", req.OpensAt); err != nil {
		return err
	}
	if in.ClosesAt, err = parseTime("closes_at", req.ClosesAt); err != nil {
		return err
	}
	for _, it := range req.Items {
		in.Items = append(in.Items, it.input())
	}
	id, err := h.Votes.Create(httpx.Ctx(c), httpx.MustPrincipal(c), estateID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id})
}

type voteCandidateJSON struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type voteItemJSON struct {
	Key         string              `json:"key"`
	Title       string              `json:"title"`
	Text        string              `json:"text"`
	Matter      string              `json:"matter"`
	MatterLabel string              `json:"matter_label"`
	Class       string              `json:"class"`
	Rule        string              `json:"rule"`
	RuleEN      string              `json:"rule_en"`
	LegalBasis  string              `json:"legal_basis"`
	Seats       int                 `json:"seats,omitempty"`
	Alternates  int                 `json:"alternates,omitempty"`
	ByElection  bool                `json:"by_election,omitempty"`
	VacantSeats int                 `json:"vacant_seats,omitempty"`
	Candidates  []voteCandidateJSON `json:"candidates,omitempty"`
	ContractID  *int64              `json:"contract_id,omitempty"`
	CompanyID   *int64              `json:"company_id,omitempty"`
	// RemovalCaseID is the case a removal item decides (issue 12).
	RemovalCaseID int64 `json:"removal_case_id,omitempty"`
}

func voteItemsJSON(items []voting.Item) []voteItemJSON {
	out := make([]voteItemJSON, 0, len(items))
	for _, it := range items {
		j := voteItemJSON{Key: it.Key, Title: it.Title, Text: it.Text, Matter: string(it.Matter), MatterLabel: it.MatterLabel,
			Class: string(it.Class), Rule: it.Rule, RuleEN: it.RuleEN, LegalBasis: it.LegalBasis,
			Seats: it.Seats, Alternates: it.Alternates, ByElection: it.ByElection, VacantSeats: it.VacantSeats,
			ContractID: it.ContractID, CompanyID: it.CompanyID, RemovalCaseID: it.RemovalCaseID}
		if it.IsElection() {
			j.Candidates = make([]voteCandidateJSON, 0, len(it.Candidates))
			for _, c := range it.Candidates {
				j.Candidates = append(j.Candidates, voteCandidateJSON{Key: c.Key, Name: c.Name})
			}
		}
		out = append(out, j)
	}
	return out
}

type voteSummaryJSON struct {
	ID                     int64     `json:"id"`
	EstateID               int64     `json:"estate_id"`
	Title                  string    `json:"title"`
	LegalProfile           string    `json:"legal_profile"`
	Form                   string    `json:"form"`
	Convenor               string    `json:"convenor"`
	State                  string    `json:"state"`
	Phase                  string    `json:"phase"`
	NoticePublishedAt      time.Time `json:"notice_published_at"`
	OpensAt                time.Time `json:"opens_at"`
	ClosesAt               time.Time `json:"closes_at"`
	ItemCount              int       `json:"item_count"`
	TotalArea              string    `json:"total_area"`
	TotalHeadcount         int       `json:"total_headcount"`
	ParticipatingHeadcount int       `json:"participating_headcount"`
	RegisterRule           string    `json:"register_rule"` // the co-owner rule (C3) the register was frozen under
	CreatedAt              time.Time `json:"created_at"`
}

func toVoteSummaryJSON(s voting.VoteSummary) voteSummaryJSON {
	return voteSummaryJSON{ID: s.ID, EstateID: s.EstateID, Title: s.Title, LegalProfile: s.LegalProfile, Form: s.Form,
		Convenor: s.Convenor, State: s.State, Phase: string(s.Phase), NoticePublishedAt: s.NoticePublishedAt.UTC(),
		OpensAt: s.OpensAt.UTC(), ClosesAt: s.ClosesAt.UTC(), ItemCount: s.Items, TotalArea: s.TotalArea.String(),
		TotalHeadcount: s.TotalHeadcount, ParticipatingHeadcount: s.ParticipatingHeadcount, RegisterRule: s.RegisterRule,
		CreatedAt: s.CreatedAt.UTC()}
}

// ListVotes lists an estate's votes, newest first.
func (h *VoteHandlers) ListVotes(c *fiber.Ctx) error {
	estateID, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.ListVotes(httpx.Ctx(c), httpx.MustPrincipal(c), estateID)
	if err != nil {
		return err
	}
	out := make([]voteSummaryJSON, 0, len(list))
	for _, s := range list {
		out = append(out, toVoteSummaryJSON(s))
	}
	return c.JSON(out)
}

type voteDetailJSON struct {
	voteSummaryJSON
	EstateName          string         `json:"estate_name"`
	JurisdictionProfile string         `json:"jurisdiction_profile"`
	JurisdictionVersion string         `json:"jurisdiction_profile_version"`
	JurisdictionName    string         `json:"jurisdiction_profile_name"`
	Location            string         `json:"location"`
	FollowMajority      bool           `json:"follow_majority"`
	AgendaRevision      int            `json:"agenda_revision"`
	AgendaEditable      bool           `json:"agenda_editable"`
	CanChange           bool           `json:"can_change"`
	QuorumRule          string         `json:"quorum_rule"`
	QuorumRuleEN        string         `json:"quorum_rule_en"`
	NoticeDays          int            `json:"notice_days"`
	ProxyMaxPrincipals  int            `json:"proxy_max_principals"`
	Items               []voteItemJSON `json:"items"`
	OpenedAt            *time.Time     `json:"opened_at"`
	ClosedAt            *time.Time     `json:"closed_at"`
	PublishedAt         *time.Time     `json:"published_at"`
	PublishDueAt        *time.Time     `json:"publish_due_at"`
	PublishLate         bool           `json:"publish_late"`
	ObjectionDeadline   *time.Time     `json:"objection_deadline"`
	FinalisedAt         *time.Time     `json:"finalised_at"`
	BallotsCounted      int            `json:"ballots_counted"`
	TallySHA256         string         `json:"tally_sha256"`
	ReceiptsDigest      string         `json:"receipts_digest"`
}

// GetVote returns one vote with its agenda.
func (h *VoteHandlers) GetVote(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.Votes.Vote(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(voteDetailJSON{voteSummaryJSON: toVoteSummaryJSON(d.VoteSummary), EstateName: d.EstateName,
		JurisdictionProfile: d.ProfileCode, JurisdictionVersion: d.ProfileVersion, JurisdictionName: d.ProfileName,
		Location: d.Location, FollowMajority: d.FollowMajority, AgendaRevision: d.AgendaRevision, AgendaEditable: d.AgendaEditable,
		CanChange: d.CanChange, QuorumRule: d.QuorumRule, QuorumRuleEN: d.QuorumRuleEN, NoticeDays: d.NoticeDays,
		ProxyMaxPrincipals: d.ProxyMaxPrincipals, Items: voteItemsJSON(d.Items),
		OpenedAt: optTime(d.OpenedAt), ClosedAt: optTime(d.ClosedAt), PublishedAt: optTime(d.PublishedAt),
		PublishDueAt: optTime(d.PublishDueAt), PublishLate: d.PublishLate, ObjectionDeadline: optTime(d.ObjectionDeadline),
		FinalisedAt: optTime(d.FinalisedAt), BallotsCounted: d.BallotsCounted, TallySHA256: d.TallySHA256, ReceiptsDigest: d.ReceiptsDigest})
}

type voteItemsRequest struct {
	Items []voteItemRequest `json:"items" validate:"dive"`
}

// ReplaceItems replaces the agenda of a draft before its notice: 200 {"agenda_revision"}.
func (h *VoteHandlers) ReplaceItems(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req voteItemsRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	items := make([]voting.ItemInput, 0, len(req.Items))
	for _, it := range req.Items {
		items = append(items, it.input())
	}
	rev, err := h.Votes.UpdateItems(httpx.Ctx(c), httpx.MustPrincipal(c), id, items)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"agenda_revision": rev})
}

// AddItem appends one item to the agenda of a draft before its notice: 201 {"agenda_revision"}.
func (h *VoteHandlers) AddItem(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req voteItemRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	rev, err := h.Votes.AddItem(httpx.Ctx(c), httpx.MustPrincipal(c), id, req.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"agenda_revision": rev})
}

// DeleteVote deletes a draft whose notice is not yet published: 204 (issue 16); 409
// once the notice is out or the vote opened.
func (h *VoteHandlers) DeleteVote(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.Votes.Delete(httpx.Ctx(c), httpx.MustPrincipal(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// OpenVote freezes the register and issues the credentials: 200.
func (h *VoteHandlers) OpenVote(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	res, err := h.Votes.Open(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": id, "state": "open", "voters": res.Voters, "units": res.Units, "credentials": res.Voters,
		"total_area": res.TotalArea.String(), "total_headcount": res.TotalHeadcount, "register_rule": res.RegisterRule,
		"count_parking": res.CountParking})
}

type voteBallotMarkJSON struct {
	BallotID int64     `json:"ballot_id"`
	Channel  string    `json:"channel"`
	CastAt   time.Time `json:"cast_at"`
}

func voteMarkJSON(m *voting.BallotMark) *voteBallotMarkJSON {
	if m == nil {
		return nil
	}
	return &voteBallotMarkJSON{BallotID: m.BallotID, Channel: m.Channel, CastAt: m.CastAt.UTC()}
}

type voteCredentialJSON struct {
	VoterID      int64               `json:"voter_id"`
	Rooms        []string            `json:"rooms"`
	Token        string              `json:"token"`
	URL          string              `json:"url"`
	Code         string              `json:"code"`
	Area         string              `json:"area"`
	Owners       []string            `json:"owners"`
	Developer    bool                `json:"developer"`
	Status       string              `json:"status"`
	FailedChecks int                 `json:"failed_checks"`
	AttemptsLeft int                 `json:"attempts_left"`
	Generation   int                 `json:"generation"`
	IssuedAt     time.Time           `json:"issued_at"`
	Voted        *voteBallotMarkJSON `json:"voted"`
}

func voteToCredentialJSON(cr voting.Credential) voteCredentialJSON {
	return voteCredentialJSON{VoterID: cr.VoterID, Rooms: cr.Rooms, Token: cr.Token, URL: cr.URL, Code: cr.Code, Area: cr.Area.String(),
		Owners: cr.Owners, Developer: cr.Developer, Status: cr.Status, FailedChecks: cr.FailedChecks, AttemptsLeft: cr.AttemptsLeft,
		Generation: cr.Generation, IssuedAt: cr.IssuedAt.UTC(), Voted: voteMarkJSON(cr.Voted)}
}

// Credentials lists every voter's current credential with token and URL.
func (h *VoteHandlers) Credentials(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.Credentials(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]voteCredentialJSON, 0, len(list))
	for _, cr := range list {
		out = append(out, voteToCredentialJSON(cr))
	}
	return c.JSON(out)
}

type voteReasonRequest struct {
	Reason string `json:"reason" validate:"max=500"`
}

// ReissueCredential revokes a voter's credential and issues a new one: 200 credential.
func (h *VoteHandlers) ReissueCredential(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	voterID, err := PathID(c, "voter")
	if err != nil {
		return err
	}
	var req voteReasonRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	cr, err := h.Votes.RevokeAndReissue(httpx.Ctx(c), httpx.MustPrincipal(c), id, voterID, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(voteToCredentialJSON(cr))
}

type voteVoterMatchJSON struct {
	VoterID   int64               `json:"voter_id"`
	Rooms     []string            `json:"rooms"`
	Area      string              `json:"area"`
	Owners    []string            `json:"owners"`
	Developer bool                `json:"developer"`
	Voted     *voteBallotMarkJSON `json:"voted"`
}

// SearchVoters finds voters by room prefix or owner name (?q=, ?limit=).
func (h *VoteHandlers) SearchVoters(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, err := h.Votes.SearchVoters(httpx.Ctx(c), httpx.MustPrincipal(c), id, c.Query("q"), limit)
	if err != nil {
		return err
	}
	out := make([]voteVoterMatchJSON, 0, len(list))
	for _, m := range list {
		out = append(out, voteVoterMatchJSON{VoterID: m.VoterID, Rooms: m.Rooms, Area: m.Area.String(), Owners: m.Owners,
			Developer: m.Developer, Voted: voteMarkJSON(m.Voted)})
	}
	return c.JSON(out)
}

// voteDecodeChoices reads the choices object of a ballot: a string answers an ordinary
// item, a list of candidate keys an election item, null leaves the item blank.
func voteDecodeChoices(raw map[string]json.RawMessage) (voting.Choices, error) {
	out := make(voting.Choices, len(raw))
	for key, v := range raw {
		field := "choices." + key
		trimmed := strings.TrimSpace(string(v))
		switch {
		case trimmed == "null":
		case strings.HasPrefix(trimmed, `"`):
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, app.Invalid(field, app.M("err.api.unreadable"))
			}
			out[key] = voting.Choice{Option: s}
		case strings.HasPrefix(trimmed, "["):
			var list []string
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, app.Invalid(field, app.M("err.api.must_be_a_list_of_candidate_keys"))
			}
			out[key] = voting.Choice{Candidates: list, IsList: true}
		default:
			return nil, app.Invalid(field, app.M("err.api.must_be_agree_oppose_abstain_or_a_list_of"))
		}
	}
	return out, nil
}

type voteProxyRequest struct {
	Name          string `json:"name" validate:"max=100"`
	IDNumber      string `json:"id_number" validate:"max=32"`
	Authorisation string `json:"authorisation" validate:"max=200"`
}

type voteScanRequest struct {
	Filename string `json:"filename" validate:"max=255"`
	Data     []byte `json:"data"` // base64 in JSON
}

type votePaperBallotRequest struct {
	Room    string                     `json:"room" validate:"max=160"`
	Choices map[string]json.RawMessage `json:"choices"`
	Proxy   *voteProxyRequest          `json:"proxy"`
	Scan    *voteScanRequest           `json:"scan"`
	Note    string                     `json:"note" validate:"max=500"`
}

type voteReceiptJSON struct {
	Receipt  string    `json:"receipt"`
	BallotID int64     `json:"ballot_id"`
	VoteID   int64     `json:"vote_id"`
	Channel  string    `json:"channel"`
	CastAt   time.Time `json:"cast_at"`
}

func voteToReceiptJSON(r voting.Receipt) voteReceiptJSON {
	return voteReceiptJSON{Receipt: r.Code, BallotID: r.BallotID, VoteID: r.VoteID, Channel: r.Channel, CastAt: r.CastAt.UTC()}
}

// PaperBallot enters a paper or proxy ballot by room: 201 {"receipt",...}.
func (h *VoteHandlers) PaperBallot(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	var req votePaperBallotRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	choices, err := voteDecodeChoices(req.Choices)
	if err != nil {
		return err
	}
	in := voting.PaperBallot{Room: req.Room, Choices: choices, Note: req.Note}
	if req.Proxy != nil {
		in.Proxy = &voting.ProxyInput{Name: req.Proxy.Name, IDNumber: req.Proxy.IDNumber, Authorisation: req.Proxy.Authorisation}
	}
	if req.Scan != nil {
		in.Scan = &voting.ScanInput{Filename: req.Scan.Filename, Data: req.Scan.Data}
	}
	r, err := h.Votes.CastPaper(httpx.Ctx(c), httpx.MustPrincipal(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(voteToReceiptJSON(r))
}

type voteScanJSON struct {
	ID          int64     `json:"id"`
	BallotID    int64     `json:"ballot_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

func voteToScanJSON(s voting.ScanInfo) voteScanJSON {
	return voteScanJSON{ID: s.ID, BallotID: s.BallotID, Filename: s.Filename, ContentType: s.ContentType, Size: s.SizeBytes,
		SHA256: s.SHA256, UploadedBy: s.UploadedBy, CreatedAt: s.CreatedAt.UTC()}
}

type voteProxyJSON struct {
	Name          string `json:"name"`
	IDMasked      string `json:"id_masked"`
	Authorisation string `json:"authorisation"`
}

type voteVoidJSON struct {
	BallotID int64     `json:"ballot_id"`
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

type voteBallotRecordJSON struct {
	ID        int64          `json:"id"`
	VoterID   int64          `json:"voter_id"`
	Rooms     []string       `json:"rooms"`
	Channel   string         `json:"channel"`
	Attempt   int            `json:"attempt"`
	CastAt    time.Time      `json:"cast_at"`
	Receipt   string         `json:"receipt"`
	EnteredBy string         `json:"entered_by"`
	Proxy     *voteProxyJSON `json:"proxy"`
	Note      string         `json:"note"`
	Scans     []voteScanJSON `json:"scans"`
	Void      *voteVoidJSON  `json:"void"`
}

// Ballots lists every ballot of a vote (who, how, when, voids; never choices).
func (h *VoteHandlers) Ballots(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := h.Votes.Ballots(httpx.Ctx(c), httpx.MustPrincipal(c), id)
	if err != nil {
		return err
	}
	out := make([]voteBallotRecordJSON, 0, len(list))
	for _, b := range list {
		j := voteBallotRecordJSON{ID: b.ID, VoterID: b.VoterID, Rooms: b.Rooms, Channel: b.Channel, Attempt: b.Attempt,
			CastAt: b.CastAt.UTC(), Receipt: b.Receipt, EnteredBy: b.EnteredBy, Note: b.Note, Scans: []voteScanJSON{}}
		if b.ProxyName != "" {
			j.Proxy = &voteProxyJSON{Name: b.ProxyName, IDMasked: b.ProxyIDMasked, Authorisation: b.Authorisation}
		}
		for _, s := range b.Scans {
			j.Scans = append(j.Scans, voteToScanJSON(s))
		}
		if b.Void != nil {
			j.Void = &voteVoidJSON{BallotID: b.ID, Reason: b.Void.Reason, By: b.Void.By, At: b.Void.At.UTC()}
		}
		out = append(out, j)
	}
	return c.JSON(out)
}

// VoidBallot voids a ballot with a reason: 200 {"ballot_id","reason","by","at"}.
func (h *VoteHandlers) VoidBallot(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	ballotID, err := PathID(c, "ballot")
	if err != nil {
		return err
	}
	var req voteReasonRequest
	if err := h.Validate.Bind(c, &req); err != nil {
		return err
	}
	v, err := h.Votes.Void(httpx.Ctx(c), httpx.MustPrincipal(c), id, ballotID, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(voteVoidJSON{BallotID: v.BallotID, Reason: v.Reason, By: v.By, At: v.At.UTC()})
}

// AttachScan adds a scanned original (multipart field "file") to a paper or proxy ballot: 201.
func (h *VoteHandlers) AttachScan(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	ballotID, err := PathID(c, "ballot")
	if err != nil {
		return err
	}
	name, data, err := ReadUpload(c, "file", voting.MaxScanBytes)
	if err != nil {
		return err
	}
	s, err := h.Votes.AttachScan(httpx.Ctx(c), httpx.MustPrincipal(c), id, ballotID, voting.ScanInput{Filename: name, Data: data})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(voteToScanJSON(s))
}

// DownloadScan sends a stored scan.
func (h *VoteHandlers) DownloadScan(c *fiber.Ctx) error {
	id, err := PathID(c, "id")
	if err != nil {
		return err
	}
	scanID, err := PathID(c, "scan")
	if err != nil {
		return err
	}
	f, err := h.Votes.Scan(httpx.Ctx(c), httpx.MustPrincipal(c), id, scanID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="scan-%d%s"; filename*=UTF-8''%s`,
		f.ID, voteScanExt(f.ContentType), voteUrlPathEscape(f.Filename)))
	c.Set("X-Content-SHA256", f.SHA256)
	return c.Send(f.Data)
}

func voteScanExt(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

// voteUrlPathEscape percent-encodes a filename for Content-Disposition (RFC 5987).
func voteUrlPathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
