package handlers_test

import (
	"strings"
	"testing"
	"time"

	"gongzhi/handlers/handlertest"
)

// awaitImport follows a web roster upload's redirect to its progress page and
// reads the page until the import has finished (the page stops refreshing
// itself), returning the last answer. Polling, not timing: the bound only keeps
// a broken import from hanging the test.
func awaitImport(t *testing.T, b *handlertest.Browser, upload handlertest.Response) handlertest.Response {
	t.Helper()
	if upload.Status != 303 {
		t.Fatalf("roster upload: %d %s", upload.Status, upload.Body[:min(len(upload.Body), 300)])
	}
	loc := upload.Header.Get("Location")
	if !strings.Contains(loc, "/roster/imports/") {
		t.Fatalf("roster upload redirected to %q, not its progress page", loc)
	}
	for i := 0; i < 3000; i++ {
		r := b.Get(loc)
		if r.Status != 200 {
			t.Fatalf("progress page %s: %d", loc, r.Status)
		}
		if !strings.Contains(string(r.Body), `http-equiv="refresh"`) {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("import at %s still running", loc)
	return handlertest.Response{}
}
