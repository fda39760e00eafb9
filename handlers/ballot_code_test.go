package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/testkit/pdfcheck"
	"gongzhi/handlers/handlertest"
)

// Issue 16 defect 9: an owner who cannot scan the notice's QR code types its 8-character
// code at /b instead of a 43-character link. The code finds the ballot link (whose
// identity check still applies), an unknown code is a one-language 404 that tells
// nothing, entering codes is limited per client address, and the notice PDF prints
// the code and the short address.
func TestBallotShortCode(t *testing.T) {
	pdfcheck.RequireTools(t)
	codeShape := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		env := newVoteEnv(t, db, handlertest.Options{Config: map[string]string{"CODE_RATE_LIMIT": "20"}})
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		creds := env.credentials(t, tok, id)
		cred := creds["1-1-302"]
		if !codeShape.MatchString(cred.Code) {
			t.Fatalf("code %q", cred.Code)
		}
		if len(cred.Token) < 43 {
			t.Fatalf("token %q is shorter than 256 bits in base64url", cred.Token)
		}

		b := env.Browser()
		if r := b.Get("/b"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `action="/b"`) {
			t.Fatalf("GET /b: %d", r.Status)
		}
		// Typed as an owner might: lower case, no hyphen, O for 0 and I/L for 1 read alike.
		typed := strings.ToLower(strings.ReplaceAll(cred.Code, "-", ""))
		typed = strings.NewReplacer("0", "o", "1", "l").Replace(typed)
		// The code alone opens nothing: the identity check is asked on the same form.
		if r := b.Submit("/b", "/b", url.Values{"code": {typed}}); r.Status != http.StatusUnprocessableEntity || strings.Contains(string(r.Body), cred.Token) || strings.Contains(string(r.Body), "1-1-302") {
			t.Fatalf("code without a check: %d (must be 422 showing nothing of the ballot)", r.Status)
		}
		// A right code with a wrong check: the same answer as an unknown code.
		if r := b.Submit("/b", "/b", url.Values{"code": {typed}, "id_check": {"000000"}}); r.Status != http.StatusNotFound || strings.Contains(string(r.Body), cred.Token) || strings.Contains(string(r.Body), "1-1-302") {
			t.Fatalf("right code, wrong check: %d", r.Status)
		}
		// Both right: the ballot form, as after the link's own check.
		r := b.Submit("/b", "/b", url.Values{"code": {typed}, "id_check": {vwAnswer302}})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "/b/"+cred.Token+"/review") {
			t.Fatalf("code %q with the right check: %d", typed, r.Status)
		}

		// A wrong code: 404, one language, nothing about any ballot.
		wrong := "ZZZZ-ZZZZ"
		if wrong == cred.Code {
			wrong = "YYYY-YYYY"
		}
		for _, lang := range []string{"zh-CN", "en"} {
			b := env.Browser()
			if lang == "en" {
				b.Get("/lang?to=en&back=/b")
			}
			for _, code := range []string{wrong, "12"} {
				r := b.Submit("/b", "/b", url.Values{"code": {code}, "id_check": {vwAnswer302}})
				body := string(r.Body)
				if r.Status != http.StatusNotFound {
					t.Fatalf("%s wrong code %q: %d", lang, code, r.Status)
				}
				hasCJK := regexp.MustCompile(`\p{Han}`).MatchString(i16Doc(t, r.Body).Find("main").Text())
				if lang == "en" && (hasCJK || !strings.Contains(body, "The ballot code or the identity check is wrong")) {
					t.Errorf("English wrong-code page: %q", i16Doc(t, r.Body).Find("main").Text())
				}
				if lang == "zh-CN" && !strings.Contains(body, "投票码或身份核验不正确") {
					t.Errorf("Chinese wrong-code page: %q", i16Doc(t, r.Body).Find("main").Text())
				}
				if strings.Contains(body, "/b/") || strings.Contains(body, "1-1-302") {
					t.Errorf("wrong code page leaks a link or a room")
				}
			}
		}

		// The notice PDF prints the code and the short address under the QR code.
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices: %d %s", r.Status, r.Body)
		}
		pdf := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok, nil)
		if pdf.Status != 200 {
			t.Fatalf("notices.pdf: %d", pdf.Status)
		}
		text := pdfcheck.Squeeze(pdfcheck.Text(t, pdfcheck.Save(t, "DOCS_PREVIEW_DIR", "notices-code.pdf", pdf.Body), 0))
		shortURL := strings.TrimSuffix(cred.URL, "/"+cred.Token)
		for _, c := range creds {
			if !strings.Contains(text, c.Code) {
				t.Errorf("notice PDF lacks the code %s of %v", c.Code, c.Rooms)
			}
		}
		if !strings.Contains(text, pdfcheck.Squeeze(shortURL)) || !strings.Contains(text, "投票码") {
			t.Errorf("notice PDF lacks the short address %s", shortURL)
		}

		// Entering codes is limited per client address (CODE_RATE_LIMIT=20 here): the
		// 21st attempt in a minute is refused with 429, a right code included.
		rl := env.Browser()
		csrf := rl.CSRF("/b")
		refused := 0
		for range 25 {
			r := rl.Post("/b", url.Values{"_csrf": {csrf}, "code": {wrong}})
			if r.Status == http.StatusTooManyRequests {
				refused++
			}
		}
		if r := rl.Post("/b", url.Values{"_csrf": {csrf}, "code": {cred.Code}}); r.Status != http.StatusTooManyRequests {
			t.Errorf("right code after the limit: %d", r.Status)
		}
		if refused == 0 {
			t.Errorf("25 codes in a minute never refused")
		}
	})
}
