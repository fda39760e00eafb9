package pdfdoc

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWrap(t *testing.T) {
	r := newTestRenderer(t)
	l, err := r.newLayout(context.Background(), fixedMeta, "")
	if err != nil {
		t.Fatal(err)
	}
	l.setFont(sizeBody)
	cases := []struct {
		name  string
		text  string
		width float64
	}{
		{"long Chinese title", longTitle, contentWidth},
		{"mixed text with URL and numbers", longText, 80},
		{"narrow table cell", "专有部分面积（平方米）", 20},
		{"URL longer than the line", "https://gz.example.cn/b/000001?t=k0000000000000000000000000000", 30},
		{"Latin words", "The quick brown fox jumps over the lazy dog again and again", 40},
		{"punctuation at every possible break", strings.Repeat("甲，乙。（丙）", 20), 23},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := l.wrap(c.text, c.width)
			if len(lines) < 2 {
				t.Fatalf("%d line(s), want the text to wrap: %q", len(lines), lines)
			}
			for i, line := range lines {
				if w := l.pdf.GetStringWidth(line); w > c.width+epsilon {
					t.Errorf("line %d %q is %.2f mm wide, limit %.2f", i, line, w, c.width)
				}
				if i > 0 && line != "" && strings.ContainsRune(noLineStart, []rune(line)[0]) {
					t.Errorf("line %d %q starts with closing punctuation", i, line)
				}
				if i < len(lines)-1 && line != "" && strings.ContainsRune(noLineEnd, []rune(line)[len([]rune(line))-1]) {
					t.Errorf("line %d %q ends with opening punctuation", i, line)
				}
			}
			if got := strings.Join(lines, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(c.text, " ", "") {
				t.Errorf("wrapping lost or changed text:\n got %q\nwant %q", got, c.text)
			}
		})
	}
	t.Run("numbers stay whole", func(t *testing.T) {
		for _, line := range l.wrap(strings.Repeat("同意面积2696.04平方米，", 10), 50) {
			if strings.HasSuffix(line, "2696.") || strings.HasPrefix(line, "04") {
				t.Errorf("number split across lines at %q", line)
			}
		}
	})
	t.Run("newlines break lines", func(t *testing.T) {
		if got := l.wrap("第一段\n第二段", contentWidth); len(got) != 2 || got[0] != "第一段" || got[1] != "第二段" {
			t.Errorf("got %q", got)
		}
	})
}

func TestChineseNumeral(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 21: "二十一", 99: "九十九",
		100: "一百", 105: "一百零五", 110: "一百一十", 999: "九百九十九", 0: "0", 1000: "1000"} {
		if got := chineseNumeral(n); got != want {
			t.Errorf("chineseNumeral(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFormatDeadline(t *testing.T) {
	r := newTestRenderer(t)
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{at(2026, 12, 8, 0, 0), "2026年12月7日 24:00"},
		{at(2026, 11, 21, 14, 30), "2026年11月21日 14:30"},
		{time.Date(2026, 1, 4, 16, 0, 0, 0, time.UTC), "2026年1月4日 24:00"}, // midnight in Shanghai
		{time.Time{}, "—"},
	} {
		if got := formatDeadline(c.in, r.zone); got != c.want {
			t.Errorf("formatDeadline(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := formatTime(time.Date(2026, 11, 21, 6, 30, 0, 0, time.UTC), r.zone); got != "2026年11月21日 14:30" {
		t.Errorf("formatTime in Shanghai = %q", got)
	}
}

// TestDigitsAndLatinHaveGlyphs rasterizes digits and Latin letters and checks that ink lands
// on the page: a CJK-only font would print them as blanks while text extraction still
// reports them.
func TestDigitsAndLatinHaveGlyphs(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	ink := func(text string) int {
		l, err := r.newLayout(context.Background(), fixedMeta, "")
		if err != nil {
			t.Fatal(err)
		}
		l.addPage()
		l.setFont(40)
		l.paragraph(marginLeft, contentWidth, text, "L", false)
		path := writePDF(t, "glyphs.pdf", func(w *bytes.Buffer) error { return l.finish(w) })
		pages := rasterize(t, path, 50, rasterPNG)
		f, err := os.Open(pages[0])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		return darkPixels(img)
	}
	for _, text := range []string{"0123456789", "ABCDEFGHIJKLM", "nopqrstuvwxyz", ".%:/-"} {
		if n := ink(text); n < 10*len(text) {
			t.Errorf("%q prints only %d dark pixels: glyphs missing", text, n)
		}
	}
}

func darkPixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0x8000 {
				n++
			}
		}
	}
	return n
}

func TestMissingGlyphs(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	if got := r.MissingGlyphs("张喆、王玥、李明 2026"); string(got) != "喆玥" {
		t.Errorf("MissingGlyphs = %q, want 喆玥", string(got))
	}
	doc := sampleResolution()
	doc.Elections[0].Candidates[0].Name = "张喆"
	doc.Elections[0].Elected[0] = "张喆"
	path := writePDF(t, "missing.pdf", func(w *bytes.Buffer) error { return r.Resolution(context.Background(), w, doc, fixedMeta) })
	text := pdfText(t, path, 0)
	if !strings.Contains(text, "张〓") || strings.Contains(text, "喆") {
		t.Errorf("a character without a glyph is not printed as 〓")
	}
	l, err := r.newLayout(context.Background(), fixedMeta, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.wrap("二〇二六年–第1项", contentWidth); len(got) != 1 || got[0] != "二○二六年-第1项" {
		t.Errorf("lookalikes: got %q", got)
	}
	// Every character of the fixed wording and the fixtures is printable.
	if missing := r.MissingGlyphs(strings.ReplaceAll(pdfText(t, writePDF(t, "all.pdf", func(w *bytes.Buffer) error {
		return r.Resolution(context.Background(), w, sampleResolution(), fixedMeta)
	}), 0), "\f", "")); len(missing) != 0 {
		t.Errorf("resolution text has characters without glyphs: %q", string(missing))
	}
}

var (
	bboxPage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

type box struct {
	x0, y0, x1, y1 float64
	text           string
}

// assertInsidePage fails the test for every layoutProblems finding.
func assertInsidePage(t *testing.T, path string) {
	t.Helper()
	for _, problem := range layoutProblems(t, path) {
		t.Error(problem)
	}
}

// layoutProblems uses the word boxes pdftotext reports to find text that runs past the
// margins and words that overlap each other.
func layoutProblems(t *testing.T, path string) []string {
	t.Helper()
	html := run(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	const mm = 72 / 25.4
	var problems []string
	pages := strings.Split(html, "<page ")[1:]
	for p, page := range pages {
		m := bboxPage.FindStringSubmatch("<page " + page)
		if m == nil {
			t.Fatalf("page %d: no size in pdftotext -bbox output", p+1)
		}
		width, _ := strconv.ParseFloat(m[1], 64)
		height, _ := strconv.ParseFloat(m[2], 64)
		var words []box
		for _, w := range bboxWord.FindAllStringSubmatch(page, -1) {
			var b box
			b.x0, _ = strconv.ParseFloat(w[1], 64)
			b.y0, _ = strconv.ParseFloat(w[2], 64)
			b.x1, _ = strconv.ParseFloat(w[3], 64)
			b.y1, _ = strconv.ParseFloat(w[4], 64)
			b.text = w[5]
			if b.x0 < marginLeft*mm-1 || b.x1 > width-marginRight*mm+1 || b.y0 < marginTop*mm-2 || b.y1 > height-10*mm {
				problems = append(problems, fmt.Sprintf("page %d: %q at (%.0f,%.0f)-(%.0f,%.0f) pt runs outside the margins",
					p+1, b.text, b.x0, b.y0, b.x1, b.y1))
			}
			words = append(words, b)
		}
		for i := range words {
			for j := i + 1; j < len(words); j++ {
				a, b := words[i], words[j]
				ox := min(a.x1, b.x1) - max(a.x0, b.x0)
				oy := min(a.y1, b.y1) - max(a.y0, b.y0)
				if ox > 0.5 && oy > 1.5 {
					problems = append(problems, fmt.Sprintf("page %d: %q and %q overlap", p+1, a.text, b.text))
				}
			}
		}
	}
	return problems
}

// TestLayoutProblemsDetects makes sure the layout check used above can fail: text drawn over
// other text and past the right margin must be reported.
func TestLayoutProblemsDetects(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	l, err := r.newLayout(context.Background(), fixedMeta, "")
	if err != nil {
		t.Fatal(err)
	}
	l.addPage()
	l.textAt(marginLeft, 50, 60, 6, "重叠的第一段文字", "L", false)
	l.textAt(marginLeft+5, 51, 60, 6, "重叠的第二段文字", "L", false)
	l.textAt(pageWidth-marginRight-10, 80, 60, 6, "越过右边距的文字", "L", false)
	path := writePDF(t, "bad.pdf", func(w *bytes.Buffer) error { return l.finish(w) })
	problems := strings.Join(layoutProblems(t, path), "\n")
	if !strings.Contains(problems, "overlap") || !strings.Contains(problems, "outside the margins") {
		t.Errorf("layout check missed deliberate faults; it reported:\n%s", problems)
	}
}
