// Package exports writes staff downloads as XLSX workbooks (issue 16): a vote's
// ballots for its auditors, its participation list, its results, and the audit
// log. Each export reads through the owning service's read method, which checks
// the role and the jurisdiction (auditview.Service.Ballots, voting.Service
// ParticipationList and Results, orgs.Service.AuditLogPage), so an export shows
// exactly what the matching page shows, personal data masked the same way. Rows
// go through excelize's StreamWriter (spilled to a temporary file past its
// threshold, not held as cells in memory); the finished Workbook is then copied to
// the response. Headers are bilingual, times in Beijing time, areas in m² with two
// decimals as the tally prints them.
package exports

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"gongzhi/app"
	"gongzhi/app/auditview"
	"gongzhi/app/orgs"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// MaxRows bounds one export (the audit log can grow without end): past it the
// export is refused and the user narrows the filter.
const MaxRows = 200_000

// Service builds the exports over the services that own the data.
type Service struct {
	orgs  *orgs.Service
	clock app.Clock
	votes *voting.Service
	audit *auditview.Service
}

// New builds the service.
func New(o *orgs.Service, clock app.Clock, votes *voting.Service, av *auditview.Service) *Service {
	return &Service{orgs: o, clock: app.ClockOrSystem(clock), votes: votes, audit: av}
}

// Workbook is a finished export: its file name and the workbook to write out.
// Close it once written.
type Workbook struct {
	Name string
	f    *excelize.File
}

// WriteTo writes the XLSX bytes.
func (w *Workbook) WriteTo(out io.Writer) (int64, error) { return w.f.WriteTo(out) }

// Close releases the workbook's temporary files.
func (w *Workbook) Close() error { return w.f.Close() }

// ContentType is the media type of an XLSX workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// book writes one sheet, row by row, through a StreamWriter.
type book struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	name string
}

func newBook(name, sheet string, header ...any) (*book, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	b := &book{f: f, sw: sw, name: name}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, fmt.Errorf("export %s: %w", name, err)
	}
	if err := b.put(header...); err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

func (b *book) put(values ...any) error {
	b.row++
	if b.row > MaxRows+1 {
		return app.Invalid("filter", app.M("err.exports.more_than_rows_narrow_the_filter", MaxRows))
	}
	cell, err := excelize.CoordinatesToCellName(1, b.row)
	if err != nil {
		return fmt.Errorf("export %s: %w", b.name, err)
	}
	if err := b.sw.SetRow(cell, values); err != nil {
		return fmt.Errorf("export %s: %w", b.name, err)
	}
	return nil
}

// done finishes the sheet; on error the book is closed.
func (b *book) done(err error) (*Workbook, error) {
	if err == nil {
		err = b.sw.Flush()
	}
	if err != nil {
		b.f.Close()
		var ae *app.Error
		if errors.As(err, &ae) { // a refusal, or an internal error already wrapped
			return nil, err
		}
		return nil, app.Internal(fmt.Errorf("export %s: %w", b.name, err))
	}
	return &Workbook{Name: b.name, f: b.f}, nil
}

// beijing formats a time as the pages do.
func beijing(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(rules.Shanghai()).Format("2006-01-02 15:04:05")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
