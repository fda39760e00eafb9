package documents_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"gongzhi/app/rules"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

var numberPattern = regexp.MustCompile(`^GZ-2026-\d{6}-V(\d+)$`)

// sha is the hex SHA-256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// percentOf is how the documents print a share: rules.Percent.
func percentOf(part string, whole string) string {
	p, w := rules.MustParseArea(part), rules.MustParseArea(whole)
	return rules.Percent(int64(p), int64(w))
}

// TestResolutionPDF runs a vote to its count through the voting service (online ballots
// with the owners' real identity checks), downloads the resolution through the API and
// reads it back: every item with its figures, threshold, legal basis and outcome in
// Chinese, the election, the number, and the QR code decoding to the verification URL.
func TestResolutionPDF(t *testing.T) {
	requireTools(t)
	each(t, func(t *testing.T, e *env) {
		voteID, res := e.closedDemoVote(t)
		street := e.DemoToken("street")
		// Before it is issued, a download is an unnumbered draft, marked as such, with no
		// QR code, and stores nothing (issue 16).
		draft := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), e.DemoToken("auditor"))
		if draft.Status != 200 || draft.Header.Get("X-Document-Number") != "" {
			t.Fatalf("draft: %d number %q", draft.Status, draft.Header.Get("X-Document-Number"))
		}
		dpath := writeTemp(t, "draft.pdf", draft.Body)
		if flat := squeeze(pdfText(t, dpath, 0)); !strings.Contains(flat, squeeze("草稿 / DRAFT")) || strings.Contains(flat, "文号：GZ") ||
			!strings.Contains(flat, "表决结果尚未公布") || strings.Contains(flat, "于—公布") {
			t.Errorf("draft text: %.600s", flat)
		}
		if codes := pageQRCodes(t, dpath); len(codes) != 0 && len(codes[0]) != 0 {
			t.Errorf("draft carries QR codes %q", codes)
		}
		var stored int64
		e.DB.Model(&models.Document{}).Where("vote_id = ?", voteID).Count(&stored)
		if stored != 0 {
			t.Fatalf("a draft download stored %d documents", stored)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/issues", voteID), e.DemoToken("auditor"), nil); r.Status != 403 {
			t.Errorf("auditor issues: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/issues", voteID), street, nil); r.Status != 201 {
			t.Fatalf("issue: %d %s", r.Status, r.Body)
		}
		r := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), street)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("resolution: %d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		number := r.Header.Get("X-Document-Number")
		if !numberPattern.MatchString(number) || !strings.HasSuffix(number, "-V1") {
			t.Fatalf("document number %q", number)
		}
		if etag := r.Header.Get("ETag"); etag != `"`+sha(r.Body)+`"` {
			t.Errorf("ETag %s is not the SHA-256 of the body %s", etag, sha(r.Body))
		}
		path := writeTemp(t, "resolution.pdf", r.Body)
		text := pdfText(t, path, 0)
		flat := squeeze(text)
		want := []string{"阳光花园", "业主大会决议", "阳光花园2026年第一次业主大会会议", "阳光花园业主委员会", "书面征求意见",
			"文号：" + number, "（第1版）", longTitle, "关于使用专项维修资金更换1号楼、2号楼电梯的议案", "关于将小区东侧绿地改建为停车场的议案",
			"选举第二届业主委员会委员（应选7名）", "2696.04平方米", "《民法典》第二百七十八条",
			"2026年3月17日09:00至2026年3月24日09:00", "2026年3月2日09:00",
			"参与表决", fmt.Sprintf("业主%d人", res.ParticipatingHeadcount),
			percentOf(res.ParticipatingArea, res.TotalArea), "http://test.local/verify/" + number}
		for _, it := range res.Items {
			outcome := "表决结果：未通过"
			if it.Passed {
				outcome = "表决结果：通过"
			}
			want = append(want, it.AgreeArea, it.OpposeArea, it.AbstainArea, it.Rule, outcome,
				percentOf(it.AgreeArea, res.ParticipatingArea))
		}
		for _, w := range want {
			if !strings.Contains(flat, squeeze(w)) {
				t.Errorf("resolution text lacks %q", w)
			}
		}
		passed := 0
		for _, it := range res.Items {
			if it.Passed {
				passed++
			}
		}
		if passed != 2 || res.Items["parking"].Passed {
			t.Fatalf("fixture: %d items passed (parking %v), want manager and fund only", passed, res.Items["parking"].Passed)
		}
		if got := strings.Count(flat, "表决结果：通过"); got != passed {
			t.Errorf("%d items printed as 通过, want %d", got, passed)
		}
		if got := strings.Count(flat, "表决结果：未通过"); got != 3-passed {
			t.Errorf("%d items printed as 未通过, want %d", got, 3-passed)
		}
		el := res.Elections["committee"]
		var elected []string
		for _, k := range el.Elected {
			elected = append(elected, el.Candidates[k].Name)
		}
		if len(elected) == 0 || !strings.Contains(flat, "当选："+strings.Join(elected, "、")) {
			t.Errorf("elected %v not printed", elected)
		}
		for _, name := range candidateNames {
			if !strings.Contains(text, name) {
				t.Errorf("candidate %s missing", name)
			}
		}
		// The QR code holds the verification URL of this very version.
		var codes []string
		for _, page := range pageQRCodes(t, path) {
			codes = append(codes, page...)
		}
		if len(codes) != 1 || codes[0] != "http://test.local/verify/"+number {
			t.Errorf("QR codes %q, want [http://test.local/verify/%s]", codes, number)
		}

		// Later requests serve the stored bytes; If-None-Match answers 304.
		again := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), street)
		if !bytes.Equal(again.Body, r.Body) {
			t.Error("a second download differs from the first")
		}
		if nm := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), street, "If-None-Match", r.Header.Get("ETag")); nm.Status != 304 {
			t.Errorf("If-None-Match: %d", nm.Status)
		}
		web := e.Browser()
		web.Login("street", "Demo2026street")
		if w := web.Get(fmt.Sprintf("/votes/%d/resolution.pdf", voteID)); w.Status != 200 || !bytes.Equal(w.Body, r.Body) {
			t.Errorf("web download: %d, identical %v", w.Status, bytes.Equal(w.Body, r.Body))
		}
		var n int64
		e.DB.Model(&models.Document{}).Where("vote_id = ? AND kind = ?", voteID, models.DocResolution).Count(&n)
		if n != 1 {
			t.Errorf("%d stored versions after four downloads, want 1", n)
		}
	})
}

// TestVerificationPage checks that the verification page shows the SHA-256 of exactly
// the bytes downloaded, that an upload of those bytes is recognised and a changed copy
// is not, and that the public (no login) sees a resolution only once it is published.
func TestVerificationPage(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, _ := e.closedDemoVote(t)
		staff := e.DemoToken("street")
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/issues", voteID), staff, nil); r.Status != 201 {
			t.Fatalf("issue: %d %s", r.Status, r.Body)
		}
		dl := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), staff)
		if dl.Status != 200 {
			t.Fatalf("download: %d %s", dl.Status, dl.Body)
		}
		number := dl.Header.Get("X-Document-Number")

		// Not yet published: anonymous visitors get 401 (and the web page sends them to
		// sign in); the verification page shows only the digest and status.
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), ""); r.Status != 401 {
			t.Errorf("anonymous before publication: %d", r.Status)
		}
		anon := e.Browser()
		page := anon.Get("/verify/" + number)
		doc := parseHTML(t, page)
		if page.Status != 200 || doc.Find("#doc-sha256").Text() != sha(dl.Body) {
			t.Fatalf("verify page: %d sha %q, want %s", page.Status, doc.Find("#doc-sha256").Text(), sha(dl.Body))
		}
		if doc.Find("#doc-download").Length() != 0 || doc.Find("#tally").Length() != 0 {
			t.Error("an unpublished resolution offers a download or its tally to the public")
		}
		if r := anon.Get("/verify/" + number + "/download"); r.Status == 200 {
			t.Error("an unpublished resolution downloads without sign-in")
		}

		// Published: anyone downloads it. The publication issues a new version with the
		// publication and objection dates; the first one is superseded.
		e.Clock.Set(closesAt().Add(24 * time.Hour))
		if _, err := e.Svc.Votes.Publish(e.Ctx, e.Admin, voteID); err != nil {
			t.Fatal(err)
		}
		pub := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), "")
		if pub.Status != 200 {
			t.Fatalf("anonymous after publication: %d %s", pub.Status, pub.Body)
		}
		v2 := pub.Header.Get("X-Document-Number")
		if !strings.HasSuffix(v2, "-V2") || strings.TrimSuffix(v2, "-V2") != strings.TrimSuffix(number, "-V1") {
			t.Fatalf("after publication the resolution is %s, want the V2 of %s", v2, number)
		}
		page = anon.Get("/verify/" + v2)
		doc = parseHTML(t, page)
		if got := doc.Find("#doc-sha256").Text(); got != sha(pub.Body) {
			t.Errorf("verify page of %s shows %s, downloaded bytes have %s", v2, got, sha(pub.Body))
		}
		if doc.Find("#doc-status").AttrOr("data-status", "") != "in_force" || doc.Find("#tally .tally-item").Length() != 3 {
			t.Errorf("published resolution: status %q, %d tally rows", doc.Find("#doc-status").AttrOr("data-status", ""), doc.Find("#tally .tally-item").Length())
		}
		if !strings.Contains(doc.Find("#tally").Text(), "通过") || !strings.Contains(doc.Find("#tally").Text(), "未通过") {
			t.Error("the tally on the verification page lacks the outcomes")
		}
		down := anon.Get("/verify/" + v2 + "/download")
		if down.Status != 200 || !bytes.Equal(down.Body, pub.Body) {
			t.Errorf("public download: %d identical %v", down.Status, bytes.Equal(down.Body, pub.Body))
		}
		// V1 is annotated by V2 (dates added), not "superseded by a corrected version".
		old := parseHTML(t, anon.Get("/verify/"+number))
		if old.Find("#doc-status").AttrOr("data-status", "") != "annotated" || !strings.Contains(old.Find("#doc-status").Text(), v2) ||
			strings.Contains(old.Find("#doc-status").Text(), "更正") {
			t.Errorf("V1 after publication: %q", old.Find("#doc-status").Text())
		}
		if txt := pdfTextIfTools(t, pub.Body); txt != "" && !strings.Contains(squeeze(txt), squeeze("本版为文号 "+number+" 的补注版")) {
			t.Error("V2 does not say it annotates V1")
		}

		// Upload: identical bytes name the version; one changed byte is not a published document.
		up := anon.SubmitFile("/verify", "/verify", "file", "copy.pdf", pub.Body, nil)
		doc = parseHTML(t, up)
		if up.Status != 200 || doc.Find("#upload-verdict").AttrOr("data-identical", "") != "true" ||
			doc.Find("#upload-sha256").Text() != sha(pub.Body) || doc.Find("code.match").Text() != v2 {
			t.Errorf("upload of the published bytes: %d %q %q %q", up.Status, doc.Find("#upload-verdict").Text(),
				doc.Find("#upload-sha256").Text(), doc.Find("code.match").Text())
		}
		forged := bytes.Clone(pub.Body)
		forged[len(forged)/2] ^= 0x01
		doc = parseHTML(t, anon.SubmitFile("/verify", "/verify", "file", "forged.pdf", forged, nil))
		if doc.Find("#upload-verdict").AttrOr("data-identical", "") != "false" || doc.Find("code.match").Length() != 0 {
			t.Errorf("a changed copy was recognised: %q", doc.Find("#upload-verdict").Text())
		}
		// The JSON form of the verification page carries the same digest.
		var js struct {
			Document struct {
				SHA256 string `json:"sha256"`
				Status string `json:"status"`
			} `json:"document"`
			CanDownload bool `json:"can_download"`
		}
		e.get("/verify/"+v2, "", "Accept", "application/json").JSON(t, &js)
		if js.Document.SHA256 != sha(pub.Body) || js.Document.Status != "in_force" || !js.CanDownload {
			t.Errorf("verify JSON %+v", js)
		}
	})
}

// TestResolutionCorrectionSupersedes issues a correction: a new number and version, the
// previous one marked superseded with a link, both still downloadable and verifiable.
func TestResolutionCorrectionSupersedes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		voteID, _ := e.closedDemoVote(t)
		tok := e.DemoToken("street")
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/issues", voteID), tok, nil); r.Status != 201 {
			t.Fatalf("issue: %d %s", r.Status, r.Body)
		}
		v1 := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), tok)
		n1 := v1.Header.Get("X-Document-Number")
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/corrections", voteID), tok, map[string]any{"reason": ""}); r.Status != 422 {
			t.Errorf("correction without reason: %d", r.Status)
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/corrections", voteID), e.DemoToken("auditor"), map[string]any{"reason": "更正"}); r.Status != 403 {
			t.Errorf("auditor correction: %d %s", r.Status, r.Body)
		}
		r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/corrections", voteID), tok, map[string]any{"reason": "更正召集人名称"})
		if r.Status != 201 {
			t.Fatalf("correction: %d %s", r.Status, r.Body)
		}
		var v2 struct {
			Number     string `json:"number"`
			Version    int    `json:"version"`
			Supersedes string `json:"supersedes"`
			Status     string `json:"status"`
			Reason     string `json:"reason"`
			SHA256     string `json:"sha256"`
		}
		r.JSON(t, &v2)
		if v2.Version != 2 || v2.Supersedes != n1 || v2.Status != "in_force" || v2.Reason != "更正召集人名称" {
			t.Fatalf("corrected version %+v", v2)
		}
		now := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), tok)
		if now.Header.Get("X-Document-Number") != v2.Number || sha(now.Body) != v2.SHA256 {
			t.Errorf("after the correction the download is %s", now.Header.Get("X-Document-Number"))
		}
		var list []struct {
			Number       string `json:"number"`
			Status       string `json:"status"`
			SupersededBy string `json:"superseded_by"`
			SHA256       string `json:"sha256"`
		}
		e.API("GET", fmt.Sprintf("/api/v1/votes/%d/documents", voteID), tok, nil).JSON(t, &list)
		if len(list) != 2 || list[1].Number != n1 || list[1].Status != "superseded" || list[1].SupersededBy != v2.Number || list[1].SHA256 != sha(v1.Body) {
			t.Errorf("versions %+v", list)
		}
		// The superseded version's bytes are kept byte-identical.
		var old models.Document
		e.DB.Where("doc_number = ?", n1).Take(&old)
		if got := e.get(fmt.Sprintf("/api/v1/documents/%d/pdf", old.ID), tok); !bytes.Equal(got.Body, v1.Body) {
			t.Error("the superseded version's bytes changed")
		}
		// Jurisdiction: another street office sees nothing of an unpublished vote.
		other := e.DemoToken("street2")
		for _, path := range []string{fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", voteID), fmt.Sprintf("/api/v1/votes/%d/documents", voteID),
			fmt.Sprintf("/api/v1/documents/%d", old.ID), fmt.Sprintf("/api/v1/documents/%d/pdf", old.ID)} {
			if r := e.get(path, other); r.Status != 404 {
				t.Errorf("street2 %s: %d", path, r.Status)
			}
		}
		if r := e.API("POST", fmt.Sprintf("/api/v1/votes/%d/resolution/corrections", voteID), other, map[string]any{"reason": "x"}); r.Status != 404 {
			t.Errorf("street2 correction: %d", r.Status)
		}
		// The audit trail records both issues with the reason.
		var issues []models.AuditLog
		e.DB.Where("action = ?", "document.issue").Order("id").Find(&issues)
		if len(issues) != 2 || !strings.Contains(issues[1].Detail, "更正召集人名称") || issues[1].Username != "street" {
			t.Errorf("audit %+v", issues)
		}
	})
}

// TestResolutionBeforeClose refuses a resolution while voting runs.
func TestResolutionBeforeClose(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := e.demoVote(t, "未截止的表决", demoItems())
		e.Clock.Set(opensAt().Add(time.Hour))
		if r := e.get(fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", id), e.DemoToken("street")); r.Status != 409 {
			t.Errorf("resolution while voting: %d %s", r.Status, r.Body)
		}
		if r := e.get("/api/v1/votes/999999/resolution.pdf", e.DemoToken("street")); r.Status != 404 {
			t.Errorf("unknown vote: %d", r.Status)
		}
	})
}

// parseHTML parses a page.
func parseHTML(t testing.TB, r handlertest.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// pdfTextIfTools extracts the text of PDF bytes, or "" without poppler.
func pdfTextIfTools(t testing.TB, data []byte) string {
	t.Helper()
	if _, err := lookTools(); err != nil {
		return ""
	}
	return pdfText(t, writeTemp(t, "doc.pdf", data), 0)
}

// formOf builds url.Values from pairs.
func formOf(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}
