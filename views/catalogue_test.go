package views

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"gongzhi/app"
)

// The translation catalogue of messages (issue 16, defect 3: one language at a
// time): every err.<pkg> key in both languages, the Chinese words Chinese and the
// English ones free of Chinese; every key the code names is in the catalogue; and no
// "中文 / English" literal is left in product code (the Go sources scanned with go/ast).

var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// hasCJKPunct reports full-width punctuation (（）“”：), the Chinese of a message
// that is only its arguments, such as "{{.A1}}（{{.A2}}）".
func hasCJKPunct(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) })
}

func loadCatalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	out := map[string]string{}
	names, err := fs.Glob(files, "i18n/err.*."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		pkg := strings.TrimSuffix(strings.TrimPrefix(n, "i18n/err."), "."+lang+".json")
		for k, v := range m {
			if !strings.HasPrefix(k, "err."+pkg+".") {
				t.Errorf("%s: key %q outside its file's package", n, k)
			}
			out[k] = v
		}
	}
	return out
}

func TestMessageCatalogue(t *testing.T) {
	zh, en := loadCatalogue(t, "zh-CN"), loadCatalogue(t, "en")
	if len(zh) == 0 {
		t.Fatal("no message catalogue")
	}
	for k, v := range zh {
		e, ok := en[k]
		if !ok {
			t.Errorf("%s: no English", k)
			continue
		}
		if !hasHan(placeholder.ReplaceAllString(v, "")) && !hasCJKPunct(v) {
			t.Errorf("%s: zh-CN %q has no Chinese", k, v)
		}
		if hasHan(placeholder.ReplaceAllString(e, "")) {
			t.Errorf("%s: en %q has Chinese", k, e)
		}
		if strings.Contains(v, " / ") && hasHan(v) && strings.ContainsAny(v[strings.Index(v, " / "):], "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%s: zh-CN %q is bilingual", k, v)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%s: no Chinese", k)
		}
	}
	// Every message renders in both languages with its arguments.
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	args := []any{"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"}
	for k := range zh {
		for _, lang := range languageTags {
			if got := r.Msg(lang, app.M(k, args...)); strings.HasPrefix(got, k) {
				t.Errorf("%s does not render in %s: %q", k, lang, got)
			}
		}
	}
}

// keep are the directories whose bilingual text is no UI message: the PDF documents'
// draft mark "草稿 / DRAFT" is printed in both languages by design (as in msgconv).
var keep = map[string]bool{"app/pdfdoc": true}

var keyLiteral = regexp.MustCompile(`^err\.[a-z0-9_]+\.[a-z0-9_]*[a-z0-9]$`)

// bilingual reports a literal "中文 / English": a "/" next to a space with Chinese
// before it and only Latin text after it (the rule msgconv converts by).
func bilingual(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '/' || !((i+1 < len(s) && s[i+1] == ' ') || (i > 0 && s[i-1] == ' ')) {
			continue
		}
		left, right := s[:i], s[i+1:]
		if hasHan(left) && !hasHan(right) && strings.ContainsFunc(right, func(r rune) bool { return r < 128 && unicode.IsLetter(r) }) {
			return true
		}
	}
	return false
}

// foldString is the value of a string literal or a concatenation of string literals.
func foldString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		l, ok := foldString(x.X)
		if !ok {
			return "", false
		}
		r, ok := foldString(x.Y)
		return l + r, ok
	case *ast.ParenExpr:
		return foldString(x.X)
	}
	return "", false
}

func TestNoBilingualMessagesInCode(t *testing.T) {
	zh, en := loadCatalogue(t, "zh-CN"), loadCatalogue(t, "en")
	used, prefixes := map[string]bool{}, []string{}
	root := ".."
	for _, dir := range []string{"app", "handlers", "models"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() && keep[filepath.ToSlash(rel)] {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			kept := map[int]bool{}
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					if strings.Contains(c.Text, "msgconv:keep") {
						l := fset.Position(c.Pos()).Line
						kept[l], kept[l+1] = true, true
					}
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(ast.Expr)
				if !ok {
					return true
				}
				s, ok := foldString(lit)
				if !ok {
					return true
				}
				pos := fset.Position(lit.Pos())
				if bilingual(s) && !kept[pos.Line] {
					t.Errorf("%s:%d: bilingual message %q: use a catalogue key (run msgconv)", rel, pos.Line, s)
				}
				if strings.HasPrefix(s, "err.") && strings.HasSuffix(s, "_") {
					prefixes = append(prefixes, s) // a key made at run time, e.g. err.rosterfile.col_ + column
				}
				if keyLiteral.MatchString(s) {
					used[s] = true
					if _, ok := zh[s]; !ok {
						t.Errorf("%s:%d: key %s is not in the zh-CN catalogue", rel, pos.Line, s)
					}
					if _, ok := en[s]; !ok {
						t.Errorf("%s:%d: key %s is not in the en catalogue", rel, pos.Line, s)
					}
				}
				return false
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Templates may name keys too (stored codes are rendered with "stored").
	pages, _ := fs.Glob(files, "*/*.html")
	for _, p := range pages {
		b, _ := fs.ReadFile(files, p)
		for _, m := range regexp.MustCompile(`"(err\.[a-z0-9_.]+)"`).FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for k := range zh {
		if used[k] || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		t.Errorf("%s: in the catalogue but named nowhere (left over: delete it)", k)
	}
}
