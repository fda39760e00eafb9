// Package pdfdoc renders the platform's printed documents — the owners' assembly decision
// (业主大会决议), the per-voter meeting notice with its personal ballot QR code
// (业主大会会议表决通知书) and meeting minutes (会议记录) — as A4 PDFs from plain data.
//
// It does no counting and reads no database: callers pass figures already formatted (areas
// with two decimals, percentages) and outcomes already decided. Text is set in the embedded
// AR PL SungtiL GB font (fonts/gbsn00lp.ttf, Arphic Public License), which covers GB 2312 and
// Latin; lines are broken by character width, so Chinese text without spaces wraps correctly.
// Times print in Asia/Shanghai. With a fixed Meta.CreatedAt, equal input renders to
// byte-identical PDFs.
//
// Rendering honours its context: it is checked before every page, table row, notice and
// QR code, and a done context stops the work and is returned (wrapped), so a cancelled
// request or a passed deadline ends a large batch of notices promptly.
package pdfdoc
