package api

import (
	"strings"
	"time"

	"gongzhi/app/formation"
	"gongzhi/app/rules"
	"gongzhi/models"
)

// The JSON shapes of the formation API (forming the assembly and electing the committee).
// Areas are decimal strings with two places; times are RFC 3339; a missing time is null.

type fmViolationJSON struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

func fmViolationsJSON(vs []rules.Violation) []fmViolationJSON {
	out := make([]fmViolationJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, fmViolationJSON{Code: v.Code, Message: v.Message, MessageEN: v.MessageEN})
	}
	return out
}

type fmStatusJSON struct {
	EstateID         int64      `json:"estate_id"`
	EstateName       string     `json:"estate_name"`
	Profile          string     `json:"jurisdiction_profile"`
	ProfileVersion   string     `json:"profile_version"`
	Units            int        `json:"units"`
	TotalArea        string     `json:"total_area"`
	DeliveredArea    string     `json:"delivered_area"`
	DeliveredPercent string     `json:"delivered_percent"`
	FirstDeliveryAt  *time.Time `json:"first_delivery_at"`
	Note             string     `json:"note"`
	FormationDue     bool       `json:"formation_due"`
	Reason           string     `json:"reason"`
	DecideBy         *time.Time `json:"decide_by"`
	FormBy           *time.Time `json:"form_by"`
	Stage            string     `json:"stage"`
	StageLabel       string     `json:"stage_label"`
	OpenGroupID      *int64     `json:"open_group_id"`
	OpenGroupKind    string     `json:"open_group_kind,omitempty"`
	CommitteeID      *int64     `json:"committee_id"`
	ReelectionStart  *time.Time `json:"reelection_start"`
	ReelectionDue    bool       `json:"reelection_due"`
	// Issue 12: the application and decision the deadlines run from, the co-owner rule and
	// the acting transitional body.
	AppliedDay         string `json:"applied_on,omitempty"`
	DecidedDay         string `json:"decided_on,omitempty"`
	DecideOverdue      bool   `json:"decide_overdue"`
	FormOverdue        bool   `json:"form_overdue"`
	CoOwnerRule        string `json:"coowner_rule"`
	CoOwnerRuleLabel   string `json:"coowner_rule_label"`
	TransitionalBodyID *int64 `json:"transitional_body_id"`
	TransitionalKind   string `json:"transitional_kind,omitempty"`
}

func fmNonZeroTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fmNonZeroID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func fmToStatusJSON(st formation.FormationStatus) fmStatusJSON {
	return fmStatusJSON{EstateID: st.Estate.ID, EstateName: st.Estate.Name, Profile: st.Profile.Code, ProfileVersion: st.Profile.Version,
		Units: st.Units, TotalArea: st.TotalArea.String(), DeliveredArea: st.DeliveredArea.String(), DeliveredPercent: st.Due.DeliveredPercent,
		FirstDeliveryAt: st.FirstDeliveryAt, Note: st.Note, FormationDue: st.Due.Due, Reason: st.Due.Reason,
		DecideBy: fmNonZeroTime(st.Due.DecideBy), FormBy: fmNonZeroTime(st.Due.FormBy), Stage: string(st.Stage), StageLabel: st.Stage.Label(),
		OpenGroupID: fmNonZeroID(st.OpenGroupID), OpenGroupKind: st.OpenGroupKind, CommitteeID: fmNonZeroID(st.CommitteeID),
		ReelectionStart: st.ReelectionStart, ReelectionDue: st.ReelectionDue,
		AppliedDay: st.AppliedDay, DecidedDay: st.DecidedDay, DecideOverdue: st.DecideOverdue, FormOverdue: st.FormOverdue,
		CoOwnerRule: st.CoOwnerRule, CoOwnerRuleLabel: st.CoOwnerRuleLabel, TransitionalBodyID: fmNonZeroID(st.TransitionalID),
		TransitionalKind: st.TransitionalKind}
}

type fmGroupMemberJSON struct {
	ID            int64      `json:"id"`
	Role          string     `json:"role"`
	RoleLabel     string     `json:"role_label"`
	Name          string     `json:"name"`
	Room          string     `json:"room"`
	Organisation  string     `json:"organisation"`
	Leader        bool       `json:"leader"`
	MeetsCriteria bool       `json:"meets_criteria"`
	Duty          string     `json:"duty"`
	Status        string     `json:"status"`
	WithdrawnAt   *time.Time `json:"withdrawn_at"`
}

type fmDutyJSON struct {
	Code     string     `json:"code"`
	Title    string     `json:"title"`
	TitleEN  string     `json:"title_en"`
	Deadline time.Time  `json:"deadline"`
	LastDay  string     `json:"last_day"`
	DoneAt   *time.Time `json:"done_at"`
	Evidence string     `json:"evidence"`
	DoneBy   string     `json:"done_by"`
	Overdue  bool       `json:"overdue"`
	Late     bool       `json:"late"`
}

type fmObjectionJSON struct {
	ID              int64      `json:"id"`
	Kind            string     `json:"kind"`
	CandidateListID *int64     `json:"candidate_list_id"`
	CandidateID     *int64     `json:"candidate_id"`
	CandidateName   string     `json:"candidate_name,omitempty"`
	Content         string     `json:"content"`
	Submitter       string     `json:"submitter"`
	ReceivedAt      time.Time  `json:"received_at"`
	Status          string     `json:"status"`
	Answer          string     `json:"answer"`
	AnsweredAt      *time.Time `json:"answered_at"`
	AnsweredBy      string     `json:"answered_by"`
}

type fmCheckJSON struct {
	Criterion  string     `json:"criterion"`
	Title      string     `json:"title"`
	TitleEN    string     `json:"title_en"`
	Basis      string     `json:"basis"`
	State      string     `json:"state"`
	Met        *bool      `json:"met"`
	Evidence   string     `json:"evidence"`
	Reviewer   string     `json:"reviewer"`
	ReviewedAt *time.Time `json:"reviewed_at"`
}

type fmCandidateJSON struct {
	ID                 int64         `json:"id"`
	GroupID            int64         `json:"group_id"`
	Name               string        `json:"name"`
	Room               string        `json:"room"`
	NominationKind     string        `json:"nomination_kind"`
	Nominators         string        `json:"nominators"`
	PoliticalStatus    string        `json:"political_status"`
	PoliticalLabel     string        `json:"political_label"`
	PartyMember        bool          `json:"party_member"`
	Occupation         string        `json:"occupation"`
	Status             string        `json:"status"`
	ReviewNote         string        `json:"review_note"`
	PartyOrgReviewer   string        `json:"party_org_reviewer"`
	PartyOrgReviewedAt *time.Time    `json:"party_org_reviewed_at"`
	ReviewedBy         string        `json:"reviewed_by"`
	ReviewedAt         *time.Time    `json:"reviewed_at"`
	Eligible           bool          `json:"eligible"`
	Pending            []string      `json:"pending"`
	Failed             []string      `json:"failed"`
	RosterMatch        bool          `json:"roster_match"`
	Checks             []fmCheckJSON `json:"checks"`
}

func fmToCandidateJSON(c formation.CandidateView) fmCandidateJSON {
	out := fmCandidateJSON{ID: c.ID, GroupID: c.GroupID, Name: c.Name, Room: c.Room, NominationKind: c.NominationKind, Nominators: c.Nominators,
		PoliticalStatus: c.PoliticalStatus, PoliticalLabel: c.PoliticalLabel, PartyMember: c.PartyMember, Occupation: c.Occupation,
		Status: c.Status, ReviewNote: c.ReviewNote, PartyOrgReviewer: c.PartyOrgReviewer, PartyOrgReviewedAt: c.PartyOrgReviewedAt,
		ReviewedBy: c.ReviewedBy, ReviewedAt: c.ReviewedAt, Eligible: c.Eligibility.Eligible, Pending: nonNil(c.Eligibility.Pending),
		Failed: nonNil(c.Eligibility.Failed), RosterMatch: c.RosterMatch, Checks: []fmCheckJSON{}}
	for _, ch := range c.Checks {
		cj := fmCheckJSON{Criterion: ch.Code, Title: ch.Title, TitleEN: ch.TitleEN, Basis: ch.Basis, State: ch.State}
		if ch.Check != nil {
			met := ch.Check.Met
			cj.Met, cj.Evidence, cj.Reviewer, cj.ReviewedAt = &met, ch.Check.Evidence, ch.Check.Reviewer, &ch.Check.ReviewedAt
		}
		out.Checks = append(out.Checks, cj)
	}
	return out
}

type fmListEntryJSON struct {
	CandidateID     int64  `json:"candidate_id"`
	Position        int    `json:"position"`
	Name            string `json:"name"`
	Room            string `json:"room"`
	PoliticalStatus string `json:"political_status"`
	PoliticalLabel  string `json:"political_label"`
	Occupation      string `json:"occupation"`
}

type fmListJSON struct {
	ID            int64             `json:"id"`
	Version       int               `json:"version"`
	Status        string            `json:"status"`
	PublishedAt   time.Time         `json:"published_at"`
	ShowUntil     time.Time         `json:"show_until"`
	VotePlannedAt time.Time         `json:"vote_planned_at"`
	SupersededAt  *time.Time        `json:"superseded_at"`
	Showing       *bool             `json:"showing,omitempty"`
	Stale         *bool             `json:"stale,omitempty"`
	Entries       []fmListEntryJSON `json:"entries,omitempty"`
}

func fmToListJSON(l models.CandidateList) fmListJSON {
	return fmListJSON{ID: l.ID, Version: l.Version, Status: l.Status, PublishedAt: l.PublishedAt, ShowUntil: l.ShowUntil,
		VotePlannedAt: l.VotePlannedAt, SupersededAt: l.SupersededAt}
}

type fmRatioJSON struct {
	Party         int      `json:"party"`
	Total         int      `json:"total"`
	Percent       string   `json:"percent"`
	TargetPercent int      `json:"target_percent"`
	BelowTarget   bool     `json:"below_target"`
	ChairKnown    bool     `json:"chair_known"`
	ChairNotParty bool     `json:"chair_not_party"`
	Warnings      []string `json:"warnings"`
	WarningsEN    []string `json:"warnings_en"`
}

func fmToRatioJSON(r rules.PartyRatio) fmRatioJSON {
	return fmRatioJSON{Party: r.Party, Total: r.Total, Percent: r.Percent, TargetPercent: r.TargetPercent, BelowTarget: r.BelowTarget,
		ChairKnown: r.ChairKnown, ChairNotParty: r.ChairNotParty, Warnings: nonNil(r.Warnings), WarningsEN: nonNil(r.WarningsEN)}
}

type fmSlateEntryJSON struct {
	CandidateID     int64  `json:"candidate_id"`
	Key             string `json:"key"`
	Name            string `json:"name"`
	Room            string `json:"room"`
	PoliticalStatus string `json:"political_status"`
	PartyMember     bool   `json:"party_member"`
}

type fmSlateJSON struct {
	Published  bool               `json:"published"`
	Stale      bool               `json:"stale"`
	Entries    []fmSlateEntryJSON `json:"entries"`
	PartyRatio fmRatioJSON        `json:"party_ratio"`
}

type fmGroupJSON struct {
	ID                    int64               `json:"id"`
	EstateID              int64               `json:"estate_id"`
	Kind                  string              `json:"kind"`
	KindLabel             string              `json:"kind_label"`
	Status                string              `json:"status"`
	Profile               string              `json:"jurisdiction_profile"`
	ProfileVersion        string              `json:"profile_version"`
	PredecessorCommittee  *int64              `json:"predecessor_committee_id"`
	FormedAt              time.Time           `json:"formed_at"`
	MemberListDeadline    time.Time           `json:"member_list_deadline"`
	MeetingDeadline       time.Time           `json:"meeting_deadline"`
	PlannedMeetingAt      *time.Time          `json:"planned_meeting_at"`
	PublishedAt           *time.Time          `json:"published_at"`
	PublicationVersion    int                 `json:"publication_version"`
	NeedsRepublication    bool                `json:"needs_republication"`
	MemberListOverdue     bool                `json:"member_list_overdue"`
	MemberListLate        bool                `json:"member_list_late"`
	MeetingOverdue        bool                `json:"meeting_overdue"`
	DeveloperAbsentReason string              `json:"developer_absent_reason"`
	DissolvedAt           *time.Time          `json:"dissolved_at"`
	DissolvedReason       string              `json:"dissolved_reason"`
	Members               []fmGroupMemberJSON `json:"members"`
	Violations            []fmViolationJSON   `json:"violations"`
	Warnings              []fmViolationJSON   `json:"warnings"`
	Duties                []fmDutyJSON        `json:"duties"`
	Objections            []fmObjectionJSON   `json:"objections"`
	Candidates            []fmCandidateJSON   `json:"candidates"`
	CandidateLists        []fmListJSON        `json:"candidate_lists"`
	CurrentList           *fmListJSON         `json:"current_list"`
	Slate                 fmSlateJSON         `json:"slate"`
}

func fmToObjectionJSON(o formation.ObjectionView) fmObjectionJSON {
	return fmObjectionJSON{ID: o.ID, Kind: o.Kind, CandidateListID: o.CandidateListID, CandidateID: o.CandidateID, CandidateName: o.CandidateName,
		Content: o.Content, Submitter: o.Submitter, ReceivedAt: o.ReceivedAt, Status: o.Status, Answer: o.Answer, AnsweredAt: o.AnsweredAt,
		AnsweredBy: o.AnsweredBy}
}

func fmToGroupJSON(g formation.GroupView) fmGroupJSON {
	out := fmGroupJSON{ID: g.ID, EstateID: g.EstateID, Kind: g.Kind, KindLabel: g.KindLabel, Status: g.Status, Profile: g.ProfileCode,
		ProfileVersion: g.ProfileVersion, PredecessorCommittee: g.PredecessorCommitteeID, FormedAt: g.FormedAt,
		MemberListDeadline: g.MemberListDeadline, MeetingDeadline: g.MeetingDeadline, PlannedMeetingAt: g.PlannedMeetingAt,
		PublishedAt: g.PublishedAt, PublicationVersion: g.PublicationVersion, NeedsRepublication: g.NeedsRepublication,
		MemberListOverdue: g.MemberListOverdue, MemberListLate: g.MemberListLate, MeetingOverdue: g.MeetingOverdue,
		DeveloperAbsentReason: g.DeveloperAbsentReason, DissolvedAt: g.DissolvedAt, DissolvedReason: g.DissolvedReason,
		Members: []fmGroupMemberJSON{}, Violations: fmViolationsJSON(g.Violations), Warnings: fmViolationsJSON(g.Warnings),
		Duties: []fmDutyJSON{}, Objections: []fmObjectionJSON{}, Candidates: []fmCandidateJSON{}, CandidateLists: []fmListJSON{}}
	for _, m := range g.Members {
		out.Members = append(out.Members, fmGroupMemberJSON{ID: m.ID, Role: m.Role, RoleLabel: m.RoleLabel, Name: m.Name, Room: m.Room,
			Organisation: m.Organisation, Leader: m.Leader, MeetsCriteria: m.MeetsCriteria, Duty: m.Duty, Status: m.Status, WithdrawnAt: m.WithdrawnAt})
	}
	for _, d := range g.Duties {
		out.Duties = append(out.Duties, fmDutyJSON{Code: d.Code, Title: d.Title, TitleEN: d.TitleEN, Deadline: d.Deadline, LastDay: d.LastDay,
			DoneAt: d.DoneAt, Evidence: d.Evidence, DoneBy: d.DoneBy, Overdue: d.Overdue, Late: d.Late})
	}
	for _, o := range g.Objections {
		out.Objections = append(out.Objections, fmToObjectionJSON(o))
	}
	for _, c := range g.Candidates {
		out.Candidates = append(out.Candidates, fmToCandidateJSON(c))
	}
	for _, l := range g.Lists {
		out.CandidateLists = append(out.CandidateLists, fmToListJSON(l))
	}
	if g.CurrentList != nil {
		cl := fmToListJSON(g.CurrentList.CandidateList)
		showing, stale := g.CurrentList.Showing, g.CurrentList.Stale
		cl.Showing, cl.Stale, cl.Entries = &showing, &stale, []fmListEntryJSON{}
		for _, e := range g.CurrentList.Entries {
			cl.Entries = append(cl.Entries, fmListEntryJSON{CandidateID: e.CandidateID, Position: e.Position, Name: e.Name, Room: e.Room,
				PoliticalStatus: e.PoliticalStatus, PoliticalLabel: e.PoliticalLabel, Occupation: e.Occupation})
		}
		out.CurrentList = &cl
	}
	out.Slate = fmSlateJSON{Published: g.Slate.Published, Stale: g.Slate.Stale, Entries: []fmSlateEntryJSON{}, PartyRatio: fmToRatioJSON(g.Slate.Ratio)}
	for _, e := range g.Slate.Entries {
		out.Slate.Entries = append(out.Slate.Entries, fmSlateEntryJSON{CandidateID: e.CandidateID, Key: e.Key, Name: e.Name, Room: e.Room,
			PoliticalStatus: string(e.PoliticalStatus), PartyMember: e.PartyMember})
	}
	return out
}

type fmCommitteeMemberJSON struct {
	ID             int64      `json:"id"`
	CandidateID    *int64     `json:"candidate_id"`
	CandidateKey   string     `json:"candidate_key"`
	Name           string     `json:"name"`
	Room           string     `json:"room"`
	Role           string     `json:"role"`
	RoleLabel      string     `json:"role_label"`
	Rank           int        `json:"rank"`
	PartyMember    bool       `json:"party_member"`
	AgreeHeadcount int        `json:"agree_headcount"`
	AgreeArea      string     `json:"agree_area"`
	VoteID         int64      `json:"vote_id"`
	Status         string     `json:"status"`
	StartAt        time.Time  `json:"start_at"`
	EndAt          *time.Time `json:"end_at"`
}

type fmCommitteeElectionJSON struct {
	ID              int64     `json:"id"`
	VoteID          int64     `json:"vote_id"`
	ItemKey         string    `json:"item_key"`
	Kind            string    `json:"kind"`
	Seats           int       `json:"seats"`
	ElectedCount    int       `json:"elected_count"`
	AlternatesCount int       `json:"alternates_count"`
	Runoff          []string  `json:"runoff"`
	VacantSeats     int       `json:"vacant_seats"`
	CommitteeFormed bool      `json:"committee_formed"`
	InvalidBallots  int       `json:"invalid_ballots"`
	RecordedAt      time.Time `json:"recorded_at"`
	// Issue 12: the vote's close (deadlines run from it), the alternate places kept for a
	// runoff's losers and a tie across the last alternate place.
	ClosedAt           *time.Time `json:"closed_at"`
	AlternatesPending  int        `json:"alternates_pending"`
	AlternateTie       []string   `json:"alternate_tie"`
	AlternateTiePlaces int        `json:"alternate_tie_places"`
}

type fmFilingJSON struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Documents   []string  `json:"documents"`
	ReferenceNo string    `json:"reference_no"`
	FiledAt     time.Time `json:"filed_at"`
	Overdue     bool      `json:"overdue"`
	Note        string    `json:"note"`
}

type fmCommitteeJSON struct {
	ID                int64                     `json:"id"`
	EstateID          int64                     `json:"estate_id"`
	GroupID           *int64                    `json:"group_id"`
	Status            string                    `json:"status"`
	StatusLabel       string                    `json:"status_label"`
	Seats             int                       `json:"seats"`
	MinMembers        int                       `json:"min_members"`
	VacantSeats       int                       `json:"vacant_seats"`
	ByElectionNeeded  bool                      `json:"by_election_needed"`
	RunoffPending     []string                  `json:"runoff_pending"`
	FirstElectedAt    time.Time                 `json:"first_elected_at"`
	FormedAt          *time.Time                `json:"formed_at"`
	TermStart         *time.Time                `json:"term_start"`
	TermEnd           *time.Time                `json:"term_end"`
	ReelectionStart   *time.Time                `json:"reelection_start"`
	ReelectionDue     bool                      `json:"reelection_due"`
	ChairElectBy      *time.Time                `json:"chair_elect_by"`
	OfficersPublishBy *time.Time                `json:"officers_publish_by"`
	FilingDue         *time.Time                `json:"filing_due"`
	ChairElectedAt    *time.Time                `json:"chair_elected_at"`
	FiledAt           *time.Time                `json:"filed_at"`
	ChairOverdue      bool                      `json:"chair_overdue"`
	FilingOverdue     bool                      `json:"filing_overdue"`
	EndedAt           *time.Time                `json:"ended_at"`
	EndedReason       string                    `json:"ended_reason"`
	Profile           string                    `json:"jurisdiction_profile"`
	ProfileVersion    string                    `json:"profile_version"`
	Members           []fmCommitteeMemberJSON   `json:"members"`
	Alternates        []fmCommitteeMemberJSON   `json:"alternates"`
	Former            []fmCommitteeMemberJSON   `json:"former"`
	Elections         []fmCommitteeElectionJSON `json:"elections"`
	Filings           []fmFilingJSON            `json:"filings"`
	PartyRatio        fmRatioJSON               `json:"party_ratio"`
	AlternatesPending int                       `json:"alternates_pending"`
	AlternateTie      []string                  `json:"alternate_tie"`
	Lots              []lotJSON                 `json:"lots"`
	// ReelectionRequired: serving members below half of the seats after alternates
	// filled in (BJ 48, issue 12).
	ReelectionRequired bool `json:"reelection_required"`
}

func fmToCommitteeMembersJSON(list []formation.CommitteeMemberView) []fmCommitteeMemberJSON {
	out := make([]fmCommitteeMemberJSON, 0, len(list))
	for _, m := range list {
		out = append(out, fmCommitteeMemberJSON{ID: m.ID, CandidateID: m.CandidateID, CandidateKey: m.CandidateKey, Name: m.Name, Room: m.Room,
			Role: m.Role, RoleLabel: m.RoleLabel, Rank: m.ElectionRank, PartyMember: m.PartyMember, AgreeHeadcount: m.AgreeHeadcount,
			AgreeArea: m.AgreeAreaText, VoteID: m.VoteID, Status: m.Status, StartAt: m.StartAt, EndAt: m.EndAt})
		if m.Status == models.SeatServing && m.SuspendedAt != nil {
			out[len(out)-1].Status = "suspended" // suspended on a founded negative-list case (issue 12)
		}
	}
	return out
}

func fmToCommitteeJSON(c formation.CommitteeView) fmCommitteeJSON {
	out := fmCommitteeJSON{ID: c.ID, EstateID: c.EstateID, GroupID: c.GroupID, Status: c.Status, StatusLabel: c.StatusLabel, Seats: c.Seats,
		MinMembers: c.MinMembers, VacantSeats: c.VacantSeats, ByElectionNeeded: c.ByElectionNeeded, RunoffPending: nonNil(c.RunoffPending),
		FirstElectedAt: c.FirstElectedAt, FormedAt: c.FormedAt, TermStart: c.TermStart, TermEnd: c.TermEnd, ReelectionStart: c.ReelectionStart,
		ReelectionDue: c.ReelectionDue, ChairElectBy: c.ChairElectBy, OfficersPublishBy: c.OfficersPublishBy, FilingDue: c.FilingDue,
		ChairElectedAt: c.ChairElectedAt, FiledAt: c.FiledAt, ChairOverdue: c.ChairOverdue, FilingOverdue: c.FilingOverdue,
		EndedAt: c.EndedAt, EndedReason: c.EndedReason, Profile: c.ProfileCode, ProfileVersion: c.ProfileVersion,
		Members: fmToCommitteeMembersJSON(c.Members), Alternates: fmToCommitteeMembersJSON(c.Alternates), Former: fmToCommitteeMembersJSON(c.Former),
		Elections: []fmCommitteeElectionJSON{}, Filings: []fmFilingJSON{}, PartyRatio: fmToRatioJSON(c.Ratio),
		AlternatesPending: c.AlternatesPending, AlternateTie: nonNil(c.AlternateTie), Lots: []lotJSON{},
		ReelectionRequired: c.ReelectionRequiredAt != nil}
	for _, l := range c.Lots {
		out.Lots = append(out.Lots, toLotJSON(l))
	}
	if c.Status != models.CommitteeEnded {
		// The committee in office lists its ended members too, with status "ended" (issue 12, API.md).
		for _, m := range fmToCommitteeMembersJSON(c.Former) {
			if m.Role != models.RoleAlternate {
				out.Members = append(out.Members, m)
			}
		}
	}
	for _, e := range c.Elections {
		runoff := []string{}
		if e.Runoff != "" {
			runoff = strings.Split(e.Runoff, ",")
		}
		out.Elections = append(out.Elections, fmCommitteeElectionJSON{ID: e.ID, VoteID: e.VoteID, ItemKey: e.ItemKey, Kind: e.Kind, Seats: e.Seats,
			ElectedCount: e.ElectedCount, AlternatesCount: e.AlternatesCount, Runoff: runoff, VacantSeats: e.VacantSeats,
			CommitteeFormed: e.CommitteeFormed, InvalidBallots: e.InvalidBallots, RecordedAt: e.RecordedAt,
			ClosedAt: e.ClosedAt, AlternatesPending: e.AlternatesPending, AlternateTie: splitKeys(e.AlternateTie), AlternateTiePlaces: e.AlternateTiePlaces})
	}
	for _, f := range c.Filings {
		out.Filings = append(out.Filings, fmFilingJSON{ID: f.ID, Kind: f.Kind, Documents: f.DocumentList, ReferenceNo: f.ReferenceNo,
			FiledAt: f.FiledAt, Overdue: f.Overdue, Note: f.Note})
	}
	return out
}

type fmPastGroupJSON struct {
	ID              int64      `json:"id"`
	Kind            string     `json:"kind"`
	Status          string     `json:"status"`
	FormedAt        time.Time  `json:"formed_at"`
	DissolvedAt     *time.Time `json:"dissolved_at"`
	DissolvedReason string     `json:"dissolved_reason"`
}

type fmPastCommitteeJSON struct {
	ID        int64      `json:"id"`
	Status    string     `json:"status"`
	TermStart *time.Time `json:"term_start"`
	TermEnd   *time.Time `json:"term_end"`
	EndedAt   *time.Time `json:"ended_at"`
}

type fmPermissionsJSON struct {
	Compose  bool `json:"compose"`
	Work     bool `json:"work"`
	Election bool `json:"election"`
	Officers bool `json:"officers"`
	Filing   bool `json:"filing"`
}

type fmOverviewJSON struct {
	Status         fmStatusJSON          `json:"status"`
	Group          *fmGroupJSON          `json:"group"`
	Committee      *fmCommitteeJSON      `json:"committee"`
	Successor      *fmCommitteeJSON      `json:"successor"`
	PastGroups     []fmPastGroupJSON     `json:"past_groups"`
	PastCommittees []fmPastCommitteeJSON `json:"past_committees"`
	Permissions    fmPermissionsJSON     `json:"permissions"`
	// TransitionalBodies are the estate's transitional bodies, the acting one first.
	TransitionalBodies []transitionalJSON `json:"transitional_bodies"`
}

func fmToOverviewJSON(ov formation.Overview) fmOverviewJSON {
	out := fmOverviewJSON{Status: fmToStatusJSON(ov.Status), PastGroups: []fmPastGroupJSON{}, PastCommittees: []fmPastCommitteeJSON{},
		TransitionalBodies: []transitionalJSON{},
		Permissions: fmPermissionsJSON{Compose: ov.Permissions.Compose, Work: ov.Permissions.Work, Election: ov.Permissions.Election,
			Officers: ov.Permissions.Officers, Filing: ov.Permissions.Filing}}
	for _, b := range ov.Transitional {
		out.TransitionalBodies = append(out.TransitionalBodies, toTransitionalJSON(b))
	}
	if ov.Group != nil {
		g := fmToGroupJSON(*ov.Group)
		out.Group = &g
	}
	if ov.Committee != nil {
		c := fmToCommitteeJSON(*ov.Committee)
		out.Committee = &c
	}
	if ov.Successor != nil {
		c := fmToCommitteeJSON(*ov.Successor)
		out.Successor = &c
	}
	for _, g := range ov.PastGroups {
		out.PastGroups = append(out.PastGroups, fmPastGroupJSON{ID: g.ID, Kind: g.Kind, Status: g.Status, FormedAt: g.FormedAt,
			DissolvedAt: g.DissolvedAt, DissolvedReason: g.DissolvedReason})
	}
	for _, c := range ov.PastCommittees {
		out.PastCommittees = append(out.PastCommittees, fmPastCommitteeJSON{ID: c.ID, Status: c.Status, TermStart: c.TermStart, TermEnd: c.TermEnd, EndedAt: c.EndedAt})
	}
	return out
}

// splitKeys splits a comma-separated key list; empty gives an empty list.
func splitKeys(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
