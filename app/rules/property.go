package rules

import (
	"strings"
	"time"
	"unicode"
)

// Property service companies (docs/rules.md "Property companies: complaints and the
// exit check"; seed 004 §(八) and §(十三)): the exit trigger and the 三三三 clock of
// a complaint, as pure functions over plain inputs. The USCC check digit of GB 32100
// lives in app/pii (pii.ValidUSCC), where the owners' entity codes are checked too.

// NormalizeComplainant is the canonical form in which complainants are compared:
// every white-space character removed and letters upper-cased, so "139 0000 0001"
// and "13900000001" (or an ID number ending in x or X) are one person.
func NormalizeComplainant(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// ExitComplaint is one complaint as the exit check sees it. Complainant is the
// person's identity or, as the service stores it, a keyed hash of its normalised
// form; it is compared after NormalizeComplainant.
type ExitComplaint struct {
	Ref         string
	Complainant string
	ReceivedAt  time.Time
	Verified    bool // found true (属实); unverified and unfounded complaints do not count
}

// Rectification outcomes.
const (
	RectificationCompleted = "completed"
	RectificationRefused   = "refused"
)

// ExitRectification is a rectification order as the exit check sees it.
type ExitRectification struct {
	Ref       string
	OrderedAt time.Time
	Deadline  time.Time // zero: no deadline
	Outcome   string    // "", RectificationCompleted or RectificationRefused
	OutcomeAt time.Time
}

// RefusedAsOf tells whether the order counts as refused at the instant asOf: the
// company refused it (an outcome recorded by then), or its deadline passed by then
// with no outcome recorded at or before the deadline (it lapsed: a rectification
// completed only after its deadline was still let lapse).
func (r ExitRectification) RefusedAsOf(asOf time.Time) bool {
	hasOutcome := r.Outcome != "" && !r.OutcomeAt.After(asOf)
	if hasOutcome && r.Outcome == RectificationRefused {
		return true
	}
	if r.Deadline.IsZero() || r.Deadline.After(asOf) {
		return false
	}
	return !(hasOutcome && !r.OutcomeAt.After(r.Deadline))
}

// ExitSurvey is an owner satisfaction survey's result.
type ExitSurvey struct {
	Ref         string
	ClosedAt    time.Time
	Respondents int
	Satisfied   int
}

// Below tells whether satisfaction is below percent: satisfied × 100 < percent ×
// respondents, in integers.
func (s ExitSurvey) Below(percent int) bool {
	return int64(s.Satisfied)*100 < int64(percent)*int64(s.Respondents)
}

// ExitInput is everything the exit check of one estate's company looks at.
type ExitInput struct {
	On                string // the evaluation date, "YYYY-MM-DD" in Shanghai
	Complaints        []ExitComplaint
	Rectifications    []ExitRectification
	Surveys           []ExitSurvey
	ComplaintsPerYear int // "more than N": the profile's exit_complaints_per_year (20)
	SatisfactionPct   int // "below P%": the profile's exit_satisfaction_percent (50)
	// AsOf bounds what has happened by the evaluation: outcomes, lapses and surveys
	// after it are not seen. Zero: 24:00 (Shanghai) of On.
	AsOf time.Time
}

// ExitResult is the exit check's answer with the evidence behind each condition.
type ExitResult struct {
	WindowFrom                   string // first date of the year (inclusive)
	WindowTo                     string // the evaluation date (inclusive)
	VerifiedDistinctComplainants int
	RefusedRectification         bool
	SatisfactionBelow            *bool // nil: no survey closed in the year
	Triggered                    bool
	Complaints                   []string // refs of the counted complaints, the first of each complainant
	Rectifications               []string // refs of the refused or lapsed orders
	Survey                       string   // ref of the survey that decided satisfaction
}

// ExitWindow returns the first and last Shanghai dates of the year ending on on:
// the dates after the same date one year before, up to and including on; the same
// date one year before 29 February is 28 February.
func ExitWindow(on string) (from, to string, err error) {
	d, err := time.Parse(time.DateOnly, on)
	if err != nil {
		return "", "", err
	}
	y, m, day := d.Date()
	last := time.Date(y-1, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	before := time.Date(y-1, m, min(day, last), 0, 0, 0, 0, time.UTC)
	return before.AddDate(0, 0, 1).Format(time.DateOnly), on, nil
}

// ShanghaiDate is the "YYYY-MM-DD" date of t in Asia/Shanghai.
func ShanghaiDate(t time.Time) string { return t.In(Shanghai()).Format(time.DateOnly) }

// EndOfShanghaiDate is 24:00 Asia/Shanghai of the date ("YYYY-MM-DD"), in UTC.
func EndOfShanghaiDate(day string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, day, Shanghai())
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

// ExitCheck decides the exit trigger of seed 004 §(八) (DOMAIN §7): within the year
// ending on in.On, more than ComplaintsPerYear verified complaints, each complainant
// counted once, AND (a rectification order issued in the year that the company
// refused or let lapse OR the latest satisfaction survey closed in the year below
// SatisfactionPct). No survey in the year: that branch is not met (nil).
func ExitCheck(in ExitInput) (ExitResult, error) {
	from, to, err := ExitWindow(in.On)
	if err != nil {
		return ExitResult{}, err
	}
	asOf := in.AsOf
	if asOf.IsZero() {
		if asOf, err = EndOfShanghaiDate(in.On); err != nil {
			return ExitResult{}, err
		}
	}
	inYear := func(t time.Time) bool {
		d := ShanghaiDate(t)
		return from <= d && d <= to && !t.After(asOf)
	}
	res := ExitResult{WindowFrom: from, WindowTo: to}
	seen := map[string]bool{}
	for _, c := range sortedComplaints(in.Complaints) {
		if !c.Verified || !inYear(c.ReceivedAt) {
			continue
		}
		k := NormalizeComplainant(c.Complainant)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		res.Complaints = append(res.Complaints, c.Ref)
	}
	res.VerifiedDistinctComplainants = len(seen)
	for _, r := range in.Rectifications {
		if inYear(r.OrderedAt) && r.RefusedAsOf(asOf) {
			res.RefusedRectification = true
			res.Rectifications = append(res.Rectifications, r.Ref)
		}
	}
	var latest *ExitSurvey
	for i := range in.Surveys {
		s := &in.Surveys[i]
		if !inYear(s.ClosedAt) {
			continue
		}
		if latest == nil || s.ClosedAt.After(latest.ClosedAt) {
			latest = s
		}
	}
	if latest != nil {
		below := latest.Below(in.SatisfactionPct)
		res.SatisfactionBelow = &below
		res.Survey = latest.Ref
	}
	res.Triggered = res.VerifiedDistinctComplainants > in.ComplaintsPerYear &&
		(res.RefusedRectification || (res.SatisfactionBelow != nil && *res.SatisfactionBelow))
	return res, nil
}

// sortedComplaints orders complaints by receipt (then ref), so the evidence names
// each complainant's first complaint of the year.
func sortedComplaints(in []ExitComplaint) []ExitComplaint {
	out := append([]ExitComplaint(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && lessComplaint(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func lessComplaint(a, b ExitComplaint) bool {
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.Before(b.ReceivedAt)
	}
	return a.Ref < b.Ref
}

// SLAInput is one cycle of a complaint on the 三三三 clock: the cycle starts at
// receipt, or at the reopening that restarted the clock.
type SLAInput struct {
	ReceivedAt       time.Time
	RespondedAt      *time.Time // a responsible person named
	FirstResultAt    *time.Time // the company contacted, a first result
	ResolvedAt       *time.Time
	ResponseMinutes  int // profile complaint_response_minutes (30)
	FirstResultHours int // profile complaint_first_result_hours (3)
	ResolveDays      int // profile complaint_resolve_days (3)
	Calendar         Calendar
	Now              time.Time // for the stages still open: missed once their deadline passed
}

// SLAStage states.
const (
	StageMet     = "met"     // done in time
	StageLate    = "late"    // done after its deadline
	StageMissed  = "missed"  // not done and its deadline passed
	StagePending = "pending" // not done, deadline still ahead
)

// SLAStage is one stage of the clock.
type SLAStage struct {
	Deadline time.Time
	Done     *time.Time
	State    string
}

// Met tells whether the stage was done in time.
func (s SLAStage) Met() bool { return s.State == StageMet }

// Overdue tells whether the stage's deadline was missed (late or still undone).
func (s SLAStage) Overdue() bool { return s.State == StageLate || s.State == StageMissed }

// SLAResult is the clock's verdict on one cycle.
type SLAResult struct {
	Response    SLAStage // ≤ ResponseMinutes after receipt
	FirstResult SLAStage // ≤ FirstResultHours after receipt
	Resolve     SLAStage // before the end of the ResolveDays period (CC 201-203)
}

// ComplaintSLA applies the 三三三 clock of seed 004 §(十三) (DOMAIN §7, §9): a
// responsible person within ResponseMinutes of receipt and a first result within
// FirstResultHours (both inclusive), and resolution before the end of a period of
// ResolveDays days counted from receipt (the receipt day not counted, a last day
// on a rest day moved to the next working day, ending at 24:00 Shanghai).
func ComplaintSLA(in SLAInput) SLAResult {
	resp := in.ReceivedAt.Add(time.Duration(in.ResponseMinutes) * time.Minute)
	first := in.ReceivedAt.Add(time.Duration(in.FirstResultHours) * time.Hour)
	resolve := PeriodEnd(in.ReceivedAt, in.ResolveDays, in.Calendar)
	stage := func(deadline time.Time, done *time.Time, inclusive bool) SLAStage {
		s := SLAStage{Deadline: deadline, Done: done}
		switch {
		case done != nil && (done.Before(deadline) || (inclusive && done.Equal(deadline))):
			s.State = StageMet
		case done != nil:
			s.State = StageLate
		case !in.Now.IsZero() && !in.Now.Before(deadline):
			s.State = StageMissed
		default:
			s.State = StagePending
		}
		return s
	}
	return SLAResult{
		Response:    stage(resp, in.RespondedAt, true),
		FirstResult: stage(first, in.FirstResultAt, true),
		// The period ends at 24:00: resolved at that instant is already too late.
		Resolve: stage(resolve, in.ResolvedAt, false),
	}
}
