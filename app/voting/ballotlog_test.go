package voting_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"gongzhi/app/ballotlog"
	"gongzhi/app/rules"
	"gongzhi/app/voting"
)

// publishedBundle publishes a closed vote, issues its resolution, checks its public
// bundle (hashes only) and returns the auditors' bundle (leaf bytes, a recount) and
// the resolution PDF.
func (e *env) publishedBundle(t *testing.T, id int64) (*ballotlog.Bundle, []byte) {
	t.Helper()
	if _, err := e.Svc.Votes.Publish(e.Ctx, e.Admin, id); err != nil {
		t.Fatalf("publish: %v", err)
	}
	f, err := e.Svc.Documents.Resolution(e.Ctx, &e.Admin, id)
	if err != nil {
		t.Fatalf("resolution: %v", err)
	}
	pub, err := e.Svc.Votes.PublicBundle(e.Ctx, id)
	if err != nil {
		t.Fatalf("public bundle: %v", err)
	}
	// The public bundle: leaf hashes only, verified without a recount, the results
	// signed by the closing head.
	for _, l := range pub.Leaves {
		if l.Leaf != "" {
			t.Fatalf("public bundle carries leaf %d's bytes", l.Seq)
		}
	}
	sum, err := ballotlog.Verify(pub, f.Data, e.Svc.Votes.LogSigner().Public())
	if err != nil || sum.Recounted || !sum.ResultsSigned || !sum.PDFHash {
		t.Fatalf("public bundle: %+v %v", sum, err)
	}
	b, err := e.Svc.Votes.AuditorBundle(e.Ctx, e.Admin, id)
	if err != nil {
		t.Fatalf("auditors' bundle: %v", err)
	}
	return b, f.Data
}

// writeBundle keeps a bundle and its PDF in $BALLOTLOG_BUNDLE_DIR, for running the
// verifier command on them by hand.
func writeBundle(t *testing.T, name string, b *ballotlog.Bundle, pdf []byte) {
	dir := os.Getenv("BALLOTLOG_BUNDLE_DIR")
	if dir == "" {
		return
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	name = strings.NewReplacer("/", "-", " ", "-").Replace(name)
	if err := os.WriteFile(dir+"/"+name+".json", raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if pdf != nil {
		_ = os.WriteFile(dir+"/"+name+".pdf", pdf, 0o644)
	}
}

// TestBallotLogGoldenCases runs every golden tally case and election
// (testdata/tally-cases.json) through the service, then verifies each vote's public
// bundle offline with its resolution PDF, and a tampered copy (one ballot's choice
// changed on the first item) is refused at that leaf.
func TestBallotLogGoldenCases(t *testing.T) {
	g := loadGolden(t)
	each(t, func(t *testing.T, e *env) {
		key := e.Svc.Votes.LogSigner().Public()
		check := func(t *testing.T, name string, id int64) {
			b, pdf := e.publishedBundle(t, id)
			writeBundle(t, e.DB.Dialect+"-"+name, b, pdf)
			sum, err := ballotlog.Verify(b, pdf, key)
			if err != nil || !sum.Recounted || !sum.ResultsSigned {
				t.Fatalf("honest bundle: %+v %v", sum, err)
			}
			t.Log(sum.String())
			// The published figures changed (and re-hashed): the recount names the
			// item, the choice and the number; without the leaves (public bundle),
			// the closing head's signature over the results refuses it.
			var doc map[string]any
			_ = json.Unmarshal(b.Results, &doc)
			if items, _ := doc["items"].(map[string]any); len(items) > 0 {
				var forged ballotlog.Bundle
				raw, _ := json.Marshal(b)
				_ = json.Unmarshal(raw, &forged)
				key0 := b.Vote.Items[0].Key
				it := items[key0].(map[string]any)
				it["agree_headcount"] = it["agree_headcount"].(float64) + 1
				forged.Results, _ = json.Marshal(doc)
				rs := sha256.Sum256(forged.Results)
				forged.ResultsSHA256 = hex.EncodeToString(rs[:])
				_, err := ballotlog.Verify(&forged, pdf, key)
				var m *ballotlog.Mismatch
				if !errors.As(err, &m) || m.Where != "results: item "+key0+" agree_headcount" {
					t.Errorf("forged results: %v", err)
				}
				for i := range forged.Leaves {
					forged.Leaves[i].Leaf = ""
				}
				forged.Kind = ballotlog.BundlePublic
				if _, err := ballotlog.Verify(&forged, pdf, key); !errors.As(err, &m) || !strings.Contains(m.What, "the published results are not the ones signed") {
					t.Errorf("forged results, public bundle: %v", err)
				}
			}
			// One changed choice in a copy.
			var tampered ballotlog.Bundle
			raw, _ := json.Marshal(b)
			_ = json.Unmarshal(raw, &tampered)
			for i, l := range tampered.Leaves {
				next := strings.Replace(l.Leaf, `"agree"`, `"oppose"`, 1)
				if next == l.Leaf { // an election: one more candidate agreed with
					next = strings.Replace(l.Leaf, `:["`, `:["zz","`, 1)
				}
				if next == l.Leaf {
					continue
				}
				tampered.Leaves[i].Leaf = next
				writeBundle(t, e.DB.Dialect+"-"+name+"-tampered", &tampered, nil)
				_, err := ballotlog.Verify(&tampered, pdf, key)
				var m *ballotlog.Mismatch
				if !errors.As(err, &m) || !strings.HasPrefix(m.Where, fmt.Sprintf("leaf %d ", i)) {
					t.Errorf("tampered leaf %d: %v", i, err)
				}
				t.Logf("tampered copy: %v", m)
				return
			}
			t.Error("no leaf to tamper with")
		}
		for _, c := range g.Cases {
			profile := rules.CivilCode2021
			t.Run(c.Name, func(t *testing.T) {
				e.Clock.Set(t0)
				estate := e.estateWithRoster(t, c.Roster)
				var items []voting.ItemInput
				for _, it := range c.Items {
					items = append(items, voting.ItemInput{Key: it.Key, Title: it.Title, Text: it.Title + "（全文）", Matter: it.Matter})
				}
				id := e.createVote(t, estate, string(profile), items)
				if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
					t.Fatal(err)
				}
				_, opens, _ := schedule()
				e.Clock.Set(opens.Add(1))
				var ballots []paperBallot
				for _, b := range c.Ballots {
					ch := voting.Choices{}
					for k, v := range b.Choices {
						ch[k] = voting.Choice{Option: v}
					}
					ballots = append(ballots, paperBallot{room: b.Room, choices: ch})
				}
				e.castAll(t, id, ballots)
				checkCase(t, e.closeAndResult(t, id), c.Expect[string(profile)])
				check(t, c.Name, id)
			})
		}
		for _, el := range g.Elections {
			t.Run(el.Name, func(t *testing.T) {
				e.Clock.Set(t0)
				estate := e.estateWithRoster(t, el.Roster)
				item := voting.ItemInput{Key: el.Name, Title: "选举业主委员会委员", Text: "选举第一届业主委员会委员", Matter: string(rules.MatterElectCommittee),
					Seats: el.Seats, Alternates: el.Alternates}
				for _, c := range el.Candidates {
					item.Candidates = append(item.Candidates, voting.CandidateInput{Key: c, Name: "候选人" + c})
				}
				id := e.createVote(t, estate, string(rules.CivilCode2021), []voting.ItemInput{item})
				if _, err := e.Svc.Votes.Open(e.Ctx, e.Admin, id); err != nil {
					t.Fatal(err)
				}
				_, opens, _ := schedule()
				e.Clock.Set(opens.Add(1))
				var ballots []paperBallot
				for _, b := range el.Ballots {
					ballots = append(ballots, paperBallot{room: b.Room, choices: voting.Choices{el.Name: {Candidates: b.Agree, IsList: true}}})
				}
				e.castAll(t, id, ballots)
				checkElection(t, e.closeAndResult(t, id), el.Name, el.Expect)
				check(t, el.Name, id)
			})
		}
	})
}
