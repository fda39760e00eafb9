package pdfdoc

import (
	"bytes"
	"context"
	"io"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// countPages counts the page objects of a rendered PDF (page dictionaries are not compressed).
func countPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page\n"))
}

// renderNotices renders notices once to measure their size and page count.
func renderNotices(b *testing.B, r *Renderer, notices []Notice) (pages, size int) {
	b.Helper()
	var buf bytes.Buffer
	if err := r.Notices(context.Background(), &buf, notices, fixedMeta); err != nil {
		b.Fatal(err)
	}
	return countPages(buf.Bytes()), buf.Len()
}

// BenchmarkNotices1089 renders one document with the notices of 1,089 voters, three items each.
func BenchmarkNotices1089(b *testing.B) {
	r := newTestRenderer(b)
	notices := sampleNotices(1089, 3, 0)
	pages, size := renderNotices(b, r, notices)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Notices(context.Background(), io.Discard, notices, fixedMeta); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(size)/(1<<20), "MiB/doc")
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkNoticePages10000 renders a single document of 10,000 notice pages (one-page
// notices with two short items) and reports the throughput in pages per second.
func BenchmarkNoticePages10000(b *testing.B) {
	r := newTestRenderer(b)
	const target = 10000
	short := sampleNotices(target, 2, 0)
	for i := range short {
		short[i].Items = short[i].Items[1:] // drop the long item: a notice fits on one page
	}
	if pages, _ := renderNotices(b, r, short[:1]); pages != 1 {
		b.Fatalf("a short notice takes %d pages, want 1", pages)
	}
	pages, size := renderNotices(b, r, short)
	if pages != target {
		b.Fatalf("%d pages, want %d", pages, target)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Notices(context.Background(), io.Discard, short, fixedMeta); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/doc")
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkResolution renders the fixture resolution (3 pages, 13-candidate election).
func BenchmarkResolution(b *testing.B) {
	r := newTestRenderer(b)
	doc := sampleResolution()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Resolution(context.Background(), io.Discard, doc, fixedMeta); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRVector is the QR work per notice as done: encode and emit vector modules.
func BenchmarkQRVector(b *testing.B) {
	r := newTestRenderer(b)
	l, err := r.newLayout(context.Background(), fixedMeta, "")
	if err != nil {
		b.Fatal(err)
	}
	l.addPage()
	url := sampleNotices(1, 1, 0)[0].BallotURL
	b.ReportAllocs()
	for b.Loop() {
		qr, err := newQR(url)
		if err != nil {
			b.Fatal(err)
		}
		l.pdf.SetPage(1) // keep drawing onto one page; only the cost matters
		if err := l.drawQR(qr, marginLeft, marginTop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRPNG is, for comparison, what a go-qrcode PNG per notice would cost to encode
// (before gofpdf decodes and re-embeds it).
func BenchmarkQRPNG(b *testing.B) {
	url := sampleNotices(1, 1, 0)[0].BallotURL
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qrcode.Encode(url, qrcode.Medium, -6); err != nil {
			b.Fatal(err)
		}
	}
}
