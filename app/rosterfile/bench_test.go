package rosterfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchRows is the size of the generated roster the benchmarks read.
const benchRows = 100_000

// writeBenchFile generates the 100,000-row roster once, stores it in the
// benchmark's temporary directory in the given format and returns its path.
// Area and representative are number cells in the XLSX, the rest text.
func writeBenchFile(b *testing.B, name string) string {
	b.Helper()
	records := generateRoster(benchRows)
	var data []byte
	switch filepath.Ext(name) {
	case ".csv":
		data = encodeCSV(b, records)
	case ".xlsx":
		data = writeXLSX(b, records, spreadsheetLike)
	default:
		b.Fatalf("no generator for %s", name)
	}
	path := filepath.Join(b.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d rows, %d bytes", name, benchRows, len(data))
	return path
}

// measure runs body once per benchmark iteration and reports, besides ns/op
// and allocations, rows/s (wall time) and cpu-ms/op: the process CPU time per
// iteration, all threads included, which other load on a shared machine
// disturbs much less than wall time.
func measure(b *testing.B, body func()) {
	b.ReportAllocs()
	runtime.GC() // leave the setup's garbage out of the measured CPU time
	cpuStart, cpuOK := processCPUTime()
	for b.Loop() {
		body()
	}
	cpuEnd, _ := processCPUTime()
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpuOK {
		b.ReportMetric(float64(cpuEnd-cpuStart)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	}
}

// benchParse parses the file at path once per iteration, from disk (the page
// cache, after the first pass), as an upload would be read.
func benchParse(b *testing.B, path string) {
	measure(b, func() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := Parse(f, path)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(rows) != benchRows {
			b.Fatalf("%d rows, want %d", len(rows), benchRows)
		}
	})
}

func BenchmarkParseCSV100k(b *testing.B) {
	benchParse(b, writeBenchFile(b, "roster.csv"))
}

func BenchmarkParseXLSX100k(b *testing.B) {
	benchParse(b, writeBenchFile(b, "roster.xlsx"))
}

// BenchmarkBareExcelizeRows100k is the floor for BenchmarkParseXLSX100k: the
// same file opened with the same options and every cell of every row fetched
// through excelize's streaming iterator, with no validation at all.
func BenchmarkBareExcelizeRows100k(b *testing.B) {
	path := writeBenchFile(b, "roster.xlsx")
	measure(b, func() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		book, err := excelize.OpenReader(f, excelize.Options{RawCellValue: true, UnzipSizeLimit: MaxUnpackedXLSX, UnzipXMLSizeLimit: excelize.StreamChunkSize})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		it, err := book.Rows(book.GetSheetList()[0])
		if err != nil {
			b.Fatal(err)
		}
		rows, cellBytes := 0, 0
		for it.Next() {
			cells, err := it.Columns()
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range cells {
				cellBytes += len(c)
			}
			rows++
		}
		if err := it.Error(); err != nil {
			b.Fatal(err)
		}
		if err := it.Close(); err != nil {
			b.Fatal(err)
		}
		if err := book.Close(); err != nil {
			b.Fatal(err)
		}
		if rows != benchRows+1 || cellBytes == 0 {
			b.Fatalf("%d rows (%d cell bytes), want %d with the header", rows, cellBytes, benchRows+1)
		}
	})
}
