package pdfdoc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gongzhi/app/testkit/fixtures"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/pdfdoc/*.sha256 (at the repository root)")

func TestResolutionText(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	doc := sampleResolution()
	path := writePDF(t, "resolution.pdf", func(w *bytes.Buffer) error { return r.Resolution(context.Background(), w, doc, fixedMeta) })
	text := pdfText(t, path, 0)
	flat := squeeze(text)

	for _, want := range []string{
		"业主大会决议", "阳光花园小区", doc.DocNumber, "第1版",
		longTitle, // wrapped over several lines, matched without the line breaks
		"关于使用专项维修资金更换1号楼、2号楼电梯的议案", "关于将小区东侧绿地改建为停车场的议案",
		"选举第二届业主委员会委员（应选7名）",
		"2696.04", "100.00%", "1797.36", "66.67%", "1887.23", "70.00%",
		"《民法典》第二百七十八条", "《民法典》第二百七十八条第二款",
		"同意的专有部分面积和人数均达到参与表决的四分之三以上",
		"表决结果：通过", "表决结果：未通过",
		"2026年10月30日09:00", "2026年11月16日09:00至2026年11月21日14:30",
		"2026年11月22日10:00", "2026年12月7日24:00", // objection period ends at 24:00 of its last day
		"当选：王建国、李秀英、张伟、刘洋、陈静、杨帆", "候补委员：周杰、吴敏", "进入重新投票：赵磊、黄丽",
		"尚有1个席位空缺", "参与表决要求：参与表决的业主专有部分面积和人数均达到总数的三分之二以上（已达到）",
		doc.VerifyURL,
	} {
		if !strings.Contains(flat, squeeze(want)) {
			t.Errorf("resolution text lacks %q", want)
		}
	}
	if got := strings.Count(flat, "表决结果：通过"); got != 2 {
		t.Errorf("%d items printed as 通过, want 2", got)
	}
	// Each candidate appears in the table with their outcome.
	for i, name := range candidateNames {
		want := OutcomeNotChosen
		switch {
		case i < 6:
			want = OutcomeElected
		case i < 8:
			want = OutcomeRunoff
		case i < 10:
			want = OutcomeAlternate
		}
		row := candidateRow(text, name)
		if !strings.HasSuffix(squeeze(row), want) {
			t.Errorf("candidate %s: row %q does not end in %s", name, row, want)
		}
	}
	pages := pageCount(t, path)
	if !strings.Contains(text, fmt.Sprintf("第 1 页 / 共 %d 页", pages)) ||
		!strings.Contains(text, fmt.Sprintf("第 %d 页 / 共 %d 页", pages, pages)) {
		t.Errorf("page footers for %d pages missing", pages)
	}
	assertInsidePage(t, path)
}

// candidateRow is the line of the election table that starts with a candidate's number and name.
func candidateRow(text, name string) string {
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 2 && fields[1] == name {
			if _, err := strconv.Atoi(fields[0]); err == nil {
				return line
			}
		}
	}
	return ""
}

func TestResolutionQuorumNotMet(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	doc := sampleResolution()
	doc.QuorumMet = false
	for i := range doc.Items {
		doc.Items[i].Passed = false
	}
	doc.Version, doc.Supersedes, doc.DocNumber = 2, "GZ-2026-000012-V1", "GZ-2026-000012-V2"
	path := writePDF(t, "resolution-v2.pdf", func(w *bytes.Buffer) error { return r.Resolution(context.Background(), w, doc, fixedMeta) })
	flat := squeeze(pdfText(t, path, 0))
	for _, want := range []string{"（未达到）", "本次表决不能形成有效决定", "第2版", "本版取代文号GZ-2026-000012-V1"} {
		if !strings.Contains(flat, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Contains(flat, "表决结果：通过") {
		t.Error("an item is printed as 通过 although the quorum was not met")
	}
}

func TestResolutionQRDecodes(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	doc := sampleResolution()
	path := writePDF(t, "resolution.pdf", func(w *bytes.Buffer) error { return r.Resolution(context.Background(), w, doc, fixedMeta) })
	var found []string
	for _, codes := range decodeQR(t, rasterize(t, path, 150, rasterPNG)) {
		found = append(found, codes...)
	}
	if len(found) != 1 || found[0] != doc.VerifyURL {
		t.Fatalf("decoded QR codes %q, want exactly [%q]", found, doc.VerifyURL)
	}
}

func TestMinutes(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	m := sampleMinutes()
	path := writePDF(t, "minutes.pdf", func(w *bytes.Buffer) error { return r.Minutes(context.Background(), w, m, fixedMeta) })
	flat := squeeze(pdfText(t, path, 0))
	for _, want := range []string{"会议记录", m.Title, "业主委员会会议", "2026年11月25日19:30", "共7人：王建国、李秀英",
		"1.选举业主委员会主任、副主任", longTitle, "经无记名投票，王建国当选主任", "2026年11月25日21:05", m.DocNumber, m.VerifyURL} {
		if !strings.Contains(flat, squeeze(want)) {
			t.Errorf("minutes text lacks %q", want)
		}
	}
	var found []string
	for _, codes := range decodeQR(t, rasterize(t, path, 150, rasterPNG)) {
		found = append(found, codes...)
	}
	if len(found) != 1 || found[0] != m.VerifyURL {
		t.Fatalf("decoded QR codes %q, want exactly [%q]", found, m.VerifyURL)
	}
	assertInsidePage(t, path)
}

func TestNoticesOneQRPerVoterOnFirstPage(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	notices := sampleNotices(20, 3, 5)
	path := writePDF(t, "notices.pdf", func(w *bytes.Buffer) error { return r.Notices(context.Background(), w, notices, fixedMeta) })
	// 1-bit pages keep this 20-voter test fast; the resolution and minutes tests decode PNGs.
	pages := rasterize(t, path, 150, rasterMono)
	if len(pages) < 20 {
		t.Fatalf("%d pages for 20 voters", len(pages))
	}
	firstPages := 0
	voter := -1
	for i, codes := range decodeQR(t, pages) {
		page := i + 1
		text := pdfText(t, path, page)
		first := strings.Contains(text, "第 1 页 / 共")
		if first {
			voter++
			firstPages++
			if voter >= len(notices) {
				t.Fatalf("page %d starts a notice after all %d voters", page, len(notices))
			}
			n := notices[voter]
			if !strings.Contains(squeeze(text), squeeze("致："+n.VoterLabel)) {
				t.Errorf("page %d: first page of voter %d does not address %q", page, voter, n.VoterLabel)
			}
			if len(codes) != 1 || codes[0] != n.BallotURL {
				t.Errorf("page %d: QR codes %q, want exactly [%q]", page, codes, n.BallotURL)
			}
			continue
		}
		if voter < 0 {
			t.Fatalf("page %d precedes the first notice", page)
		}
		if len(codes) != 0 {
			t.Errorf("page %d (continuation of voter %d): unexpected QR codes %q", page, voter, codes)
		}
		if !strings.Contains(text, notices[voter].VoterLabel) {
			t.Errorf("page %d: continuation page does not carry voter %d's label in the footer", page, voter)
		}
	}
	if firstPages != len(notices) {
		t.Errorf("%d notices started, want %d", firstPages, len(notices))
	}
	// Every fifth notice has a long extra item and must run onto a second page.
	if text := pdfText(t, path, 1); !strings.Contains(text, "第 1 页 / 共 2 页") {
		t.Errorf("voter 1's long notice is not numbered as two pages:\n%s", text)
	}
	assertInsidePage(t, path)
}

func TestGoldenResolution(t *testing.T) {
	r := newTestRenderer(t)
	doc := sampleResolution()
	render := func() []byte {
		var buf bytes.Buffer
		if err := r.Resolution(context.Background(), &buf, doc, fixedMeta); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	first, second := render(), render()
	if !bytes.Equal(first, second) {
		t.Fatal("two renderings of the same resolution differ")
	}
	// A second Renderer must produce the same bytes too.
	var third bytes.Buffer
	if err := newTestRenderer(t).Resolution(context.Background(), &third, doc, fixedMeta); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, third.Bytes()) {
		t.Fatal("a second Renderer renders different bytes")
	}
	// The digest pins the whole pipeline: gofpdf, the embedded font, this package's layout and
	// Go's compress/flate. A Go upgrade that changes flate output changes it too; compare the
	// PNGs of the old and new rendering, then regenerate with -update.
	sum := sha256.Sum256(first)
	got := hex.EncodeToString(sum[:]) + "\n"
	golden := fixtures.Path(filepath.Join("golden", "pdfdoc", "resolution.sha256"))
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (regenerate with go test ./app/pdfdoc/ -run TestGolden -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("resolution SHA-256 %s, golden %s (if the change is intended, run with -update)",
			strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}

func TestNoticesAndMinutesDeterministic(t *testing.T) {
	r := newTestRenderer(t)
	for name, fn := range map[string]func(w *bytes.Buffer) error{
		"notices": func(w *bytes.Buffer) error {
			return r.Notices(context.Background(), w, sampleNotices(12, 3, 5), fixedMeta)
		},
		"minutes": func(w *bytes.Buffer) error { return r.Minutes(context.Background(), w, sampleMinutes(), fixedMeta) },
	} {
		var a, b bytes.Buffer
		if err := fn(&a); err != nil {
			t.Fatal(err)
		}
		if err := fn(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two renderings differ", name)
		}
	}
}

func TestRequiredFields(t *testing.T) {
	r := newTestRenderer(t)
	noURL := sampleResolution()
	noURL.VerifyURL = ""
	noNumber := sampleResolution()
	noNumber.DocNumber = ""
	notices := sampleNotices(2, 1, 0)
	notices[1].BallotURL = ""
	minutes := sampleMinutes()
	minutes.VerifyURL = ""
	var buf bytes.Buffer
	for name, err := range map[string]error{
		"resolution without VerifyURL": r.Resolution(context.Background(), &buf, noURL, fixedMeta),
		"resolution without DocNumber": r.Resolution(context.Background(), &buf, noNumber, fixedMeta),
		"notice without BallotURL":     r.Notices(context.Background(), &buf, notices, fixedMeta),
		"no notices":                   r.Notices(context.Background(), &buf, nil, fixedMeta),
		"minutes without VerifyURL":    r.Minutes(context.Background(), &buf, minutes, fixedMeta),
	} {
		if !errors.Is(err, ErrMissingField) {
			t.Errorf("%s: error %v, want ErrMissingField", name, err)
		}
	}
}

// TestExtremeInputsStayOnPage renders documents with every free-text field far longer than
// usual, a long verification URL and empty lists, and checks that nothing runs off the page or
// overlaps and that the QR codes still decode.
func TestExtremeInputsStayOnPage(t *testing.T) {
	requireTools(t)
	r := newTestRenderer(t)
	longURL := "https://gz.example.cn/v/GZ-2026-000012-V1?c=" + strings.Repeat("7f3a9c21", 20)

	doc := sampleResolution()
	doc.EstateName = strings.Repeat("阳光花园小区二期东区", 8)
	doc.MeetingTitle = longTitle + longTitle
	doc.Convenor = strings.Repeat("阳光花园小区业主委员会", 5)
	doc.QuorumRule = longText
	doc.VerifyURL = longURL
	doc.Supersedes = "GZ-2026-000012-V1"
	for i := range doc.Items {
		doc.Items[i].Rule = longText
		doc.Items[i].LegalBasis = strings.Repeat("《民法典》第二百七十八条、", 10)
	}
	doc.Elections = append(doc.Elections, ResolutionElection{Title: longTitle, Seats: 5, VacantSeats: 5})
	doc.Elections[0].Candidates[0].Name = "欧阳诸葛司马上官慕容"

	notices := sampleNotices(2, 3, 1)
	notices[0].MeetingTitle = longTitle
	notices[0].VoterLabel = strings.Repeat("王*明、", 12)
	notices[0].Rooms = []string{"1栋1单元101室", "1栋1单元102室", "地下车库B1-023号车位", "地下车库B1-024号车位", "商铺S-12"}
	notices[0].BallotURL = longURL
	notices[1].Items = nil

	m := sampleMinutes()
	m.Agenda, m.Decisions, m.Signatures, m.Attendees = nil, nil, nil, nil
	m.Place = longTitle
	m.VerifyURL = longURL

	for name, render := range map[string]func(w *bytes.Buffer) error{
		"resolution": func(w *bytes.Buffer) error { return r.Resolution(context.Background(), w, doc, fixedMeta) },
		"notices":    func(w *bytes.Buffer) error { return r.Notices(context.Background(), w, notices, fixedMeta) },
		"minutes":    func(w *bytes.Buffer) error { return r.Minutes(context.Background(), w, m, fixedMeta) },
	} {
		t.Run(name, func(t *testing.T) {
			path := writePDF(t, name+".pdf", render)
			assertInsidePage(t, path)
			found := map[string]bool{}
			for _, codes := range decodeQR(t, rasterize(t, path, 150, rasterPNG)) {
				for _, c := range codes {
					found[c] = true
				}
			}
			if !found[longURL] {
				t.Errorf("the long URL's QR code does not decode; found %v", found)
			}
		})
	}
}

// TestRendererConcurrentUse renders from one Renderer on several goroutines (run with -race):
// every result must equal the sequential rendering, so the shared font bytes are not written.
func TestRendererConcurrentUse(t *testing.T) {
	r := newTestRenderer(t)
	var want bytes.Buffer
	if err := r.Resolution(context.Background(), &want, sampleResolution(), fixedMeta); err != nil {
		t.Fatal(err)
	}
	const workers = 4
	results := make([][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf bytes.Buffer
			errs[w] = r.Resolution(context.Background(), &buf, sampleResolution(), fixedMeta)
			results[w] = buf.Bytes()
		})
	}
	wg.Wait()
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		if !bytes.Equal(results[w], want.Bytes()) {
			t.Errorf("worker %d rendered different bytes", w)
		}
	}
}
