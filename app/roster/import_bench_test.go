package roster_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"gongzhi/app"
	"gongzhi/app/database"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/orgs"
	"gongzhi/app/pii"
	"gongzhi/app/roster"
	"gongzhi/models"
)

// residentID builds a valid 18-character resident ID (GB 11643) for owner n.
func residentID(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	body := fmt.Sprintf("110101%s%03d", birth.Format("20060102"), n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

// genRows makes n roster rows: one owner per room, every tenth room co-owned.
func genRows(n int) [][]string {
	rows := [][]string{{"building", "unit", "room", "area", "owner_name", "id_number", "phone", "owner_kind", "representative"}}
	owner := 0
	for room := 0; len(rows)-1 < n; room++ {
		b, u, r := room/2000+1, (room/500)%4+1, 101+room%500
		area := fmt.Sprintf("%d.%02d", 60+room%90, room%100)
		owner++
		rows = append(rows, []string{fmt.Sprint(b), fmt.Sprint(u), fmt.Sprint(r), area, "业主" + fmt.Sprint(owner), residentID(owner),
			fmt.Sprintf("139%08d", owner), "person", "1"})
		if room%10 == 0 && len(rows)-1 < n {
			owner++
			rows = append(rows, []string{fmt.Sprint(b), fmt.Sprint(u), fmt.Sprint(r), area, "共有人" + fmt.Sprint(owner), residentID(owner), "", "person", "0"})
		}
	}
	return rows
}

func toCSV(rows [][]string) []byte {
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(strings.Join(r, ","))
		sb.WriteByte('\n')
	}
	return []byte(sb.String())
}

func toXLSX(tb testing.TB, rows [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// peakHeap samples the heap in use while fn runs and returns the peak in MiB.
func peakHeap(fn func()) float64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	return float64(peak.Load()) / (1 << 20)
}

type benchEnv struct {
	db     *gorm.DB
	svc    *roster.Service
	orgSvc *orgs.Service
	admin  app.Principal
	comm   int64
}

func newBenchEnv(b *testing.B, db dbtest.DB) *benchEnv {
	protector, err := pii.NewProtector([]byte("bench-secret-key-0123456789abcdef0123"))
	if err != nil {
		b.Fatal(err)
	}
	orgSvc := orgs.New(db.DB)
	admin := app.Principal{Username: "bench", Role: app.RoleAdmin}
	ctx := context.Background()
	city, err := orgSvc.CreateOrg(ctx, admin, orgs.NewOrg{Name: "市", Kind: "city"})
	if err != nil {
		b.Fatal(err)
	}
	dist, _ := orgSvc.CreateOrg(ctx, admin, orgs.NewOrg{Name: "区", Kind: "district", ParentID: city})
	street, _ := orgSvc.CreateOrg(ctx, admin, orgs.NewOrg{Name: "街道", Kind: "street", ParentID: dist})
	comm, err := orgSvc.CreateOrg(ctx, admin, orgs.NewOrg{Name: "社区", Kind: "community", ParentID: street})
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{db: db.DB, svc: roster.New(db.DB, nil, orgSvc, protector), orgSvc: orgSvc, admin: admin, comm: comm}
}

func (e *benchEnv) newEstate(b *testing.B, i int) int64 {
	id, err := e.orgSvc.CreateEstate(context.Background(), e.admin, orgs.NewEstate{Name: fmt.Sprintf("小区%d-%d", i, time.Now().UnixNano()), CommunityID: e.comm})
	if err != nil {
		b.Fatal(err)
	}
	return id
}

const benchRows = 100_000

// BenchmarkRosterImport measures, in one run per database, a CSV import and an
// XLSX import of 100,000 rows against two baselines: a bare batched INSERT of the
// same rows (one table, same batching, one transaction) and a bare excelize
// row-iterator pass over the same workbook.
//
//	go test -run '^$' -bench RosterImport -benchtime 3x ./app/roster/
//	TEST_MYSQL_DSN='root:@tcp(127.0.0.1:3306)/test' go test -run '^$' -bench RosterImport -benchtime 3x ./app/roster/
func BenchmarkRosterImport(b *testing.B) {
	rows := genRows(benchRows)
	csvData, xlsxData := toCSV(rows), toXLSX(b, rows)
	for _, dialect := range []string{"sqlite", "mysql"} {
		b.Run(dialect, func(b *testing.B) {
			var db dbtest.DB
			if dialect == "sqlite" {
				db = dbtest.SQLite(b)
			} else {
				db = dbtest.MySQL(b)
			}
			env := newBenchEnv(b, db)
			ctx := context.Background()
			b.Run("bare-insert", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					estate := env.newEstate(b, i)
					b.StartTimer()
					if err := bareInsert(ctx, env.db, estate, rows[1:]); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
				}
				b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
			for _, f := range []struct {
				name string
				data []byte
			}{{"roster.csv", csvData}, {"roster.xlsx", xlsxData}} {
				b.Run("import-"+strings.TrimPrefix(f.name, "roster."), func(b *testing.B) {
					var peak float64
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						estate := env.newEstate(b, i)
						runtime.GC()
						b.StartTimer()
						peak = max(peak, peakHeap(func() {
							res, err := env.svc.Import(ctx, env.admin, estate, f.name, f.data)
							if err != nil {
								b.Fatal(err)
							}
							if res.Rows != benchRows {
								b.Fatalf("imported %d rows", res.Rows)
							}
						}))
					}
					b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
					b.ReportMetric(peak, "peak-heap-MiB")
				})
			}
		})
	}
	b.Run("bare-excelize-rows", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f, err := excelize.OpenReader(bytes.NewReader(xlsxData))
			if err != nil {
				b.Fatal(err)
			}
			it, err := f.Rows(f.GetSheetList()[0])
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for it.Next() {
				cols, err := it.Columns()
				if err != nil {
					b.Fatal(err)
				}
				n += len(cols)
			}
			it.Close()
			f.Close()
			if n == 0 {
				b.Fatal("no cells")
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// bareInsert writes the rows as units in one transaction with the import's own
// bulk insert: the floor the import is compared against.
func bareInsert(ctx context.Context, db *gorm.DB, estateID int64, rows [][]string) error {
	return database.Tx(ctx, db, func(tx *gorm.DB) error {
		b := models.Building{EstateID: estateID, Name: "bench"}
		if err := tx.Create(&b).Error; err != nil {
			return err
		}
		now := time.Now().UTC()
		args := make([][]any, 0, len(rows))
		for i, r := range rows {
			args = append(args, []any{estateID, b.ID, r[1], r[2], fmt.Sprintf("%s-%s-%s#%d", r[0], r[1], r[2], i), 100, "registered", true, false, now, now})
		}
		return database.BulkInsert(ctx, tx, "units", []string{"estate_id", "building_id", "unit_no", "room", "room_key", "area", "area_source", "delivered", "parking", "created_at", "updated_at"}, args)
	})
}
