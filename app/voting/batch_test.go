package voting_test

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongzhi/app"
	"gongzhi/app/testkit"
	"gongzhi/app/testkit/fixtures"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// smallRosterAnswers maps each room of roster-small.csv to its identity-check answer.
func smallRosterAnswers(t *testing.T) map[string]string {
	return fixtures.IDChecks(t, "roster-small.csv")
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// optionOf is the choice a test gives voter number i on the "dismiss" item.
func optionOf(i int) string { return []string{"agree", "oppose", "abstain"}[i%3] }

// assertContents checks that every online ballot of the vote carries the content its
// voter chose, and that its receipt verifies.
func (e *env) assertContents(t *testing.T, voteID int64, wantByVoter map[int64]string) {
	t.Helper()
	var ballots []models.Ballot
	if err := e.DB.Where("vote_id = ? AND channel = ?", voteID, models.ChannelOnline).Find(&ballots).Error; err != nil {
		t.Fatal(err)
	}
	if len(ballots) != len(wantByVoter) {
		t.Errorf("%d online ballots, want %d", len(ballots), len(wantByVoter))
	}
	for _, b := range ballots {
		var c models.BallotContent
		if err := e.DB.Where("ballot_id = ?", b.ID).Take(&c).Error; err != nil {
			t.Errorf("ballot %d: no content: %v", b.ID, err)
			continue
		}
		if want := `{"dismiss":"` + wantByVoter[b.VoterID] + `"}`; c.Choices != want || c.VoteID != voteID {
			t.Errorf("voter %d: content %s of vote %d, want %s", b.VoterID, c.Choices, c.VoteID, want)
		}
		if check, err := e.Svc.Votes.VerifyReceipt(e.Ctx, b.Receipt); err != nil || check.VoteID != voteID {
			t.Errorf("receipt %s: %+v %v", b.Receipt, check, err)
		}
	}
}

func TestCastsArrivingTogetherAreWrittenTogether(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		batches := e.Svc.Votes.RecordCastBatches()
		resume := e.Svc.Votes.PauseCastWrites()
		var wg sync.WaitGroup
		errs := make([]error, len(creds))
		for i, c := range creds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: optionOf(i)}})
			}()
		}
		waitFor(t, "the casts to queue", func() bool { return e.Svc.Votes.QueuedCasts() == len(creds) })
		var stored int64
		e.DB.Model(&models.Ballot{}).Where("vote_id = ?", id).Count(&stored)
		if stored != 0 {
			t.Fatalf("%d ballots written while the writes were held", stored)
		}
		resume()
		wg.Wait()
		if got := batches(); !slices.Equal(got, []int{len(creds)}) {
			t.Errorf("batches of %v casts, want one of %d", got, len(creds))
		}
		want := map[int64]string{}
		for i, c := range creds {
			if errs[i] != nil {
				t.Errorf("cast %d: %v", i, errs[i])
			}
			want[c.VoterID] = optionOf(i)
		}
		e.assertContents(t, id, want)
	})
}

func TestCastBatchWithAVoterWhoVotedAnswersEachCast(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		// The first voter's paper ballot is entered after the online casts were read
		// and queued (so the batch meets it); the second voter casts twice at once.
		resume := e.Svc.Votes.PauseCastWrites()
		type cast struct {
			i   int
			err error
		}
		results := make(chan cast, len(creds)+1)
		castAs := func(i int) {
			c := creds[i]
			_, err := e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: optionOf(i)}})
			results <- cast{i, err}
		}
		for i := range creds {
			go castAs(i)
		}
		go castAs(1)
		waitFor(t, "the casts to queue", func() bool { return e.Svc.Votes.QueuedCasts() == len(creds)+1 })
		if _, err := e.Svc.Votes.CastPaper(e.Ctx, e.Admin, id, voting.PaperBallot{Room: creds[0].Rooms[0], Choices: voting.Choices{"dismiss": {Option: "agree"}}}); err != nil {
			t.Fatal(err)
		}
		resume()
		accepted := map[int]int{}
		conflicts := map[int]int{}
		for range len(creds) + 1 {
			r := <-results
			switch app.ErrorCode(r.err) {
			case "":
				accepted[r.i]++
			case app.EConflict:
				conflicts[r.i]++
			default:
				t.Errorf("cast %d: %v", r.i, r.err)
			}
		}
		if conflicts[0] != 1 || accepted[0] != 0 || conflicts[1] != 1 || accepted[1] != 1 || len(accepted) != len(creds)-1 || len(conflicts) != 2 {
			t.Errorf("accepted %v, conflicts %v", accepted, conflicts)
		}
		want := map[int64]string{}
		for i, c := range creds[1:] {
			want[c.VoterID] = optionOf(i + 1)
		}
		e.assertContents(t, id, want)
	})
}

func TestCastBatchIsAllOrNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		var credIDs []int64
		if err := e.DB.Model(&models.VoteCredential{}).Where("vote_id = ?", id).Order("voter_id").Pluck("id", &credIDs).Error; err != nil {
			t.Fatal(err)
		}
		var voterIDs []int64
		if err := e.DB.Model(&models.VoteCredential{}).Where("vote_id = ?", id).Order("voter_id").Pluck("voter_id", &voterIDs).Error; err != nil {
			t.Fatal(err)
		}
		if len(voterIDs) != len(creds) {
			t.Fatalf("%d credentials, %d voters", len(voterIDs), len(creds))
		}
		ballotCount := func() (ballots, contents int64) {
			e.DB.Model(&models.Ballot{}).Where("vote_id = ?", id).Count(&ballots)
			e.DB.Model(&models.BallotContent{}).Where("vote_id = ?", id).Count(&contents)
			return
		}

		// A batch of five: five ballots, each with its own content, ids in batch order.
		ids, refused, err := e.Svc.Votes.InsertCastBatch(e.Ctx, id, voterIDs[:5], credIDs[:5])
		if err != nil || refused || len(ids) != 5 {
			t.Fatalf("batch: %v refused=%v err=%v", ids, refused, err)
		}
		for i, ballotID := range ids {
			var b models.Ballot
			var c models.BallotContent
			if err := e.DB.Take(&b, ballotID).Error; err != nil || b.VoterID != voterIDs[i] {
				t.Errorf("ballot %d: voter %d, want %d (%v)", ballotID, b.VoterID, voterIDs[i], err)
			}
			if err := e.DB.Where("ballot_id = ?", ballotID).Take(&c).Error; err != nil || c.Choices != `{"voter":`+strconv.FormatInt(voterIDs[i], 10)+`}` {
				t.Errorf("content of ballot %d: %q (%v)", ballotID, c.Choices, err)
			}
		}

		// One voter of the next batch has voted: nothing of the batch is written.
		if ids, refused, err := e.Svc.Votes.InsertCastBatch(e.Ctx, id, voterIDs[4:8], credIDs[4:8]); err != nil || !refused {
			t.Errorf("batch with a voter who voted: %v refused=%v err=%v", ids, refused, err)
		}
		if b, c := ballotCount(); b != 5 || c != 5 {
			t.Errorf("%d ballots, %d contents after a refused batch, want 5 and 5", b, c)
		}

		// A closed vote refuses the whole batch.
		if err := e.DB.Model(&models.Vote{}).Where("id = ?", id).Update("state", models.VoteClosed).Error; err != nil {
			t.Fatal(err)
		}
		if ids, refused, err := e.Svc.Votes.InsertCastBatch(e.Ctx, id, voterIDs[5:8], credIDs[5:8]); err != nil || !refused {
			t.Errorf("batch of a closed vote: %v refused=%v err=%v", ids, refused, err)
		}
		if b, c := ballotCount(); b != 5 || c != 5 {
			t.Errorf("%d ballots, %d contents after a closed vote's batch, want 5 and 5", b, c)
		}
	})
}

func TestCredentialReadsTogetherAnswerEachLink(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		if _, err := e.Svc.Votes.RevokeAndReissue(e.Ctx, e.Admin, id, creds[2].VoterID, "通知单遗失"); err != nil {
			t.Fatal(err)
		}
		resume := e.Svc.Votes.PauseCredentialReads()
		tokens := []string{creds[0].Token, creds[1].Token, creds[2].Token, "unknown-link-" + strings.Repeat("x", 40), creds[3].Token}
		checks := []string{answers[creds[0].Rooms[0]], "000000", answers[creds[2].Rooms[0]], "123456", answers[creds[3].Rooms[0]]}
		want := []app.Code{"", app.EForbidden, app.EForbidden, app.ENotFound, ""}
		got := make([]error, len(tokens))
		var wg sync.WaitGroup
		for i := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, got[i] = e.Svc.Votes.CastOnline(e.Ctx, tokens[i], checks[i], voting.Choices{"dismiss": {Option: "agree"}})
			}()
		}
		waitFor(t, "the reads to queue", func() bool { return e.Svc.Votes.QueuedReads() == len(tokens) })
		resume()
		wg.Wait()
		for i := range tokens {
			if app.ErrorCode(got[i]) != want[i] {
				t.Errorf("link %d: %v, want code %q", i, got[i], want[i])
			}
		}
	})
}

func TestSecondCastOfAVoterIsRefusedWithoutAWrite(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		c := creds[0]
		first, err := e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: "agree"}})
		if err != nil {
			t.Fatal(err)
		}
		// With the writes held, a cast that reached the write queue would wait; the
		// second tap is answered from the credential read alone.
		resume := e.Svc.Votes.PauseCastWrites()
		defer resume()
		done := make(chan error, 1)
		go func() {
			_, err := e.Svc.Votes.CastOnline(e.Ctx, c.Token, answers[c.Rooms[0]], voting.Choices{"dismiss": {Option: "oppose"}})
			done <- err
		}()
		select {
		case err := <-done:
			if app.ErrorCode(err) != app.EConflict || !strings.Contains(testkit.Chinese(app.MsgOf(err)), "已于") {
				t.Errorf("second cast: %v, want a 409 saying when the first was cast", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the second cast waited for a write (%d queued)", e.Svc.Votes.QueuedCasts())
		}
		var ballots []models.Ballot
		e.DB.Where("vote_id = ?", id).Find(&ballots)
		if len(ballots) != 1 || ballots[0].Receipt != first.Code {
			t.Errorf("ballots after the second tap: %+v", ballots)
		}
	})
}
