package handlers_test

import (
	"fmt"
	"net/http"
	"testing"
)

// The service texts that stayed Chinese in the English UI (issue 16, h4's leftover):
// a roster row's bad resident ID with its sub-reason, a holiday-calendar check, and an
// election item's seats against the profile answer in one language.
func TestRulesAndParserErrorsOneLanguage(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		street := env.DemoToken("street")
		admin := env.DemoToken("admin")
		for _, lang := range []string{"zh-CN", "en"} {
			// A roster row whose resident ID has a wrong check digit.
			roster := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n" +
				"1,1,101,88.5,王建国,520402195605129084,17711029976,person,1\n"
			r := langUpload(env.Env, lang, fmt.Sprintf("/api/v1/estates/%d/roster", env.Demo.EstateID), street, "roster.csv", []byte(roster))
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("bad resident ID: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "resident ID", lang, errorTexts(t, r), "520402********9084", "5204", "9084", "ID")

			// A make-up workday on a Friday, and no title.
			bad := map[string]any{"basis": "x", "rest_days": []map[string]string{{"from": "2027-02-05", "to": "2027-02-11"}},
				"make_up_workdays": []string{"2027-02-19"}}
			r = langAPI(env.Env, lang, "POST", "/api/v1/holiday-calendars/2027", admin, bad)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("calendar: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "holiday calendar", lang, errorTexts(t, r), "2027-02-19", "2027")

			// An election of 4 committee seats (an odd number is required) with 5 alternates.
			election := map[string]any{"key": "election", "title": "选举", "matter": "elect_committee", "seats": 4, "alternates": 5,
				"text": "选举委员。", "candidates": []map[string]string{{"key": "c1", "name": "王建国"}}}
			r = langAPI(env.Env, lang, "POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), street, voteBody("civil-code-2021", election))
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("election seats: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "election seats", lang, errorTexts(t, r))
		}
	})
}
