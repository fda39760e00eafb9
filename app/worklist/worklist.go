// Package worklist is the week's work of a street office, a district or the city
// (issue 15, docs/worklist.md): one list of everything overdue or falling due within
// the window across the viewer's jurisdiction — formation deadlines, votes to open or
// to publish, negative-list cases past a step, complaints past a 三三三 stage, exit
// cases and handovers — oldest first, each with the page where it is resolved. It reads
// each source through its own service, which checks the viewer's jurisdiction; it
// writes nothing. It also shapes the supervision charts' data (open votes'
// participation, complaints by SLA stage, formation stages) and the XLSX exports.
package worklist

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gongzhi/app"
	"gongzhi/app/access"
	"gongzhi/app/committee"
	"gongzhi/app/formation"
	"gongzhi/app/handover"
	"gongzhi/app/orgs"
	"gongzhi/app/property"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// Window is how far ahead "due soon" reaches: the week's work.
const Window = 7 * 24 * time.Hour

// The kinds of item. Formation kinds are "formation." + the formation deadline kind.
const (
	KindVoteOpen    = "vote.open"
	KindVotePublish = "vote.publish"
	KindCase        = "case"       // a negative-list or cessation case past (or near) a step's deadline
	KindReelection  = "reelection" // a committee flagged "re-election required" (BJ 48)
	KindComplaint   = "complaint"  // an open complaint's next 三三三 stage
	KindExitCase    = "exit_case"  // an open exit case raised by the exit check
	KindHandover    = "handover"   // a handover overdue, refused or due soon
	// KindObjection is an owner's objection to a published result not answered yet,
	// listed from when it is filed, due by the vote's objection deadline (issue 16).
	KindObjection = "vote.objection"
	// KindVoteDraft is, on the committee's to-do list only, a draft vote whose opening
	// time is further away than the window (a nearer one is a KindVoteOpen item).
	KindVoteDraft = "vote.draft"
)

// Item is one piece of work.
type Item struct {
	Kind       string    `json:"kind"`
	EstateID   int64     `json:"estate_id"`
	EstateName string    `json:"estate_name"`
	Subject    string    `json:"subject"`   // what it is about: a vote's title, a member, a company
	Detail     string    `json:"detail"`    // which step, Chinese
	DetailEN   string    `json:"detail_en"` // the same in English
	Due        time.Time `json:"due"`       // the instant the deadline ends
	DueDay     string    `json:"due_day"`   // its last day (Beijing), YYYY-MM-DD
	Overdue    bool      `json:"overdue"`   // the deadline has passed
	Link       string    `json:"link"`      // the page where it is resolved
	Ref        int64     `json:"ref"`       // the id of the vote, case, complaint, exit case or handover
	DaysLate   int       `json:"days_late"` // whole days past the deadline (0 when not overdue)
	DaysLeft   int       `json:"days_left"` // whole days left (0 when overdue)
	StageLabel string    `json:"stage_label,omitempty"`
}

// Week is the week's work as of AsOf: items overdue or due before Until, oldest
// deadline first.
type Week struct {
	AsOf    time.Time `json:"as_of"`
	Until   time.Time `json:"until"`
	Items   []Item    `json:"items"`
	Overdue int       `json:"overdue"`
	DueSoon int       `json:"due_soon"`
}

// Service assembles the week's work from the services that own each kind of work.
type Service struct {
	formation *formation.Service
	votes     *voting.Service
	committee *committee.Service
	property  *property.Service
	handover  *handover.Service
	clock     app.Clock
}

// New builds the service; clock nil is the system clock.
func New(f *formation.Service, v *voting.Service, c *committee.Service, p *property.Service, h *handover.Service, clock app.Clock) *Service {
	return &Service{formation: f, votes: v, committee: c, property: p, handover: h, clock: app.ClockOrSystem(clock)}
}

// lastDay is the last day (Beijing) of a deadline that ends at instant t.
func lastDay(t time.Time) string {
	return t.Add(-time.Nanosecond).In(rules.Shanghai()).Format(time.DateOnly)
}

// dayEnd is the instant a civil day's deadline ends: 24:00 Beijing time.
func dayEnd(day string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, day, rules.Shanghai())
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

var formationDetail = map[string][2]string{
	formation.DeadlineDecide:     {"决定是否组建筹备组", "Decide on forming the preparatory group"},
	formation.DeadlineFormGroup:  {"组建首次业主大会会议筹备组", "Form the preparatory group"},
	formation.DeadlineReelection: {"组建换届小组", "Form the re-election group"},
	formation.DeadlineChair:      {"业主委员会选举主任、副主任", "The committee elects its chair"},
	formation.DeadlineFiling:     {"业主委员会备案", "File the committee"},
}

// caseStepDetail names the step of a negative-list case whose deadline passed
// (committee.CaseSummary.OverdueKey), caseStatusDetail an open case's status when
// no step is overdue: one language each (the committee's own OverdueWhat is a
// bilingual lookup text).
var caseStepDetail = map[string][2]string{
	"verify":  {"核实举报是否属实", "Verify the report"},
	"defence": {"委员申辩", "The member's defence"},
	"propose": {"提请业主大会表决", "Put it to the owners' assembly"},
}

var caseStatusDetail = map[string][2]string{
	models.CaseReported: {"待核实", "Awaiting verification"},
	models.CasePending:  {"待街道确认资格终止", "Cessation awaiting the street office"},
	models.CaseFounded:  {"属实，已暂停履职", "Founded: member suspended"},
	models.CaseProposed: {"已提请业主大会", "Put to the assembly"},
	models.CaseVoting:   {"业主大会表决中", "Assembly voting"},
}

var stageDetail = map[string][2]string{
	"response":     {"响应", "Response"},
	"first_result": {"初步处理结果", "First result"},
	"resolve":      {"办结", "Resolution"},
}

// Week is the week's work of p's jurisdiction: everything overdue or falling due within
// Window, oldest deadline first (ties by kind, estate and reference, so the order is
// stable). Every source checks p's jurisdiction itself; an estate outside it never shows.
func (s *Service) Week(ctx context.Context, p app.Principal) (Week, error) {
	if err := access.Require(p, access.WorkList); err != nil {
		return Week{}, err
	}
	ctx = orgs.ShareEstates(ctx) // every source below lists the same estates
	now := s.clock.Now().UTC()
	until := now.Add(Window)
	w := Week{AsOf: now, Until: until, Items: []Item{}}
	add := func(it Item) {
		it.DueDay = lastDay(it.Due)
		it.Overdue = !now.Before(it.Due)
		if it.Overdue {
			it.DaysLate = int(now.Sub(it.Due) / (24 * time.Hour))
		} else {
			it.DaysLeft = int(it.Due.Sub(now) / (24 * time.Hour))
		}
		w.Items = append(w.Items, it)
	}

	deadlines, err := s.formation.Deadlines(ctx, p, until)
	if err != nil {
		return w, err
	}
	for _, d := range deadlines {
		it := Item{Kind: "formation." + d.Kind, EstateID: d.EstateID, EstateName: d.EstateName, Due: d.Due,
			Link: fmt.Sprintf("/estates/%d/formation", d.EstateID), Ref: d.EstateID}
		if d.Kind == formation.DeadlineDuty {
			it.Detail, it.DetailEN, it.Ref = d.Title, d.TitleEN, d.GroupID
		} else {
			it.Detail, it.DetailEN = formationDetail[d.Kind][0], formationDetail[d.Kind][1]
		}
		if d.CommitteeID != 0 {
			it.Ref = d.CommitteeID
		}
		add(it)
	}

	votes, err := s.votes.VotesDue(ctx, p, until)
	if err != nil {
		return w, err
	}
	for _, v := range votes {
		it := Item{EstateID: v.EstateID, EstateName: v.EstateName, Subject: v.Title, Due: v.Due, Link: fmt.Sprintf("/votes/%d", v.VoteID), Ref: v.VoteID}
		if v.Kind == voting.DueOpen {
			it.Kind, it.Detail, it.DetailEN = KindVoteOpen, "开启表决（冻结名册、发放投票凭证）", "Open the vote"
		} else {
			it.Kind, it.Detail, it.DetailEN = KindVotePublish, "公布表决结果", "Publish the result"
		}
		add(it)
	}

	objections, err := s.votes.ObjectionsDue(ctx, p)
	if err != nil {
		return w, err
	}
	for _, o := range objections {
		add(Item{Kind: KindObjection, EstateID: o.EstateID, EstateName: o.EstateName, Subject: o.Title,
			Detail: "答复业主异议", DetailEN: "Answer an owner's objection", Due: o.Due,
			Link: fmt.Sprintf("/votes/%d/objections#objection-%d", o.VoteID, o.ObjectionID), Ref: o.ObjectionID})
	}
	if p.Role == app.RoleCommittee { // the committee's to-do list also keeps its drafts in view
		drafts, err := s.votes.Drafts(ctx, p)
		if err != nil {
			return w, err
		}
		for _, v := range drafts {
			if v.Due.Before(until) {
				continue // listed above, to open
			}
			add(Item{Kind: KindVoteDraft, EstateID: v.EstateID, EstateName: v.EstateName, Subject: v.Title, Due: v.Due,
				Detail: "表决草稿：完成议程后按时开启", DetailEN: "Draft vote: finish the agenda and open it on time",
				Link: fmt.Sprintf("/votes/%d", v.VoteID), Ref: v.VoteID})
		}
	}

	if p.Role != app.RoleCommittee {
		sup, err := s.committee.Open(ctx, p)
		if err != nil {
			return w, err
		}
		for _, c := range sup.Cases {
			if c.NextDue == nil || !c.NextDue.Before(until) {
				continue
			}
			what, ok := caseStepDetail[c.OverdueKey]
			if !ok {
				what, ok = caseStatusDetail[c.Status]
			}
			if !ok {
				what = [2]string{c.StatusLabel, c.Status}
			}
			add(Item{Kind: KindCase, EstateID: c.EstateID, EstateName: c.EstateName, Subject: c.MemberName, Detail: what[0], DetailEN: what[1],
				Due: *c.NextDue, Link: fmt.Sprintf("/committee-cases/%d", c.ID), Ref: c.ID, StageLabel: c.StatusLabel})
		}
		for _, r := range sup.Reelection {
			add(Item{Kind: KindReelection, EstateID: r.EstateID, EstateName: r.EstateName,
				Detail: fmt.Sprintf("在任委员 %d / %d 席，需换届", r.Serving, r.Seats), DetailEN: fmt.Sprintf("%d of %d seats serving: re-election required", r.Serving, r.Seats),
				Due: r.Since, Link: fmt.Sprintf("/estates/%d/committee-office", r.EstateID), Ref: r.CommitteeID})
		}
	}

	complaints, err := s.property.OpenComplaints(ctx, p)
	if err != nil {
		return w, err
	}
	for _, c := range complaints {
		if !c.SLA.Open || c.SLA.NextStage == "" || !c.SLA.NextDue.Before(until) {
			continue
		}
		d := stageDetail[c.SLA.NextStage]
		add(Item{Kind: KindComplaint, EstateID: c.EstateID, EstateName: c.EstateName, Subject: c.CompanyName, Detail: d[0], DetailEN: d[1],
			Due: c.SLA.NextDue, Link: fmt.Sprintf("/complaints/%d", c.ID), Ref: c.ID, StageLabel: c.SLA.NextStage})
	}

	exits, err := s.property.ExitCases(ctx, p)
	if err != nil {
		return w, err
	}
	for _, x := range exits {
		if x.Status != "open" {
			continue
		}
		add(Item{Kind: KindExitCase, EstateID: x.EstateID, EstateName: x.EstateName, Subject: x.CompanyName,
			Detail: "物业服务企业退出预警，待街道办事处跟进", DetailEN: "Exit alert: the street office follows up",
			Due: x.RaisedAt, Link: fmt.Sprintf("/exit-cases#exit-case-%d", x.ID), Ref: x.ID})
	}

	handovers, err := s.handover.Handovers(ctx, p)
	if err != nil {
		return w, err
	}
	for _, h := range handovers {
		if h.Status == models.HandoverCompleted {
			continue
		}
		due, err := dayEnd(h.DueOn)
		if err != nil {
			continue
		}
		if !h.Refused && !h.Overdue && !due.Before(until) {
			continue
		}
		it := Item{Kind: KindHandover, EstateID: h.EstateID, EstateName: h.EstateName, Subject: h.CompanyName,
			Detail: fmt.Sprintf("物业交接（待交 %d 项）", h.Pending), DetailEN: fmt.Sprintf("Handover (%d items pending)", h.Pending),
			Due: due, Link: fmt.Sprintf("/handovers/%d", h.HandoverID), Ref: h.HandoverID}
		if h.Refused {
			it.Detail, it.DetailEN = "原物业服务企业拒不移交", "The outgoing company refused to hand over"
		}
		add(it)
	}

	sort.SliceStable(w.Items, func(i, j int) bool {
		a, b := w.Items[i], w.Items[j]
		if !a.Due.Equal(b.Due) {
			return a.Due.Before(b.Due)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.EstateID != b.EstateID {
			return a.EstateID < b.EstateID
		}
		return a.Ref < b.Ref
	})
	for _, it := range w.Items {
		if it.Overdue {
			w.Overdue++
		} else {
			w.DueSoon++
		}
	}
	return w, nil
}
