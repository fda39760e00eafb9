package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// LotDraw is the outcome of a public lot among tied candidates (docs/rules.md "Election
// edges"): the order drawn (winners first) and the winners of the places drawn for.
type LotDraw struct {
	Seed    string
	Places  int
	Order   []string // every tied candidate, in the order the lot gave them
	Winners []string // Order[:Places]
	Method  string   // how the order follows from the seed, in Chinese, for the record
}

// lotMethod describes DrawLot so that anyone can repeat the draw from the record.
const lotMethod = "对每名并列候选人计算 SHA-256(公开种子 + \\n + 候选人编号)，按十六进制结果从小到大排列，排在前面的当选；同一种子总得出同一结果，任何人可复核"

// DrawLot settles a tie by lot from a seed drawn in public (e.g. the numbers drawn before
// witnesses). The order is the candidates sorted by SHA-256(seed + "\n" + key): the same
// seed always gives the same order, so the record can be checked by anyone. Repeated keys
// count once; places is clamped to 0..len(candidates).
func DrawLot(seed string, candidates []string, places int) LotDraw {
	keys := slices.Clone(candidates)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	score := make(map[string]string, len(keys))
	for _, k := range keys {
		sum := sha256.Sum256([]byte(seed + "\n" + k))
		score[k] = hex.EncodeToString(sum[:])
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := strings.Compare(score[a], score[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	places = min(max(places, 0), len(keys))
	return LotDraw{Seed: seed, Places: places, Order: keys, Winners: slices.Clone(keys[:places]), Method: lotMethod}
}
