// Package views holds the HTML templates, static assets and translations of the
// web UI (Chinese first, English second), embedded into the binary, and the
// renderer that executes them. Every page is parsed into its own template set
// together with the layout and partials, once per language, at start-up, so a
// missing or broken template stops the server before it serves anything.
package views

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"gongzhi/app"
	"gongzhi/app/rules"
)

//go:embed layouts/*.html partials/*.html pages/*.html static i18n/*.json
var files embed.FS

// Languages the UI speaks; the first is the default.
var languageTags = []string{"zh-CN", "en"}

// Languages returns the supported language tags, default first.
func Languages() []string { return append([]string(nil), languageTags...) }

// StaticFS returns the static assets (CSS, icons) for serving under /static.
func StaticFS() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(fmt.Sprintf("views: static assets: %v", err)) // embedded at build time
	}
	return sub
}

// Renderer executes pages. It is safe for concurrent use.
type Renderer struct {
	pages  map[string]map[string]*template.Template // lang → page → set
	bundle *i18n.Bundle
}

// New parses every page for every language and fails on the first error.
func New() (*Renderer, error) {
	bundle := i18n.NewBundle(language.MustParse(languageTags[0]))
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	// One file per capability and language: i18n/<capability>.<lang>.json.
	msgFiles, err := fs.Glob(files, "i18n/*.json")
	if err != nil {
		return nil, fmt.Errorf("listing translations: %w", err)
	}
	for _, f := range msgFiles {
		if _, err := bundle.LoadMessageFileFS(files, f); err != nil {
			return nil, fmt.Errorf("loading translations %s: %w", f, err)
		}
	}
	pageFiles, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("listing pages: %w", err)
	}
	r := &Renderer{pages: map[string]map[string]*template.Template{}, bundle: bundle}
	for _, lang := range languageTags {
		loc := i18n.NewLocalizer(bundle, lang, languageTags[0])
		funcs := baseFuncs(lang)
		funcs["t"] = func(id string, args ...any) (string, error) { return translate(loc, id, args...) }
		funcs["msg"] = func(m app.Msg) string { return m.In(translator(loc)) }
		funcs["stored"] = func(s string) string { return stored(loc, s) }
		funcs["label"] = func(ns string, code any) string { return label(loc, ns, fmt.Sprint(code)) }
		r.pages[lang] = map[string]*template.Template{}
		for _, file := range pageFiles {
			name := strings.TrimSuffix(path.Base(file), ".html")
			t, err := template.New(name).Funcs(funcs).ParseFS(files, "layouts/*.html", "partials/*.html", file)
			if err != nil {
				return nil, fmt.Errorf("parsing page %s: %w", name, err)
			}
			// Execute-time errors such as an unknown message id surface at render;
			// a dry run of the layout catches missing blocks now.
			if t.Lookup("content") == nil || t.Lookup("title") == nil {
				return nil, fmt.Errorf("page %s must define \"title\" and \"content\"", name)
			}
			r.pages[lang][name] = t
		}
	}
	return r, nil
}

// T translates one message id into lang, for handlers (flash messages, titles).
func (r *Renderer) T(lang, id string, args ...any) string {
	s, err := translate(i18n.NewLocalizer(r.bundle, lang, languageTags[0]), id, args...)
	if err != nil {
		return id
	}
	return s
}

// Msg renders an application message (an error's, a detail's) in lang: one
// language, the catalogue's words for its key.
func (r *Renderer) Msg(lang string, m app.Msg) string {
	return m.In(translator(i18n.NewLocalizer(r.bundle, lang, languageTags[0])))
}

// Translator is the catalogue of lang as an app.Translator.
func (r *Renderer) Translator(lang string) app.Translator {
	return translator(i18n.NewLocalizer(r.bundle, lang, languageTags[0]))
}

// Stored renders a text kept in the database: a catalogue key (what the platform
// stores instead of words, e.g. a version's automatic reason) in lang, anything else
// (what a user typed) as it is.
func (r *Renderer) Stored(lang, s string) string {
	return stored(i18n.NewLocalizer(r.bundle, lang, languageTags[0]), s)
}

func stored(loc *i18n.Localizer, s string) string {
	if !app.IsKey(s) {
		return s
	}
	return app.M(s).In(translator(loc))
}

func translator(loc *i18n.Localizer) app.Translator {
	return func(key string, data map[string]any) (string, bool) {
		s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data})
		return s, err == nil
	}
}

func translate(loc *i18n.Localizer, id string, args ...any) (string, error) {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return "", fmt.Errorf("translation %q: %w", id, err)
	}
	return s, nil
}

// label names an enum value or code through the catalogue (issue 16, defect 3): the
// message "<ns>.<code>"; for a dotted code such as an audit action "a.b.c", the nearest
// named prefix ("<ns>.a.b", then "<ns>.a"); else "<ns>._other". A code never reaches
// the page as it is; a missing "_other" is a template bug and shows the message id.
func label(loc *i18n.Localizer, ns, code string) string {
	for c := code; c != ""; {
		if s, err := translate(loc, ns+"."+c); err == nil {
			return s
		}
		i := strings.LastIndexByte(c, '.')
		if i < 0 {
			break
		}
		c = c[:i]
	}
	if s, err := translate(loc, ns+"._other"); err == nil {
		return s
	}
	return ns + "._other"
}

// Label names an enum value or code in lang, as the template function label does.
func (r *Renderer) Label(lang, ns, code string) string {
	return label(i18n.NewLocalizer(r.bundle, lang, languageTags[0]), ns, code)
}

// Render writes the page in the language (falling back to the default) with data.
// It renders into a buffer first so a failing template never sends half a page.
func (r *Renderer) Render(w io.Writer, lang, page string, data any) error {
	set, ok := r.pages[lang]
	if !ok {
		set = r.pages[languageTags[0]]
	}
	t, ok := set[page]
	if !ok {
		return fmt.Errorf("views: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("rendering %s: %w", page, err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("writing %s: %w", page, err)
	}
	return nil
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

func baseFuncs(lang string) template.FuncMap {
	loc := shanghai()
	return template.FuncMap{
		"lang": func() string { return lang },
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return "—"
				}
				return v.In(loc).Format("2006-01-02 15:04")
			case *time.Time:
				if v == nil || v.IsZero() {
					return "—"
				}
				return v.In(loc).Format("2006-01-02 15:04")
			}
			return "—"
		},
		// deadline prints the end of a period as the PDFs do: "<last day> 24:00" (issue 16).
		"deadline": func(t any) string {
			layout := rules.DayLayoutZH
			if lang == "en" {
				layout = rules.DayLayoutEN
			}
			switch v := t.(type) {
			case time.Time:
				return rules.DeadlineText(v, layout)
			case *time.Time:
				if v != nil {
					return rules.DeadlineText(*v, layout)
				}
			}
			return "—"
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("2006-01-02")
		},
		// loc picks the English of a pair that the rules keep in both languages
		// (criteria, duties, rule messages) on the English pages.
		"loc": func(zh, en string) string {
			if lang == "en" && en != "" {
				return en
			}
			return zh
		},
		// pct is part of whole as a percentage with two decimals ("66.67%"), exact on
		// hundredths: each is an int or a decimal text such as an area "123.45"; "—" when
		// whole is zero or either is not a number.
		"pct": func(part, whole any) string {
			p, ok1 := hundredths(part)
			w, ok2 := hundredths(whole)
			if !ok1 || !ok2 || w <= 0 || p < 0 {
				return "—"
			}
			bp := (p*100000/w + 5) / 10 // hundredths of a percent, rounded half up
			return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
		},
		"add": func(a, b int) int { return a + b },
		"area": func(hundredths int64) string {
			sign := ""
			if hundredths < 0 {
				sign, hundredths = "-", -hundredths
			}
			return fmt.Sprintf("%s%d.%02d", sign, hundredths/100, hundredths%100)
		},
		"repeat": func(s string, n int) string {
			if n < 0 {
				n = 0
			}
			return strings.Repeat(s, n)
		},
		"eq64": func(a, b int64) bool { return a == b },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// hundredths reads an int or a decimal text with at most two decimals as hundredths.
func hundredths(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x) * 100, true
	case int64:
		return x * 100, true
	case fmt.Stringer:
		return hundredths(x.String())
	case string:
		whole, frac, _ := strings.Cut(strings.TrimSpace(x), ".")
		if whole == "" || len(frac) > 2 {
			return 0, false
		}
		for len(frac) < 2 {
			frac += "0"
		}
		var n int64
		for _, r := range whole + frac {
			if r < '0' || r > '9' {
				return 0, false
			}
			n = n*10 + int64(r-'0')
		}
		return n, true
	}
	return 0, false
}
