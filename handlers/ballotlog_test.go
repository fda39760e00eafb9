package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/ballotlog"
)

// batchObserver records the largest group commit of online casts.
type batchObserver struct {
	mu  sync.Mutex
	max int
}

func (o *batchObserver) CastDone(app.Code, time.Duration) {}
func (o *batchObserver) CastQueue(int)                    {}
func (o *batchObserver) CastBatch(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.max = max(o.max, n)
}

// logHeadJSON is a signed head as the API writes it.
type logHeadJSON = ballotlog.Head

// receiptLogJSON is GET /api/v1/receipts/{code} with its log proof.
type receiptLogJSON struct {
	Receipt string `json:"receipt"`
	Log     *struct {
		VoteID int64          `json:"vote_id"`
		Seq    uint64         `json:"seq"`
		Leaf   string         `json:"leaf"`
		Proof  []string       `json:"inclusion_proof"`
		Head   ballotlog.Head `json:"head"`
	} `json:"log"`
}

// checkReceiptProof fetches a receipt and checks its leaf, inclusion proof and
// signed head; it returns the head.
func checkReceiptProof(t *testing.T, env *voteEnv, code string, key []byte) ballotlog.Head {
	t.Helper()
	r := env.API("GET", "/api/v1/receipts/"+code, "", nil)
	if r.Status != 200 {
		t.Fatalf("receipt %s: %d %s", code, r.Status, r.Body)
	}
	var got receiptLogJSON
	r.JSON(t, &got)
	if got.Log == nil {
		t.Fatalf("receipt %s carries no log proof: %s", code, r.Body)
	}
	leaf, err := ballotlog.ParseLeaf([]byte(got.Log.Leaf))
	if err != nil || leaf.Receipt != code || leaf.Seq != got.Log.Seq {
		t.Fatalf("receipt %s: leaf %+v, %v", code, leaf, err)
	}
	if err := got.Log.Head.Verify(key); err != nil {
		t.Fatalf("receipt %s: head signature: %v", code, err)
	}
	pr, err := ballotlog.ParseHexHashes(got.Log.Proof)
	if err != nil {
		t.Fatal(err)
	}
	if err := ballotlog.VerifyInclusion([]byte(got.Log.Leaf), got.Log.Seq, pr, got.Log.Head); err != nil {
		t.Fatalf("receipt %s: inclusion proof: %v", code, err)
	}
	return got.Log.Head
}

// checkReceiptPending fetches a receipt no signed head covers yet, by the API and
// by the web page: its leaf is shown, marked pending, with no proof or head, and
// the reads stored no head (a GET signs nothing).
func checkReceiptPending(t *testing.T, env *voteEnv, code string) {
	t.Helper()
	heads := func() int64 {
		var n int64
		if err := env.DB.Raw("SELECT COUNT(*) FROM ballot_log_heads").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := heads()
	r := env.API("GET", "/api/v1/receipts/"+code, "", nil)
	var got struct {
		Log *struct {
			Leaf    string          `json:"leaf"`
			Pending bool            `json:"pending"`
			Proof   []string        `json:"inclusion_proof"`
			Head    *ballotlog.Head `json:"head"`
		} `json:"log"`
	}
	r.JSON(t, &got)
	if r.Status != 200 || got.Log == nil || !got.Log.Pending || got.Log.Head != nil || got.Log.Proof != nil {
		t.Fatalf("receipt %s before any head covers it: %d %s", code, r.Status, r.Body)
	}
	if l, err := ballotlog.ParseLeaf([]byte(got.Log.Leaf)); err != nil || l.Receipt != code {
		t.Fatalf("receipt %s: pending leaf %+v, %v", code, l, err)
	}
	page := env.Browser().Get("/receipt?code=" + code)
	if page.Status != 200 || !bytes.Contains(page.Body, []byte(`id="log-pending"`)) || bytes.Contains(page.Body, []byte(`id="log-proof"`)) {
		t.Fatalf("receipt page %s before any head covers it: %d", code, page.Status)
	}
	if after := heads(); after != before {
		t.Fatalf("reading receipt %s stored %d signed heads", code, after-before)
	}
}

// TestBallotLogProofsAndBundles casts every voter of a vote at once through the HTTP
// API (group commit), voids one ballot and re-enters it on paper, and checks: every
// receipt's inclusion proof against a signed head, a consistency proof from a head
// signed while the vote was open to the closing head, a 404 for an unknown receipt,
// the auditors' and (after publication) the public bundle verified offline, and the
// database refusing UPDATE and DELETE on ballots, their contents and the log.
func TestBallotLogProofsAndBundles(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		tok := env.DemoToken("street")
		id := env.openDemoVote(t, tok)
		var keyJSON struct {
			PublicKey string `json:"public_key"`
			KeyID     string `json:"key_id"`
		}
		env.API("GET", "/api/v1/log-key", "", nil).JSON(t, &keyJSON)
		key, err := ballotlog.ParsePublicKey(keyJSON.PublicKey)
		if err != nil || ballotlog.KeyID(key) != keyJSON.KeyID {
			t.Fatalf("log key %+v: %v", keyJSON, err)
		}
		// A head signed when the vote opened, before any ballot.
		r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/log/checkpoints", id), tok, nil)
		if r.Status != 201 {
			t.Fatalf("checkpoint: %d %s", r.Status, r.Body)
		}
		var first struct {
			Head ballotlog.Head `json:"head"`
		}
		r.JSON(t, &first)
		if first.Head.Size != 0 || first.Head.Verify(key) != nil {
			t.Fatalf("opening head %+v", first.Head)
		}

		// Every voter at once: the casts share group commits.
		creds := env.credentials(t, tok, id)
		answers := idChecks(t)
		type caster struct{ room, token string }
		var casters []caster
		seen := map[int64]bool{}
		for room, c := range creds {
			if !seen[c.VoterID] {
				seen[c.VoterID] = true
				casters = append(casters, caster{room, c.Token})
			}
		}
		obs := &batchObserver{}
		env.Svc.Votes.SetObserver(obs)
		receipts := make([]string, len(casters))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, c := range casters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				choice := []string{"agree", "oppose", "abstain"}[i%3]
				body, _ := json.Marshal(map[string]any{"id_check": answers[c.room], "choices": map[string]any{"dismiss": choice, "fund": "agree"}})
				<-start
				req := httptest.NewRequest("POST", "/api/v1/ballots/"+c.token, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				resp, err := env.App.Test(req, -1)
				if err != nil {
					t.Errorf("cast %s: %v", c.room, err)
					return
				}
				defer resp.Body.Close()
				raw, _ := io.ReadAll(resp.Body)
				var rec struct {
					Receipt string `json:"receipt"`
				}
				if resp.StatusCode != 201 || json.Unmarshal(raw, &rec) != nil {
					t.Errorf("cast %s: %d %s", c.room, resp.StatusCode, raw)
					return
				}
				receipts[i] = rec.Receipt
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		if obs.max < 2 {
			t.Errorf("largest group commit %d: the casts were not batched", obs.max)
		}
		t.Logf("%d casts, largest group commit %d", len(casters), obs.max)
		// Online casts' leaves are numbered by the sequencer just after their commit
		// (app/voting/sequencer.go); its pass now makes sure every one is.
		if _, err := env.Svc.Votes.SequenceLogs(context.Background()); err != nil {
			t.Fatal(err)
		}
		// No head covers the new ballots yet: their receipts say so (pending), and
		// reading them, by the API or the web page, signs and stores nothing.
		for _, code := range receipts {
			checkReceiptPending(t, env, code)
		}
		r = env.API("POST", fmt.Sprintf("/api/v1/votes/%d/log/checkpoints", id), tok, nil)
		var mid struct {
			Head ballotlog.Head `json:"head"`
		}
		r.JSON(t, &mid)
		if mid.Head.Size != uint64(len(casters)) {
			t.Fatalf("checkpoint after %d casts: %d %s", len(casters), r.Status, r.Body)
		}
		for _, code := range receipts {
			if h := checkReceiptProof(t, env, code, key); h != mid.Head {
				t.Errorf("receipt %s proved against %+v, not the latest head %+v", code, h, mid.Head)
			}
		}

		// A void and a paper re-entry: two more leaves.
		var ballotID int64
		if err := env.DB.Raw("SELECT id FROM ballots WHERE receipt = ?", receipts[0]).Scan(&ballotID).Error; err != nil {
			t.Fatal(err)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/ballots/%d/void", id, ballotID), tok, map[string]any{"reason": "业主书面声明线上投票非本人所投"}); r.Status != 200 {
			t.Fatalf("void: %d %s", r.Status, r.Body)
		}
		r = env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok,
			map[string]any{"room": casters[0].room, "choices": map[string]any{"dismiss": "oppose", "fund": "oppose"}})
		if r.Status != 201 {
			t.Fatalf("paper ballot: %d %s", r.Status, r.Body)
		}
		var paper struct {
			Receipt string `json:"receipt"`
		}
		r.JSON(t, &paper)
		checkReceiptPending(t, env, paper.Receipt)
		// The checkpoint worker's pass signs the head that covers it; a second pass
		// signs nothing (the log has not grown).
		if n, err := env.Svc.Votes.CheckpointOpen(context.Background()); err != nil || n != 1 {
			t.Errorf("checkpoint pass: %d heads, %v", n, err)
		}
		checkReceiptProof(t, env, paper.Receipt, key)
		if n, err := env.Svc.Votes.CheckpointOpen(context.Background()); err != nil || n != 0 {
			t.Errorf("second checkpoint pass: %d heads, %v", n, err)
		}

		// Unknown receipt: 404, nothing else.
		if r := env.API("GET", "/api/v1/receipts/AAAA-BBBB-CCCC-DDDD", "", nil); r.Status != 404 || bytes.Contains(r.Body, []byte("log")) {
			t.Errorf("unknown receipt: %d %s", r.Status, r.Body)
		}

		// Close; the closing head covers every leaf and extends the open-time heads.
		env.Clock.Set(voteCloses().Add(time.Second))
		env.results(t, tok, id)
		var heads struct {
			Heads []logHeadJSON `json:"heads"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/log/heads", id), "", nil).JSON(t, &heads)
		closing := heads.Heads[len(heads.Heads)-1]
		if closing.Kind != ballotlog.HeadClose || closing.Size != uint64(len(casters)+2) || closing.Verify(key) != nil {
			t.Fatalf("closing head %+v of %d heads", closing, len(heads.Heads))
		}
		for _, from := range []ballotlog.Head{first.Head, mid.Head} {
			r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/log/consistency?from=%d&to=%d", id, from.Size, closing.Size), "", nil)
			var cons struct {
				From  ballotlog.Head `json:"from"`
				To    ballotlog.Head `json:"to"`
				Proof []string       `json:"consistency_proof"`
			}
			r.JSON(t, &cons)
			pr, err := ballotlog.ParseHexHashes(cons.Proof)
			if err != nil || r.Status != 200 {
				t.Fatalf("consistency %d→%d: %d %s", from.Size, closing.Size, r.Status, r.Body)
			}
			if err := ballotlog.VerifyConsistency(from, closing, pr); err != nil {
				t.Errorf("consistency %d→%d: %v", from.Size, closing.Size, err)
			}
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/log/consistency?from=%d&to=%d", id, 1, closing.Size), "", nil); r.Status != 422 && r.Status != 400 {
			t.Errorf("consistency from an unsigned size: %d", r.Status)
		}

		// Bundles: the auditors' now, the public one only once published.
		r = env.API("GET", fmt.Sprintf("/api/v1/votes/%d/auditor-bundle.json", id), env.DemoToken("auditor"), nil)
		if r.Status != 200 {
			t.Fatalf("auditor bundle: %d %s", r.Status, r.Body)
		}
		b, err := ballotlog.DecodeBundle(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if sum, err := ballotlog.Verify(b, nil, key); err != nil || sum.Counted != len(casters) || sum.Voided != 1 || len(b.Rooms) != len(casters)+1 {
			t.Fatalf("auditor bundle: %+v, %v (%d rooms)", sum, err, len(b.Rooms))
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/bundle.json", id), "", nil); r.Status != 404 {
			t.Errorf("public bundle before publication: %d", r.Status)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/publish", id), tok, nil); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
		// The resolution carries the closing root, and so does its verification page.
		pdf := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/resolution.pdf", id), "", nil)
		number := pdf.Header.Get("X-Document-Number")
		if pdf.Status != 200 || number == "" {
			t.Fatalf("resolution: %d %s", pdf.Status, pdf.Header)
		}
		if page := env.Browser().Get("/verify/" + number); page.Status != 200 || !bytes.Contains(page.Body, []byte(`id="log-root"`)) ||
			!bytes.Contains(page.Body, []byte(closing.RootHash)) {
			t.Errorf("verification page without the closing root %s: %d", closing.RootHash, page.Status)
		}
		// The receipt page shows the ballot's place in the log.
		if page := env.Browser().Get("/receipt?code=" + receipts[1]); page.Status != 200 || !bytes.Contains(page.Body, []byte(`id="receipt-log"`)) {
			t.Errorf("receipt page without its log entry: %d", page.Status)
		}
		r = env.API("GET", fmt.Sprintf("/api/v1/votes/%d/bundle.json", id), "", nil)
		if r.Status != 200 {
			t.Fatalf("public bundle: %d %s", r.Status, r.Body)
		}
		pb, err := ballotlog.DecodeBundle(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if sum, err := ballotlog.Verify(pb, pdf.Body, key); err != nil || len(pb.Rooms) != 0 || !sum.PDFHash {
			t.Fatalf("public bundle: %+v, %v", sum, err)
		} else {
			t.Log(sum.String())
		}
		if dir := os.Getenv("BALLOTLOG_BUNDLE_DIR"); dir != "" {
			_ = os.WriteFile(fmt.Sprintf("%s/api-%s.json", dir, env.DB.Dialect), r.Body, 0o644)
		}

		// Staff see rooms beside ballots, so never an online ballot's receipt code (with
		// it the receipt API shows the ballot's leaf); the auditors' bundle is the
		// workspace roles' only.
		var listed []struct {
			Channel string `json:"channel"`
			Receipt string `json:"receipt"`
		}
		env.API("GET", fmt.Sprintf("/api/v1/votes/%d/ballots", id), tok, nil).JSON(t, &listed)
		for _, b := range listed {
			if b.Channel == "online" && b.Receipt != "" {
				t.Fatalf("staff ballot list shows an online receipt: %+v", b)
			}
		}
		if r := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/auditor-bundle.json", id), env.DemoToken("committee"), nil); r.Status != 403 {
			t.Errorf("auditors' bundle for the committee: %d", r.Status)
		}

		// The database itself refuses to change or remove what was cast.
		for _, q := range []string{
			"UPDATE ballots SET note = 'changed'",
			"DELETE FROM ballots",
			"UPDATE ballot_contents SET choices = '{}'",
			"DELETE FROM ballot_contents",
			"UPDATE ballot_voids SET reason = 'x'",
			"DELETE FROM ballot_voids",
			"UPDATE ballot_log_leaves SET leaf = ''",
			"DELETE FROM ballot_log_leaves",
			"DELETE FROM ballot_log_heads",
			// REPLACE deletes and re-inserts: SQLite fires the DELETE triggers for it only
			// with recursive_triggers on (app/database sets it).
			"REPLACE INTO ballot_contents SELECT * FROM ballot_contents",
			"REPLACE INTO ballots SELECT * FROM ballots",
			"REPLACE INTO ballot_log_leaves SELECT * FROM ballot_log_leaves",
		} {
			if err := env.DB.Exec(q).Error; err == nil {
				t.Errorf("%s: accepted by the database", q)
			}
		}
		var n int64
		env.DB.Raw("SELECT COUNT(*) FROM ballots WHERE vote_id = ?", id).Scan(&n)
		if n != int64(len(casters)+1) {
			t.Errorf("%d ballots after the refused statements, want %d", n, len(casters)+1)
		}
	})
}

// withoutKey is m without key k.
func withoutKey(m map[string]any, k string) map[string]any {
	out := make(map[string]any, len(m))
	for key, v := range m {
		if key != k {
			out[key] = v
		}
	}
	return out
}
