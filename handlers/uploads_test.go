package handlers_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gongzhi/handlers/handlertest"
)

// uploadError is the JSON error body of a refused upload.
type uploadError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details []struct {
			Row     int    `json:"row"`
			Column  string `json:"column"`
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

// TestRosterOverlongFieldRefused: a roster whose owner name is 100 KB long (the
// issue's 60 MB name, made small: the cap is what matters) is refused whole with a
// 422 naming the row and the column, the answer does not echo the value, and nothing
// is imported, in CSV and XLSX alike.
func TestRosterOverlongFieldRefused(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("street")
		long := strings.Repeat("王", 100_000/3)
		body := "building,unit,room,area,owner_name,id_number,phone,owner_kind,representative\n" +
			"1,1,101,89.37,王建国,520402195605129085,17711029976,person,1\n" +
			"1,1,102,90.00," + long + ",420106194901062648,,person,1\n" +
			"1,1,103,90.00,李四,110101194001010004," + strings.Repeat("1", 40) + ",person,1\n"
		before := countUnits(t, env, estate)
		for _, file := range []struct {
			name string
			data []byte
		}{{"long.csv", []byte(body)}, {"long.xlsx", csvToXLSX(t, []byte(body))}} {
			r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), tok, file.name, file.data)
			if r.Status != 422 {
				t.Fatalf("%s: status %d, want 422: %.300s", file.name, r.Status, r.Body)
			}
			if len(r.Body) > 4096 {
				t.Errorf("%s: the answer is %d bytes: it must not echo the overlong value", file.name, len(r.Body))
			}
			var e uploadError
			r.JSON(t, &e)
			found := map[string]bool{}
			for _, d := range e.Error.Details {
				found[fmt.Sprintf("%d/%s", d.Row, d.Column)] = strings.Contains(d.Message, "64")
				if d.Row == 4 && d.Column == "phone" && !strings.Contains(d.Message, "32") {
					t.Errorf("%s: phone cap not stated: %q", file.name, d.Message)
				}
			}
			if !found["3/owner_name"] {
				t.Errorf("%s: details %+v do not name row 3, column owner_name, with its cap of 64", file.name, e.Error.Details)
			}
			if _, ok := found["4/phone"]; !ok {
				t.Errorf("%s: details %+v do not name row 4, column phone", file.name, e.Error.Details)
			}
		}
		if after := countUnits(t, env, estate); after != before {
			t.Errorf("a refused roster changed it: %d → %d units", before, after)
		}
	})
}

// TestOwnerEditCapped: an owner's name corrected through the API or the web form is
// held to the roster's cap, with a 422 naming the field and nothing changed.
func TestOwnerEditCapped(t *testing.T) {
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		tok := env.DemoToken("community")
		var units []struct {
			ID     int64 `json:"id"`
			Owners []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"owners"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/units?q=1-1-101", estate), tok, nil).JSON(t, &units)
		owner := units[0].Owners[0]
		path := fmt.Sprintf("/api/v1/estates/%d/owners/%d", estate, owner.ID)
		r := env.API("PATCH", path, tok, map[string]any{"name": strings.Repeat("名", 65), "phone": ""})
		var e uploadError
		if r.Status == 422 {
			r.JSON(t, &e)
		}
		if r.Status != 422 || len(e.Error.Details) == 0 || e.Error.Details[0].Field != "name" || !strings.Contains(e.Error.Message, "64") {
			t.Errorf("65-character name through the API: %d %s", r.Status, r.Body)
		}
		if r := env.API("PATCH", path, tok, map[string]any{"name": strings.Repeat("名", 64), "phone": ""}); r.Status != 204 {
			t.Errorf("64-character name through the API: %d %s", r.Status, r.Body)
		}
		b := env.Browser()
		b.Login("committee", "Demo2026committee")
		page := fmt.Sprintf("/estates/%d/roster", estate)
		if body := string(b.Get(page).Body); !strings.Contains(body, "最多 200000 行数据") {
			t.Error("the roster page does not state the limits")
		}
		// The owner's form is on the unit's own page (issue 16).
		unitPage := fmt.Sprintf("/estates/%d/units/%d", estate, units[0].ID)
		if body := string(b.Get(unitPage).Body); !strings.Contains(body, `maxlength="64"`) {
			t.Error("the unit page does not cap the name field at 64")
		}
		r = b.Submit(page, fmt.Sprintf("/estates/%d/owners/%d", estate, owner.ID), url.Values{"name": {strings.Repeat("长", 5000)}, "phone": {""}})
		if r.Status != 422 {
			t.Errorf("overlong name through the web form: %d", r.Status)
		}
		r = b.Submit(unitPage, fmt.Sprintf("/estates/%d/owners/%d", estate, owner.ID), url.Values{"name": {strings.Repeat("长", 65)}, "phone": {""}, "unit": {fmt.Sprint(units[0].ID)}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `action="`+unitPage+`"`) {
			t.Errorf("overlong name through the unit page: %d (the unit page again with the error)", r.Status)
		}
		env.API("GET", fmt.Sprintf("/api/v1/estates/%d/units?q=1-1-101", estate), tok, nil).JSON(t, &units)
		if got := units[0].Owners[0].Name; got != strings.Repeat("名", 64) {
			t.Errorf("name after the refused edits: %q", got)
		}
	})
}

// zipBomb is a workbook that is small on disk but whose worksheet unpacks to more than
// 256 MiB of one repeated row (deflate packs it about a thousandfold).
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)); err != nil {
		t.Fatal(err)
	}
	// Blank padding between the rows: valid XML, and the most compressible filler.
	pad := bytes.Repeat([]byte(" "), 1<<20)
	for range 260 {
		if _, err := w.Write(pad); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Write([]byte(`</sheetData></worksheet>`)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRosterZipBombRefused: an XLSX that would unpack past the cap is refused with a
// 422 naming the file, before anything is unpacked.
func TestRosterZipBombRefused(t *testing.T) {
	bomb := zipBomb(t)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes on disk: not a bomb", len(bomb))
	}
	each(t, func(t *testing.T, env *handlertest.Env) {
		estate := estateID(t, env, "阳光花园")
		before := countUnits(t, env, estate)
		r := env.Upload(fmt.Sprintf("/api/v1/estates/%d/roster", estate), env.DemoToken("street"), "bomb.xlsx", bomb)
		var e uploadError
		r.JSON(t, &e)
		if r.Status != 422 || !strings.Contains(e.Error.Message, "bomb.xlsx") || len(e.Error.Details) == 0 || e.Error.Details[0].Field != "file" {
			t.Errorf("zip bomb: %d %s", r.Status, r.Body)
		}
		if after := countUnits(t, env, estate); after != before {
			t.Errorf("a refused roster changed it: %d → %d units", before, after)
		}
	})
}
