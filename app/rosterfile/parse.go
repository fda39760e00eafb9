package rosterfile

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongzhi/app"
	"gongzhi/app/pii"
	"gongzhi/app/rules"
)

// Area sources (docs/rules.md §1 C1): the registered area is preferred, then the
// surveyed area, then the area in the sale contract.
const (
	AreaRegistered = "registered" // 登记面积
	AreaSurveyed   = "surveyed"   // 实测面积
	AreaContract   = "contract"   // 预售/合同面积
)

// Row is one owner of one room, as read from a valid roster file.
type Row struct {
	Line           int             // line (CSV) or row (XLSX) number in the file, the header being line 1
	Building       string          // 楼栋, never empty
	Unit           string          // 单元, may be empty
	Room           string          // 房号, never empty
	Area           rules.Area      // exclusive area in 0.01 m², > 0, the same on every row of the room
	AreaSource     string          // AreaRegistered, AreaSurveyed or AreaContract
	OwnerName      string          // 业主姓名
	IDNumber       string          // resident ID or unified social credit code, upper-cased (pii.NormalizeID)
	Phone          string          // 11-digit mobile number without separators, or empty
	OwnerKind      rules.OwnerKind // person, org or developer
	Representative bool            // casts the room's vote; true on exactly one row of each room
	Delivered      bool            // the developer has delivered the room (default true)
	Parking        bool            // the room is a parking space (default false)
	Guardian       string          // 监护人: who votes for an owner without capacity (GR 27), or empty
}

// RoomKey is the display address of a room: "1-1-101" (building-unit-room), or
// "3-101" when the unit is empty. Parse rejects files in which two different
// rooms would share a key.
func RoomKey(building, unit, room string) string {
	if unit == "" {
		return building + "-" + room
	}
	return building + "-" + unit + "-" + room
}

// Parse reads and validates a roster file and returns its rows in file order,
// choosing the format by the extension of filename: ".csv" or ".xlsx", in any case. Another extension
// yields an error wrapping ErrUnsupportedType; a file that cannot be decoded as
// its type one wrapping ErrUnreadable. If any row or the header is invalid,
// Parse returns no rows and a *ParseError listing every problem.
func Parse(r io.Reader, filename string) ([]Row, error) {
	return ParseContext(context.Background(), r, filename)
}

// ParseContext is Parse that stops reading once ctx is done (it is checked every
// ctxCheckRows records) and then returns ctx's error, wrapped.
func ParseContext(ctx context.Context, r io.Reader, filename string) ([]Row, error) {
	switch ext := strings.ToLower(filepath.Ext(filename)); ext {
	case ".csv":
		return parseCSV(ctx, r)
	case ".xlsx":
		return parseXLSX(ctx, r)
	default:
		if ext == "" {
			ext = "(none)"
		}
		return nil, fmt.Errorf("%w: %q has extension %s, want .csv or .xlsx", ErrUnsupportedType, filename, ext)
	}
}

func parseCSV(ctx context.Context, r io.Reader) ([]Row, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("rosterfile: read csv: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Not UTF-8: Chinese Excel saves "CSV" in the ANSI code page, GBK,
		// of which GB18030 is a superset.
		if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
			return nil, fmt.Errorf("%w: csv is neither UTF-8 nor GB18030: %w", ErrUnreadable, err)
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // short and long records are allowed; missing cells are empty
	cr.ReuseRecord = true

	p := newParser(ctx, false)
	p.reserve(bytes.Count(data, []byte("\n")))
	for {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		var csvErr *csv.ParseError
		if errors.As(err, &csvErr) {
			p.errs.add(csvErr.StartLine, noColumn, app.M("err.rosterfile.csv_malformed", csvProblem(csvErr.Err), csvErr.Line))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("rosterfile: read csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if !p.record(line, record) {
			break
		}
	}
	return p.finish()
}

// csvProblem describes a CSV syntax error.
func csvProblem(err error) app.Msg {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return app.M("err.rosterfile.csv_quote")
	case errors.Is(err, csv.ErrBareQuote):
		return app.M("err.rosterfile.csv_bare_quote")
	default:
		return app.Plain(err.Error())
	}
}

// xlsxOptions are excelize's options for reading a roster: raw cell values, the
// same unpacked-size cap as checkZip, and excelize's default of 16 MiB for the
// worksheet and shared strings held in memory (a larger worksheet is unpacked to
// a temporary file and streamed from there).
var xlsxOptions = excelize.Options{RawCellValue: true, UnzipSizeLimit: MaxUnpackedXLSX, UnzipXMLSizeLimit: excelize.StreamChunkSize}

func parseXLSX(ctx context.Context, r io.Reader) (rows []Row, err error) {
	at, size, r, err := workbookBytes(r)
	if err != nil {
		return nil, err
	}
	if err := checkZip(at, size); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(r, xlsxOptions)
	if err != nil {
		return nil, fmt.Errorf("%w: xlsx: %w", ErrUnreadable, err)
	}
	defer func() {
		if closeErr := f.Close(); closeErr != nil && err == nil {
			rows, err = nil, fmt.Errorf("rosterfile: close xlsx: %w", closeErr)
		}
	}()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: xlsx has no worksheet", ErrUnreadable)
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: xlsx sheet %q: %w", ErrUnreadable, sheets[0], err)
	}
	p := newParser(ctx, true)
	if dim, err := f.GetSheetDimension(sheets[0]); err == nil {
		p.reserve(min(dimensionRows(dim), maxReservedRows))
	}
	// Decoding the sheet's XML (excelize) and checking the rows (p.record) each take
	// a core: the decoder runs ahead in its own goroutine, handing over chunks of rows.
	chunks := make(chan [][]string, 8)
	stop := make(chan struct{})
	var readErr error // set by the decoder before it closes chunks
	go func() {
		defer close(chunks)
		// A malformed workbook that makes the decoder panic is an unreadable file,
		// not a crashed server (the router recovers only its own goroutines).
		defer func() {
			if r := recover(); r != nil {
				readErr = fmt.Errorf("%w: xlsx: %v", ErrUnreadable, r)
			}
		}()
		send := func(chunk [][]string) bool {
			select {
			case chunks <- chunk:
				return true
			case <-stop:
				return false
			}
		}
		chunk := make([][]string, 0, xlsxChunkRows)
		// Next visits every row number in turn, empty rows included, so counting
		// its calls gives the row number the user sees in Excel.
		for line := 1; it.Next(); line++ {
			cells, err := it.Columns()
			if err != nil {
				readErr = fmt.Errorf("%w: xlsx row %d: %w", ErrUnreadable, line, err)
				return
			}
			if chunk = append(chunk, cells); len(chunk) == xlsxChunkRows {
				if !send(chunk) {
					return
				}
				chunk = make([][]string, 0, xlsxChunkRows)
			}
		}
		if err := it.Error(); err != nil {
			readErr = fmt.Errorf("%w: xlsx: %w", ErrUnreadable, err)
			return
		}
		if len(chunk) > 0 {
			send(chunk)
		}
	}()
	line, reading := 0, true
	for chunk := range chunks {
		for _, cells := range chunk {
			if !reading {
				break
			}
			line++
			if !p.record(line, cells) {
				reading = false
				close(stop) // the header is unusable: the decoder may stop too
			}
		}
	}
	if readErr != nil {
		_ = it.Close()
		return nil, readErr
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("rosterfile: close xlsx rows: %w", err)
	}
	return p.finish()
}

// ctxCheckRows is how often, in records, reading checks its context.
const ctxCheckRows = 1024

// xlsxChunkRows is how many rows the XLSX decoder hands over at a time.
const xlsxChunkRows = 512

// maxReservedRows caps the row capacity reserved from an XLSX file's declared
// dimension, which a small forged file could set to a million rows.
const maxReservedRows = 1 << 17

// dimensionRows is the last row number of a sheet dimension such as
// "A1:J100001", or 0 when it cannot tell.
func dimensionRows(ref string) int {
	_, last, ok := strings.Cut(ref, ":")
	if !ok {
		return 0
	}
	_, row, err := excelize.CellNameToCoordinates(last)
	if err != nil {
		return 0
	}
	return row
}

// roomState accumulates what the rows of one room must agree on.
type roomState struct {
	building, unit, room string // to tell apart rooms whose RoomKey collides
	key                  string // RoomKey
	owners               int    // rows of the room
	reps                 int    // rows marked representative
	// Line of the first row with a valid value for each attribute, 0 if none yet,
	// and that value.
	areaLine, sourceLine, deliveredLine, parkingLine int
	area                                             rules.Area
	source                                           string
	delivered, parking                               bool
}

// idState remembers the first row an ID number appeared on.
type idState struct {
	line int
	name string
	kind rules.OwnerKind
}

// parser validates records one by one and the rows together, in one pass.
type parser struct {
	ctx         context.Context
	ctxErr      error // ctx's error once reading stopped for it
	records     int   // non-blank records read, the header included
	spreadsheet bool  // cells come from XLSX: numbers may carry binary floating-point noise
	haveHeader  bool
	dataRows    int             // non-blank records after the header
	cols        [numColumns]int // index of each column in a record, -1 when absent
	errs        errorList

	rows      []Row
	rowRooms  []*roomState // rowRooms[i] is the room of rows[i], nil if building or room is missing
	rooms     map[string]*roomState
	roomSlab  []roomState        // backing store for new roomStates, allocated in chunks
	roomOwner map[roomOwner]int  // (room, ID number) → first line
	ids       map[string]idState // ID number → its first row
}

// roomOwner identifies one owner of one room.
type roomOwner struct {
	room *roomState
	id   string
}

// roomSlabSize is how many roomStates are allocated at a time.
const roomSlabSize = 1024

func newParser(ctx context.Context, spreadsheet bool) *parser {
	p := &parser{
		ctx:         ctx,
		spreadsheet: spreadsheet,
		rooms:       make(map[string]*roomState),
		roomOwner:   make(map[roomOwner]int),
		ids:         make(map[string]idState),
	}
	for c := range p.cols {
		p.cols[c] = -1
	}
	return p
}

// reserve sizes the row slices and maps for about n rows, so that a large
// file does not pay for repeated growth.
func (p *parser) reserve(n int) {
	if n <= 0 {
		return
	}
	p.rows = make([]Row, 0, n)
	p.rowRooms = make([]*roomState, 0, n)
	p.rooms = make(map[string]*roomState, n)
	p.roomOwner = make(map[roomOwner]int, n)
	p.ids = make(map[string]idState, n)
}

// record takes one record of the file. It returns false when reading should
// stop because the header is unusable.
func (p *parser) record(line int, cells []string) bool {
	if isBlank(cells) {
		return true
	}
	if p.records++; p.records%ctxCheckRows == 0 {
		if p.ctxErr = p.ctx.Err(); p.ctxErr != nil {
			return false
		}
	}
	p.checkWidth(line, cells)
	if !p.haveHeader {
		p.haveHeader = true
		return p.header(line, cells)
	}
	if p.dataRows++; p.dataRows > MaxRows {
		p.errs.add(line, noColumn, app.M("err.rosterfile.too_many_rows", MaxRows))
		return false
	}
	p.row(line, cells)
	return true
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// header maps the columns. It reports duplicate and missing required columns
// and returns false if there were any.
func (p *parser) header(line int, cells []string) bool {
	ok := true
	for i, h := range cells {
		c, known := lookupColumn(h)
		if !known {
			continue
		}
		if p.cols[c] >= 0 {
			p.errs.add(line, c, app.M("err.rosterfile.duplicate_column", c.labelMsg(), p.cols[c]+1, i+1))
			ok = false
			continue
		}
		p.cols[c] = i
	}
	for c := column(0); c < numColumns; c++ {
		if c.required() && p.cols[c] < 0 {
			p.errs.add(line, c, app.M("err.rosterfile.missing_column", c.labelMsg()))
			ok = false
		}
	}
	return ok
}

// cell is the trimmed value of column c, or "" when the file lacks the column
// or the record is short.
func (p *parser) cell(cells []string, c column) string {
	i := p.cols[c]
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// row validates one data record and folds it into the cross-row checks. A value
// over its column's cap is reported once and takes part in no other check.
func (p *parser) row(line int, cells []string) {
	r := Row{Line: line}
	bad := func(c column, m app.Msg) { p.errs.add(line, c, m) }

	var buildingOK, unitOK, roomOK bool
	if r.Building, buildingOK = p.text(line, cells, colBuilding); buildingOK && r.Building == "" {
		bad(colBuilding, app.M("err.rosterfile.building_empty"))
	}
	r.Unit, unitOK = p.text(line, cells, colUnit)
	if r.Room, roomOK = p.text(line, cells, colRoom); roomOK && r.Room == "" {
		bad(colRoom, app.M("err.rosterfile.room_empty"))
	}
	addressOK := buildingOK && unitOK && roomOK

	areaOK := false
	switch text, ok := p.text(line, cells, colArea); {
	case !ok:
	case text == "":
		bad(colArea, app.M("err.rosterfile.area_empty"))
	default:
		if p.spreadsheet {
			text = spreadsheetDecimal(text)
		}
		a, err := rules.ParseArea(trimDecimalZeros(text))
		switch {
		case err != nil:
			bad(colArea, app.M("err.rosterfile.area_format", text))
		case a <= 0:
			bad(colArea, app.M("err.rosterfile.area_positive"))
		default:
			r.Area, areaOK = a, true
		}
	}

	sourceText, sourceOK := p.text(line, cells, colAreaSource)
	source := AreaRegistered
	if sourceOK {
		if source, sourceOK = parseAreaSource(sourceText); !sourceOK {
			bad(colAreaSource, app.M("err.rosterfile.area_source", sourceText))
		}
	}
	r.AreaSource = source

	if name, ok := p.text(line, cells, colOwnerName); ok {
		if r.OwnerName = name; name == "" {
			bad(colOwnerName, app.M("err.rosterfile.owner_name_empty"))
		}
	}

	kindText, kindOK := p.text(line, cells, colOwnerKind)
	kind := rules.OwnerPerson
	if kindOK {
		if kind, kindOK = parseOwnerKind(kindText); !kindOK {
			bad(colOwnerKind, app.M("err.rosterfile.owner_kind", kindText))
		}
	}
	r.OwnerKind = kind

	idText, idRead := p.text(line, cells, colIDNumber)
	r.IDNumber = pii.NormalizeID(idText)
	idOK := false
	switch {
	case !idRead:
	case r.IDNumber == "":
		bad(colIDNumber, app.M("err.rosterfile.id_empty"))
	case !kindOK:
		// the kind decides the format; its own error is enough
	case kind == rules.OwnerPerson:
		if idOK = pii.ValidResidentID(r.IDNumber); !idOK {
			bad(colIDNumber, app.M("err.rosterfile.resident_id", pii.MaskID(r.IDNumber), residentIDProblem(r.IDNumber)))
		}
	default:
		if idOK = pii.ValidUSCC(r.IDNumber); !idOK {
			bad(colIDNumber, app.M("err.rosterfile.uscc", pii.MaskID(r.IDNumber), usccProblem(r.IDNumber)))
		}
	}

	if phoneText, ok := p.text(line, cells, colPhone); ok && phoneText != "" {
		phone, ok := normalisePhone(phoneText)
		if !ok {
			bad(colPhone, app.M("err.rosterfile.phone", pii.MaskPhone(phoneText)))
		}
		r.Phone = phone
	}

	if guardian, ok := p.text(line, cells, colGuardian); ok {
		r.Guardian = guardian
		if guardian != "" && kindOK && kind != rules.OwnerPerson {
			bad(colGuardian, app.M("err.rosterfile.guardian_person_only"))
		}
	}

	var repOK, deliveredOK, parkingOK bool
	r.Representative, repOK = p.flag(line, cells, colRepresentative, false)
	r.Delivered, deliveredOK = p.flag(line, cells, colDelivered, true)
	r.Parking, parkingOK = p.flag(line, cells, colParking, false)

	p.rows = append(p.rows, r)
	var room *roomState
	if addressOK && r.Building != "" && r.Room != "" {
		room = p.roomOf(r)
	}
	p.rowRooms = append(p.rowRooms, room)
	if room != nil {
		room.owners++
		if r.Representative && repOK {
			room.reps++
		}
		if areaOK {
			p.agreeArea(room, r)
		}
		if sourceOK {
			p.agreeSource(room, r)
		}
		if deliveredOK {
			p.agreeFlag(room, line, colDelivered, app.M("err.rosterfile.delivered_flag"), &room.deliveredLine, &room.delivered, r.Delivered)
		}
		if parkingOK {
			p.agreeFlag(room, line, colParking, app.M("err.rosterfile.parking_flag"), &room.parkingLine, &room.parking, r.Parking)
		}
		if r.IDNumber != "" {
			k := roomOwner{room, r.IDNumber}
			if first, seen := p.roomOwner[k]; seen {
				bad(colIDNumber, app.M("err.rosterfile.duplicate_owner", room.key, first))
			} else {
				p.roomOwner[k] = line
			}
		}
	}
	if idOK && kindOK && r.OwnerName != "" {
		p.agreeOwner(r)
	}
}

// flag reads a yes/no column; an empty cell gives def. The second result is
// false, and an error is recorded, when the value is not recognised.
func (p *parser) flag(line int, cells []string, c column, def bool) (bool, bool) {
	text, ok := p.text(line, cells, c)
	if !ok {
		return def, false
	}
	v, ok := parseFlag(text, def)
	if !ok {
		p.errs.add(line, c, app.M("err.rosterfile.flag", c.title(), text))
	}
	return v, ok
}

// roomOf finds or creates the room of r. Two different rooms whose RoomKey
// coincides (building "1-1" room "101" against building 1 unit 1 room 101)
// would be indistinguishable later, so the second one is an error.
func (p *parser) roomOf(r Row) *roomState {
	key := RoomKey(r.Building, r.Unit, r.Room)
	room, ok := p.rooms[key]
	if !ok {
		if len(p.roomSlab) == cap(p.roomSlab) {
			p.roomSlab = make([]roomState, 0, roomSlabSize)
		}
		p.roomSlab = append(p.roomSlab, roomState{building: r.Building, unit: r.Unit, room: r.Room, key: key})
		room = &p.roomSlab[len(p.roomSlab)-1]
		p.rooms[key] = room
		return room
	}
	if room.building != r.Building || room.unit != r.Unit || room.room != r.Room {
		p.errs.add(r.Line, colRoom, app.M("err.rosterfile.room_key_clash", key, room.building, room.unit, room.room))
		return nil
	}
	return room
}

func (p *parser) agreeArea(room *roomState, r Row) {
	if room.areaLine == 0 {
		room.areaLine, room.area = r.Line, r.Area
		return
	}
	if r.Area != room.area {
		p.errs.add(r.Line, colArea, app.M("err.rosterfile.area_differs", room.key, room.areaLine, room.area, r.Area))
	}
}

func (p *parser) agreeSource(room *roomState, r Row) {
	if room.sourceLine == 0 {
		room.sourceLine, room.source = r.Line, r.AreaSource
		return
	}
	if r.AreaSource != room.source {
		p.errs.add(r.Line, colAreaSource, app.M("err.rosterfile.area_source_differs", room.key, room.sourceLine, areaSourceName(room.source), areaSourceName(r.AreaSource)))
	}
}

func (p *parser) agreeFlag(room *roomState, line int, c column, what app.Msg, firstLine *int, first *bool, v bool) {
	if *firstLine == 0 {
		*firstLine, *first = line, v
		return
	}
	if v != *first {
		p.errs.add(line, c, app.M("err.rosterfile.flag_differs", room.key, what, *firstLine, yesNo(*first), yesNo(v)))
	}
}

// agreeOwner checks that an ID number always comes with the same name and
// kind: the voter register groups units by the ID, so a mismatch is a typo
// that would merge or split voters silently.
func (p *parser) agreeOwner(r Row) {
	first, seen := p.ids[r.IDNumber]
	if !seen {
		p.ids[r.IDNumber] = idState{line: r.Line, name: r.OwnerName, kind: r.OwnerKind}
		return
	}
	if first.name != r.OwnerName {
		p.errs.add(r.Line, colOwnerName, app.M("err.rosterfile.name_differs", first.line))
	}
	if first.kind != r.OwnerKind {
		p.errs.add(r.Line, colOwnerKind, app.M("err.rosterfile.kind_differs", first.line, first.line, ownerKindName(first.kind), ownerKindName(r.OwnerKind)))
	}
}

// finish runs the checks that need every row of a room, then returns the rows
// or the errors.
func (p *parser) finish() ([]Row, error) {
	if p.ctxErr != nil {
		return nil, fmt.Errorf("rosterfile: reading stopped: %w", p.ctxErr)
	}
	if !p.haveHeader && p.errs.total == 0 {
		p.errs.add(1, noColumn, app.M("err.rosterfile.empty_file"))
	}
	for i, room := range p.rowRooms {
		switch {
		case room == nil:
		case room.owners == 1:
			p.rows[i].Representative = true // a sole owner casts the room's vote
		case room.reps != 1:
			p.errs.add(p.rows[i].Line, colRepresentative, app.M("err.rosterfile.representatives", room.key, room.owners, room.reps))
		}
	}
	if p.haveHeader && len(p.rows) == 0 && p.errs.total == 0 {
		p.errs.add(1, noColumn, app.M("err.rosterfile.no_rows"))
	}
	if pe := p.errs.result(); pe != nil {
		return nil, pe
	}
	return p.rows, nil
}

func parseAreaSource(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "", "registered", "登记", "登记面积", "产权登记":
		return AreaRegistered, true
	case "surveyed", "实测", "实测面积":
		return AreaSurveyed, true
	case "contract", "预售", "合同", "预售/合同", "预售合同", "合同面积", "预售面积":
		return AreaContract, true
	}
	return AreaRegistered, false
}

// areaSourceName is an area source in a message.
func areaSourceName(s string) app.Msg {
	switch s {
	case AreaSurveyed:
		return app.M("err.rosterfile.source_surveyed")
	case AreaContract:
		return app.M("err.rosterfile.source_contract")
	default:
		return app.M("err.rosterfile.source_registered")
	}
}

func parseOwnerKind(s string) (rules.OwnerKind, bool) {
	switch strings.ToLower(s) {
	case "", "person", "个人":
		return rules.OwnerPerson, true
	case "org", "单位":
		return rules.OwnerOrg, true
	case "developer", "建设单位", "开发商":
		return rules.OwnerDeveloper, true
	}
	return rules.OwnerPerson, false
}

// ownerKindName is an owner kind in a message.
func ownerKindName(k rules.OwnerKind) app.Msg {
	switch k {
	case rules.OwnerOrg:
		return app.M("err.rosterfile.kind_org")
	case rules.OwnerDeveloper:
		return app.M("err.rosterfile.kind_developer")
	default:
		return app.M("err.rosterfile.kind_person")
	}
}

// parseFlag reads 1/0, 是/否, true/false (any case); an empty value gives def.
func parseFlag(s string, def bool) (bool, bool) {
	switch strings.ToLower(s) {
	case "":
		return def, true
	case "1", "是", "true":
		return true, true
	case "0", "否", "false":
		return false, true
	}
	return def, false
}

// yesNo is a flag's value in a message.
func yesNo(v bool) app.Msg {
	if v {
		return app.M("err.rosterfile.yes")
	}
	return app.M("err.rosterfile.no")
}

// residentIDProblem says why id, already known to be invalid, is not a
// resident ID, without repeating the number.
func residentIDProblem(id string) app.Msg {
	if looksScientific(id) {
		return app.M("err.rosterfile.id_scientific")
	}
	if n := utf8.RuneCountInString(id); n != 18 {
		return app.M("err.rosterfile.id_length", n)
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return app.M("err.rosterfile.id_first_17_digits")
		}
	}
	if c := id[17]; (c < '0' || c > '9') && c != 'X' {
		return app.M("err.rosterfile.id_last_char")
	}
	return app.M("err.rosterfile.id_check_or_birth")
}

// usccProblem says why code, already known to be invalid, is not a unified
// social credit code.
func usccProblem(code string) app.Msg {
	if looksScientific(code) {
		return app.M("err.rosterfile.id_scientific")
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return app.M("err.rosterfile.id_length", n)
	}
	if strings.IndexFunc(code, func(r rune) bool {
		return !strings.ContainsRune("0123456789ABCDEFGHJKLMNPQRTUWXY", r)
	}) >= 0 {
		return app.M("err.rosterfile.uscc_chars")
	}
	return app.M("err.rosterfile.uscc_check")
}

// looksScientific reports a value such as "5.20402195605129E+17": an ID
// number that a spreadsheet stored as a number.
func looksScientific(s string) bool {
	return strings.Contains(s, "E+")
}

// normalisePhone strips spaces, hyphens and a +86 or 86 country prefix and
// checks the result is a mainland mobile number 1[3-9]xxxxxxxxx.
func normalisePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == '－' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	}
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return s, false
	}
	for i := 2; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, false
		}
	}
	return s, true
}

// trimDecimalZeros drops zeros after the second decimal place ("101.670" →
// "101.67"), which spreadsheets add under a three-decimal number format; the
// value is unchanged, so the two-decimal rule still holds.
func trimDecimalZeros(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= 2 {
		return s
	}
	trimmed := strings.TrimRight(frac[2:], "0")
	if trimmed != "" {
		return s
	}
	return whole + "." + frac[:2]
}

// spreadsheetDecimal undoes binary floating-point noise in a number cell:
// a spreadsheet stores 89.37 as the nearest double and may write it out as
// "89.370000000000005". Like Excel's own display, a value with more than 15
// significant digits is rounded to 15; any other text is returned unchanged,
// so "89.371" still fails the two-decimal rule.
func spreadsheetDecimal(s string) string {
	_, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) <= 2 {
		return s
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c != '.':
			return s
		}
	}
	if digits <= 15 {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	rounded := strconv.FormatFloat(v, 'g', 15, 64)
	if strings.ContainsAny(rounded, "e") {
		return s
	}
	return rounded
}
