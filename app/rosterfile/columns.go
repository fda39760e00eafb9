package rosterfile

import (
	"gongzhi/app"
	"strings"
)

// The canonical English column names, used in RowError.Column.
const (
	ColumnBuilding       = "building"
	ColumnUnit           = "unit"
	ColumnRoom           = "room"
	ColumnArea           = "area"
	ColumnAreaSource     = "area_source"
	ColumnOwnerName      = "owner_name"
	ColumnIDNumber       = "id_number"
	ColumnPhone          = "phone"
	ColumnOwnerKind      = "owner_kind"
	ColumnRepresentative = "representative"
	ColumnDelivered      = "delivered"
	ColumnParking        = "parking"
	ColumnGuardian       = "guardian"
)

// column indexes the known columns in their canonical order, which is also the
// order errors on one line are sorted in.
type column int

const (
	colBuilding column = iota
	colUnit
	colRoom
	colArea
	colAreaSource
	colOwnerName
	colIDNumber
	colPhone
	colOwnerKind
	colRepresentative
	colDelivered
	colParking
	colGuardian
	numColumns
)

// noColumn marks an error about the file or the header as a whole.
const noColumn column = -1

// name is the canonical English name of c ("" for noColumn).
func (c column) name() string {
	switch c {
	case colBuilding:
		return ColumnBuilding
	case colUnit:
		return ColumnUnit
	case colRoom:
		return ColumnRoom
	case colArea:
		return ColumnArea
	case colAreaSource:
		return ColumnAreaSource
	case colOwnerName:
		return ColumnOwnerName
	case colIDNumber:
		return ColumnIDNumber
	case colPhone:
		return ColumnPhone
	case colOwnerKind:
		return ColumnOwnerKind
	case colRepresentative:
		return ColumnRepresentative
	case colDelivered:
		return ColumnDelivered
	case colParking:
		return ColumnParking
	case colGuardian:
		return ColumnGuardian
	}
	return ""
}

// title is c's name for a message, in the reader's language.
func (c column) title() app.Msg { return app.M("err.rosterfile.col_" + c.name()) }

// labelMsg names c for a message with its header: "面积（area）".
func (c column) labelMsg() app.Msg { return app.M("err.rosterfile.column_label", c.title(), c.name()) }

// required reports whether a file must have column c. The others have defaults.
func (c column) required() bool {
	switch c {
	case colBuilding, colRoom, colArea, colOwnerName, colIDNumber:
		return true
	}
	return false
}

// columnRank orders canonical column names for sorting errors: file-level
// errors (empty name) first, then the canonical column order.
func columnRank(name string) int {
	if name == "" {
		return -1
	}
	for c := column(0); c < numColumns; c++ {
		if c.name() == name {
			return int(c)
		}
	}
	return int(numColumns)
}

// lookupColumn finds the column a header cell names. The cell is compared after
// normaliseHeader; besides the canonical English and Chinese names a few
// unambiguous synonyms common in estate spreadsheets are accepted.
func lookupColumn(header string) (column, bool) {
	switch normaliseHeader(header) {
	case "building", "楼栋", "楼号", "楼栋号":
		return colBuilding, true
	case "unit", "单元", "单元号":
		return colUnit, true
	case "room", "房号", "房间号", "室号":
		return colRoom, true
	case "area", "面积":
		return colArea, true
	case "area_source", "面积来源":
		return colAreaSource, true
	case "owner_name", "业主姓名", "姓名":
		return colOwnerName, true
	case "id_number", "证件号码", "证件号", "身份证号码":
		return colIDNumber, true
	case "phone", "手机号", "手机号码":
		return colPhone, true
	case "owner_kind", "业主类型":
		return colOwnerKind, true
	case "representative", "表决代表":
		return colRepresentative, true
	case "delivered", "是否交付":
		return colDelivered, true
	case "parking", "车位", "是否车位":
		return colParking, true
	case "guardian", "监护人":
		return colGuardian, true
	}
	return noColumn, false
}

// normaliseHeader trims a header cell, drops a byte-order mark, a trailing
// required-marker "*" or "＊" and a trailing bracketed unit such as "(㎡)" or
// "（m²）", and lower-cases ASCII letters.
func normaliseHeader(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	h = strings.TrimSpace(strings.TrimRight(h, "*＊"))
	for _, open := range []string{"(", "（"} {
		if i := strings.LastIndex(h, open); i > 0 && (strings.HasSuffix(h, ")") || strings.HasSuffix(h, "）")) {
			h = strings.TrimSpace(h[:i])
			break
		}
	}
	return strings.ToLower(h)
}
