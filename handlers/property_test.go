package handlers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/property"
	"gongzhi/handlers/handlertest"
	"gongzhi/handlers/httpx"
)

// Property companies, complaints and the exit check (issue 13, docs/property.md):
// the golden cases of testdata/exit-cases.json through the HTTP API, bad input, the
// public complaint form and its private link, and the complainant never in clear.

// swProperty are the property objects the roles sweep names.
type swProperty struct{ company, contract, complaint, rectification, attachment int64 }

// prUSCC completes a 17-character USCC body with its GB 32100 check character.
func prUSCC(body string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(alphabet, body[i]) * weights[i]
	}
	return body + string(alphabet[(31-sum%31)%31])
}

// prWant fails unless r has the status; it returns the body as a map.
func prWant(t *testing.T, r handlertest.Response, status int, what string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
	if len(r.Body) == 0 || r.Body[0] != '{' {
		return nil
	}
	return r.Map(t)
}

func prID(t *testing.T, r handlertest.Response, what string) int64 {
	t.Helper()
	m := prWant(t, r, http.StatusCreated, what)
	return int64(m["id"].(float64))
}

// prField fails unless r is a 4xx whose details name field.
func prField(t *testing.T, r handlertest.Response, status int, field, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
	var body struct {
		Error struct {
			Details []struct {
				Field string `json:"field"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	for _, d := range body.Error.Details {
		if d.Field == field {
			return
		}
	}
	t.Fatalf("%s: the error does not name %q: %s", what, field, r.Body)
}

// prEstate creates a fresh estate beside the demo estate.
func prEstate(t *testing.T, env *handlertest.Env, name string) int64 {
	t.Helper()
	var community int64
	if err := env.DB.DB.Raw("SELECT community_id FROM estates WHERE id = ?", env.Demo.EstateID).Scan(&community).Error; err != nil {
		t.Fatal(err)
	}
	id, err := env.Svc.Orgs.CreateEstate(context.Background(), app.System(), orgs.NewEstate{Name: name, CommunityID: community, ProfileCode: "national"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var prSerial int

// prCompanyServing registers a company and files its contract for the estate from
// 2025-01-01 to 2026-12-31.
func prCompanyServing(t *testing.T, env *handlertest.Env, tok string, estate int64) int64 {
	t.Helper()
	prSerial++
	company := prID(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": fmt.Sprintf("物业公司%d", prSerial),
		"uscc": prUSCC(fmt.Sprintf("9111010%010d", prSerial))}), "company")
	prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/service-contracts", estate), tok,
		map[string]any{"company_id": company, "starts_on": "2025-01-01", "ends_on": "2026-12-31"}), "contract")
	return company
}

// swSeedProperty gives the roles sweep a company serving the demo estate, a
// complaint, a rectification order and the contract.
func swSeedProperty(t *testing.T, env *handlertest.Env, estate int64) swProperty {
	t.Helper()
	env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
	tok := env.DemoToken("street")
	var ids swProperty
	ids.company = prCompanyServing(t, env, tok, estate)
	if err := env.DB.DB.Raw("SELECT MAX(id) FROM service_contracts WHERE estate_id = ?", estate).Scan(&ids.contract).Error; err != nil {
		t.Fatal(err)
	}
	ids.complaint = prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok,
		map[string]any{"complainant": "13900009999", "received_at": "2026-06-30T09:00:00+08:00", "source": "phone", "text": "电梯故障"}), "complaint")
	var err error
	if ids.attachment, err = env.Svc.Property.AddAttachment(context.Background(), app.System(), ids.complaint, "照片.png", swPNG(t)); err != nil {
		t.Fatal(err)
	}
	ids.rectification = prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/rectifications", estate), tok,
		map[string]any{"ordered_at": "2026-06-30T10:00:00+08:00", "deadline": "2026-07-10", "text": "限期维修电梯"}), "rectification")
	return ids
}

// prFixture is testdata/exit-cases.json.
type prFixture struct {
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
		Expected map[string]any `json:"expected"`
	} `json:"exit_cases"`
	SLACases []struct {
		Name          string         `json:"name"`
		ReceivedAt    time.Time      `json:"received_at"`
		RespondedAt   *time.Time     `json:"responded_at"`
		FirstResultAt *time.Time     `json:"first_result_at"`
		ResolvedAt    *time.Time     `json:"resolved_at"`
		Expected      map[string]any `json:"expected"`
	} `json:"sla_cases"`
}

func prLoad(t *testing.T) prFixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "exit-cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f prFixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func rfc(t time.Time) string { return t.Format(time.RFC3339) }

// TestPropertyExitCasesHTTP reproduces every exit case and every 三三三 case of
// testdata/exit-cases.json through the HTTP API, and checks that an exit case is
// raised, with its evidence, exactly when the check holds on the day of the change.
func TestPropertyExitCasesHTTP(t *testing.T) {
	f := prLoad(t)
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		clock := env.Clock
		clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC)) // 2026-07-01 12:00 Shanghai
		tok := env.DemoToken("street")
		for i, c := range f.ExitCases {
			estate := prEstate(t, env, fmt.Sprintf("退出测试小区%d", i))
			prCompanyServing(t, env, tok, estate)
			for _, x := range c.Complaints {
				who := x.Complainant
				if strings.HasPrefix(x.Ref, "R") { // the same person, written differently
					who = who[:3] + " " + who[3:7] + " " + who[7:]
				}
				id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, map[string]any{
					"complainant": who, "received_at": rfc(x.ReceivedAt), "source": "12345", "text": "投诉 " + x.Ref}), c.Name+" "+x.Ref)
				if x.Verified {
					prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", id), tok,
						map[string]any{"kind": "verified", "at": rfc(x.ReceivedAt.Add(time.Hour)), "note": "属实"}), 200, "verify")
				}
			}
			for _, r := range c.Rectifications {
				id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/rectifications", estate), tok, map[string]any{
					"ordered_at": rfc(r.OrderedAt), "deadline": r.OrderedAt.AddDate(0, 0, 10).Format(time.DateOnly), "text": "限期整改"}), "order")
				outcome := "completed"
				if r.Refused {
					outcome = "refused"
				}
				prWant(t, env.API("POST", fmt.Sprintf("/api/v1/rectifications/%d/outcome", id), tok,
					map[string]any{"outcome": outcome, "at": rfc(r.OrderedAt.Add(time.Hour))}), 200, "outcome")
			}
			for _, s := range c.Surveys {
				prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/satisfaction-surveys", estate), tok, map[string]any{
					"closed_at": rfc(s.ClosedAt), "respondents": s.Respondents, "satisfied": s.Satisfied}), "survey")
			}
			got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check?on=%s", estate, c.EvaluateOn), tok, nil), 200, "exit check")
			for _, k := range []string{"verified_distinct_complainants", "refused_rectification", "satisfaction_below", "triggered"} {
				if fmt.Sprint(got[k]) != fmt.Sprint(c.Expected[k]) {
					t.Errorf("%s: %s = %v, want %v", c.Name, k, got[k], c.Expected[k])
				}
			}
			// Re-evaluated on 2026-07-01 at each change: the case is raised when the
			// check holds that day (the window-day-after case holds on 06-30 only).
			var cases []struct {
				EstateID int64             `json:"estate_id"`
				Evidence property.Evidence `json:"evidence"`
			}
			env.API("GET", "/api/v1/exit-cases", tok, nil).JSON(t, &cases)
			raised := false
			for _, x := range cases {
				if x.EstateID == estate {
					raised = true
					ev := x.Evidence
					if ev.VerifiedDistinctComplainants < 21 || len(ev.Complaints) != ev.VerifiedDistinctComplainants ||
						(!ev.RefusedRectification && ev.Survey == nil) {
						t.Errorf("%s: evidence %+v", c.Name, ev)
					}
				}
			}
			if want := c.Expected["triggered"] == true && c.Name != "window-day-after-inside"; raised != want {
				t.Errorf("%s: exit case raised %v, want %v", c.Name, raised, want)
			}
		}

		clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
		estate := prEstate(t, env, "时限测试小区")
		prCompanyServing(t, env, tok, estate)
		for _, c := range f.SLACases {
			id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, map[string]any{
				"complainant": "13800000000", "received_at": rfc(c.ReceivedAt), "source": "phone", "text": c.Name}), c.Name)
			for _, ev := range []struct {
				kind string
				at   *time.Time
			}{{"responded", c.RespondedAt}, {"first_result", c.FirstResultAt}, {"resolved", c.ResolvedAt}} {
				if ev.at != nil {
					prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", id), tok,
						map[string]any{"kind": ev.kind, "at": rfc(*ev.at)}), 200, c.Name+" "+ev.kind)
				}
			}
			got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/complaints/%d", id), tok, nil), 200, "complaint")
			sla := got["sla"].(map[string]any)
			for _, k := range []string{"responded_met", "first_result_met", "resolved_met", "resolve_deadline"} {
				if fmt.Sprint(sla[k]) != fmt.Sprint(c.Expected[k]) {
					t.Errorf("%s: sla.%s = %v, want %v", c.Name, k, sla[k], c.Expected[k])
				}
			}
		}
	})
}

// prCount counts the rows of a table.
func prCount(t *testing.T, env *handlertest.Env, table string) int64 {
	t.Helper()
	var n int64
	if err := env.DB.DB.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPropertyBadInput: each mistake is a 4xx naming the field, and nothing changes.
func TestPropertyBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
		tok := env.DemoToken("street")
		estate := env.Demo.EstateID

		good := prUSCC("91110108MA01ABCD1")
		bad := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
		prField(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": "坏代码物业", "uscc": bad}), 422, "uscc", "bad USCC")
		prField(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": "短代码物业", "uscc": "9111"}), 422, "uscc", "short USCC")
		if n := prCount(t, env, "property_companies"); n != 0 {
			t.Fatalf("a refused company was stored: %d", n)
		}
		company := prID(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": "好物业", "uscc": strings.ToLower(good[:4]) + " " + good[4:]}), "company")
		prField(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": "重复", "uscc": good}), 409, "uscc", "duplicate USCC")

		url := fmt.Sprintf("/api/v1/estates/%d/service-contracts", estate)
		prID(t, env.API("POST", url, tok, map[string]any{"company_id": company, "starts_on": "2025-01-01", "ends_on": "2026-12-31"}), "contract")
		prField(t, env.API("POST", url, tok, map[string]any{"company_id": company, "starts_on": "2026-12-31", "ends_on": "2027-12-31"}), 409, "starts_on", "overlapping contract")
		prField(t, env.API("POST", url, tok, map[string]any{"company_id": company, "starts_on": "2027-02-01", "ends_on": "2027-01-01"}), 422, "ends_on", "ends before it starts")
		prField(t, env.API("POST", url, tok, map[string]any{"company_id": company, "starts_on": "2027-13-01", "ends_on": "2028-01-01"}), 422, "starts_on", "bad date")
		prField(t, env.API("POST", url, tok, map[string]any{"company_id": 999999, "starts_on": "2027-01-01", "ends_on": "2028-01-01"}), 422, "company_id", "no such company")
		if n := prCount(t, env, "service_contracts"); n != 1 {
			t.Fatalf("contracts: %d, want 1", n)
		}
		// The contract after the first one, adjoining it, is fine; the company of a day comes from them.
		other := prID(t, env.API("POST", "/api/v1/companies", tok, map[string]any{"name": "接任物业", "uscc": prUSCC("91110108MA01ABCD2")}), "company")
		prID(t, env.API("POST", url, tok, map[string]any{"company_id": other, "starts_on": "2027-01-01", "ends_on": "2027-12-31"}), "next contract")
		for on, want := range map[string]any{"2026-12-31": float64(company), "2027-01-01": float64(other), "2024-06-01": nil} {
			got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/company?on=%s", estate, on), tok, nil), 200, "company on")
			if got["company_id"] != want {
				t.Errorf("company on %s: %v, want %v", on, got["company_id"], want)
			}
		}

		curl := fmt.Sprintf("/api/v1/estates/%d/complaints", estate)
		body := func(k, v string) map[string]any {
			b := map[string]any{"complainant": "13900000001", "received_at": "2026-06-01T10:00:00+08:00", "source": "phone", "text": "噪音"}
			b[k] = v
			return b
		}
		prField(t, env.API("POST", curl, tok, body("source", "fax")), 422, "source", "bad source")
		prField(t, env.API("POST", curl, tok, body("complainant", " ")), 422, "complainant", "no complainant")
		prField(t, env.API("POST", curl, tok, body("received_at", "yesterday")), 422, "received_at", "bad instant")
		prField(t, env.API("POST", curl, tok, body("received_at", "2024-06-01T10:00:00+08:00")), 422, "received_at", "no contract that day")
		prField(t, env.API("POST", curl, tok, body("received_at", "2026-08-01T10:00:00+08:00")), 422, "received_at", "in the future")
		prField(t, env.API("POST", curl, tok, body("text", "")), 422, "text", "no text")
		if n := prCount(t, env, "complaints"); n != 0 {
			t.Fatalf("a refused complaint was stored: %d", n)
		}
		id := prID(t, env.API("POST", curl, tok, body("source", "provincial")), "complaint")
		eurl := fmt.Sprintf("/api/v1/complaints/%d/events", id)
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "resolved", "at": "2026-06-01T09:59:59+08:00"}), 422, "at", "resolved before received")
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "closed", "at": "2026-06-01T11:00:00+08:00"}), 422, "kind", "unknown kind")
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "revisited", "at": "2026-06-01T11:00:00+08:00"}), 409, "kind", "revisit before resolution")
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "reopened", "at": "2026-06-01T11:00:00+08:00"}), 409, "kind", "reopen an open complaint")
		if n := prCount(t, env, "complaint_events"); n != 0 {
			t.Fatalf("a refused event was stored: %d", n)
		}
		prWant(t, env.API("POST", eurl, tok, map[string]any{"kind": "resolved", "at": "2026-06-02T10:00:00+08:00"}), 200, "resolve")
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "resolved", "at": "2026-06-02T11:00:00+08:00"}), 409, "kind", "resolved twice")
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "reopened", "at": "2026-06-02T09:00:00+08:00"}), 422, "at", "reopened before resolution")
		// A false closure reopens the complaint: a new cycle, the clock from the reopening.
		prWant(t, env.API("POST", eurl, tok, map[string]any{"kind": "revisited", "at": "2026-06-05T10:00:00+08:00", "note": "业主不满意"}), 200, "revisit")
		prWant(t, env.API("POST", eurl, tok, map[string]any{"kind": "reopened", "at": "2026-06-05T10:05:00+08:00"}), 200, "reopen")
		got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/complaints/%d", id), tok, nil), 200, "complaint")
		sla := got["sla"].(map[string]any)
		if got["cycle"] != float64(2) || got["resolved_at"] != nil || sla["resolve_deadline"] != "2026-06-09T00:00:00+08:00" || sla["resolved_met"] != false {
			t.Errorf("reopened: cycle %v resolved_at %v sla %v", got["cycle"], got["resolved_at"], sla)
		}
		prField(t, env.API("POST", eurl, tok, map[string]any{"kind": "responded", "at": "2026-06-05T10:00:00+08:00"}), 422, "at", "before the reopening")

		surl := fmt.Sprintf("/api/v1/estates/%d/satisfaction-surveys", estate)
		prField(t, env.API("POST", surl, tok, map[string]any{"closed_at": "2026-05-20T18:00:00+08:00", "respondents": 100, "satisfied": 101}), 422, "satisfied", "satisfied > respondents")
		prField(t, env.API("POST", surl, tok, map[string]any{"closed_at": "2026-05-20T18:00:00+08:00", "respondents": 0, "satisfied": 0}), 422, "respondents", "no respondents")
		if r := env.API("POST", surl, tok, map[string]any{"closed_at": "2026-05-20T18:00:00+08:00", "respondents": "many", "satisfied": 1}); r.Status != 400 {
			t.Errorf("respondents as text: %d", r.Status)
		}
		if n := prCount(t, env, "satisfaction_surveys"); n != 0 {
			t.Fatalf("a refused survey was stored: %d", n)
		}

		rurl := fmt.Sprintf("/api/v1/estates/%d/rectifications", estate)
		prField(t, env.API("POST", rurl, tok, map[string]any{"ordered_at": "2026-06-10T10:00:00+08:00", "deadline": "2026-06-01", "text": "x"}), 422, "deadline", "deadline before the order")
		oid := prID(t, env.API("POST", rurl, tok, map[string]any{"ordered_at": "2026-06-10T10:00:00+08:00", "deadline": "2026-06-20", "text": "清理垃圾"}), "order")
		ourl := fmt.Sprintf("/api/v1/rectifications/%d/outcome", oid)
		prField(t, env.API("POST", ourl, tok, map[string]any{"outcome": "ignored", "at": "2026-06-11T10:00:00+08:00"}), 422, "outcome", "bad outcome")
		prField(t, env.API("POST", ourl, tok, map[string]any{"outcome": "completed", "at": "2026-06-09T10:00:00+08:00"}), 422, "at", "outcome before order")
		prWant(t, env.API("POST", ourl, tok, map[string]any{"outcome": "completed", "at": "2026-06-15T10:00:00+08:00"}), 200, "outcome")
		prField(t, env.API("POST", ourl, tok, map[string]any{"outcome": "refused", "at": "2026-06-16T10:00:00+08:00"}), 409, "outcome", "second outcome")
		prField(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check?on=2026-02-30", estate), tok, nil), 422, "on", "bad date")

		// Roles: a community may not order rectifications; another street sees nothing.
		if r := env.API("POST", rurl, env.DemoToken("community"), map[string]any{}); r.Status != 403 {
			t.Errorf("community orders: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/complaints/%d", id), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 reads: %d", r.Status)
		}
	})
}

// TestPropertyLapseAndEscalation: a rectification order past its deadline without an
// outcome counts as refused (the watcher raises the exit case), and a missed stage
// is escalated to the street office on the staff list.
func TestPropertyLapseAndEscalation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		clock := env.Clock
		clock.Set(time.Date(2026, 4, 1, 4, 0, 0, 0, time.UTC))
		tok := env.DemoToken("street")
		estate := prEstate(t, env, "逾期测试小区")
		prCompanyServing(t, env, tok, estate)
		for i := 1; i <= 21; i++ {
			id := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, map[string]any{
				"complainant": fmt.Sprintf("1390000%04d", i), "received_at": "2026-03-10T09:00:00+08:00", "source": "in_person", "text": "投诉"}), "complaint")
			prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", id), tok, map[string]any{"kind": "verified", "at": "2026-03-11T09:00:00+08:00"}), 200, "verify")
		}
		prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/rectifications", estate), tok, map[string]any{
			"ordered_at": "2026-03-20T10:00:00+08:00", "deadline": "2026-04-10", "text": "限期整改"}), "order")
		check := func(on string) map[string]any {
			return prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check?on=%s", estate, on), tok, nil), 200, "check")
		}
		if c := check("2026-04-10"); c["refused_rectification"] != false || c["triggered"] != false {
			t.Errorf("on the deadline day: %v", c)
		}
		if c := check("2026-04-11"); c["refused_rectification"] != false {
			t.Errorf("the day after the deadline, still in the future: %v", c)
		}
		clock.Set(time.Date(2026, 4, 11, 2, 0, 0, 0, time.UTC))
		if c := check("2026-04-11"); c["refused_rectification"] != true || c["triggered"] != true {
			t.Errorf("lapsed: %v", c)
		}
		var n int64
		env.DB.DB.Raw("SELECT COUNT(*) FROM exit_cases WHERE estate_id = ?", estate).Scan(&n)
		if n != 0 {
			t.Fatalf("exit case before the lapse was seen: %d", n)
		}
		escalated, err := env.Svc.Property.Sweep(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		env.DB.DB.Raw("SELECT COUNT(*) FROM exit_cases WHERE estate_id = ?", estate).Scan(&n)
		if n != 1 || escalated != 21 {
			t.Fatalf("after the sweep: %d exit cases, %d escalated", n, escalated)
		}
		// The street office's pages: the complaints list shows them escalated, overdue
		// first; the exit-case page lists the case with its evidence.
		b := env.Browser()
		prLogin(t, env, b, "street")
		page := string(b.Get("/complaints").Body)
		if !strings.Contains(page, `id="escalated"`) || !strings.Contains(page, "已超时") {
			t.Errorf("complaints page shows no escalation")
		}
		page = string(b.Get("/exit-cases").Body)
		if !strings.Contains(page, "逾期测试小区") || !strings.Contains(page, "逾期未整改") || !strings.Contains(page, "139****0021") {
			t.Errorf("exit-case page lacks the evidence: %.2000s", page)
		}
		district := env.Browser()
		prLogin(t, env, district, "district")
		if page := string(district.Get("/exit-cases").Body); !strings.Contains(page, "逾期测试小区") {
			t.Errorf("the district is not alerted")
		}
		// The sweep marks each stage once.
		if again, _ := env.Svc.Property.Sweep(context.Background()); again != 0 {
			t.Errorf("second sweep escalated %d", again)
		}
	})
}

func prLogin(t *testing.T, env *handlertest.Env, b *handlertest.Browser, name string) {
	t.Helper()
	for _, a := range env.Demo.Accounts {
		if a.Username == name {
			b.Login(name, a.Password)
			return
		}
	}
	t.Fatalf("no demo account %s", name)
}

// prDump reads every text of every table, for the search of a value in clear.
func prDump(t *testing.T, env *handlertest.Env) string {
	t.Helper()
	tables, err := env.DB.DB.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, table := range tables {
		rows, err := env.DB.DB.Raw("SELECT * FROM " + table).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				sb.Write(v)
				sb.WriteByte('\n')
			}
		}
		rows.Close()
	}
	return sb.String()
}

// TestPropertyComplainantNeverInClear: the complainant's phone or ID number is in no
// table, page or answer; owners file from the public page and follow a private link
// whose token is stored only hashed.
func TestPropertyComplainantNeverInClear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		env.Clock.Set(time.Date(2026, 7, 1, 4, 0, 0, 0, time.UTC))
		tok := env.DemoToken("street")
		estate := env.Demo.EstateID
		prCompanyServing(t, env, tok, estate)
		const phone, idno, manager = "13987654321", "11010119900307663X", "13711112222"
		var contract int64
		env.DB.DB.Raw("SELECT MAX(id) FROM service_contracts").Scan(&contract)
		prField(t, env.API("POST", fmt.Sprintf("/api/v1/service-contracts/%d/managers", contract), tok,
			map[string]any{"name": "李经理", "phone": manager, "registered_on": "2026-13-01"}), 422, "registered_on", "bad day")
		prID(t, env.API("POST", fmt.Sprintf("/api/v1/service-contracts/%d/managers", contract), tok,
			map[string]any{"name": "李经理", "phone": manager, "registered_on": "2026-01-05"}), "manager")
		staffID := prID(t, env.API("POST", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, map[string]any{
			"complainant": phone, "received_at": "2026-06-30T09:00:00+08:00", "source": "12345", "text": "楼道灯不亮"}), "staff complaint")

		owner := env.Browser()
		form := owner.Get(fmt.Sprintf("/public/estates/%d/complaint", estate))
		if form.Status != 200 {
			t.Fatalf("public form: %d", form.Status)
		}
		if board := owner.Get(fmt.Sprintf("/public/estates/%d", estate)); !strings.Contains(string(board.Body), "/complaint") {
			t.Errorf("the estate's public page does not link the complaint form")
		}
		bad := owner.Submit(fmt.Sprintf("/public/estates/%d/complaint", estate), fmt.Sprintf("/public/estates/%d/complaint", estate),
			url.Values{"complainant": {idno}, "text": {""}})
		if bad.Status != 422 {
			t.Errorf("empty public complaint: %d", bad.Status)
		}
		r := owner.Submit(fmt.Sprintf("/public/estates/%d/complaint", estate), fmt.Sprintf("/public/estates/%d/complaint", estate),
			url.Values{"complainant": {strings.ToLower(idno)}, "category": {"绿化"}, "text": {"草坪无人修剪"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/c/") {
			t.Fatalf("public complaint: %d %s", r.Status, r.Header.Get("Location"))
		}
		link := strings.TrimSuffix(r.Header.Get("Location"), "?new=1")
		token := strings.TrimPrefix(link, "/c/")
		if len(token) < 22 { // 128 bits in base64url
			t.Fatalf("token too short: %q", token)
		}
		track := owner.Get(r.Header.Get("Location"))
		if track.Status != 200 || !strings.Contains(string(track.Body), token) {
			t.Fatalf("track page: %d", track.Status)
		}
		if other := owner.Get("/c/" + strings.Repeat("A", len(token))); other.Status != 404 {
			t.Errorf("a guessed link: %d", other.Status)
		}

		var publicID int64
		env.DB.DB.Raw("SELECT MAX(id) FROM complaints").Scan(&publicID)
		prWant(t, env.API("POST", fmt.Sprintf("/api/v1/complaints/%d/events", publicID), tok, map[string]any{"kind": "responded", "at": "2026-07-01T12:00:00+08:00", "note": "王经理负责"}), 200, "respond")
		if after := string(owner.Get(link).Body); !strings.Contains(after, "责任到人") || strings.Contains(after, "王经理负责") {
			t.Errorf("the owner sees the step without the staff note")
		}

		staff := env.Browser()
		prLogin(t, env, staff, "street")
		pages := []string{"/complaints", fmt.Sprintf("/complaints/%d", staffID), fmt.Sprintf("/complaints/%d", publicID),
			fmt.Sprintf("/estates/%d/property", estate), "/companies", "/audit"}
		var seen strings.Builder
		for _, p := range pages {
			resp := staff.Get(p)
			if resp.Status != 200 {
				t.Errorf("%s: %d", p, resp.Status)
			}
			seen.Write(resp.Body)
		}
		seen.Write(track.Body)
		seen.Write(env.API("GET", fmt.Sprintf("/api/v1/complaints/%d", staffID), tok, nil).Body)
		seen.Write(env.API("GET", fmt.Sprintf("/api/v1/estates/%d/complaints", estate), tok, nil).Body)
		if !strings.Contains(seen.String(), "139****4321") || !strings.Contains(seen.String(), "137****2222") {
			t.Errorf("the masks are not shown")
		}
		dump := prDump(t, env)
		for _, where := range []struct{ name, text string }{{"pages and answers", seen.String()}, {"database", dump}} {
			for _, secret := range []string{phone, idno, strings.ToLower(idno), "110101199003", manager} {
				if strings.Contains(where.text, secret) {
					t.Errorf("%s holds %s in clear", where.name, secret)
				}
			}
		}
		if strings.Contains(dump, token) {
			t.Errorf("the database holds the follow-up token in clear")
		}
		if strings.Contains(httpx.RedactPath(link), token) {
			t.Errorf("the access log would show the follow-up token")
		}
		if !regexp.MustCompile(`[0-9a-f]{64}`).MatchString(dump) {
			t.Errorf("no hash stored")
		}
	})
}

// TestPropertyPagesTranslated: every property page reads in both languages with no
// message id left untranslated, and the two h5 catalogues carry the same keys.
func TestPropertyPagesTranslated(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := os.ReadFile("../views/i18n/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	zh, en := read("h5.zh-CN.json"), read("h5.en.json")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("%s missing in English", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%s missing in Chinese", k)
		}
	}
	env := handlertest.New(t, dbtest.SQLite(t))
	ids := swSeedProperty(t, env, env.Demo.EstateID)
	pages := []string{"/companies", fmt.Sprintf("/companies/%d", ids.company), "/complaints", "/complaints?all=1",
		fmt.Sprintf("/complaints/%d", ids.complaint), fmt.Sprintf("/estates/%d/property", env.Demo.EstateID), "/exit-cases"}
	bare := prEstate(t, env, "无合同小区")
	pages = append(pages, fmt.Sprintf("/estates/%d/property", bare))
	untranslated := regexp.MustCompile(`property\.[a-z_]+`)
	for _, lang := range []string{"zh-CN", "en"} {
		b := env.Browser()
		prLogin(t, env, b, "street")
		b.Get("/lang?to=" + lang)
		for _, p := range append(pages, fmt.Sprintf("/public/estates/%d/complaint", env.Demo.EstateID)) {
			r := b.Get(p)
			if r.Status != 200 || !strings.Contains(string(r.Body), `lang="`+lang+`"`) {
				t.Errorf("%s %s: %d", lang, p, r.Status)
			}
			if id := untranslated.Find(r.Body); id != nil {
				t.Errorf("%s %s: untranslated %s", lang, p, id)
			}
		}
	}
}

// TestPropertyAttachments: a photo is attached through the API and the page and
// downloaded back; anything but a photo or PDF is refused naming file.
func TestPropertyAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := handlertest.New(t, db)
		ids := swSeedProperty(t, env, env.Demo.EstateID)
		tok := env.DemoToken("street")
		path := fmt.Sprintf("/api/v1/complaints/%d/attachments", ids.complaint)
		prField(t, env.Upload(path, tok, "notes.txt", []byte("plain text, not a photo")), 422, "file", "text file")
		id := prID(t, env.Upload(path, tok, "现场.png", swPNG(t)), "attachment")
		r := env.API("GET", fmt.Sprintf("%s/%d", path, id), tok, nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || string(r.Body) != string(swPNG(t)) {
			t.Fatalf("download: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		if r := env.API("GET", fmt.Sprintf("%s/%d", path, id), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 downloads: %d", r.Status)
		}
		got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/complaints/%d", ids.complaint), tok, nil), 200, "complaint")
		if n := len(got["attachments"].([]any)); n != 2 { // the seed's and this one
			t.Errorf("attachments listed: %d", n)
		}
		b := env.Browser()
		prLogin(t, env, b, "community")
		page := fmt.Sprintf("/complaints/%d", ids.complaint)
		up := b.SubmitFile(page, page+"/attachments", "file", "photo.png", swPNG(t), nil)
		if up.Status != http.StatusSeeOther {
			t.Fatalf("web upload: %d %s", up.Status, up.Body)
		}
		if body := string(b.Get(page).Body); strings.Count(body, "/attachments/") < 3 {
			t.Errorf("the page does not list the attachments")
		}
	})
}

// TestPropertySurveyThroughBallots: a satisfaction survey run as a non-binding item of
// a vote (paper ballots here; online ballots go through the same count) is recorded
// from the counted vote: respondents answered the item, satisfied agreed.
func TestPropertySurveyThroughBallots(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := newVoteEnv(t, db, handlertest.Options{})
		tok := env.DemoToken("street")
		estate := env.Demo.EstateID
		prCompanyServing(t, env.Env, tok, estate)
		surveys := fmt.Sprintf("/api/v1/estates/%d/satisfaction-surveys", estate)

		item := ordinaryItem("satisfaction", "other")
		item["title"] = "您对本小区物业服务是否满意？（满意度调查，不作决定）"
		vote := env.createVote(t, tok, voteBody("civil-code-2021", item))
		prField(t, env.API("POST", surveys, tok, map[string]any{"vote_id": vote, "item": "satisfaction"}), 409, "vote_id", "not counted")
		env.openVote(t, tok, vote)
		env.Clock.Set(voteOpens().Add(time.Hour))
		snap, err := env.Svc.Roster.Snapshot(context.Background(), env.DB.DB, estate)
		if err != nil {
			t.Fatal(err)
		}
		choices := []string{"agree", "agree", "oppose", "abstain", "oppose"}
		for i, ch := range choices {
			prWant(t, env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", vote), tok,
				map[string]any{"room": snap.Register.Voters[i].Rooms[0], "choices": map[string]any{"satisfaction": ch}}), 201, "paper ballot")
		}
		env.Clock.Set(voteCloses().Add(time.Hour))
		if _, err := env.Svc.Votes.Close(context.Background(), vote); err != nil {
			t.Fatal(err)
		}
		prField(t, env.API("POST", surveys, tok, map[string]any{"vote_id": vote, "item": "dismiss"}), 422, "item", "no such item")
		prField(t, env.API("POST", surveys, tok, map[string]any{"vote_id": vote + 1000, "item": "satisfaction"}), 422, "vote_id", "no such vote")
		prID(t, env.API("POST", surveys, tok, map[string]any{"vote_id": vote, "item": "satisfaction"}), "survey from the vote")
		prField(t, env.API("POST", surveys, tok, map[string]any{"vote_id": vote, "item": "satisfaction"}), 409, "vote_id", "recorded twice")
		var row struct {
			Respondents, Satisfied int
			Source                 string
		}
		env.DB.DB.Raw("SELECT respondents, satisfied, source FROM satisfaction_surveys WHERE vote_id = ?", vote).Scan(&row)
		if row.Respondents != 5 || row.Satisfied != 2 || row.Source != "ballot" {
			t.Fatalf("survey row %+v", row)
		}
		on := voteCloses().AddDate(0, 0, 1).Format(time.DateOnly)
		got := prWant(t, env.API("GET", fmt.Sprintf("/api/v1/estates/%d/exit-check?on=%s", estate, on), tok, nil), 200, "check")
		if got["satisfaction_below"] != true { // 2 × 100 < 50 × 5
			t.Errorf("satisfaction_below = %v", got["satisfaction_below"])
		}
	})
}

// TestPropertyServicesRefuseFirst calls every property write directly with empty
// input as the auditor (and the supervising writes as the community and the
// committee): each use case refuses (403) before it looks at the input or the object.
func TestPropertyServicesRefuseFirst(t *testing.T) {
	env := handlertest.New(t, dbtest.SQLite(t))
	ids := swSeedProperty(t, env, env.Demo.EstateID)
	ctx := context.Background()
	s := env.Svc.Property
	est := env.Demo.EstateID
	principal := func(name string) app.Principal {
		p, _, err := env.Svc.Auth.Authenticate(ctx, env.DemoToken(name), "api")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	supervise := map[string]func(app.Principal) error{
		"CreateCompany": func(p app.Principal) error { _, err := s.CreateCompany(ctx, p, property.NewCompany{}); return err },
		"CreateRectification": func(p app.Principal) error {
			_, err := s.CreateRectification(ctx, p, est, property.NewRectification{})
			return err
		},
		"RecordOutcome": func(p app.Principal) error { return s.RecordOutcome(ctx, p, ids.rectification, property.Outcome{}) },
		"AddCreditEntry": func(p app.Principal) error {
			_, err := s.AddCreditEntry(ctx, p, ids.company, property.NewCreditEntry{})
			return err
		},
	}
	records := map[string]func(app.Principal) error{
		"CreateContract": func(p app.Principal) error {
			_, err := s.CreateContract(ctx, p, est, property.NewContract{})
			return err
		},
		"RegisterManager": func(p app.Principal) error {
			_, err := s.RegisterManager(ctx, p, ids.contract, property.NewManager{})
			return err
		},
		"FileComplaint": func(p app.Principal) error {
			_, err := s.FileComplaint(ctx, p, est, property.NewComplaint{})
			return err
		},
		"AddEvent":      func(p app.Principal) error { return s.AddEvent(ctx, p, ids.complaint, property.Event{}) },
		"AddAttachment": func(p app.Principal) error { _, err := s.AddAttachment(ctx, p, ids.complaint, "", nil); return err },
		"RecordSurvey":  func(p app.Principal) error { _, err := s.RecordSurvey(ctx, p, est, property.NewSurvey{}); return err },
		"RecordSurveyFromVote": func(p app.Principal) error {
			_, err := s.RecordSurveyFromVote(ctx, p, est, 0, "")
			return err
		},
	}
	for _, name := range []string{"auditor", "community", "committee"} {
		p := principal(name)
		for call, fn := range supervise {
			if code := app.ErrorCode(fn(p)); code != app.EForbidden {
				t.Errorf("%s %s: %s, want forbidden", name, call, code)
			}
		}
		for call, fn := range records {
			code := app.ErrorCode(fn(p))
			if (name == "auditor") != (code == app.EForbidden) {
				t.Errorf("%s %s: %s", name, call, code)
			}
		}
	}
}
