package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/committee"
	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/handlers/httpx"
	"gongzhi/models"
)

// FormationPages serve the estate's formation page (group, duties, candidates, Party
// ratio, publications and objections, committee), the candidate page with its eligibility
// checklist, and the public page of published lists.
type FormationPages struct {
	*Handlers // its Formation service serves these pages
	// Committee, when set, shows a re-election group the owner representatives' ratings
	// of the committees in office (seed 003 §(六): a basis for re-election).
	Committee *committee.Service
}

// formationData is the formation page's data.
type formationData struct {
	Estate            models.EstateWithPath
	Ov                formation.Overview
	PrepRoles         []rules.PrepRole
	NominationKinds   []rules.NominationKind
	PoliticalStatuses []formation.PoliticalStatus
	Today             string // for date inputs, Asia/Shanghai
	Form              map[string]string
	Ratings           []committee.RatingView // a re-election group's page: the committee's ratings
}

func (h *FormationPages) formationData(c *fiber.Ctx, p app.Principal, estateID int64) (formationData, error) {
	ov, err := h.Formation.Overview(c.UserContext(), p, estateID)
	if err != nil {
		return formationData{}, err
	}
	var ratings []committee.RatingView
	if h.Committee != nil && ov.Group != nil && ov.Group.Kind == models.GroupKindReelection {
		if ratings, err = h.Committee.EstateRatings(c.UserContext(), p, estateID); err != nil {
			return formationData{}, err
		}
	}
	return formationData{Estate: ov.Status.Estate, Ov: ov, Ratings: ratings,
		PrepRoles: []rules.PrepRole{rules.PrepRoleOwnerRep, rules.PrepRoleDeveloper, rules.PrepRoleStreetOffice, rules.PrepRoleResidentsCommittee,
			rules.PrepRolePartyOrg},
		NominationKinds: rules.NominationKinds(), PoliticalStatuses: formation.PoliticalStatuses(),
		Today: h.now().In(rules.Shanghai()).Format(time.DateOnly), Form: formEcho(c)}, nil
}

// FormationPage shows the estate's whole formation path.
func (h *FormationPages) FormationPage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "formation", "estates", h.formationData)
}

// formationDone redirects back to the formation page with a message, or re-renders it
// with the service's refusal.
func (h *FormationPages) formationDone(c *fiber.Ctx, p app.Principal, estateID int64, err error, flash string) error {
	return refuseOrRedirect(c, h.Handlers, err, "formation", "estates", func() (formationData, error) { return h.formationData(c, p, estateID) },
		fmt.Sprintf("/estates/%d/formation", estateID), h.Views.T(Lang(c), flash))
}

// formationAction runs one change of the formation page: it reads the principal, the
// estate id and the named path id, and calls do.
func (h *FormationPages) formationAction(param, flash string, do func(c *fiber.Ctx, p app.Principal, id int64) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := principal(c)
		if err != nil {
			return err
		}
		estateID, err := pathID(c)
		if err != nil {
			return err
		}
		id := estateID
		if param != "" {
			if id, err = pathParamID(c, param); err != nil {
				return err
			}
		}
		return h.formationDone(c, p, estateID, do(c, p, id), flash)
	}
}

// SetFacts records the first delivery date.
func (h *FormationPages) SetFacts(c *fiber.Ctx) error {
	return h.formationAction("", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, id int64) error {
		first, err := formDate(c, "first_delivery_at")
		if err != nil {
			return err
		}
		return h.Formation.SetFacts(c.UserContext(), p, id, formation.FactsInput{FirstDeliveryAt: first, Note: c.FormValue("note")})
	})(c)
}

// CreateGroup forms a preparatory or re-election group.
func (h *FormationPages) CreateGroup(c *fiber.Ctx) error {
	return h.formationAction("", "formation.flash.group_created", func(c *fiber.Ctx, p app.Principal, id int64) error {
		formed, err := formPastDay(c, "formed_at", h.now())
		if err != nil {
			return err
		}
		meeting, err := formDateTime(c, "planned_meeting_at")
		if err != nil {
			return err
		}
		_, err = h.Formation.CreateGroup(c.UserContext(), p, id, formation.NewGroup{Kind: c.FormValue("kind"), FormedAt: formed,
			PlannedMeetingAt: meeting, DeveloperAbsentReason: c.FormValue("developer_absent_reason")})
		return err
	})(c)
}

// PlanGroup plans the meeting and records why the developer is absent.
func (h *FormationPages) PlanGroup(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		meeting, err := formDateTime(c, "planned_meeting_at")
		if err != nil {
			return err
		}
		in := formation.GroupUpdate{PlannedMeetingAt: meeting}
		if _, ok := formEcho(c)["developer_absent_reason"]; ok {
			r := c.FormValue("developer_absent_reason")
			in.DeveloperAbsentReason = &r
		}
		return h.Formation.UpdateGroup(c.UserContext(), p, gid, in)
	})(c)
}

// AddMember adds a group member.
func (h *FormationPages) AddMember(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.member_added", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		_, err := h.Formation.AddMember(c.UserContext(), p, gid, formation.MemberInput{Role: rules.PrepRole(c.FormValue("role")),
			Name: c.FormValue("name"), Room: c.FormValue("room"), Organisation: c.FormValue("organisation"),
			Leader: formBool(c, "leader"), MeetsCriteria: formBool(c, "meets_criteria"), Duty: c.FormValue("duty")})
		return err
	})(c)
}

// WithdrawMember takes a member off the group.
func (h *FormationPages) WithdrawMember(c *fiber.Ctx) error {
	return h.formationAction("mid", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, mid int64) error {
		if err := h.confirmed(c); err != nil {
			return err
		}
		return h.Formation.WithdrawMember(c.UserContext(), p, mid)
	})(c)
}

// PublishMembers publishes the member list; violations re-render the page naming each rule.
func (h *FormationPages) PublishMembers(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.members_published", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		_, err := h.Formation.PublishMemberList(c.UserContext(), p, gid)
		return err
	})(c)
}

// DissolveGroup dissolves the group.
func (h *FormationPages) DissolveGroup(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		return h.Formation.DissolveGroup(c.UserContext(), p, gid, c.FormValue("reason"))
	})(c)
}

// CompleteDuty marks a checklist item done.
func (h *FormationPages) CompleteDuty(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		return h.Formation.CompleteDuty(c.UserContext(), p, gid, c.Params("code"), formation.DutyInput{Evidence: c.FormValue("evidence")})
	})(c)
}

// AddObjection records an objection.
func (h *FormationPages) AddObjection(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.objection_added", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		_, err := h.Formation.AddObjection(c.UserContext(), p, gid, formation.ObjectionInput{Kind: c.FormValue("kind"),
			CandidateID: formInt(c, "candidate_id"), Content: c.FormValue("content"), Submitter: c.FormValue("submitter")})
		return err
	})(c)
}

// AnswerObjection records an answer.
func (h *FormationPages) AnswerObjection(c *fiber.Ctx) error {
	return h.formationAction("oid", "formation.flash.saved", func(c *fiber.Ctx, p app.Principal, oid int64) error {
		return h.Formation.AnswerObjection(c.UserContext(), p, oid, c.FormValue("answer"))
	})(c)
}

// Nominate records a candidate.
func (h *FormationPages) Nominate(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.nominated", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		_, err := h.Formation.Nominate(c.UserContext(), p, gid, formation.NominationInput{Name: c.FormValue("name"), Room: c.FormValue("room"),
			Kind: rules.NominationKind(c.FormValue("nomination_kind")), Nominators: c.FormValue("nominators"),
			PoliticalStatus: formation.PoliticalStatus(c.FormValue("political_status")), Occupation: c.FormValue("occupation")})
		return err
	})(c)
}

// PublishCandidates publishes the candidate list.
func (h *FormationPages) PublishCandidates(c *fiber.Ctx) error {
	return h.formationAction("gid", "formation.flash.list_published", func(c *fiber.Ctx, p app.Principal, gid int64) error {
		vote, err := formDateTime(c, "vote_planned_at")
		if err != nil {
			return err
		}
		if vote == nil {
			return app.Invalid("vote_planned_at", app.M("err.web.the_planned_vote_date_is_required"))
		}
		showUntil, err := formDate(c, "show_until")
		if err != nil {
			return err
		}
		if showUntil != nil {
			end := showUntil.AddDate(0, 0, 1) // shown through that day, to 24:00
			showUntil = &end
		}
		_, err = h.Formation.PublishCandidateList(c.UserContext(), p, gid, formation.ListInput{VotePlannedAt: *vote, ShowUntil: showUntil})
		return err
	})(c)
}

// SetOfficers records the chair and vice-chairs.
func (h *FormationPages) SetOfficers(c *fiber.Ctx) error {
	return h.formationAction("cmid", "formation.flash.officers", func(c *fiber.Ctx, p app.Principal, cmid int64) error {
		var vice []int64
		args := c.Request().PostArgs()
		for _, v := range args.PeekMulti("vice_chair_member_id") {
			if id, err := strconv.ParseInt(string(v), 10, 64); err == nil && id > 0 {
				vice = append(vice, id)
			}
		}
		at, err := formPastDay(c, "elected_at", h.now())
		if err != nil {
			return err
		}
		_, err = h.Formation.SetOfficers(c.UserContext(), p, cmid, formation.OfficersInput{ChairMemberID: formInt(c, "chair_member_id"),
			ViceChairMemberIDs: vice, ElectedAt: at})
		return err
	})(c)
}

// FileCommittee records the filing with the street office.
func (h *FormationPages) FileCommittee(c *fiber.Ctx) error {
	return h.formationAction("cmid", "formation.flash.filed", func(c *fiber.Ctx, p app.Principal, cmid int64) error {
		_, err := h.Formation.FileCommittee(c.UserContext(), p, cmid, formation.FilingInput{Documents: strings.Split(c.FormValue("documents"), "\n"),
			ReferenceNo: c.FormValue("reference_no"), Note: c.FormValue("note")})
		return err
	})(c)
}

// fmCandidateData is the candidate page's data.
type fmCandidateData struct {
	Estate      models.EstateWithPath
	Candidate   formation.CandidateView
	History     []fmCheckRow
	Permissions formation.Permissions
	Open        bool              // the group is open: the checklist can still change
	Names       map[string]string // criterion code → its name in the page's language
	Form        map[string]string // the checklist form as posted (refused: shown again)
	Errs        map[string]string // the checklist form's refusals by input
}

// fmCheckRow is one stored review with its criterion's name.
type fmCheckRow struct {
	models.EligibilityCheck
	Name string
}

// criterionNames names each criterion in the page's language (the catalogue of
// rules.EligibilityCriteria: never its code).
func criterionNames(lang string) map[string]string {
	out := map[string]string{}
	for _, cr := range rules.EligibilityCriteria() {
		out[cr.Code] = cr.Title
		if lang == "en" && cr.TitleEN != "" {
			out[cr.Code] = cr.TitleEN
		}
	}
	return out
}

func (h *FormationPages) candidateData(c *fiber.Ctx, p app.Principal, estateID, candidateID int64) (fmCandidateData, error) {
	ctx := c.UserContext()
	e, err := h.Orgs.Estate(ctx, p, estateID)
	if err != nil {
		return fmCandidateData{}, err
	}
	cv, err := h.Formation.Candidate(ctx, p, candidateID)
	if err != nil {
		return fmCandidateData{}, err
	}
	if cv.EstateID != e.ID {
		return fmCandidateData{}, app.Fail(app.ENotFound, "err.web.no_such_candidate")
	}
	hist, err := h.Formation.CheckHistory(ctx, p, candidateID)
	if err != nil {
		return fmCandidateData{}, err
	}
	g, err := h.Formation.Group(ctx, p, cv.GroupID)
	if err != nil {
		return fmCandidateData{}, err
	}
	ov, err := h.Formation.Overview(ctx, p, estateID)
	if err != nil {
		return fmCandidateData{}, err
	}
	perm := ov.Permissions
	if ov.Group == nil || ov.Group.ID != g.ID {
		perm = formation.Permissions{}
	}
	names := criterionNames(Lang(c))
	rows := make([]fmCheckRow, 0, len(hist))
	for _, h := range hist {
		rows = append(rows, fmCheckRow{EligibilityCheck: h, Name: names[h.Criterion]})
	}
	return fmCandidateData{Estate: e, Candidate: cv, History: rows, Permissions: perm, Open: g.Status != models.GroupDissolved,
		Names: names, Form: formEcho(c), Errs: map[string]string{}}, nil
}

// CandidatePage shows a candidate with the eligibility checklist and review.
func (h *FormationPages) CandidatePage(c *fiber.Ctx) error {
	p, estateID, cid, err := principalAndIDs(c, "cid")
	if err != nil {
		return err
	}
	d, err := h.candidateData(c, p, estateID, cid)
	if err != nil {
		return err
	}
	return h.Render(c, "formation_candidate", h.page(c, "estates", d))
}

// candidateAction runs one change of the candidate page.
func (h *FormationPages) candidateAction(flash string, do func(c *fiber.Ctx, p app.Principal, cid int64) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, estateID, cid, err := principalAndIDs(c, "cid")
		if err != nil {
			return err
		}
		load := func() (fmCandidateData, error) { return h.candidateData(c, p, estateID, cid) }
		return refuseOrRedirect(c, h.Handlers, namedCriteria(Lang(c), do(c, p, cid)), "formation_candidate", "estates", load,
			fmt.Sprintf("/estates/%d/formation/candidates/%d", estateID, cid), h.Views.T(Lang(c), flash))
	}
}

// namedCriteria shows a refusal that names criteria (a review of an incomplete
// checklist) by each criterion's name instead of its code (issue 16).
func namedCriteria(lang string, err error) error {
	if err == nil {
		return nil
	}
	ae := httpx.AppError(err)
	if len(ae.Details) == 0 {
		return err
	}
	names := criterionNames(lang)
	out := *ae
	out.Details = make([]app.Detail, len(ae.Details))
	for i, d := range ae.Details {
		if name, ok := names[d.Field]; ok {
			d.Field = name
		}
		out.Details[i] = d
	}
	return &out
}

// RecordCheck records the review of one criterion.
func (h *FormationPages) RecordCheck(c *fiber.Ctx) error {
	return h.candidateAction("formation.flash.saved", func(c *fiber.Ctx, p app.Principal, cid int64) error {
		var met bool
		switch c.FormValue("met") {
		case "1":
			met = true
		case "0":
		default:
			return app.Invalid("met", app.M("err.web.choose_met_or_not_met"))
		}
		_, err := h.Formation.RecordCheck(c.UserContext(), p, cid, formation.CheckInput{Criterion: c.FormValue("criterion"), Met: met,
			Evidence: c.FormValue("evidence"), Reviewer: c.FormValue("reviewer")})
		return err
	})(c)
}

// RecordChecklist records a reviewer's pass over the whole checklist in one form: per
// criterion met_<code> (1 met, 0 not met, empty: left as it is) and evidence_<code>.
// A refusal shows the form again with what was typed and each criterion at fault named.
func (h *FormationPages) RecordChecklist(c *fiber.Ctx) error {
	p, estateID, cid, err := principalAndIDs(c, "cid")
	if err != nil {
		return err
	}
	lang := Lang(c)
	names := criterionNames(lang)
	in := formation.ChecklistInput{Reviewer: c.FormValue("reviewer")}
	var bad []app.Detail
	for _, cr := range rules.EligibilityCriteria() {
		ev := c.FormValue("evidence_" + cr.Code)
		switch c.FormValue("met_" + cr.Code) {
		case "1":
			in.Checks = append(in.Checks, formation.CheckInput{Criterion: cr.Code, Met: true, Evidence: ev})
		case "0":
			in.Checks = append(in.Checks, formation.CheckInput{Criterion: cr.Code, Met: false, Evidence: ev})
		case "":
			if strings.TrimSpace(ev) != "" {
				bad = append(bad, app.Detail{Field: "checks." + cr.Code + ".met", Msg: app.Plain(h.Views.T(lang, "i16.check_choose", "Name", names[cr.Code]))})
			}
		default:
			bad = append(bad, app.Detail{Field: "checks." + cr.Code + ".met", Msg: app.Plain(h.Views.T(lang, "i16.check_choose", "Name", names[cr.Code]))})
		}
	}
	if len(bad) == 0 {
		_, err = h.Formation.RecordChecklist(c.UserContext(), p, cid, in)
		if err == nil {
			return h.RedirectWithFlash(c, fmt.Sprintf("/estates/%d/formation/candidates/%d#checklist", estateID, cid), h.Views.T(lang, "i16.checklist_saved", "N", len(in.Checks)))
		}
		if code := app.ErrorCode(err); code == app.ENotFound || code == app.EInternal {
			return err
		}
		bad = httpx.AppError(err).Details
		if len(bad) == 0 {
			bad = []app.Detail{{Field: "", Msg: httpx.AppError(err).Msg}}
		}
	}
	d, derr := h.candidateData(c, p, estateID, cid)
	if derr != nil {
		return derr
	}
	shown := &app.Error{Code: app.EInvalid, Msg: app.Plain(h.Views.T(lang, "vote.fix_fields", "N", len(bad)))}
	if code := app.ErrorCode(err); err != nil && code != app.EInvalid {
		shown.Code = code
	}
	for _, det := range bad {
		label := h.Views.T(lang, "formation.reviewer")
		if parts := strings.Split(det.Field, "."); len(parts) == 3 && parts[0] == "checks" {
			label = names[parts[1]]
			d.Errs[parts[2]+"_"+parts[1]] = h.Views.Msg(lang, det.Msg)
		} else if det.Field == "reviewer" {
			d.Errs["reviewer"] = h.Views.Msg(lang, det.Msg)
		} else if det.Field == "checks" {
			label = h.Views.T(lang, "formation.checklist")
		}
		shown.Details = append(shown.Details, app.Detail{Field: label, Msg: det.Msg})
	}
	return h.RenderWithError(c, "formation_candidate", h.page(c, "estates", d), shown)
}

// Review records the qualification review.
func (h *FormationPages) Review(c *fiber.Ctx) error {
	return h.candidateAction("formation.flash.saved", func(c *fiber.Ctx, p app.Principal, cid int64) error {
		return h.Formation.Review(c.UserContext(), p, cid, formation.ReviewInput{Decision: formation.Decision(c.FormValue("decision")),
			PartyOrgReviewer: c.FormValue("party_org_reviewer"), Note: c.FormValue("note")})
	})(c)
}

// WithdrawCandidate takes a candidate off.
func (h *FormationPages) WithdrawCandidate(c *fiber.Ctx) error {
	return h.candidateAction("formation.flash.saved", func(c *fiber.Ctx, p app.Principal, cid int64) error {
		if err := h.confirmed(c); err != nil {
			return err
		}
		return h.Formation.WithdrawCandidate(c.UserContext(), p, cid, c.FormValue("note"))
	})(c)
}

// PublicPage shows an estate's published member list and candidate list to anyone.
func (h *FormationPages) PublicPage(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := h.Formation.Public(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.Render(c, "formation_public", h.page(c, "", v))
}
