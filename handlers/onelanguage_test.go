package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/handlers/handlertest"
)

// One language at a time (issue 16, defect 3): an error answered in Chinese has no
// English in it and one answered in English no Chinese, through the JSON API (the
// language from Accept-Language) and on the web (the language cookie): the owner's
// wrong identity check, the locked link, a vote that fails validation, a roster
// import with a bad row, and the 403 page.

var (
	cjkRun   = regexp.MustCompile(`\p{Han}`)
	latinRun = regexp.MustCompile(`[A-Za-z]{3,}`)
)

// latinAllowed are the Latin words a Chinese message may carry: names of formats and
// standards, not English prose.
var latinAllowed = map[string]bool{"JSON": true, "CSV": true, "PDF": true, "XLSX": true, "xlsx": true, "csv": true,
	"URL": true, "UTC": true, "MB": true, "true": true, "false": true}

// oneLanguage fails unless every message is wholly in lang (zh-CN: Chinese with no
// English words; en: no Chinese), user data (data) removed first.
func oneLanguage(t *testing.T, what, lang string, msgs []string, data ...string) {
	t.Helper()
	if len(msgs) == 0 || msgs[0] == "" {
		t.Errorf("%s (%s): no message", what, lang)
		return
	}
	for _, m := range msgs {
		s := m
		for _, d := range data {
			s = strings.ReplaceAll(s, d, "")
		}
		switch lang {
		case "zh-CN":
			if !cjkRun.MatchString(s) {
				t.Errorf("%s (zh-CN): %q is not Chinese", what, m)
			}
			for _, w := range latinRun.FindAllString(s, -1) {
				if !latinAllowed[w] {
					t.Errorf("%s (zh-CN): %q has English (%q)", what, m, w)
					break
				}
			}
		case "en":
			if cjkRun.MatchString(s) {
				t.Errorf("%s (en): %q has Chinese", what, m)
			}
			if !latinRun.MatchString(s) {
				t.Errorf("%s (en): %q is not English", what, m)
			}
		}
	}
}

// langAPI sends a JSON request asking for lang through Accept-Language.
func langAPI(env *handlertest.Env, lang, method, path, token string, body any) handlertest.Response {
	env.T.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			env.T.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", acceptLanguage(lang))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return env.Do(req)
}

func acceptLanguage(lang string) string {
	if lang == "en" {
		return "en-GB,en;q=0.9"
	}
	return "zh-CN,zh;q=0.9,en;q=0.5"
}

// langUpload posts a roster file asking for lang.
func langUpload(env *handlertest.Env, lang, path, token, filename string, data []byte) handlertest.Response {
	env.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		env.T.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		env.T.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		env.T.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", acceptLanguage(lang))
	req.Header.Set("Authorization", "Bearer "+token)
	return env.Do(req)
}

// errorTexts returns error.message and every details[].message of an error body.
func errorTexts(t *testing.T, r handlertest.Response) []string {
	t.Helper()
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Message string `json:"message"`
			} `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("not an error body: %d %s", r.Status, r.Body)
	}
	out := []string{b.Error.Message}
	for _, d := range b.Error.Details {
		out = append(out, d.Message)
	}
	return out
}

func TestErrorsOneLanguage(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		street := env.DemoToken("street")
		id := env.openDemoVote(t, street)
		creds := env.credentials(t, street, id)
		answers := idChecks(t)
		choices := map[string]any{"dismiss": "agree", "fund": "agree"}
		for _, lang := range []string{"zh-CN", "en"} {
			// The owner's wrong identity check, then the locked link.
			link := creds["1-1-101"].Token
			if lang == "en" {
				link = creds["1-1-102"].Token
			}
			var r handlertest.Response
			for i := 0; i < guardLimit; i++ {
				r = langAPI(env.Env, lang, "POST", "/api/v1/ballots/"+link, "", map[string]any{"id_check": guardWrong(i), "choices": choices})
				if i == 0 {
					if r.Status != http.StatusForbidden {
						t.Fatalf("wrong identity check: %d %s", r.Status, r.Body)
					}
					oneLanguage(t, "wrong identity check", lang, errorTexts(t, r))
				}
			}
			r = langAPI(env.Env, lang, "POST", "/api/v1/ballots/"+link, "", map[string]any{"id_check": answers["1-1-101"], "choices": choices})
			if r.Status != http.StatusForbidden {
				t.Fatalf("locked link: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "locked link", lang, errorTexts(t, r))

			// A vote that fails validation: it closes before it opens.
			body := voteBody("civil-code-2021", defaultItems()...)
			body["closes_at"] = voteOpens().Add(-time.Hour).Format(time.RFC3339)
			r = langAPI(env.Env, lang, "POST", fmt.Sprintf("/api/v1/estates/%d/votes", env.Demo.EstateID), street, body)
			if r.Status < 400 || r.Status >= 500 {
				t.Fatalf("invalid vote: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "vote validation", lang, errorTexts(t, r))

			// A roster import with a bad row (an area that is no number).
			roster := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n" +
				"1,1,101,abc,王建国,520402195605129085,17711029976,person,1\n"
			r = langUpload(env.Env, lang, fmt.Sprintf("/api/v1/estates/%d/roster", env.Demo.EstateID), street, "roster.csv", []byte(roster))
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("bad roster: %d %s", r.Status, r.Body)
			}
			oneLanguage(t, "roster row error", lang, errorTexts(t, r), "abc")
		}
	})
}

// The 403 page on the web, in the language of the cookie.
func TestForbiddenPageOneLanguage(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		var pw string
		for _, a := range env.Demo.Accounts {
			if a.Username == "auditor" {
				pw = a.Password
			}
		}
		for _, lang := range []string{"zh-CN", "en"} {
			br := env.Browser()
			br.Get("/lang?to=" + lang)
			br.Login("auditor", pw)
			r := br.Get(fmt.Sprintf("/estates/%d/votes/new", env.Demo.EstateID))
			if r.Status != http.StatusForbidden {
				t.Fatalf("auditor on the new-vote page: %d", r.Status)
			}
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			card := doc.Find("main section.card")
			title := strings.TrimSpace(card.Find("h1").Text())
			msg := strings.TrimSpace(card.Find("p").First().Text())
			oneLanguage(t, "403 page", lang, []string{title, msg})
		}
	})
}
