package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongzhi/app/rules"
	"gongzhi/handlers/handlertest"
)

// testNotice2027 is a made-up holiday notice for a test year (the real 2027 notice is
// not in the sources): New Year's Day and a Spring Festival from Friday 5 to Thursday
// 11 February, with Saturday 20 February worked.
var testNotice2027 = map[string]any{"basis": "测试用通知（虚构）",
	"rest_days":        []map[string]string{{"from": "2027-01-01", "to": "2027-01-01"}, {"from": "2027-02-05", "to": "2027-02-11"}},
	"make_up_workdays": []string{"2027-02-20"}}

// loadTestNotice loads a made-up notice for year through the API unless the platform
// already covers it: tests whose clock is the real today need it from mid-December on,
// when their deadlines reach into a year whose real notice is not shipped.
func loadTestNotice(t *testing.T, env *handlertest.Env, year int) {
	t.Helper()
	cal, err := env.Svc.Calendar.Calendar(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Covers(year) {
		return
	}
	body := map[string]any{"basis": fmt.Sprintf("测试用通知（虚构，%d）", year),
		"rest_days": []map[string]string{{"from": fmt.Sprintf("%d-01-01", year), "to": fmt.Sprintf("%d-01-01", year)}}}
	if r := env.API("POST", fmt.Sprintf("/api/v1/holiday-calendars/%d", year), env.DemoToken("admin"), body); r.Status != 201 {
		t.Fatalf("loading a test notice for %d: %d %s", year, r.Status, r.Body)
	}
}

func TestHolidayCalendarAPI(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		adminTok := env.DemoToken("admin")
		var list []struct {
			Year     int  `json:"year"`
			BuiltIn  bool `json:"built_in"`
			RestDays []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"rest_days"`
			LoadedBy string `json:"loaded_by"`
		}
		r := env.API("GET", "/api/v1/holiday-calendars", adminTok, nil)
		r.JSON(t, &list)
		if r.Status != 200 || len(list) != 2 || list[0].Year != 2025 || !list[1].BuiltIn || len(list[1].RestDays) != 7 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		// Only the platform administrator: 403 for every other role, whatever the body.
		for _, who := range []string{"district", "street", "community", "committee", "auditor"} {
			tok := env.DemoToken(who)
			if r := env.API("GET", "/api/v1/holiday-calendars", tok, nil); r.Status != 403 {
				t.Errorf("%s lists: %d", who, r.Status)
			}
			for _, body := range []any{testNotice2027, nil, "{"} {
				if r := env.API("POST", "/api/v1/holiday-calendars/2027", tok, body); r.Status != 403 {
					t.Errorf("%s loads (%v): %d %s", who, body, r.Status, r.Body)
				}
			}
		}
		bad := map[string]any{"basis": "通知", "rest_days": []map[string]string{{"from": "2027-02-05", "to": "2027-02-11"}},
			"make_up_workdays": []string{"2027-02-19"}}
		r = env.API("POST", "/api/v1/holiday-calendars/2027", adminTok, bad)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"make_up_workdays[0]"`) || !strings.Contains(string(r.Body), "不是周末") {
			t.Errorf("make-up day on a Friday: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/holiday-calendars/abc", adminTok, testNotice2027); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"year"`) {
			t.Errorf("year abc: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/holiday-calendars/2027", adminTok, map[string]any{"basis": "x", "surprise": 1}); r.Status != 400 {
			t.Errorf("unknown field: %d %s", r.Status, r.Body)
		}
		if r := env.API("GET", "/api/v1/holiday-calendars", adminTok, nil); !strings.Contains(string(r.Body), `"year":2026`) || strings.Contains(string(r.Body), `"year":2027`) {
			t.Fatalf("a refused load stored something: %s", r.Body)
		}
		if r := env.API("POST", "/api/v1/holiday-calendars/2027", adminTok, testNotice2027); r.Status != 201 || !strings.Contains(string(r.Body), `"loaded_by":"admin"`) {
			t.Fatalf("load 2027: %d %s", r.Status, r.Body)
		}
		r = env.API("GET", "/api/v1/holiday-calendars", adminTok, nil)
		r.JSON(t, &list)
		if len(list) != 3 || list[2].Year != 2027 || list[2].BuiltIn || list[2].LoadedBy != "admin" || len(list[2].RestDays) != 2 {
			t.Errorf("after loading 2027: %s", r.Body)
		}
		var audits int64
		env.DB.Table("audit_logs").Where("action = ?", "holiday_calendar.load").Count(&audits)
		if audits != 1 {
			t.Errorf("audit entries: %d", audits)
		}
	})
}

// From 1 December the home page warns every staff role that runs votes or keeps
// records, and the district that supervises them, that the coming year has no holiday
// notice: the admin is pointed to the holiday page, the others to the administrator.
// The warning lasts until the admin loads the year through the web form.
func TestHolidayCalendarWarningAndWebForm(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		logins := map[string]string{"admin": env.AdminPW, "district": "Demo2026district", "street": "Demo2026street",
			"community": "Demo2026community", "committee": "Demo2026committee", "auditor": "Demo2026auditor"}
		browsers := map[string]*handlertest.Browser{}
		for who, pw := range logins {
			b := env.Browser()
			b.Login(who, pw)
			browsers[who] = b
		}
		env.Clock.Set(time.Date(2026, 11, 30, 21, 0, 0, 0, rules.Shanghai()))
		if n := vwDoc(t, browsers["committee"].Get("/")).Find("#holiday-warning").Length(); n != 0 {
			t.Errorf("committee warned on 30 November 2026")
		}
		env.Clock.Set(time.Date(2026, 12, 5, 9, 0, 0, 0, rules.Shanghai()))
		for who, b := range browsers {
			doc := vwDoc(t, b.Get("/"))
			w := doc.Find("#holiday-warning")
			warned := w.Length() == 1 && strings.Contains(w.Text(), "2027")
			if want := who != "auditor"; warned != want {
				t.Errorf("%s: warned %v, want %v", who, warned, want)
			}
			if !warned {
				continue
			}
			link := w.Find(`a[href="/holiday-calendars"]`).Length() == 1
			asks := strings.Contains(w.Text(), "请联系平台管理员")
			if link != (who == "admin") || asks != (who != "admin") {
				t.Errorf("%s: link to the holiday page %v, asks the administrator %v: %q", who, link, asks, w.Text())
			}
		}
		if r := browsers["street"].Get("/holiday-calendars"); r.Status != 403 {
			t.Errorf("street opens the holiday page: %d", r.Status)
		}
		admin := browsers["admin"]
		page := vwDoc(t, admin.Get("/holiday-calendars"))
		if page.Find("#holiday-calendars tbody tr").Length() != 2 {
			t.Fatalf("holiday page rows: %d", page.Find("#holiday-calendars tbody tr").Length())
		}
		// A mistake re-renders the form with the field named and the input kept.
		form := url.Values{"year": {"2027"}, "basis": {"测试用通知（虚构）"},
			"rest_days": {"2027-01-01\n2027-02-05 至 2027-02-11\n2027-02-10 至 2027-02-12"}, "make_up_workdays": {"2027-02-20"}}
		r := admin.Submit("/holiday-calendars", "/holiday-calendars", form)
		if r.Status != 422 || !strings.Contains(string(r.Body), "重叠") || !strings.Contains(string(r.Body), "2027-02-10 至 2027-02-12") {
			t.Fatalf("overlapping spans: %d %.400s", r.Status, r.Body)
		}
		form.Set("rest_days", "2027-01-01\n2027-02-05 至 2027-02-11")
		if r := admin.Submit("/holiday-calendars", "/holiday-calendars", form); r.Status != http.StatusSeeOther {
			t.Fatalf("load through the form: %d %.400s", r.Status, r.Body)
		}
		page = vwDoc(t, admin.Get("/holiday-calendars"))
		if rows := page.Find("#holiday-calendars tbody tr"); rows.Length() != 3 || !strings.Contains(rows.Last().Text(), "2027-02-05 至 2027-02-11") {
			t.Errorf("after loading: %q", page.Find("#holiday-calendars").Text())
		}
		for who, b := range browsers {
			if vwDoc(t, b.Get("/")).Find("#holiday-warning").Length() != 0 {
				t.Errorf("%s still warned after 2027 was loaded", who)
			}
		}
	})
}

// A deadline that reaches into a year without a notice is refused, naming the year;
// once the year is loaded the deadline honours its holidays.
func TestPublishDeadlineUsesLoadedCalendar(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		notice := time.Date(2026, 12, 1, 9, 0, 0, 0, rules.Shanghai())
		env.Clock.Set(notice)
		tok := env.DemoToken("committee")
		body := voteBody("civil-code-2021", defaultItems()...)
		body["notice_published_at"] = notice.Format(time.RFC3339)
		body["opens_at"] = notice.AddDate(0, 0, 15).Format(time.RFC3339)
		body["closes_at"] = notice.AddDate(0, 0, 22).Format(time.RFC3339)
		id := env.createVote(t, tok, body)
		env.openVote(t, tok, id)
		// Friday 29 January 2027: the objection window of 7 days ends on Friday 5 February.
		env.Clock.Set(time.Date(2027, 1, 29, 10, 0, 0, 0, rules.Shanghai()))
		r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil)
		if r.Status != 409 || !strings.Contains(errorMessage(r), "2027 年的法定节假日安排尚未载入") {
			t.Fatalf("publish without 2027's notice: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", "/api/v1/holiday-calendars/2027", env.DemoToken("admin"), testNotice2027); r.Status != 201 {
			t.Fatalf("load 2027: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil)
		var pub struct {
			ObjectionDeadline time.Time `json:"objection_deadline"`
		}
		r.JSON(t, &pub)
		// 5 February opens the (test) Spring Festival: the window runs to 24:00 of Friday 12 February.
		if want := time.Date(2027, 2, 13, 0, 0, 0, 0, rules.Shanghai()); r.Status != 200 || !pub.ObjectionDeadline.Equal(want) {
			t.Errorf("publish with 2027 loaded: %d %s; want the objection deadline %v", r.Status, r.Body, want)
		}
	})
}
