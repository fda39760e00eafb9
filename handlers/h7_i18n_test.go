package handlers_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gongzhi/handlers/handlertest"
)

// The h7 catalogue files carry the same keys in both languages, and the pages of
// issue 16's defect 7 read in English without a word of Chinese from them.
func TestH7TranslationsMatch(t *testing.T) {
	read := func(name string) map[string]string {
		b, err := os.ReadFile("../views/i18n/" + name)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, m := range regexp.MustCompile(`(?m)^\s*"([^"]+)":\s*"(.*)",?$`).FindAllSubmatch(b, -1) {
			out[string(m[1])] = string(m[2])
		}
		return out
	}
	zh, en := read("h7.zh-CN.json"), read("h7.en.json")
	if len(zh) < 30 || len(zh) != len(en) {
		t.Fatalf("h7 catalogue: %d Chinese keys, %d English", len(zh), len(en))
	}
	han := regexp.MustCompile(`\p{Han}`)
	for k, v := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%s missing in Chinese", k)
		}
		if han.MatchString(v) {
			t.Errorf("%s: Chinese in the English text %q", k, v)
		}
	}
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		b.Get("/lang?to=en")
		roster := string(b.Get(fmt.Sprintf("/estates/%d/roster", estate)).Body)
		audit := string(b.Get("/audit").Body)
		for _, v := range zh {
			if strings.Contains(v, "{{") {
				continue
			}
			if strings.Contains(roster, v) || strings.Contains(audit, v) {
				t.Errorf("Chinese catalogue text %q on an English page", v)
			}
		}
		for _, want := range []string{"Room (e.g. 2-1-301 or 2-), building or owner", "Export with these filters (XLSX)", "Clear filters"} {
			if !strings.Contains(roster+audit, want) {
				t.Errorf("English page lacks %q", want)
			}
		}
	})
}
