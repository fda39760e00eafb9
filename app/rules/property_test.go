package rules

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// exitFixture is testdata/exit-cases.json: the exit trigger and the 三三三 clock.
type exitFixture struct {
	Profile struct {
		ExitComplaintsPerYear   int `json:"exit_complaints_per_year"`
		ExitSatisfactionPercent int `json:"exit_satisfaction_percent"`
		ResponseMinutes         int `json:"complaint_response_minutes"`
		FirstResultHours        int `json:"complaint_first_result_hours"`
		ResolveDays             int `json:"complaint_resolve_days"`
	} `json:"profile"`
	ExitCases []struct {
		Name       string `json:"name"`
		EvaluateOn string `json:"evaluate_on"`
		Complaints []struct {
			Ref         string    `json:"ref"`
			Complainant string    `json:"complainant"`
			ReceivedAt  time.Time `json:"received_at"`
			Verified    bool      `json:"verified"`
		} `json:"complaints"`
		Rectifications []struct {
			OrderedAt time.Time `json:"ordered_at"`
			Refused   bool      `json:"refused"`
		} `json:"rectifications"`
		Surveys []struct {
			ClosedAt    time.Time `json:"closed_at"`
			Respondents int       `json:"respondents"`
			Satisfied   int       `json:"satisfied"`
		} `json:"surveys"`
		Expected struct {
			Verified  int   `json:"verified_distinct_complainants"`
			Refused   bool  `json:"refused_rectification"`
			Below     *bool `json:"satisfaction_below"`
			Triggered bool  `json:"triggered"`
		} `json:"expected"`
	} `json:"exit_cases"`
	SLACases []struct {
		Name          string     `json:"name"`
		ReceivedAt    time.Time  `json:"received_at"`
		RespondedAt   *time.Time `json:"responded_at"`
		FirstResultAt *time.Time `json:"first_result_at"`
		ResolvedAt    *time.Time `json:"resolved_at"`
		Expected      struct {
			Responded       bool   `json:"responded_met"`
			FirstResult     bool   `json:"first_result_met"`
			Resolved        bool   `json:"resolved_met"`
			ResolveDeadline string `json:"resolve_deadline"`
		} `json:"expected"`
	} `json:"sla_cases"`
}

func loadExitFixture(t *testing.T) exitFixture {
	t.Helper()
	data, err := os.ReadFile(fixturePath("exit-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f exitFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.ExitCases) < 9 || len(f.SLACases) < 4 {
		t.Fatalf("unexpected fixture: %d exit cases, %d SLA cases", len(f.ExitCases), len(f.SLACases))
	}
	return f
}

func boolStr(b *bool) string {
	if b == nil {
		return "null"
	}
	if *b {
		return "true"
	}
	return "false"
}

// TestExitCheckGolden reproduces every exit case of testdata/exit-cases.json.
func TestExitCheckGolden(t *testing.T) {
	f := loadExitFixture(t)
	for _, c := range f.ExitCases {
		t.Run(c.Name, func(t *testing.T) {
			in := ExitInput{On: c.EvaluateOn, ComplaintsPerYear: f.Profile.ExitComplaintsPerYear, SatisfactionPct: f.Profile.ExitSatisfactionPercent}
			for _, x := range c.Complaints {
				in.Complaints = append(in.Complaints, ExitComplaint{Ref: x.Ref, Complainant: x.Complainant, ReceivedAt: x.ReceivedAt, Verified: x.Verified})
			}
			for i, r := range c.Rectifications {
				o := ExitRectification{Ref: string(rune('A' + i)), OrderedAt: r.OrderedAt, Deadline: r.OrderedAt.AddDate(0, 0, 10)}
				if r.Refused {
					o.Outcome, o.OutcomeAt = RectificationRefused, r.OrderedAt.Add(time.Hour)
				} else {
					o.Outcome, o.OutcomeAt = RectificationCompleted, r.OrderedAt.Add(time.Hour)
				}
				in.Rectifications = append(in.Rectifications, o)
			}
			for _, s := range c.Surveys {
				in.Surveys = append(in.Surveys, ExitSurvey{Ref: "S", ClosedAt: s.ClosedAt, Respondents: s.Respondents, Satisfied: s.Satisfied})
			}
			got, err := ExitCheck(in)
			if err != nil {
				t.Fatal(err)
			}
			e := c.Expected
			if got.VerifiedDistinctComplainants != e.Verified || got.RefusedRectification != e.Refused ||
				boolStr(got.SatisfactionBelow) != boolStr(e.Below) || got.Triggered != e.Triggered {
				t.Errorf("got %d %v %s %v, want %d %v %s %v", got.VerifiedDistinctComplainants, got.RefusedRectification,
					boolStr(got.SatisfactionBelow), got.Triggered, e.Verified, e.Refused, boolStr(e.Below), e.Triggered)
			}
			if len(got.Complaints) != got.VerifiedDistinctComplainants {
				t.Errorf("evidence names %d complaints for %d complainants", len(got.Complaints), got.VerifiedDistinctComplainants)
			}
		})
	}
}

// TestComplaintSLAGolden reproduces every 三三三 case of testdata/exit-cases.json.
func TestComplaintSLAGolden(t *testing.T) {
	f := loadExitFixture(t)
	for _, c := range f.SLACases {
		t.Run(c.Name, func(t *testing.T) {
			got := ComplaintSLA(SLAInput{ReceivedAt: c.ReceivedAt, RespondedAt: c.RespondedAt, FirstResultAt: c.FirstResultAt, ResolvedAt: c.ResolvedAt,
				ResponseMinutes: f.Profile.ResponseMinutes, FirstResultHours: f.Profile.FirstResultHours, ResolveDays: f.Profile.ResolveDays,
				Calendar: OfficialCalendar()})
			e := c.Expected
			dl := got.Resolve.Deadline.In(Shanghai()).Format(time.RFC3339)
			if got.Response.Met() != e.Responded || got.FirstResult.Met() != e.FirstResult || got.Resolve.Met() != e.Resolved || dl != e.ResolveDeadline {
				t.Errorf("got %v %v %v %s, want %v %v %v %s", got.Response.Met(), got.FirstResult.Met(), got.Resolve.Met(), dl,
					e.Responded, e.FirstResult, e.Resolved, e.ResolveDeadline)
			}
		})
	}
}

func TestExitWindowLeapDay(t *testing.T) {
	for _, c := range []struct{ on, from string }{
		{"2028-02-29", "2027-03-01"}, // the same date one year before 29 Feb is 28 Feb
		{"2026-06-30", "2025-07-01"},
		{"2027-02-28", "2026-03-01"},
		{"2029-02-28", "2028-02-29"},
	} {
		from, _, err := ExitWindow(c.on)
		if err != nil || from != c.from {
			t.Errorf("%s: from %s %v, want %s", c.on, from, err, c.from)
		}
	}
	if _, _, err := ExitWindow("2026-13-01"); err == nil {
		t.Error("bad date accepted")
	}
}

func TestRectificationLapse(t *testing.T) {
	at := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
	dl := at.AddDate(0, 0, 10)
	o := ExitRectification{OrderedAt: at, Deadline: dl}
	if o.RefusedAsOf(dl.Add(-time.Second)) || !o.RefusedAsOf(dl) {
		t.Error("an order without outcome lapses at its deadline")
	}
	o.Outcome, o.OutcomeAt = RectificationCompleted, dl.Add(-time.Hour)
	if o.RefusedAsOf(dl.AddDate(0, 1, 0)) {
		t.Error("completed in time counts as refused")
	}
	o.OutcomeAt = dl.Add(time.Hour)
	if !o.RefusedAsOf(dl.AddDate(0, 1, 0)) {
		t.Error("completed after the deadline: lapsed")
	}
	if NormalizeComplainant(" 139 0000 000x ") != "1390000000X" {
		t.Error("normalise")
	}
}
