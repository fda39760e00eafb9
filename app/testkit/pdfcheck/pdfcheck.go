// Package pdfcheck reads PDFs in tests the way a person would: their text through
// poppler's pdftotext, their pages counted, a copy kept for a person to look at. It
// imports nothing of the application, so app/pdfdoc's own tests use it as well as the
// documents' route tests. Only tests import it.
package pdfcheck

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Tools are the command-line tools the PDF tests run: poppler's and zbar's.
var Tools = []string{"pdftotext", "pdftoppm", "zbarimg"}

// Missing is the first of Tools that is not on PATH, or "".
func Missing() string {
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			return tool
		}
	}
	return ""
}

// RequireTools skips the test unless poppler and zbar are installed.
func RequireTools(t testing.TB) {
	t.Helper()
	if tool := Missing(); tool != "" {
		t.Skipf("%s not on PATH (install poppler-utils and zbar-tools)", tool)
	}
}

// Run executes a command and returns its standard output, failing the test with its
// standard error.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("%s %v: %v: %s", name, args, err, exitErr.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// Text is pdftotext -layout of one page (page > 0) or of the whole file (page 0).
func Text(t testing.TB, path string, page int) string {
	t.Helper()
	args := []string{"-layout", "-enc", "UTF-8"}
	if page > 0 {
		args = append(args, "-f", fmt.Sprint(page), "-l", fmt.Sprint(page))
	}
	return Run(t, "pdftotext", append(args, path, "-")...)
}

// Pages is the text of every page, in order (one pdftotext run).
func Pages(t testing.TB, path string) []string {
	t.Helper()
	pages := strings.Split(Text(t, path, 0), "\f")
	return pages[:len(pages)-1] // pdftotext ends every page with a form feed
}

// PageCount counts pages by the form feed pdftotext writes after each one.
func PageCount(t testing.TB, path string) int {
	t.Helper()
	return strings.Count(Run(t, "pdftotext", "-enc", "UTF-8", path, "-"), "\f")
}

// Squeeze removes all white space, so text wrapped over several lines can be matched.
func Squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// Save writes data to a file named name in a temporary directory and returns its path.
// When the environment variable previewEnv names a directory, a copy named after the
// test goes there for a person to look at.
func Save(t testing.TB, previewEnv, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv(previewEnv); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		preview := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+"-"+name)
		if err := os.WriteFile(preview, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

var (
	zbarSource = regexp.MustCompile(`(?s)<source href='([^']*)'>(.*?)</source>`)
	zbarData   = regexp.MustCompile(`(?s)<data><!\[CDATA\[(.*?)\]\]></data>`)
)

// DecodeQR runs zbarimg once over all images (with flags before its own, e.g. --nodbus)
// and returns, per image in order, the QR payloads found.
func DecodeQR(t testing.TB, images []string, flags ...string) [][]string {
	t.Helper()
	args := append(append(flags, "--xml", "-q", "-Sdisable", "-Sqrcode.enable"), images...)
	out, err := exec.Command("zbarimg", args...).Output()
	if err != nil {
		var exitErr *exec.ExitError
		// zbarimg exits with 4 when it finds no symbol in any image.
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 4 {
			t.Fatalf("zbarimg: %v", err)
		}
	}
	byFile := map[string][]string{}
	for _, src := range zbarSource.FindAllStringSubmatch(string(out), -1) {
		for _, d := range zbarData.FindAllStringSubmatch(src[2], -1) {
			byFile[src[1]] = append(byFile[src[1]], d[1])
		}
	}
	codes := make([][]string, len(images))
	for i, f := range images {
		codes[i] = byFile[f]
	}
	return codes
}
