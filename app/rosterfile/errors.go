package rosterfile

import (
	"cmp"
	"errors"
	"fmt"
	"gongzhi/app"
	"slices"
)

// MaxErrors is how many row errors a ParseError lists at most. Beyond it the
// earliest MaxErrors (by line and column) are kept and a final note counts the rest.
const MaxErrors = 1000

// ErrUnsupportedType reports a file whose extension is neither .csv nor .xlsx.
var ErrUnsupportedType = errors.New("rosterfile: unsupported file type")

// ErrUnreadable reports a file that cannot be read as the type its extension
// claims, for example a damaged or password-protected workbook.
var ErrUnreadable = errors.New("rosterfile: unreadable file")

// RowError is one problem in a roster file.
type RowError struct {
	Line   int     // line (CSV) or row (XLSX) number, the header being line 1; 0 for the final "more errors" note
	Column string  // canonical English column name such as "area"; empty for the file or header as a whole
	Msg    app.Msg // what is wrong (a catalogue message, views/i18n/err.rosterfile.*.json)
}

// ParseError lists every problem found in a roster file, sorted by line and
// then by column in canonical order. A file with any problem imports nothing.
type ParseError struct {
	// Errors holds at most MaxErrors problems, then, if Omitted > 0, one final
	// note (Line 0, no column) saying how many more there were.
	Errors []RowError
	// Total is the number of problems found, listed or not.
	Total int
	// Omitted is the number of problems not listed in Errors.
	Omitted int
}

// Error summarises the problems and quotes the first one.
func (e *ParseError) Error() string {
	if len(e.Errors) == 0 {
		return "rosterfile: invalid roster"
	}
	first := e.Errors[0]
	where := fmt.Sprintf("line %d", first.Line)
	if first.Column != "" {
		where += ", column " + first.Column
	}
	return fmt.Sprintf("rosterfile: %d error(s) in roster; first at %s: %s", e.Total, where, first.Msg)
}

// errorList collects row errors in bounded memory: when it holds twice
// MaxErrors it sorts and keeps the first MaxErrors, so a file full of errors
// costs O(n log MaxErrors) time and O(MaxErrors) memory.
type errorList struct {
	errs  []RowError
	total int
}

func (l *errorList) add(line int, col column, msg app.Msg) {
	l.total++
	l.errs = append(l.errs, RowError{Line: line, Column: col.name(), Msg: msg})
	if len(l.errs) >= 2*MaxErrors {
		sortErrors(l.errs)
		l.errs = l.errs[:MaxErrors]
	}
}

// result is the *ParseError for the collected errors, or nil when there are none.
func (l *errorList) result() *ParseError {
	if l.total == 0 {
		return nil
	}
	sortErrors(l.errs)
	errs := l.errs
	if len(errs) > MaxErrors {
		errs = errs[:MaxErrors]
	}
	pe := &ParseError{Errors: slices.Clip(errs), Total: l.total, Omitted: l.total - len(errs)}
	if pe.Omitted > 0 {
		pe.Errors = append(pe.Errors, RowError{Msg: app.M("err.rosterfile.more_errors", pe.Omitted)})
	}
	return pe
}

// sortErrors orders errors by line, then column in canonical order; errors on
// the same cell keep the order they were found in.
func sortErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(columnRank(a.Column), columnRank(b.Column))
	})
}
