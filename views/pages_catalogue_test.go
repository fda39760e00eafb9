package views

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// catalogues reads every translation file into one map per language.
func catalogues(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	names, err := fs.Glob(files, "i18n/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		lang := strings.TrimSuffix(n[strings.IndexByte(n, '.')+1:], ".json")
		b, err := fs.ReadFile(files, n)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if out[lang] == nil {
			out[lang] = map[string]string{}
		}
		for k, v := range m {
			if _, dup := out[lang][k]; dup {
				t.Errorf("%s: key %q is defined twice in %s", n, k, lang)
			}
			out[lang][k] = v
		}
	}
	return out
}

// TestCataloguesHaveTheSameKeys fails on a message that one language lacks (issue 16,
// defect 3): a missing key would show its id, or the other language, on the page.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	cat := catalogues(t)
	for _, a := range languageTags {
		for _, b := range languageTags {
			if a == b {
				continue
			}
			var missing []string
			for k := range cat[a] {
				if _, ok := cat[b][k]; !ok {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%d keys of %s are missing in %s: %v", len(missing), a, b, missing)
			}
		}
	}
}

var (
	actions    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	comments   = regexp.MustCompile(`(?s)<!--.*?-->`)
	scripts    = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	attrText   = regexp.MustCompile(`\b(?:placeholder|title|aria-label|alt)="([^"]*)"`)
	tags       = regexp.MustCompile(`(?s)<[^>]*>`)
	wordlike   = regexp.MustCompile(`[\p{Han}A-Za-z]+[\p{Han}A-Za-z0-9²-]*`)
	example    = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)+$`) // a code to type, shown as an example
	notWording = map[string]bool{
		// units and algorithm names, the same in both languages
		"m²": true, "SHA-256": true, "sha256": true, "B": true,
	}
)

// TestTemplatesHoldNoLiteralWording scans every layout, partial and page for text
// outside template actions, and for text in the attributes a person reads, and fails
// on a word that does not come from the catalogue (issue 16, defect 3). The language
// switch names the other language in that language, on purpose.
func TestTemplatesHoldNoLiteralWording(t *testing.T) {
	names, err := fs.Glob(files, "*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			t.Fatal(err)
		}
		s := comments.ReplaceAllString(actions.ReplaceAllString(string(b), " "), " ")
		s = scripts.ReplaceAllString(s, " ")
		var text []string
		for _, m := range attrText.FindAllStringSubmatch(s, -1) {
			text = append(text, m[1])
		}
		text = append(text, tags.ReplaceAllString(s, "\n"))
		for _, chunk := range text {
			for _, w := range wordlike.FindAllString(chunk, -1) {
				if notWording[w] || example.MatchString(w) || (n == "layouts/base.html" && (w == "English" || w == "中文")) {
					continue
				}
				t.Errorf("%s: literal %q outside the catalogue", n, w)
			}
		}
	}
}

// TestEnglishCatalogueHasNoChinese fails on an English message that carries Chinese
// words, except where it quotes a legal term or an example of typed input.
func TestEnglishCatalogueHasNoChinese(t *testing.T) {
	quoted := map[string]bool{"lang.other": true, "h4.transitional_intro": true, "calendar.rest_days_hint": true, "calendar.rest_days_example": true, "h9.def.complaints_accepted": true}
	han := regexp.MustCompile(`\p{Han}`)
	for k, v := range catalogues(t)["en"] {
		if han.MatchString(v) && !quoted[k] {
			t.Errorf("en %s = %q holds Chinese", k, v)
		}
	}
}

// TestAuditActionsAreNamed fails on an audit action written in app/ without a name in
// the catalogue: the audit log shows actions by name, never by code.
func TestAuditActionsAreNamed(t *testing.T) {
	// "a.b" must be named; "a." + kind (a dynamic action) must have its area "a" named.
	lit := regexp.MustCompile(`Action: +"([a-z_.]+)"`)
	cat := catalogues(t)
	err := filepath.WalkDir("../app", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			key := "auditlog.action." + strings.TrimSuffix(m[1], ".")
			for _, lang := range languageTags {
				if _, ok := cat[lang][key]; !ok {
					t.Errorf("%s: audit action %q has no name in %s", p, m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOneWordOneAction fails when "退出" names an action on its own: signing out is
// 退出登录, taking a member or a candidate off is 撤出 / 撤回 (issue 16, item 9).
func TestOneWordOneAction(t *testing.T) {
	zh := catalogues(t)["zh-CN"]
	if zh["nav.logout"] != "退出登录" {
		t.Errorf("nav.logout = %q, want 退出登录", zh["nav.logout"])
	}
	for k, v := range zh {
		if v == "退出" {
			t.Errorf("zh-CN %s is the bare word 退出", k)
		}
	}
}

// TestPct: shares on the results pages are exact on hundredths.
func TestPct(t *testing.T) {
	pct := baseFuncs("zh-CN")["pct"].(func(any, any) string)
	for _, c := range []struct {
		part, whole any
		want        string
	}{{"2.00", "3.00", "66.67%"}, {1, 3, "33.33%"}, {"110.64", "110.64", "100.00%"}, {0, 5, "0.00%"}, {1, 0, "—"}, {"x", "1", "—"}, {"1.005", "2", "—"}} {
		if got := pct(c.part, c.whole); got != c.want {
			t.Errorf("pct(%v, %v) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}

// templateKey is a literal catalogue key a template translates ({{t "a.b"}}); a key
// ending in a dot or an underscore is completed at run time.
var templateKey = regexp.MustCompile(`\bt "([A-Za-z0-9_.]+)"`)

// A key a template names must be in both catalogues: a missing one makes the page a
// 500 (two merges once dropped the ballot log's keys from the verification page).
func TestTemplateKeysExist(t *testing.T) {
	cats := map[string]map[string]string{}
	for l, cat := range catalogues(t) { // "rules.zh-CN" is err.rules.zh-CN.json's part of zh-CN
		lang := l[strings.LastIndexByte(l, '.')+1:]
		if cats[lang] == nil {
			cats[lang] = map[string]string{}
		}
		for k, v := range cat {
			cats[lang][k] = v
		}
	}
	names, err := fs.Glob(files, "*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			k := m[1]
			if strings.HasSuffix(k, ".") || strings.HasSuffix(k, "_") || !strings.Contains(k, ".") {
				continue
			}
			for lang, cat := range cats {
				if _, ok := cat[k]; !ok {
					t.Errorf("%s: key %q is not in the %s catalogue", n, k, lang)
				}
			}
		}
	}
}
