// Package rosterfile reads, validates and writes owners' roster files
// (docs/rules.md §7). It is pure: no database, no network, no clock.
//
// # Reading
//
// Parse accepts CSV (UTF-8 with or without a byte-order mark; a file that is not
// valid UTF-8 is decoded as GB18030, which covers GBK and GB2312, as saved by
// Chinese Excel) and XLSX (the first worksheet, read with excelize's streaming
// row iterator so large files stay cheap in memory). The first non-blank row is
// the header; a column is found by its English or Chinese name in any order,
// ignoring case, surrounding space, a trailing "*" and a trailing unit in
// brackets ("面积(㎡)"). Unknown columns are ignored.
//
//	column          Chinese    required  values
//	building        楼栋        yes       non-empty
//	unit            单元        no        may be empty
//	room            房号        yes       non-empty
//	area            面积        yes       m², > 0, at most two decimals
//	area_source     面积来源    no        registered|surveyed|contract, 登记|实测|预售|合同; default registered
//	owner_name      业主姓名    yes       non-empty
//	id_number       证件号码    yes       resident ID (person) or unified social credit code (org, developer)
//	phone           手机号      no        11-digit mainland mobile; spaces, hyphens and +86 tolerated
//	owner_kind      业主类型    no        person|org|developer, 个人|单位|建设单位; default person
//	representative  表决代表    no        1/0, 是/否, true/false; default 0
//	delivered       是否交付    no        1/0, 是/否, true/false; default 1
//	parking         车位        no        1/0, 是/否, true/false; default 0
//
// Lines are numbered as the user sees them: the physical line of a CSV record
// (the header is line 1) or the worksheet row number. Blank lines are skipped.
//
// Besides each cell, the rows are checked together: all rows of one room agree
// on area, area source, delivery and parking; an ID number appears at most once
// per room and always with the same name and owner kind; a room with several
// owners names exactly one representative, and a sole owner is the room's
// representative. All errors are collected in one pass (linear in the number of
// rows) and returned together as a *ParseError, sorted by line and column; a
// file with any error yields no rows, so an import is all or nothing. Messages
// are in Chinese and never contain an ID number or a phone number in clear.
//
// # Limits
//
// Every stored value is printed on the roster and register pages, in exports and in
// each voter's notice PDF, so each cell is capped in characters (runes, not bytes),
// after trimming:
//
//	owner_name, guardian                       64  (MaxNameRunes: a full company name fits; the column holds 191)
//	building, unit, room                       32  (MaxAddressRunes: the unit and room columns hold 32)
//	area, id_number, phone, and the kind,      32  (MaxCodeRunes: the longest valid value is under 20,
//	yes/no and area-source columns                  ID numbers typed in groups and +86 phones included)
//
// A longer cell is an error on its line and column that states the cap and never
// quotes the value; the value takes part in no other check. A file holds at most
// MaxRows (200,000) data rows: the row after them is an error and reading stops. A
// cell with content right of column MaxColumns (256) is an error on its line; empty
// cells there, as spreadsheets export formatted columns, are ignored.
//
// A workbook is checked from its zip central directory before anything is unpacked:
// its parts may unpack to at most MaxUnpackedXLSX (200 MiB) in all, and a part that
// unpacks to over 1 MiB may expand at most MaxCompressionRatio (100) times; otherwise
// Parse fails with ErrTooLarge. (Real worksheets expand about tenfold; a 100,000-row
// roster unpacks to about 52 MB.) archive/zip fails a part that unpacks to more than
// it declares, so the declared sizes bound the work. excelize is given the same cap
// and keeps at most 16 MiB of a worksheet in memory, streaming larger ones from a
// temporary file.
//
// # Writing
//
// WriteXLSX streams a display roster (masked personal data) to an XLSX workbook
// with a bold Chinese header row.
package rosterfile
