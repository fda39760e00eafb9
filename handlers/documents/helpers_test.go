package documents_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/testkit"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/app/testkit/pdfcheck"
	"gongzhi/app/voting"
	"gongzhi/handlers/handlertest"
)

// t0 is a Monday morning in Shanghai: the notice goes out, voting opens 15 days later and
// closes a week after that.
var t0 = testkit.T0

func opensAt() time.Time  { return testkit.Opens }
func closesAt() time.Time { return testkit.Closes }

// env is the running application on one manual clock (votes, documents and the rest).
type env struct{ *handlertest.Env }

func newEnv(t testing.TB, db dbtest.DB) *env {
	t.Helper()
	return &env{handlertest.At(t, db, app.NewManualClock(t0))}
}

// each runs fn on SQLite and (when TEST_MYSQL_DSN is set) MariaDB.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) { fn(t, newEnv(t, db)) })
}

// testdata reads a file of the repository's testdata directory.
func testdata(t testing.TB, name string) []byte { return fixtures.Read(t, name) }

// idChecks maps each room of a roster file to the answer of its identity check.
func idChecks(t testing.TB, roster string) map[string]string { return fixtures.IDChecks(t, roster) }

// longTitle is an item title of about 120 characters, to be wrapped on the page.
const longTitle = "关于授权业主委员会代表全体业主与阳光物业服务有限公司续签《阳光花园小区物业服务合同》" +
	"并同步调整小区公共收益分配方案、公共区域绿化养护标准、地下车库照明及消防设施维护责任划分，" +
	"以及2027年至2029年三个年度的物业服务费收费标准和服务质量考核办法的议案"

// candidateNames are the 13 candidates of the 7-seat election.
var candidateNames = []string{"王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙燕", "马超"}

// demoItems is the agenda of the demo vote: a long ordinary item, a maintenance-fund item,
// a major item that fails (change of common use needs 3/4) and a 13-candidate election.
func demoItems() []voting.ItemInput {
	cands := make([]voting.CandidateInput, len(candidateNames))
	for i, n := range candidateNames {
		cands[i] = voting.CandidateInput{Key: fmt.Sprintf("c%02d", i+1), Name: n}
	}
	return []voting.ItemInput{
		{Key: "manager", Title: longTitle, Matter: "hire_dismiss_manager",
			Text: "续签物业服务合同三年，自2027年1月1日起至2029年12月31日止；住宅物业服务费由每月每平方米1.80元调整为1.95元。"},
		{Key: "fund", Title: "关于使用专项维修资金更换1号楼、2号楼电梯的议案", Matter: "use_maintenance_fund",
			Text: "使用专项维修资金人民币86.40万元，更换1号楼、2号楼电梯各一部。"},
		{Key: "parking", Title: "关于将小区东侧绿地改建为停车场的议案", Matter: "change_common_use",
			Text: "将东侧绿地约420平方米改建为地面停车位24个。"},
		{Key: "committee", Title: "选举第二届业主委员会委员", Matter: "elect_committee", Seats: 7, Alternates: 2, Candidates: cands,
			Text: "从13名候选人中选举第二届业主委员会委员7名、候补委员2名，任期五年。"},
	}
}

// demoVote drafts the demo vote on the demo estate (the small roster) and opens it.
func (e *env) demoVote(t *testing.T, title string, items []voting.ItemInput) int64 {
	t.Helper()
	e.Clock.Set(t0)
	id, err := e.Svc.Votes.Create(e.Ctx, e.Admin, e.Demo.EstateID, voting.NewVote{Title: title, LegalProfile: "civil-code-2021",
		Form: voting.FormWritten, Location: "小区物业服务中心（3栋1楼）", NoticePublishedAt: t0, OpensAt: opensAt(), ClosesAt: closesAt(), Items: items})
	if err != nil {
		t.Fatalf("create vote: %v", err)
	}
	if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
		t.Fatalf("open vote: %v", err)
	}
	return id
}

// castDemoBallots casts, through the online channel with the owners' real identity
// checks, the ballots of 18 of the 20 voters of the small roster (in register order),
// with choices that pass the first two items, fail the third and elect candidates.
func (e *env) castDemoBallots(t *testing.T, voteID int64) {
	t.Helper()
	e.Clock.Set(opensAt().Add(time.Hour))
	creds, err := e.Svc.Votes.Credentials(e.Ctx, e.Admin, voteID)
	if err != nil {
		t.Fatal(err)
	}
	answers := idChecks(t, "roster-small.csv")
	for i, c := range creds {
		if i >= 18 {
			break
		}
		ch := voting.Choices{
			"manager": {Option: pick(i%5 != 0, "agree", "oppose")},
			"fund":    {Option: pick(i%3 != 0, "agree", "abstain")},
			"parking": {Option: pick(i%2 == 0, "agree", "oppose")},
		}
		agreed := []string{"c01", "c02", "c03", "c04", "c05"}
		if i%4 != 0 {
			agreed = append(agreed, "c06", "c07")
		} else {
			agreed = append(agreed, "c08", fmt.Sprintf("c%02d", 9+i%5))
		}
		ch["committee"] = voting.Choice{Candidates: agreed, IsList: true}
		if _, err := e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], ch); err != nil {
			t.Fatalf("voter %v: %v", c.Rooms, err)
		}
	}
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// closeVote moves the clock past the closing time and counts the vote.
func (e *env) closeVote(t *testing.T, voteID int64) *voting.Result {
	t.Helper()
	e.Clock.Set(closesAt().Add(time.Hour))
	p := e.Admin
	r, err := e.Svc.Votes.Results(e.Ctx, &p, voteID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Result == nil {
		t.Fatalf("no result after closing: %s", r.State)
	}
	return r.Result
}

// closedDemoVote runs the demo vote to its count.
func (e *env) closedDemoVote(t *testing.T) (int64, *voting.Result) {
	t.Helper()
	id := e.demoVote(t, "阳光花园2026年第一次业主大会会议", demoItems())
	e.castDemoBallots(t, id)
	return id, e.closeVote(t, id)
}

// lookTools reports the first of poppler's and zbar's tools that is missing.
func lookTools() (string, error) {
	if tool := pdfcheck.Missing(); tool != "" {
		return tool, fmt.Errorf("%s not on PATH", tool)
	}
	return "", nil
}

// requireTools skips the test unless poppler and zbar are installed.
func requireTools(t testing.TB) {
	t.Helper()
	pdfcheck.RequireTools(t)
}

// writeTemp writes bytes to a file in a temporary directory; with DOCS_PREVIEW_DIR set a
// copy goes there for a person to look at.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	return pdfcheck.Save(t, "DOCS_PREVIEW_DIR", name, data)
}

// run executes a command and returns its standard output.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	return pdfcheck.Run(t, name, args...)
}

// pdfText is pdftotext -layout of a PDF file (page 0: all pages).
func pdfText(t testing.TB, path string, page int) string {
	t.Helper()
	return pdfcheck.Text(t, path, page)
}

// pdfPages is the text of every page, in order (one pdftotext run).
func pdfPages(t testing.TB, path string) []string {
	t.Helper()
	return pdfcheck.Pages(t, path)
}

// squeeze removes all white space so that wrapped text can be matched.
func squeeze(s string) string { return pdfcheck.Squeeze(s) }

// pageCount counts the pages of a PDF file.
func pageCount(t testing.TB, path string) int {
	t.Helper()
	return pdfcheck.PageCount(t, path)
}

// pageQRCodes renders every page (1-bit, 150 dpi) and decodes its QR codes with zbarimg;
// the result has one entry per page, in order.
func pageQRCodes(t testing.TB, path string) [][]string {
	t.Helper()
	return qrCodesOfPages(t, path, pageCount(t, path))
}

// qrCodesOfPages decodes the QR codes of the first pages of a PDF, one entry per page.
func qrCodesOfPages(t testing.TB, path string, pages int) [][]string {
	t.Helper()
	dir := t.TempDir()
	run(t, "pdftoppm", "-r", "150", "-mono", "-f", "1", "-l", fmt.Sprint(pages), path, filepath.Join(dir, "page"))
	files, err := filepath.Glob(filepath.Join(dir, "page*.pbm"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) != pages {
		t.Fatalf("pdftoppm wrote %d images for %d pages", len(files), pages)
	}
	return pdfcheck.DecodeQR(t, files, "--nodbus")
}

// get sends a GET with an optional bearer token and extra headers.
func (e *env) get(path, token string, header ...string) handlertest.Response {
	e.T.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.Do(req)
}
