package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongzhi/app"
	"gongzhi/app/roster"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixtures.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// csvToXLSX converts a fixture CSV into a workbook with the same cells.
func csvToXLSX(t *testing.T, csv []byte) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range strings.Split(strings.TrimSpace(string(csv)), "\n") {
		cells := strings.Split(strings.TrimRight(line, "\r"), ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRosterImportFixtures(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("street")
		cases := []struct {
			file   string
			data   []byte
			units  float64
			voters float64
			area   string
		}{
			{"roster-small.csv", fixture(t, "roster-small.csv"), 24, 20, "2696.04"},
			{"roster-medium.csv", fixture(t, "roster-medium.csv"), 1152, 1089, "129574.98"},
			{"roster-medium.xlsx", csvToXLSX(t, fixture(t, "roster-medium.csv")), 1152, 1089, "129574.98"},
			{"roster-small.xlsx", csvToXLSX(t, fixture(t, "roster-small.csv")), 24, 20, "2696.04"},
		}
		// Another street's estate with a roster of its own, which the imports below
		// (each replacing 阳光花园's roster) must leave alone.
		other, otherTok := estateID(t, env, "光明家园"), env.DemoToken("street2")
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", other), otherTok, "roster-small.csv", fixture(t, "roster-small.csv")); r.Status != 200 {
			t.Fatalf("光明家园: %d %s", r.Status, r.Body)
		}
		for _, c := range cases {
			r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, c.file, c.data)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", c.file, r.Status, r.Body)
			}
			m := r.Map(t)
			if m["units"] != c.units || m["voters"] != c.voters || m["total_area"] != c.area || m["total_headcount"] != c.voters {
				t.Errorf("%s: got %v", c.file, m)
			}
			var reg struct {
				TotalArea      string `json:"total_area"`
				TotalHeadcount int    `json:"total_headcount"`
				Voters         []struct {
					ID    int      `json:"id"`
					Rooms []string `json:"rooms"`
					Area  string   `json:"area"`
				} `json:"voters"`
			}
			env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), tok, nil).JSON(t, &reg)
			if reg.TotalArea != c.area || reg.TotalHeadcount != int(c.voters) || len(reg.Voters) != int(c.voters) {
				t.Errorf("%s register: %s %d %d", c.file, reg.TotalArea, reg.TotalHeadcount, len(reg.Voters))
			}
		}
		var otherReg struct {
			TotalArea      string `json:"total_area"`
			TotalHeadcount int    `json:"total_headcount"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", other), otherTok, nil).JSON(t, &otherReg)
		if otherReg.TotalArea != "2696.04" || otherReg.TotalHeadcount != 20 {
			t.Errorf("光明家园's register changed by another estate's imports: %+v", otherReg)
		}
		// The small roster's special voters (docs/rules.md §9), read back through the API.
		env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "roster-small.csv", fixture(t, "roster-small.csv"))
		var reg struct {
			Voters []struct {
				Rooms     []string `json:"rooms"`
				Area      string   `json:"area"`
				Developer bool     `json:"developer"`
			} `json:"voters"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), tok, nil).JSON(t, &reg)
		want := map[string]string{
			"1-1-101,2-1-101":         "181.95", // 王建国, one buyer of two units
			"1-1-201,2-1-201":         "243.51", // 刘洋+陈静, a co-owner pair holding two units
			"1-1-202":                 "132.45", // 刘洋 alone: a separate voter
			"1-1-602,2-1-601,2-1-602": "362.94", // the developer's three units: one voter
			"1-1-102":                 "101.67", // a co-owned unit: one vote
		}
		found := map[string]string{}
		for _, v := range reg.Voters {
			found[strings.Join(v.Rooms, ",")] = v.Area
		}
		for rooms, area := range want {
			if found[rooms] != area {
				t.Errorf("voter %s: area %q, want %q", rooms, found[rooms], area)
			}
		}
		// Personal data is never stored in clear.
		var owners []models.Owner
		if err := env.DB.Find(&owners).Error; err != nil || len(owners) == 0 {
			t.Fatalf("reading owners: %d rows, %v", len(owners), err)
		}
		for _, o := range owners {
			if strings.Contains(o.IDHash+o.IDMasked+o.PhoneEnc+o.PhoneMasked, "520402195605129085") ||
				strings.Contains(o.PhoneEnc, "17711029976") {
				t.Fatalf("owner %d stores personal data in clear", o.ID)
			}
		}
		var imports int64
		env.DB.Model(&models.RosterImport{}).Where("estate_id = ?", estate).Count(&imports)
		if imports < 5 {
			t.Errorf("imports recorded: %d", imports)
		}
	})
}

func TestRosterBadFilesRefusedWhole(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("street")
		head := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n"
		good := "1,1,101,89.37,王建国,520402195605129085,17711029976,person,1\n"
		cases := []struct {
			name, body string
			line       int
			column     string
			file       string
		}{
			{"bad check digit", head + good + "1,1,102,90.00,李四,520402195605129084,,person,1\n", 3, "id_number", ""},
			{"three decimals", head + good + "1,1,102,90.123,李四,420106194901062648,,person,1\n", 3, "area", ""},
			{"zero area", head + "1,1,101,0,王建国,520402195605129085,,person,1\n", 2, "area", ""},
			{"areas disagree", head + good + "1,1,101,90.00,李秀英,420106194901062648,,person,0\n", 3, "area", ""},
			{"unknown kind", head + "1,1,101,89.37,王建国,520402195605129085,,alien,1\n", 2, "owner_kind", ""},
			{"no representative", head + "1,1,101,89.37,王建国,520402195605129085,,person,0\n1,1,101,89.37,李秀英,420106194901062648,,person,0\n", 2, "representative", ""},
			{"bad USCC", head + "1,1,101,89.37,某公司,91110000XBGQUWLD0X,,org,1\n", 2, "id_number", ""},
			{"missing column", "building,unit,room,owner_name,id_number\n1,1,101,王建国,520402195605129085\n", 1, "area", ""},
			{"bad phone", head + "1,1,101,89.37,王建国,520402195605129085,1234,person,1\n", 2, "phone", ""},
		}
		before := countUnits(t, env, estate)
		for _, c := range cases {
			file := c.file
			if file == "" {
				file = "bad.csv"
			}
			r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, file, []byte(c.body))
			if r.Status != 422 {
				t.Errorf("%s: status %d %s", c.name, r.Status, r.Body)
				continue
			}
			var body struct {
				Error struct {
					Details []struct {
						Row     int    `json:"row"`
						Column  string `json:"column"`
						Message string `json:"message"`
					} `json:"details"`
				} `json:"error"`
			}
			r.JSON(t, &body)
			ok := false
			for _, d := range body.Error.Details {
				if d.Row == c.line && d.Column == c.column && d.Message != "" {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: details %+v do not name line %d column %s", c.name, body.Error.Details, c.line, c.column)
			}
		}
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "roster.pdf", []byte("%PDF")); r.Status != 422 {
			t.Errorf("pdf upload: %d", r.Status)
		}
		if after := countUnits(t, env, estate); after != before {
			t.Errorf("a refused file changed the roster: %d → %d units", before, after)
		}
		// Outside the jurisdiction the estate does not exist; an auditor cannot import.
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), env.DemoToken("street2"), "r.csv", fixture(t, "roster-small.csv")); r.Status != 404 {
			t.Errorf("street2 imports into another street's estate: %d", r.Status)
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), env.DemoToken("street2"), nil); r.Status != 404 {
			t.Errorf("street2 reads another street's register: %d", r.Status)
		}
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), env.DemoToken("auditor"), "r.csv", fixture(t, "roster-small.csv")); r.Status != 403 {
			t.Errorf("auditor imports: %d", r.Status)
		}
	})
}

func countUnits(t *testing.T, env *handlertest.Env, estate int64) int64 {
	t.Helper()
	var n int64
	if err := env.DB.Model(&models.Unit{}).Where("estate_id = ?", estate).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRosterEditsAudited(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("community")
		var units []struct {
			ID     int64  `json:"id"`
			Room   string `json:"room"`
			Owners []struct {
				ID    int64  `json:"id"`
				Phone string `json:"phone_masked"`
			} `json:"owners"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/units?q=1-1-101", estate), tok, nil).JSON(t, &units)
		if len(units) != 1 || units[0].Room != "1-1-101" || units[0].Owners[0].Phone != "177****9976" {
			t.Fatalf("units search: %+v", units)
		}
		// The district reads rosters but changes none: every roster change is 403.
		district := env.DemoToken("district")
		for _, r := range []handlertest.Response{
			env.API("PATCH", fmt.Sprintf("/api/v1/estates/%d/units/%d", estate, units[0].ID), district,
				map[string]any{"area": "1.00", "area_source": "surveyed", "delivered": true, "parking": false}),
			env.API("PATCH", fmt.Sprintf("/api/v1/estates/%d/owners/%d", estate, units[0].Owners[0].ID), district, map[string]any{"name": "某某", "phone": ""}),
			env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), district, "roster-small.csv", fixture(t, "roster-small.csv")),
		} {
			if r.Status != 403 {
				t.Errorf("district change: %d %s", r.Status, r.Body)
			}
		}
		r := env.API("PATCH", fmt.Sprintf("/api/v1/estates/%d/units/%d", estate, units[0].ID), tok,
			map[string]any{"area": "90.01", "area_source": "surveyed", "delivered": true, "parking": false})
		if r.Status != 204 {
			t.Fatalf("edit unit: %d %s", r.Status, r.Body)
		}
		if r := env.API("PATCH", fmt.Sprintf("/api/v1/estates/%d/units/%d", estate, units[0].ID), tok,
			map[string]any{"area": "-1", "area_source": "surveyed", "delivered": true, "parking": false}); r.Status != 422 {
			t.Errorf("negative area: %d", r.Status)
		}
		r = env.API("PATCH", fmt.Sprintf("/api/v1/estates/%d/owners/%d", estate, units[0].Owners[0].ID), tok, map[string]any{"name": "王建国", "phone": "13800138000"})
		if r.Status != 204 {
			t.Fatalf("edit owner: %d %s", r.Status, r.Body)
		}
		var reg struct {
			TotalArea string `json:"total_area"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/register", estate), tok, nil).JSON(t, &reg)
		if reg.TotalArea != "2696.68" {
			t.Errorf("total after edit %s, want 2696.68", reg.TotalArea)
		}
		var logs []models.AuditLog
		env.DB.Where("action IN ?", []string{"roster.unit.update", "roster.owner.update"}).Find(&logs)
		if len(logs) != 2 {
			t.Fatalf("audit entries: %d", len(logs))
		}
		for _, l := range logs {
			if strings.Contains(l.Detail, "13800138000") {
				t.Errorf("audit log holds a phone in clear: %s", l.Detail)
			}
		}
		// Export: an XLSX with masked data only.
		r = env.API("GET", fmt.Sprintf("/api/v1/estates/%d/roster.xlsx", estate), tok, nil)
		if r.Status != 200 {
			t.Fatalf("export: %d", r.Status)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(rows) != 28 { // header + 27 owner rows
			t.Fatalf("export rows %d, %v", len(rows), err)
		}
		if strings.Contains(strings.Join(rows[1], ","), "520402195605129085") || !strings.Contains(strings.Join(rows[1], ","), "5204**************") {
			t.Errorf("export row not masked: %v", rows[1])
		}
	})
}

func TestRosterWebPages(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		page := fmt.Sprintf("/estates/%d/roster", estate)
		bad := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n1,1,101,89.375,王建国,520402195605129085,,person,1\n1,1,102,80,李四,520402195605129084,,person,1\n"
		// The import runs in the background: the upload answers with its progress
		// page, which lists every bad line once the file has been checked.
		r := awaitImport(t, b, b.SubmitFile(page, page, "file", "bad.csv", []byte(bad), nil))
		body := string(r.Body)
		for _, want := range []string{"第 2 行", "[area]", "第 3 行", "[id_number]", "未导入任何数据", "导入未完成", "错误数"} {
			if !strings.Contains(body, want) {
				t.Errorf("error page lacks %q", want)
			}
		}
		r = awaitImport(t, b, b.SubmitFile(page, page, "file", "roster-medium.csv", fixture(t, "roster-medium.csv"), nil))
		if body := string(r.Body); !strings.Contains(body, "1152 套房屋，1089 名表决权人，总面积 129574.98 m²") ||
			!strings.Contains(body, "导入完成") || !strings.Contains(body, "<dd>1417</dd>") {
			t.Errorf("progress page after the import: %s", body)
		}
		r = b.Get(fmt.Sprintf("/estates/%d/register?q=1-1-101", estate))
		if r.Status != 200 || !strings.Contains(string(r.Body), "129574.98") || !strings.Contains(string(r.Body), "1089") || !strings.Contains(string(r.Body), "1-1-101") {
			t.Errorf("register page: %d", r.Status)
		}
		if r := b.Get(fmt.Sprintf("/estates/%d/roster.xlsx", estate)); r.Status != 200 || len(r.Body) < 1000 {
			t.Errorf("export download: %d", r.Status)
		}
		// street2 cannot see it.
		b2 := env.Browser()
		b2.Login("street2", "Demo2026street2")
		if r := b2.Get(page); r.Status != 404 {
			t.Errorf("street2 roster page: %d", r.Status)
		}
	})
}

func TestRosterGuardianColumn(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("street")
		csv := "楼栋,单元,房号,面积,业主姓名,证件号码,业主类型,表决代表,监护人\n1,1,101,89.37,王建国,520402195605129085,个人,1,王小明\n1,1,102,101.67,李秀英,420106194901062648,个人,1,\n"
		if r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "g.csv", []byte(csv)); r.Status != 200 {
			t.Fatalf("guardian roster: %d %s", r.Status, r.Body)
		}
		var guardians []string
		env.DB.Model(&models.Ownership{}).Where("guardian_name <> ''").Pluck("guardian_name", &guardians)
		if len(guardians) != 1 || guardians[0] != "王小明" {
			t.Errorf("guardians stored: %v", guardians)
		}
		bad := "building,room,area,owner_name,id_number,owner_kind,guardian\n1,101,89.37,某公司,913100006UK548KNT6,org,张三\n"
		r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, "g.csv", []byte(bad))
		if r.Status != 422 || !strings.Contains(string(r.Body), `"column":"guardian"`) {
			t.Errorf("guardian on an organisation: %d %s", r.Status, r.Body)
		}
	})
}

// The developer votes undelivered units (C2a), sold or not; their buyers neither name
// the developer's voter nor answer its identity check.
func TestDeveloperVoterExcludesBuyersOfUndeliveredUnits(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		admin := app.Principal{Username: "admin", Role: app.RoleAdmin}
		csv := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative,delivered\n" +
			"1,1,101,89.37,王建国,520402195605129085,,person,1,1\n" +
			"1,1,601,100.00,李秀英,420106194901062648,,person,1,0\n" +
			"1,1,602,120.00,恒泰置业有限公司,91110000XBGQUWLD0R,,developer,1,1\n"
		if _, err := env.Svc.Roster.Import(context.Background(), admin, estate, "roster.csv", []byte(csv)); err != nil {
			t.Fatal(err)
		}
		snap, err := env.Svc.Roster.Register(context.Background(), admin, estate)
		if err != nil {
			t.Fatal(err)
		}
		var developer *roster.SnapshotVoter
		for i := range snap.Voters {
			if snap.Voters[i].Developer {
				developer = &snap.Voters[i]
			}
		}
		if developer == nil || strings.Join(developer.Rooms, ",") != "1-1-601,1-1-602" {
			t.Fatalf("developer voter: %+v", developer)
		}
		if strings.Join(developer.OwnerNames, ",") != "恒泰置业有限公司" {
			t.Errorf("developer voter named by %v", developer.OwnerNames)
		}
		buyer := env.Svc.Roster.Last6Hash("062648")
		if slices.Contains(developer.Last6Hashes, buyer) || !slices.Contains(developer.Last6Hashes, env.Svc.Roster.Last6Hash("UWLD0R")) {
			t.Errorf("developer voter's identity check answers: %v (buyer %s)", developer.Last6Hashes, buyer)
		}
	})
}
