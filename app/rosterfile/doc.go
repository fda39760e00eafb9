// Package rosterfile reads, validates and writes owners' roster files
// (DOMAIN.md §10). It is pure: no database, no network, no clock.
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
// # Writing
//
// WriteXLSX streams a display roster (masked personal data) to an XLSX workbook
// with a bold Chinese header row.
package rosterfile
