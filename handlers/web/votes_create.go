package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// voteItemSlotsMax is how many ordinary item blocks the drafting form reads (besides
// the one election item). The form shows one block and a button that shows one more
// (a plain submit: it works without JavaScript and keeps what was typed); more can be
// added on the vote's page while its notice is not yet published, or through the API.
const voteItemSlotsMax = 50

// itemSlotsShown is how many item blocks the posted form showed (its item_slots), at
// least the highest block with input, at least one; adding asks for one more.
func itemSlotsShown(c *fiber.Ctx, adding bool) int {
	n, _ := strconv.Atoi(c.FormValue("item_slots"))
	for slot := voteItemSlotsMax; slot > n; slot-- {
		s := strconv.Itoa(slot)
		if strings.TrimSpace(c.FormValue("item_title_"+s)+c.FormValue("item_text_"+s)+c.FormValue("item_matter_"+s)) != "" {
			n = slot
			break
		}
	}
	if adding {
		n++
	}
	return min(max(n, 1), voteItemSlotsMax)
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// voteNewData is the drafting form: what was typed (F), and the refusal per input.
type voteNewData struct {
	Estate     models.EstateWithPath
	Profile    rules.JurisdictionProfile
	F          map[string]string
	Errs       map[string]string
	Slots      []int
	NSlots     int // len(Slots), posted back as item_slots
	Matters    []option
	Legal      []option
	Forms      []option
	Convenors  []option
	FollowNote string
}

func (h *VotePages) newVoteData(c *fiber.Ctx, p app.Principal, estateID int64, echo map[string]string) (voteNewData, error) {
	e, err := h.Orgs.Estate(httpx.Ctx(c), p, estateID)
	if err != nil {
		return voteNewData{}, err
	}
	prof, _ := rules.ProfileByCode(e.ProfileCode)
	lang := Lang(c)
	d := voteNewData{Estate: e, Profile: prof, F: echo, Errs: map[string]string{}}
	d.setSlots(1)
	d.Matters = h.itemMatters(lang)
	for _, lp := range rules.LegalProfiles() {
		d.Legal = append(d.Legal, option{string(lp), h.Views.T(lang, "vote.legal."+string(lp))})
	}
	for _, f := range []string{voting.FormWritten, voting.FormMeeting} {
		d.Forms = append(d.Forms, option{f, h.Views.T(lang, "vote.form."+f)})
	}
	for _, cv := range []string{voting.ConvenorCommittee, voting.ConvenorPreparatoryGroup, voting.ConvenorReelectionGroup, voting.ConvenorStreetOffice, voting.ConvenorTransitionalBody} {
		d.Convenors = append(d.Convenors, option{cv, h.Views.T(lang, "vote.convenor."+cv)})
	}
	if !prof.FollowMajorityAllowed {
		d.FollowNote = h.Views.T(lang, "vote.follow_not_allowed", "Profile", prof.Name)
	}
	if d.F == nil {
		// Defaults: the notice today, voting from the first lawful day for two weeks.
		now := h.Votes.Now().In(rules.Shanghai())
		// The notice tomorrow: a notice dated today or earlier freezes the agenda at once.
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, rules.Shanghai()).AddDate(0, 0, 1)
		opens := today.AddDate(0, 0, prof.NoticeDays).Add(9 * time.Hour)
		days := min(max(14, prof.VotingPeriodMinDays), prof.VotingPeriodMaxDays)
		closes := opens.AddDate(0, 0, days).Add(9 * time.Hour)
		d.F = map[string]string{"legal_profile": string(rules.DefaultLegalProfile), "form": voting.FormWritten,
			"convenor": voting.ConvenorCommittee, "notice_published_at": today.Format(dateInput),
			"opens_at": opens.Format(dateTimeInput), "closes_at": closes.Format(dateTimeInput),
			"el_seats": "", "el_alternates": "0"}
	}
	return d, nil
}

// setSlots shows n ordinary item blocks.
func (d *voteNewData) setSlots(n int) {
	d.Slots = d.Slots[:0]
	for i := 1; i <= n; i++ {
		d.Slots = append(d.Slots, i)
	}
	d.NSlots = n
}

// NewVotePage shows the drafting form of a vote of an estate. With ?removal_case=N (the
// button on a founded case's page) the first item is the removal of the case's member,
// an elect_committee item carrying the case (issue 12); the form posts it like any other
// and CreateVote drafts it through the same service call as the API.
func (h *VotePages) NewVotePage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote_new", "estates", func(c *fiber.Ctx, p app.Principal, id int64) (voteNewData, error) {
		d, err := h.newVoteData(c, p, id, nil)
		if err != nil {
			return d, err
		}
		if rc := c.QueryInt("removal_case"); rc > 0 && h.Committee != nil {
			k, err := h.Committee.Case(httpx.Ctx(c), p, int64(rc))
			if err != nil {
				return d, err
			}
			if k.EstateID != id {
				return d, app.Invalid("removal_case", app.M("err.web.the_case_belongs_to_another_estate"))
			}
			lang := Lang(c)
			d.F["title"] = h.Views.T(lang, "inoffice.removal_vote_title", "Name", k.MemberName)
			d.F["item_title_1"] = h.Views.T(lang, "inoffice.removal_item_title", "Name", k.MemberName)
			d.F["item_text_1"] = h.Views.T(lang, "inoffice.removal_item_text", "Name", k.MemberName, "ID", k.ID, "Grounds", k.GroundsText)
			d.F["item_matter_1"] = string(rules.MatterElectCommittee)
			d.F["item_removal_case_1"] = strconv.FormatInt(k.ID, 10)
		}
		return d, nil
	})
}

// parsedVote is the drafting form read into the service's input; slotOf maps an
// item's index in Items to its form slot (0: the election slot).
type parsedVote struct {
	In     voting.NewVote
	SlotOf []int
	Bad    []app.Detail // inputs that could not be read (field: the form input)
}

// parseNewVote reads the drafting form: the ordinary slots with a title or a text
// become items item1, item2, … in slot order; the election slot, when used, becomes
// the item "election" (first or last) with candidates c1, c2, … one per line.
func parseNewVote(c *fiber.Ctx) parsedVote {
	var pv parsedVote
	in := &pv.In
	in.Title = c.FormValue("title")
	in.LegalProfile = c.FormValue("legal_profile")
	in.Form = c.FormValue("form")
	in.Convenor = c.FormValue("convenor")
	in.Location = c.FormValue("location")
	in.FollowMajority = c.FormValue("follow_majority") == "1"
	bad := func(field string, msg app.Msg) { pv.Bad = append(pv.Bad, app.Detail{Field: field, Msg: msg}) }
	var ok bool
	if in.NoticePublishedAt, ok = localTime(c.FormValue("notice_published_at"), dateInput); !ok {
		bad("notice_published_at", app.M("err.web.date_as_yyyy_mm_dd_2"))
	}
	if in.OpensAt, ok = localTime(c.FormValue("opens_at"), dateTimeInput, "2006-01-02T15:04:05"); !ok {
		bad("opens_at", app.M("err.web.time_as_yyyy_mm_ddthh_mm_2"))
	}
	if in.ClosesAt, ok = localTime(c.FormValue("closes_at"), dateTimeInput, "2006-01-02T15:04:05"); !ok {
		bad("closes_at", app.M("err.web.time_as_yyyy_mm_ddthh_mm_3"))
	}
	var election *voting.ItemInput
	elTitle, elText, elCands := c.FormValue("el_title"), c.FormValue("el_text"), c.FormValue("el_candidates")
	if strings.TrimSpace(elTitle+elText+elCands) != "" {
		el := voting.ItemInput{Key: "election", Title: elTitle, Text: elText, Matter: string(rules.MatterElectCommittee)}
		if el.Seats, ok = wholeNumber(c.FormValue("el_seats")); !ok {
			bad("el_seats", app.M("err.web.a_whole_number"))
		}
		if el.Alternates, ok = wholeNumber(c.FormValue("el_alternates")); !ok {
			bad("el_alternates", app.M("err.web.a_whole_number"))
		}
		n := 0
		for _, line := range strings.Split(strings.ReplaceAll(elCands, "\r", ""), "\n") {
			if name := strings.TrimSpace(line); name != "" {
				n++
				el.Candidates = append(el.Candidates, voting.CandidateInput{Key: "c" + strconv.Itoa(n), Name: name})
			}
		}
		election = &el
	}
	if election != nil && c.FormValue("el_first") == "1" {
		in.Items = append(in.Items, *election)
		pv.SlotOf = append(pv.SlotOf, 0)
		election = nil
	}
	for slot := 1; slot <= voteItemSlotsMax; slot++ {
		s := strconv.Itoa(slot)
		title, text := c.FormValue("item_title_"+s), c.FormValue("item_text_"+s)
		if strings.TrimSpace(title+text) == "" {
			continue // an empty block (a matter chosen alone is no item)
		}
		it := voting.ItemInput{Key: "item" + strconv.Itoa(len(in.Items)+1), Title: title, Text: text,
			Matter: c.FormValue("item_matter_" + s)}
		if rc := strings.TrimSpace(c.FormValue("item_removal_case_" + s)); rc != "" {
			if it.RemovalCaseID, ok = wholeNumber64(rc); !ok {
				bad("item_title_"+s, app.M("err.web.the_removal_case_must_be_a_number"))
			}
		}
		in.Items = append(in.Items, it)
		pv.SlotOf = append(pv.SlotOf, slot)
	}
	if election != nil {
		in.Items = append(in.Items, *election)
		pv.SlotOf = append(pv.SlotOf, 0)
	}
	return pv
}

// itemField matches the service's item fields: items[2].title, items[0].candidates[1].name.
var itemField = regexp.MustCompile(`^items\[(\d+)\]\.([a-z_]+)`)

// formInput maps a field the service names to the input of the drafting form.
func (pv parsedVote) formInput(field string) string {
	m := itemField.FindStringSubmatch(field)
	if m == nil {
		return field
	}
	i, _ := strconv.Atoi(m[1])
	if i < 0 || i >= len(pv.SlotOf) {
		return "items"
	}
	slot, attr := pv.SlotOf[i], m[2]
	if slot == 0 {
		switch attr {
		case "seats", "alternates", "candidates", "text":
			return "el_" + attr
		}
		return "el_title"
	}
	switch attr {
	case "text", "matter":
		return fmt.Sprintf("item_%s_%d", attr, slot)
	}
	return fmt.Sprintf("item_title_%d", slot)
}

// slotInput matches an ordinary slot's input: item_title_3.
var slotInput = regexp.MustCompile(`^item_([a-z]+)_(\d+)$`)

// inputLabel names a drafting-form input in the page's language.
func (h *VotePages) inputLabel(lang, input string) string {
	if m := slotInput.FindStringSubmatch(input); m != nil {
		return h.Views.T(lang, "vote.item_n", "N", m[2]) + " · " + h.Views.T(lang, "vote.f."+m[1])
	}
	if strings.HasPrefix(input, "el_") {
		return h.Views.T(lang, "vote.election_item") + " · " + h.Views.T(lang, "vote.f."+strings.TrimPrefix(input, "el_"))
	}
	return h.Views.T(lang, "vote.f."+input)
}

// CreateVote drafts a vote from the form; a refusal re-renders the form with the
// input and each refused field named and marked.
func (h *VotePages) CreateVote(c *fiber.Ctx) error {
	p, err := principal(c)
	if err != nil {
		return err
	}
	estateID, err := pathID(c)
	if err != nil {
		return err
	}
	if c.FormValue("add_item") != "" {
		// "Add an item": the same form again with one more block, nothing stored.
		d, err := h.newVoteData(c, p, estateID, formEcho(c))
		if err != nil {
			return err
		}
		d.setSlots(itemSlotsShown(c, true))
		return h.Render(c, "vote_new", h.page(c, "estates", d))
	}
	pv := parseNewVote(c)
	if msg := h.pastNotice(c, pv.In.NoticePublishedAt); msg != "" {
		pv.Bad = append(pv.Bad, app.Detail{Field: "notice_published_at", Msg: app.Plain(msg)})
	}
	var refusal error
	if len(pv.Bad) > 0 {
		refusal = app.InvalidDetails(pv.Bad)
	} else {
		id, err := h.Votes.Create(httpx.Ctx(c), p, estateID, pv.In)
		if err == nil {
			return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d", id), h.Views.T(Lang(c), "vote.created"))
		}
		refusal = err
	}
	d, derr := h.newVoteData(c, p, estateID, formEcho(c))
	if derr != nil {
		return derr
	}
	d.setSlots(itemSlotsShown(c, false))
	ae := httpx.AppError(refusal)
	if ae.Code == app.EInternal {
		return refusal
	}
	lang := Lang(c)
	shown := *ae
	shown.Details = nil
	for _, det := range ae.Details {
		input := pv.formInput(det.Field)
		if _, dup := d.Errs[input]; !dup {
			d.Errs[input] = h.Views.Msg(lang, det.Msg)
		}
		shown.Details = append(shown.Details, app.Detail{Field: h.inputLabel(lang, input), Msg: det.Msg})
	}
	if len(shown.Details) > 0 {
		shown.Msg = app.Plain(h.Views.T(lang, "vote.fix_fields", "N", len(shown.Details)))
	}
	return h.RenderWithError(c, "vote_new", h.page(c, "estates", d), &shown)
}

// wholeNumber64 reads a positive id typed or posted in a form.
func wholeNumber64(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n > 0
}

// pastNotice refuses, on the drafting and editing forms, a notice date before today:
// the agenda of a vote whose notice is out is frozen (T3), so such a draft could never
// take another item. The API keeps accepting a paper notice posted earlier.
func (h *VotePages) pastNotice(c *fiber.Ctx, notice time.Time) string {
	if notice.IsZero() {
		return ""
	}
	now := h.Votes.Now().In(rules.Shanghai())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, rules.Shanghai())
	if notice.Before(today) {
		return h.Views.T(Lang(c), "i16.notice_past", "Today", today.Format(dateInput))
	}
	return ""
}
