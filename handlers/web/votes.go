package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/skip2/go-qrcode"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// votesListData is an estate's list of votes.
type votesListData struct {
	Estate   models.EstateWithPath
	Votes    []voting.VoteSummary
	CanDraft bool
}

// VotesPage lists the votes of an estate, newest first.
func (h *VotePages) VotesPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	e, err := h.Orgs.Estate(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	list, err := h.Votes.ListVotes(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	d := votesListData{Estate: e, Votes: list, CanDraft: h.Votes.Permissions(p).Run}
	return h.Render(c, "votes", h.page(c, "estates", d))
}

// voteDetailData is a vote's staff page.
type voteDetailData struct {
	V          voting.VoteDetail
	QuorumRule string
	Items      []ballotItem
	Part       *participationView
	Results    *resultsView
	Matters    []option
	F          map[string]string
	Finalise   bool // the objection window has ended: finalising is possible
}

// voteDetail loads everything the vote page shows. A vote whose closing time has
// passed is counted on the way (Results closes it if the closer has not yet).
func (h *VotePages) voteDetail(c *fiber.Ctx, p app.Principal, id int64) (voteDetailData, error) {
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return voteDetailData{}, err
	}
	lang := Lang(c)
	d := voteDetailData{V: v, F: map[string]string{}}
	if v.Phase != voting.PhaseDraft && v.Phase != voting.PhaseScheduled && v.Phase != voting.PhaseVoting {
		res, err := h.Votes.Results(ctx, &p, id)
		if err != nil {
			return voteDetailData{}, err
		}
		if v.Phase == voting.PhaseCounting {
			if v, err = h.Votes.Vote(ctx, p, id); err != nil {
				return voteDetailData{}, err
			}
			d.V = v
		}
		d.Results = h.newResultsView(lang, res.Result, v.Items)
	}
	d.QuorumRule = ruleIn(lang, v.QuorumRule, v.QuorumRuleEN)
	d.Items = h.ballotItems(lang, v.Items, nil)
	if v.State != models.VoteDraft {
		part, err := h.Votes.Participation(ctx, p, id)
		if err != nil {
			return voteDetailData{}, err
		}
		pv := newParticipationView(lang, part)
		d.Part = &pv
	}
	d.Matters = h.itemMatters(lang)
	d.Finalise = h.Votes.ObjectionWindow(v).Over
	return d, nil
}

// VotePage shows a vote: state, dates, every item in full, live participation
// against the quorum lines (by building and channel), and after the closing time
// the result with each item's rule in words.
func (h *VotePages) VotePage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote", "estates", h.voteDetail)
}

// voteDone finishes a change made from the vote page: back to it with a message,
// or the page again with the refusal.
func (h *VotePages) voteDone(c *fiber.Ctx, p app.Principal, id int64, err error, flash string) error {
	load := func() (voteDetailData, error) {
		d, err := h.voteDetail(c, p, id)
		d.F = formEcho(c)
		return d, err
	}
	return refuseOrRedirect(c, h.Handlers, err, "vote", "estates", load, fmt.Sprintf("/votes/%d", id), flash)
}

// voteAction runs one change of a vote from its page.
func (h *VotePages) voteAction(do func(c *fiber.Ctx, p app.Principal, id int64) (string, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, id, err := principalAndID(c)
		if err != nil {
			return err
		}
		flash, err := do(c, p, id)
		if err != nil && app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.voteDone(c, p, id, err, flash)
	}
}

// AddItem appends an item to a draft whose notice is not yet published (T3).
func (h *VotePages) AddItem(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		v, err := h.Votes.Vote(httpx.Ctx(c), p, id)
		if err != nil {
			return "", err
		}
		item := voting.ItemInput{Key: fmt.Sprintf("item%d", len(v.Items)+1), Title: c.FormValue("title"), Text: c.FormValue("text"),
			Matter: c.FormValue("matter")}
		if _, err := h.Votes.AddItem(httpx.Ctx(c), p, id, item); err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "vote.item_added"), nil
	})(c)
}

// Open freezes the register and issues the credentials.
func (h *VotePages) Open(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		if err := h.confirmed(c); err != nil {
			return "", err
		}
		r, err := h.Votes.Open(httpx.Ctx(c), p, id)
		if err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "vote.opened", "Voters", r.Voters, "Units", r.Units, "Area", r.TotalArea.String(),
			"Headcount", r.TotalHeadcount), nil
	})(c)
}

// Publish publishes the preliminary result with its objection window.
func (h *VotePages) Publish(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		if err := h.confirmed(c); err != nil {
			return "", err
		}
		pub, err := h.Votes.Publish(httpx.Ctx(c), p, id)
		if err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "vote.published", "Deadline", pub.ObjectionDeadline.In(rules.Shanghai()).Format("2006-01-02 15:04")), nil
	})(c)
}

// Finalise declares the published result final.
func (h *VotePages) Finalise(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		if err := h.confirmed(c); err != nil {
			return "", err
		}
		if _, err := h.Votes.Finalise(httpx.Ctx(c), p, id); err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "vote.finalised"), nil
	})(c)
}

// credentialView is one voter's credential with its QR code as a data: URI (the
// image never sits at a URL of its own, so only this staff page shows it).
type credentialView struct {
	voting.Credential
	QR template.URL
}

// voteCredentialsData is the printable credentials page.
type voteCredentialsData struct {
	V       voting.VoteDetail
	Creds   []credentialView // one page of the matching credentials
	Pager   listPager
	Room    string
	Matched int // credentials matching Room
	Total   int
	Error   string
}

// qrDataURI encodes text as a PNG QR code in a data: URI.
func qrDataURI(text string) (template.URL, error) {
	png, err := qrcode.Encode(text, qrcode.Medium, 220)
	if err != nil {
		return "", app.Internal(fmt.Errorf("qr code: %w", err))
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil // our own PNG bytes
}

func (h *VotePages) credentialsData(c *fiber.Ctx, p app.Principal, id int64) (voteCredentialsData, error) {
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return voteCredentialsData{}, err
	}
	creds, err := h.Votes.Credentials(ctx, p, id)
	if err != nil {
		return voteCredentialsData{}, err
	}
	room := strings.TrimSpace(c.Query("room"))
	d := voteCredentialsData{V: v, Room: room, Total: len(creds)}
	var matched []voting.Credential
	for _, cr := range creds {
		if room == "" || roomsHavePrefix(cr.Rooms, room) || ownersContain(cr.Owners, room) {
			matched = append(matched, cr)
		}
	}
	// One page at a time (issue 16): a QR image is 2 KB, so all 1,089 of a large
	// estate made a 2.5 MB page. Print a building with ?room=2- page by page.
	d.Matched, d.Pager = len(matched), paginate(c, len(matched))
	for _, cr := range window(matched, d.Pager) {
		qr, err := qrDataURI(cr.URL)
		if err != nil {
			return voteCredentialsData{}, err
		}
		d.Creds = append(d.Creds, credentialView{Credential: cr, QR: qr})
	}
	return d, nil
}

// ownersContain: part of an owner's name as the credentials show it (masked).
func ownersContain(owners []string, q string) bool {
	for _, o := range owners {
		if strings.Contains(o, q) {
			return true
		}
	}
	return false
}

func roomsHavePrefix(rooms []string, prefix string) bool {
	for _, r := range rooms {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

// CredentialsPage lists the voters' personal links with their QR codes, printable,
// 50 a page (?room= narrows to rooms starting with it, e.g. one building "2-", or
// to owners whose masked name contains it).
func (h *VotePages) CredentialsPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote_credentials", "estates", h.credentialsData)
}

// Reissue revokes a voter's credential (lost, or locked) and issues a new one.
func (h *VotePages) Reissue(c *fiber.Ctx) error {
	p, id, voterID, err := principalAndIDs(c, "voter")
	if err != nil {
		return err
	}
	err = h.confirmed(c)
	var cr voting.Credential
	if err == nil {
		cr, err = h.Votes.RevokeAndReissue(httpx.Ctx(c), p, id, voterID, c.FormValue("reason"))
	}
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		d, derr := h.credentialsData(c, p, id)
		if derr != nil {
			return derr
		}
		return h.RenderWithError(c, "vote_credentials", h.page(c, "estates", d), err)
	}
	msg := h.Views.T(Lang(c), "vote.reissued", "Rooms", strings.Join(cr.Rooms, h.Views.T(Lang(c), "vote.sep")))
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/credentials?room=%s#voter-%d", id, url.QueryEscape(firstOr(cr.Rooms, "")), voterID), msg)
}

func firstOr(list []string, fallback string) string {
	if len(list) > 0 {
		return list[0]
	}
	return fallback
}

// votePaperData is the paper and proxy ballot entry page.
type votePaperData struct {
	V         voting.VoteDetail
	Query     string
	Matches   []voting.VoterMatch
	Searched  bool
	Voter     *voting.VoterMatch
	Room      string
	Items     []ballotItem
	F         map[string]string
	MaxScanMB int
}

func (h *VotePages) paperData(c *fiber.Ctx, p app.Principal, id int64, room string, choices voting.Choices, echo map[string]string) (votePaperData, error) {
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return votePaperData{}, err
	}
	d := votePaperData{V: v, Query: strings.TrimSpace(c.Query("q")), Room: room, F: echo, MaxScanMB: voting.MaxScanBytes >> 20}
	if d.F == nil {
		d.F = map[string]string{"kind": models.ChannelPaper}
	}
	if v.State == models.VoteDraft {
		return d, nil
	}
	if d.Query != "" {
		d.Searched = true
		if d.Matches, err = h.Votes.SearchVoters(ctx, p, id, d.Query, 50); err != nil {
			return votePaperData{}, err
		}
	}
	if room != "" {
		matches, err := h.Votes.SearchVoters(ctx, p, id, room, 20)
		if err != nil {
			return votePaperData{}, err
		}
		for i := range matches {
			for _, r := range matches[i].Rooms {
				if r == room {
					d.Voter = &matches[i]
				}
			}
		}
		d.Items = h.ballotItems(Lang(c), v.Items, choices)
	}
	return d, nil
}

// PaperPage finds a voter by room or owner name (?q=) and, for a chosen room
// (?room=), shows the form to enter a paper or proxy ballot.
func (h *VotePages) PaperPage(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	d, err := h.paperData(c, p, id, strings.TrimSpace(c.Query("room")), nil, nil)
	if err != nil {
		return err
	}
	return h.Render(c, "vote_paper", h.page(c, "estates", d))
}

// uploadedScan reads the optional uploaded file field as a scan (nil when none).
func uploadedScan(c *fiber.Ctx, field string) (*voting.ScanInput, error) {
	up, err := httpx.FormFile(c, field, voting.MaxScanBytes)
	if err != nil || up == nil {
		return nil, err
	}
	return &voting.ScanInput{Filename: up.Filename, Data: up.Data}, nil
}

// EnterPaper enters a paper ballot, or a proxy ballot with the proxy's name, ID
// number and the reference of the written authorisation, with an optional scan;
// the signed-in staff member is recorded as who entered it. A voter who already
// voted by any channel is refused (409) with when and how.
func (h *VotePages) EnterPaper(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return err
	}
	room := strings.TrimSpace(c.FormValue("room"))
	choices := choicesFromForm(c, v.Items)
	in := voting.PaperBallot{Room: room, Choices: choices, Note: c.FormValue("note")}
	if c.FormValue("kind") == models.ChannelProxy {
		in.Proxy = &voting.ProxyInput{Name: c.FormValue("proxy_name"), IDNumber: c.FormValue("proxy_id_number"),
			Authorisation: c.FormValue("proxy_authorisation")}
	}
	scan, err := uploadedScan(c, "scan")
	if err != nil {
		return err
	}
	in.Scan = scan
	r, err := h.Votes.CastPaper(ctx, p, id, in)
	if err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		echo := formEcho(c)
		delete(echo, "proxy_id_number") // an ID number is typed again, never echoed
		d, derr := h.paperData(c, p, id, room, choices, echo)
		if derr != nil {
			return derr
		}
		return h.RenderWithError(c, "vote_paper", h.page(c, "estates", d), err)
	}
	msg := h.Views.T(Lang(c), "vote.paper_entered", "Room", room, "Channel", h.Views.T(Lang(c), "vote.channel."+r.Channel),
		"Receipt", r.Code)
	return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d/paper", id), msg)
}

// voteBallotsData is the ballot list with the vote's trail.
type voteBallotsData struct {
	V         voting.VoteDetail
	Ballots   []voting.BallotRecord
	Events    []voting.Event
	Live      int
	Voided    int
	CanVoid   bool
	CanAttach bool
}

func (h *VotePages) ballotsData(c *fiber.Ctx, p app.Principal, id int64) (voteBallotsData, error) {
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return voteBallotsData{}, err
	}
	list, err := h.Votes.Ballots(ctx, p, id)
	if err != nil {
		return voteBallotsData{}, err
	}
	events, err := h.Votes.Events(ctx, p, id)
	if err != nil {
		return voteBallotsData{}, err
	}
	d := voteBallotsData{V: v, Ballots: list, Events: events, CanVoid: v.CanChange && v.Phase == voting.PhaseVoting, CanAttach: v.CanChange}
	for _, b := range list {
		if b.Void != nil {
			d.Voided++
		} else {
			d.Live++
		}
	}
	return d, nil
}

// BallotsPage lists every ballot (who, how, when, entered by, proxy, scans, voids;
// never the choices) and the vote's trail, for staff and auditors.
func (h *VotePages) BallotsPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote_ballots", "estates", h.ballotsData)
}

// ballotsDone returns to the ballot list with a message, or shows it with the refusal.
func (h *VotePages) ballotsDone(c *fiber.Ctx, p app.Principal, id int64, err error, flash string) error {
	if app.ErrorCode(err) == app.ENotFound {
		return err
	}
	return refuseOrRedirect(c, h.Handlers, err, "vote_ballots", "estates", func() (voteBallotsData, error) { return h.ballotsData(c, p, id) },
		fmt.Sprintf("/votes/%d/ballots", id), flash)
}

// Void voids a ballot with the reason given (required), during the voting period.
func (h *VotePages) Void(c *fiber.Ctx) error {
	p, id, ballotID, err := principalAndIDs(c, "ballot")
	if err != nil {
		return err
	}
	_, err = h.Votes.Void(httpx.Ctx(c), p, id, ballotID, c.FormValue("reason"))
	return h.ballotsDone(c, p, id, err, h.Views.T(Lang(c), "vote.voided", "ID", ballotID))
}

// AttachScan adds the scanned original to a paper or proxy ballot.
func (h *VotePages) AttachScan(c *fiber.Ctx) error {
	p, id, ballotID, err := principalAndIDs(c, "ballot")
	if err != nil {
		return err
	}
	scan, err := uploadedScan(c, "file")
	if err != nil {
		return err
	}
	if scan == nil {
		return h.ballotsDone(c, p, id, app.Invalid("file", h.Views.T(Lang(c), "vote.scan_missing")), "")
	}
	_, err = h.Votes.AttachScan(httpx.Ctx(c), p, id, ballotID, *scan)
	return h.ballotsDone(c, p, id, err, h.Views.T(Lang(c), "vote.scan_attached", "ID", ballotID))
}

// DownloadScan sends a stored scan as a download.
func (h *VotePages) DownloadScan(c *fiber.Ctx) error {
	p, id, scanID, err := principalAndIDs(c, "scan")
	if err != nil {
		return err
	}
	f, err := h.Votes.Scan(httpx.Ctx(c), p, id, scanID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="scan-%d"; filename*=UTF-8''%s`, f.ID, url.PathEscape(f.Filename)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(f.Data)
}

// voteObjectionsData is the objections page.
type voteObjectionsData struct {
	V         voting.VoteDetail
	List      []voting.Objection
	Open      int
	CanRecord bool
	Finalise  bool
	F         map[string]string
}

func (h *VotePages) objectionsData(c *fiber.Ctx, p app.Principal, id int64) (voteObjectionsData, error) {
	ctx := httpx.Ctx(c)
	v, err := h.Votes.Vote(ctx, p, id)
	if err != nil {
		return voteObjectionsData{}, err
	}
	list, err := h.Votes.Objections(ctx, p, id)
	if err != nil {
		return voteObjectionsData{}, err
	}
	windowOpen := h.Votes.ObjectionWindow(v).Open
	d := voteObjectionsData{V: v, List: list, CanRecord: v.CanChange && windowOpen, F: map[string]string{},
		Finalise: v.CanChange && v.Phase == voting.PhasePublished && !windowOpen}
	for _, o := range list {
		if !o.Answered {
			d.Open++
		}
	}
	return d, nil
}

// ObjectionsPage lists the objections to the preliminary result with their answers,
// the form to record one received on paper, and the answer forms.
func (h *VotePages) ObjectionsPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote_objections", "estates", h.objectionsData)
}

// objectionsDone returns to the objections page with a message, or shows it with the refusal.
func (h *VotePages) objectionsDone(c *fiber.Ctx, p app.Principal, id int64, err error, flash string) error {
	if app.ErrorCode(err) == app.ENotFound && c.Params("objection") == "" {
		return err
	}
	load := func() (voteObjectionsData, error) {
		d, err := h.objectionsData(c, p, id)
		d.F = formEcho(c)
		return d, err
	}
	return refuseOrRedirect(c, h.Handlers, err, "vote_objections", "estates", load, fmt.Sprintf("/votes/%d/objections", id), flash)
}

// RecordObjection records an objection received on paper.
func (h *VotePages) RecordObjection(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	_, err = h.Votes.RecordObjection(httpx.Ctx(c), p, id, c.FormValue("submitter"), c.FormValue("content"))
	return h.objectionsDone(c, p, id, err, h.Views.T(Lang(c), "vote.objection_recorded"))
}

// AnswerObjection records the answer to an objection.
func (h *VotePages) AnswerObjection(c *fiber.Ctx) error {
	p, id, objectionID, err := principalAndIDs(c, "objection")
	if err != nil {
		return err
	}
	_, err = h.Votes.AnswerObjection(httpx.Ctx(c), p, id, objectionID, c.FormValue("answer"))
	return h.objectionsDone(c, p, id, err, h.Views.T(Lang(c), "vote.objection_answered"))
}
