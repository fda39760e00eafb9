package auditview

import (
	"context"
	"fmt"
	"time"

	"gongzhi/models"
)

// flags computes the flags worth a look (docs/audit.md):
//   - burst: ClusterMin or more online ballots within ClusterWindow (overlapping
//     windows merge into one flag);
//   - after_reissue: a ballot cast on a reissued credential (generation > 1) within
//     AfterReissue of the credential's issue;
//   - proxy_limit: a proxy holding as many principals as the profile allows;
//   - paper_late: a paper or proxy ballot whose entry time is at or after the close.
func (s *Service) flags(ctx context.Context, v models.Vote, proxyLimit int) ([]Flag, error) {
	out := []Flag{}
	bursts, err := s.bursts(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	out = append(out, bursts...)
	byAddress, err := s.addressBursts(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	out = append(out, byAddress...)

	var reissued []struct {
		ID       int64
		CastAt   time.Time
		IssuedAt time.Time
		Rooms    string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT b.id, b.cast_at, c.issued_at, vv.rooms FROM ballots b
		JOIN vote_credentials c ON c.id = b.credential_id JOIN vote_voters vv ON vv.id = b.voter_id
		WHERE b.vote_id = ? AND c.generation > 1 ORDER BY b.cast_at, b.id`, v.ID).Scan(&reissued).Error; err != nil {
		return nil, fmt.Errorf("ballots after reissue: %w", err)
	}
	for _, r := range reissued {
		if d := r.CastAt.Sub(r.IssuedAt); d >= 0 && d <= s.limits.AfterReissue {
			out = append(out, Flag{Kind: FlagAfterReissue, From: r.IssuedAt, To: r.CastAt, Count: 1, BallotIDs: []int64{r.ID},
				Detail: fmt.Sprintf("%s: %s", r.Rooms, d.Round(time.Second))})
		}
	}

	if proxyLimit > 0 {
		var proxies []struct {
			ProxyIDHash string
			N           int
		}
		if err := s.db.WithContext(ctx).Raw(`SELECT proxy_id_hash, COUNT(*) AS n FROM proxy_slots WHERE vote_id = ?
			GROUP BY proxy_id_hash HAVING COUNT(*) >= ? ORDER BY proxy_id_hash`, v.ID, proxyLimit).Scan(&proxies).Error; err != nil {
			return nil, fmt.Errorf("proxies at the limit: %w", err)
		}
		for _, px := range proxies {
			var ballots []models.Ballot
			if err := s.db.WithContext(ctx).Where("vote_id = ? AND proxy_id_hash = ? AND channel = ?", v.ID, px.ProxyIDHash, models.ChannelProxy).
				Order("cast_at, id").Find(&ballots).Error; err != nil {
				return nil, fmt.Errorf("proxy ballots: %w", err)
			}
			f := Flag{Kind: FlagProxyLimit, Count: px.N}
			for i, b := range ballots {
				if i == 0 {
					f.From, f.Detail = b.CastAt, fmt.Sprintf("%s %s (%d/%d)", b.ProxyName, b.ProxyIDMasked, px.N, proxyLimit)
				}
				f.To = b.CastAt
				f.BallotIDs = append(f.BallotIDs, b.ID)
			}
			out = append(out, f)
		}
	}

	var late []models.Ballot
	if err := s.db.WithContext(ctx).Where("vote_id = ? AND channel IN ? AND cast_at >= ?", v.ID,
		[]string{models.ChannelPaper, models.ChannelProxy}, v.ClosesAt).Order("cast_at, id").Find(&late).Error; err != nil {
		return nil, fmt.Errorf("late paper ballots: %w", err)
	}
	for _, b := range late {
		out = append(out, Flag{Kind: FlagPaperLate, From: v.ClosesAt, To: b.CastAt, Count: 1, BallotIDs: []int64{b.ID},
			Detail: fmt.Sprintf("%s %s", b.Channel, b.EnteredByName)})
	}
	return out, nil
}

// bursts finds the runs of online ballots where ClusterMin of them fall within
// ClusterWindow, reading the cast times in order.
func (s *Service) bursts(ctx context.Context, voteID int64) ([]Flag, error) {
	min, window := s.limits.ClusterMin, s.limits.ClusterWindow
	if min < 2 || window <= 0 {
		return nil, nil
	}
	var rows []struct {
		ID     int64
		CastAt time.Time
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, cast_at FROM ballots WHERE vote_id = ? AND channel = ? ORDER BY cast_at, id`,
		voteID, models.ChannelOnline).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("online ballots: %w", err)
	}
	times := make([]time.Time, len(rows))
	for i, r := range rows {
		times[i] = r.CastAt
	}
	out := []Flag{}
	for _, sp := range spansOf(times, min, window) {
		f := Flag{Kind: FlagBurst, From: rows[sp.first].CastAt, To: rows[sp.last].CastAt}
		for x := sp.first; x <= sp.last; x++ {
			f.BallotIDs = append(f.BallotIDs, rows[x].ID)
		}
		f.Count = len(f.BallotIDs)
		f.Detail = fmt.Sprintf("%d / %s", f.Count, f.To.Sub(f.From).Round(time.Second))
		out = append(out, f)
	}
	return out, nil
}

// addressBursts finds, per client address (ballots.client_hash, a keyed hash: the
// address itself is never stored), the runs where AddressMin online ballots fall
// within AddressWindow. Ballots without a hash (cast before it was recorded, or
// with no known address) are not grouped.
func (s *Service) addressBursts(ctx context.Context, voteID int64) ([]Flag, error) {
	min, window := s.limits.AddressMin, s.limits.AddressWindow
	if min < 2 || window <= 0 {
		return nil, nil
	}
	var rows []struct {
		ID         int64
		CastAt     time.Time
		ClientHash string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, cast_at, client_hash FROM ballots
		WHERE vote_id = ? AND channel = ? AND client_hash IS NOT NULL ORDER BY client_hash, cast_at, id`,
		voteID, models.ChannelOnline).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("online ballots by address: %w", err)
	}
	out := []Flag{}
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].ClientHash == rows[start].ClientHash {
			end++
		}
		group := rows[start:end]
		times := make([]time.Time, len(group))
		for i, r := range group {
			times[i] = r.CastAt
		}
		for _, sp := range spansOf(times, min, window) {
			f := Flag{Kind: FlagAddress, From: group[sp.first].CastAt, To: group[sp.last].CastAt}
			for x := sp.first; x <= sp.last; x++ {
				f.BallotIDs = append(f.BallotIDs, group[x].ID)
			}
			f.Count = len(f.BallotIDs)
			// The detail names the address by a short prefix of its keyed hash only.
			f.Detail = fmt.Sprintf("#%s: %d / %s", group[0].ClientHash[:8], f.Count, f.To.Sub(f.From).Round(time.Second))
			out = append(out, f)
		}
		start = end
	}
	return out, nil
}

// span is a run of rows [first, last] of a time-ordered list.
type span struct{ first, last int }

// spansOf returns the runs of times (in order) where min of them fall within
// window; overlapping runs merge into one.
func spansOf(times []time.Time, min int, window time.Duration) []span {
	var spans []span
	for i := 0; i+min-1 < len(times); i++ {
		j := i + min - 1
		if times[j].Sub(times[i]) > window {
			continue
		}
		// rows[i..j] is a burst: it extends the last one when they overlap.
		if n := len(spans); n > 0 && i <= spans[n-1].last {
			spans[n-1].last = j
			continue
		}
		spans = append(spans, span{i, j})
	}
	return spans
}
