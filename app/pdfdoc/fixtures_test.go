package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gongzhi/app/testkit/pdfcheck"
)

// shanghai is UTC+8, the zone the fixtures' times are written in.
var shanghai = time.FixedZone("CST", 8*3600)

// at builds an instant from a Shanghai wall-clock time.
func at(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, shanghai)
}

// fixedMeta is the creation date every golden and determinism test uses.
var fixedMeta = Meta{CreatedAt: time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)}

// Totals of the fixture estate: 2696.04 m² and 30 voters, all of whom voted.
const (
	totalArea  = 269604 // 0.01 m²
	totalHeads = 30
)

// figure formats an area (0.01 m²) and a headcount with percentages of the fixture totals,
// rounded half up to two decimals with integer arithmetic.
func figure(area int64, heads int) Figure {
	return Figure{
		Area:             fmt.Sprintf("%d.%02d", area/100, area%100),
		AreaPercent:      percent(area, totalArea),
		Headcount:        heads,
		HeadcountPercent: percent(int64(heads), totalHeads),
	}
}

func percent(part, whole int64) string {
	basisPoints := (part*20000 + whole) / (2 * whole) // round half up
	return fmt.Sprintf("%d.%02d%%", basisPoints/100, basisPoints%100)
}

// longTitle is an item title of about 120 Chinese characters.
const longTitle = "关于授权业主委员会代表全体业主与阳光物业服务有限公司续签《阳光花园小区物业服务合同》" +
	"并同步调整小区公共收益分配方案、公共区域绿化养护标准、地下车库照明及消防设施维护责任划分，" +
	"以及2027年至2029年三个年度的物业服务费收费标准和服务质量考核办法的议案"

// longText is an item text of several hundred characters with numbers and Latin mixed in.
const longText = "根据《阳光花园小区管理规约》第十二条及《业主大会议事规则》第八条的规定，业主委员会于2026年10月" +
	"组织对物业服务企业2024至2026年度服务质量进行了评估，综合得分86.5分（满分100分）。经与阳光物业服务有限公司" +
	"协商，拟续签物业服务合同三年，自2027年1月1日起至2029年12月31日止；住宅物业服务费由每月每平方米1.80元" +
	"调整为每月每平方米1.95元，地下车库车位服务费维持每月每个60元不变。公共收益（含电梯广告、场地租赁等）" +
	"在扣除代收税费和20%管理成本后，全部纳入业主共有资金账户，每季度公布一次收支明细。合同文本全文已在小区公告栏" +
	"及平台（https://gz.example.cn/estates/yangguang/contracts/2027-2029）公示，业主可随时查阅。"

// candidateNames are 13 candidates for a 7-seat committee election.
var candidateNames = []string{"王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙燕", "马超"}

// sampleResolution has three items (one failed, one with a ~120-character title) and an
// election with 13 candidates, two of them tied for the last seat.
func sampleResolution() Resolution {
	all := figure(totalArea, totalHeads)
	candidates := make([]ElectionCandidate, len(candidateNames))
	heads := []int{27, 26, 25, 24, 23, 22, 21, 21, 19, 18, 16, 12, 9}
	for i, name := range candidateNames {
		area := int64(heads[i]) * totalArea / totalHeads
		candidates[i] = ElectionCandidate{Name: name, Agree: figure(area, heads[i]), Qualified: 2*heads[i] > totalHeads}
	}
	return Resolution{
		DocNumber:         "GZ-2026-000012-V1",
		EstateName:        "阳光花园小区",
		CommunityName:     "阳光社区",
		StreetName:        "城南街道",
		MeetingTitle:      "阳光花园小区2026年第一次业主大会临时会议",
		Convenor:          "阳光花园小区业主委员会",
		Form:              "书面征求意见",
		NoticeAt:          at(2026, 10, 30, 9, 0),
		OpensAt:           at(2026, 11, 16, 9, 0),
		ClosesAt:          at(2026, 11, 21, 14, 30),
		PublishedAt:       at(2026, 11, 22, 10, 0),
		ObjectionUntil:    at(2026, 12, 8, 0, 0),
		LegalProfileLabel: "民法典（2021年起施行）",
		JurisdictionLabel: "全国通用",
		TotalArea:         "2696.04",
		TotalHeadcount:    totalHeads,
		Participating:     all,
		QuorumMet:         true,
		QuorumRule:        "参与表决的业主专有部分面积和人数均达到总数的三分之二以上",
		Items: []ResolutionItem{
			{
				Title: longTitle, Text: longText, MatterLabel: "选聘和解聘物业服务企业",
				Agree: figure(179736, 20), Oppose: figure(62910, 7), Abstain: figure(26958, 3),
				Rule:       "同意的专有部分面积和人数均超过参与表决的二分之一",
				LegalBasis: "《民法典》第二百七十八条", Passed: true,
			},
			{
				Title: "关于使用专项维修资金更换1号楼、2号楼电梯的议案", MatterLabel: "使用建筑物及其附属设施的维修资金",
				Text:  "使用专项维修资金人民币86.40万元，更换1号楼、2号楼电梯各一部。",
				Agree: figure(188723, 21), Oppose: figure(53921, 6), Abstain: figure(26960, 3),
				Rule:       "同意的专有部分面积和人数均超过参与表决的二分之一",
				LegalBasis: "《民法典》第二百七十八条", Passed: true,
			},
			{
				Title: "关于将小区东侧绿地改建为停车场的议案", MatterLabel: "改变共有部分的用途",
				Text:  "将东侧绿地约420平方米改建为地面停车位24个。",
				Agree: figure(179736, 20), Oppose: figure(80881, 9), Abstain: figure(8987, 1),
				Rule:       "同意的专有部分面积和人数均达到参与表决的四分之三以上",
				LegalBasis: "《民法典》第二百七十八条第二款", Passed: false,
			},
		},
		Elections: []ResolutionElection{{
			Title:           "选举第二届业主委员会委员",
			Seats:           7,
			Candidates:      candidates,
			Elected:         slices.Clone(candidateNames[:6]),
			Runoff:          slices.Clone(candidateNames[6:8]),
			Alternates:      slices.Clone(candidateNames[8:10]),
			CommitteeFormed: true,
			VacantSeats:     1,
			Rule:            "候选人同意的专有部分面积和人数均超过参与表决的二分之一，按同意人数、同意面积排序当选",
			LegalBasis:      "《民法典》第二百七十八条",
		}},
		VerifyURL: "https://gz.example.cn/v/GZ-2026-000012-V1?c=7f3a9c21",
		Version:   1,
	}
}

// sampleNotices builds one notice per voter with the given number of items (cycling through a
// long ordinary item, a short one and a 13-candidate election); when longEvery > 0, every
// longEvery-th voter's notice carries an extra, very long item so that it flows onto more pages.
func sampleNotices(voters, items, longEvery int) []Notice {
	notices := make([]Notice, voters)
	for v := range voters {
		n := Notice{
			EstateName:   "阳光花园小区",
			MeetingTitle: "阳光花园小区2026年第一次业主大会临时会议",
			Convenor:     "阳光花园小区业主委员会",
			Form:         "书面征求意见",
			NoticeAt:     at(2026, 10, 30, 9, 0),
			OpensAt:      at(2026, 11, 16, 9, 0),
			ClosesAt:     at(2026, 11, 22, 0, 0),
			Rooms:        []string{fmt.Sprintf("%d栋%d单元%d室", v%12+1, v%3+1, 100*(v%18+1)+v%4+1)},
			VoterLabel:   fmt.Sprintf("业主%04d（王*明）", v+1),
			BallotURL:    fmt.Sprintf("https://gz.example.cn/b/%06d?t=k%08x", v+1, uint32(v)*2654435761),
			HowToVote:    "请用手机扫描右上方二维码，核对身份后在线表决；也可登录“阳光花园业主共治”平台，在“我的表决”中进入本次会议。",
			PaperChannel: "不便使用手机的业主，可于表决期间每日9:00至17:00到小区物业服务中心（3栋1楼）领取并投递纸质表决票。",
		}
		for i := range items {
			switch i % 3 {
			case 0:
				n.Items = append(n.Items, NoticeItem{Title: longTitle, Text: longText, MatterLabel: "选聘和解聘物业服务企业"})
			case 1:
				n.Items = append(n.Items, NoticeItem{Title: "关于使用专项维修资金更换1号楼、2号楼电梯的议案",
					Text: "使用专项维修资金人民币86.40万元，更换1号楼、2号楼电梯各一部。", MatterLabel: "使用建筑物及其附属设施的维修资金"})
			default:
				n.Items = append(n.Items, NoticeItem{Title: "选举第二届业主委员会委员", IsElection: true, Seats: 7,
					Candidates: slices.Clone(candidateNames), MatterLabel: "选举业主委员会"})
			}
		}
		if longEvery > 0 && v%longEvery == 0 {
			n.Items = append(n.Items, NoticeItem{Title: "关于修订《阳光花园小区管理规约》的议案", MatterLabel: "制定和修改管理规约",
				Text: strings.Repeat(longText, 4)})
		}
		notices[v] = n
	}
	return notices
}

// sampleMinutes is a committee meeting record.
func sampleMinutes() Minutes {
	return Minutes{
		Title:      "第二届业主委员会第一次会议",
		EstateName: "阳光花园小区",
		Kind:       "业主委员会会议",
		Place:      "小区物业服务中心二楼会议室",
		HeldAt:     at(2026, 11, 25, 19, 30),
		Attendees:  slices.Clone(candidateNames[:7]),
		Agenda:     []string{"选举业主委员会主任、副主任", "讨论电梯更换工程招标方案", longTitle},
		Proceedings: "会议由王建国主持，应到委员7人，实到7人，符合议事规则规定。\n" +
			"经无记名投票，王建国当选主任，李秀英当选副主任。\n" + longText,
		Decisions:  []string{"王建国任业主委员会主任，李秀英任副主任，于3日内公布。", "电梯更换工程采用公开招标方式，招标文件于2026年12月10日前公示。"},
		Signatures: []Signature{{Name: "王建国", SignedAt: at(2026, 11, 25, 21, 5)}, {Name: "李秀英", SignedAt: at(2026, 11, 25, 21, 6)}},
		DocNumber:  "GZ-2026-M-000031",
		VerifyURL:  "https://gz.example.cn/v/GZ-2026-M-000031?c=1b2c3d4e",
	}
}

// requireTools skips the test unless the poppler and zbar command-line tools are installed.
func requireTools(t testing.TB) {
	t.Helper()
	pdfcheck.RequireTools(t)
}

// newTestRenderer builds a Renderer or fails the test.
func newTestRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

// writePDF renders with fn into a file in a temporary directory and returns its path. When
// PDFDOC_PREVIEW_DIR is set, a copy named after the test goes there for a human to look at:
// PDFDOC_PREVIEW_DIR=/tmp/pdfdoc go test ./app/pdfdoc/
func writePDF(t testing.TB, name string, fn func(w *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return pdfcheck.Save(t, "PDFDOC_PREVIEW_DIR", name, buf.Bytes())
}

// run executes a command and returns its standard output.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	return pdfcheck.Run(t, name, args...)
}

// pdfText is pdftotext -layout of one page (page > 0) or of the whole file (page 0).
func pdfText(t testing.TB, path string, page int) string {
	t.Helper()
	return pdfcheck.Text(t, path, page)
}

// squeeze removes all white space, so text wrapped over several lines can be matched.
func squeeze(s string) string { return pdfcheck.Squeeze(s) }

// Raster formats for rasterize: PNG as a phone camera would see the page, or 1-bit PBM, which
// pdftoppm writes ten times faster (its PNG compression dominates long documents).
const (
	rasterPNG  = "png"
	rasterMono = "mono"
)

// rasterize renders every page at the given resolution and returns the files in page order.
// Page ranges are rendered by parallel pdftoppm processes.
func rasterize(t testing.TB, path string, dpi int, format string) []string {
	t.Helper()
	pages := pageCount(t, path)
	dir := t.TempDir()
	workers := min(runtime.NumCPU(), pages)
	per := (pages + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		first, last := w*per+1, min((w+1)*per, pages)
		if first > last {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// -f/-l keep pdftoppm's page numbering, so file names stay in page order.
			cmd := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-"+format, "-f", fmt.Sprint(first), "-l", fmt.Sprint(last),
				path, filepath.Join(dir, fmt.Sprintf("page%06d", first)))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[w] = fmt.Errorf("pdftoppm pages %d-%d: %w: %s", first, last, err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ext := map[string]string{rasterPNG: ".png", rasterMono: ".pbm"}[format]
	files, err := filepath.Glob(filepath.Join(dir, "page*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files) // prefixes are zero-padded first pages; pdftoppm pads page numbers to a common width
	if len(files) != pages {
		t.Fatalf("pdftoppm wrote %d images for %d pages", len(files), pages)
	}
	return files
}

// decodeQR runs zbarimg once over all images and returns, per image, the QR payloads found.
func decodeQR(t testing.TB, pngs []string) [][]string {
	t.Helper()
	return pdfcheck.DecodeQR(t, pngs)
}

// pageCount counts pages by the form feed pdftotext writes after each one.
func pageCount(t testing.TB, path string) int {
	t.Helper()
	return pdfcheck.PageCount(t, path)
}
