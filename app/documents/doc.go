// Package documents issues, stores, publishes and verifies the platform's documents
// (issue 5): the owners' assembly decision of a closed vote (业主大会决议), the batch of
// personal ballot notices of an opened vote (表决通知书), meeting minutes (会议记录) of
// assembly and committee meetings, and PDFs published with announcements.
//
// Every document is stored byte-identical, in numbered versions ("GZ-2026-000012-V1"):
// the bytes, their SHA-256 and size, who issued them and when. A correction is a new
// version and the old one is marked superseded, never deleted. Documents are rendered by
// app/pdfdoc from the stored tally of app/voting; nothing is counted here except the
// owners' committee rule that a decision needs more than half of ALL members (integer
// arithmetic, DecideCommittee).
//
// Publication follows the jurisdiction profile: an estate's announcements (公告) —
// meeting notices, results, resolutions, committee decisions and staff announcements —
// are shown for the profile's AnnouncementShowDays (at least 15) and then archived.
// Anyone can verify a document by its number or by uploading a copy: the answer is
// whether the bytes are identical to a published version (by SHA-256) and which one.
//
// Access is decided here, once per use case. A resolution, the board and assembly minutes
// read a vote through voting.Record (voting.RecordOf for a vote already listed), which
// checks nothing; this package then decides who may have what: staff of the vote's estate
// through orgs.Estate, anyone once models.Vote.Published(). It never reads as app.System,
// which only names the actor of a resolution issued on an anonymous request.
package documents
