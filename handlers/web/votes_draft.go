package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/handlers/httpx"
)

// confirmed refuses an irreversible action posted without its ticked confirmation
// (the required checkbox "confirm" of the form, which works without JavaScript). The
// API has no such step: a client that posts has decided.
func (h *Handlers) confirmed(c *fiber.Ctx) error {
	if c.FormValue("confirm") == "1" {
		return nil
	}
	return app.Invalid("confirm", h.Views.T(Lang(c), "i16.confirm_required"))
}

// voteEditData is the editing form of a draft: its meeting fields.
type voteEditData struct {
	V     voting.VoteDetail
	F     map[string]string
	Errs  map[string]string
	Forms []option
	Convs []option
}

func (h *VotePages) voteEditData(c *fiber.Ctx, p app.Principal, id int64, echo map[string]string) (voteEditData, error) {
	v, err := h.Votes.Vote(httpx.Ctx(c), p, id)
	if err != nil {
		return voteEditData{}, err
	}
	lang := Lang(c)
	d := voteEditData{V: v, F: echo, Errs: map[string]string{}}
	for _, f := range []string{voting.FormWritten, voting.FormMeeting} {
		d.Forms = append(d.Forms, option{f, h.Views.T(lang, "vote.form."+f)})
	}
	for _, cv := range []string{voting.ConvenorCommittee, voting.ConvenorPreparatoryGroup, voting.ConvenorReelectionGroup, voting.ConvenorStreetOffice, voting.ConvenorTransitionalBody} {
		d.Convs = append(d.Convs, option{cv, h.Views.T(lang, "vote.convenor."+cv)})
	}
	if d.F == nil {
		sh := rules.Shanghai()
		d.F = map[string]string{"title": v.Title, "form": v.Form, "convenor": v.Convenor, "location": v.Location,
			"notice_published_at": v.NoticePublishedAt.In(sh).Format(dateInput), "opens_at": v.OpensAt.In(sh).Format(dateTimeInput),
			"closes_at": v.ClosesAt.In(sh).Format(dateTimeInput)}
		if v.FollowMajority {
			d.F["follow_majority"] = "1"
		}
	}
	return d, nil
}

// EditVotePage shows the editing form of a draft whose notice is not yet published.
func (h *VotePages) EditVotePage(c *fiber.Ctx) error {
	return renderIDPage(c, h.Handlers, "vote_edit", "estates", func(c *fiber.Ctx, p app.Principal, id int64) (voteEditData, error) {
		return h.voteEditData(c, p, id, nil)
	})
}

// SaveVote saves the editing form; a refusal re-renders it with each field marked.
func (h *VotePages) SaveVote(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	in := voting.DraftChange{Title: c.FormValue("title"), Form: c.FormValue("form"), Convenor: c.FormValue("convenor"),
		Location: c.FormValue("location"), FollowMajority: c.FormValue("follow_majority") == "1"}
	var bad []app.Detail
	var ok bool
	if in.NoticePublishedAt, ok = localTime(c.FormValue("notice_published_at"), dateInput); !ok {
		bad = append(bad, app.Detail{Field: "notice_published_at", Msg: app.Plain(h.Views.T(Lang(c), "i16.bad_date"))})
	} else if msg := h.pastNotice(c, in.NoticePublishedAt); msg != "" {
		bad = append(bad, app.Detail{Field: "notice_published_at", Msg: app.Plain(msg)})
	}
	if in.OpensAt, ok = localTime(c.FormValue("opens_at"), dateTimeInput, "2006-01-02T15:04:05"); !ok {
		bad = append(bad, app.Detail{Field: "opens_at", Msg: app.Plain(h.Views.T(Lang(c), "i16.bad_time"))})
	}
	if in.ClosesAt, ok = localTime(c.FormValue("closes_at"), dateTimeInput, "2006-01-02T15:04:05"); !ok {
		bad = append(bad, app.Detail{Field: "closes_at", Msg: app.Plain(h.Views.T(Lang(c), "i16.bad_time"))})
	}
	var refusal error
	if len(bad) > 0 {
		refusal = &app.Error{Code: app.EInvalid, Msg: bad[0].Msg, Details: bad}
	} else if refusal = h.Votes.UpdateDraft(httpx.Ctx(c), p, id, in); refusal == nil {
		return h.RedirectWithFlash(c, fmt.Sprintf("/votes/%d", id), h.Views.T(Lang(c), "i16.saved"))
	}
	if code := app.ErrorCode(refusal); code == app.ENotFound || code == app.EInternal {
		return refusal
	}
	d, err := h.voteEditData(c, p, id, formEcho(c))
	if err != nil {
		return err
	}
	lang := Lang(c)
	ae := *httpx.AppError(refusal)
	shown := ae
	shown.Details = nil
	for _, det := range ae.Details {
		if _, dup := d.Errs[det.Field]; !dup {
			d.Errs[det.Field] = h.Views.Msg(lang, det.Msg)
		}
		shown.Details = append(shown.Details, app.Detail{Field: h.inputLabel(lang, det.Field), Msg: det.Msg})
	}
	if len(shown.Details) > 0 {
		shown.Msg = app.Plain(h.Views.T(lang, "vote.fix_fields", "N", len(shown.Details)))
	}
	return h.RenderWithError(c, "vote_edit", h.page(c, "estates", d), &shown)
}

// DeleteVote deletes a draft whose notice is not yet published, once confirmed.
func (h *VotePages) DeleteVote(c *fiber.Ctx) error {
	p, id, err := principalAndID(c)
	if err != nil {
		return err
	}
	v, err := h.Votes.Vote(httpx.Ctx(c), p, id)
	if err != nil {
		return err
	}
	if err := h.confirmed(c); err != nil {
		return h.voteDone(c, p, id, err, "")
	}
	if err := h.Votes.Delete(httpx.Ctx(c), p, id); err != nil {
		if app.ErrorCode(err) == app.ENotFound {
			return err
		}
		return h.voteDone(c, p, id, err, "")
	}
	return h.RedirectWithFlash(c, fmt.Sprintf("/estates/%d/votes", v.EstateID), h.Views.T(Lang(c), "i16.deleted"))
}

// RemoveItem takes one item off a draft's agenda before the notice.
func (h *VotePages) RemoveItem(c *fiber.Ctx) error {
	return h.voteAction(func(c *fiber.Ctx, p app.Principal, id int64) (string, error) {
		if _, err := h.Votes.RemoveItem(httpx.Ctx(c), p, id, c.Params("key")); err != nil {
			return "", err
		}
		return h.Views.T(Lang(c), "i16.item_removed"), nil
	})(c)
}
