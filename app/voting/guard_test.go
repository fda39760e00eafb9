package voting_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"gongzhi/app"
	"gongzhi/app/testkit"
	"gongzhi/app/voting"
	"gongzhi/models"
)

// guardAttempt is one identity check sent to a link: through the cast (the API's
// door) or through the web's check (CheckIdentity), with a right or a wrong answer.
type guardAttempt struct {
	web   bool
	right bool
}

// sendInOrder queues the attempts on one link in the order given, with the
// admissions held, then lets them through together and returns each one's error.
func sendInOrder(t *testing.T, e *env, token, answer string, attempts []guardAttempt) []error {
	t.Helper()
	resume := e.Svc.Votes.PauseCredentialReads()
	errs := make([]error, len(attempts))
	var wg sync.WaitGroup
	for i, a := range attempts {
		check := fmt.Sprintf("X%05d", i)
		if a.right {
			check = answer
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a.web {
				_, errs[i] = e.Svc.Votes.CheckIdentity(e.Ctx, token, check)
				return
			}
			_, errs[i] = e.Svc.Votes.CastOnline(e.Ctx, token, check, voting.Choices{"dismiss": {Option: "agree"}})
		}()
		waitFor(t, "the check to queue", func() bool { return e.Svc.Votes.QueuedReads() == i+1 })
	}
	resume()
	wg.Wait()
	return errs
}

func credentialOf(t *testing.T, e *env, voteID, voterID int64) models.VoteCredential {
	t.Helper()
	var c models.VoteCredential
	if err := e.DB.Where("vote_id = ? AND voter_id = ? AND status <> ?", voteID, voterID, models.CredentialRevoked).Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	return c
}

// Checks of one link arriving together are counted before they are compared, in
// their order of arrival and whichever door they came through: once the limit of
// wrong answers is counted, the right answer is refused as locked and nothing is
// written; an answer that came before the limit passes.
func TestIdentityChecksAreCountedBeforeCompared(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id, creds := e.openSmallVoteWithLinks(t)
		answers := smallRosterAnswers(t)
		wrong, right := guardAttempt{}, guardAttempt{right: true}
		wrongWeb, rightWeb := guardAttempt{web: true}, guardAttempt{web: true, right: true}

		// Five wrong answers (three cast, two web checks) queued before the right
		// one, through each door: refused, locked, no ballot, five events.
		for n, last := range []guardAttempt{right, rightWeb} {
			c := creds[n]
			errs := sendInOrder(t, e, c.Token, answers[c.Rooms[0]], []guardAttempt{wrong, wrongWeb, wrong, wrongWeb, wrong, last})
			for i, err := range errs {
				if app.ErrorCode(err) != app.EForbidden {
					t.Errorf("link %d, attempt %d: %v, want 403", n, i, err)
				}
			}
			if !strings.Contains(testkit.Chinese(app.MsgOf(errs[4])), "锁定") || !strings.Contains(testkit.Chinese(app.MsgOf(errs[5])), "锁定") {
				t.Errorf("link %d: the fifth wrong answer and the right one after it: %v / %v, want the lock", n, errs[4], errs[5])
			}
			cred := credentialOf(t, e, id, c.VoterID)
			if cred.Status != models.CredentialLocked || cred.FailedChecks != 5 || cred.LockedAt == nil {
				t.Errorf("link %d: %+v, want locked after 5", n, cred)
			}
			var ballots, events int64
			e.DB.Model(&models.Ballot{}).Where("vote_id = ? AND voter_id = ?", id, c.VoterID).Count(&ballots)
			e.DB.Model(&models.VoteEvent{}).Where("credential_id = ? AND kind = ?", cred.ID, "id_check_failed").Count(&events)
			if ballots != 0 || events != 5 {
				t.Errorf("link %d: %d ballots, %d failed-check events", n, ballots, events)
			}
		}

		// The right answer second: it passes, and the wrong ones after it are counted
		// up to four, so the link stays active and the ballot is written.
		c := creds[2]
		errs := sendInOrder(t, e, c.Token, answers[c.Rooms[0]], []guardAttempt{wrong, right, wrongWeb, wrong, wrong})
		if errs[1] != nil {
			t.Errorf("the right answer second: %v", errs[1])
		}
		cred := credentialOf(t, e, id, c.VoterID)
		if cred.Status != models.CredentialActive || cred.FailedChecks != 4 {
			t.Errorf("after 4 wrong answers and a right one: %+v", cred)
		}
		var ballots int64
		e.DB.Model(&models.Ballot{}).Where("vote_id = ? AND voter_id = ?", id, c.VoterID).Count(&ballots)
		if ballots != 1 {
			t.Errorf("%d ballots for the right answer", ballots)
		}

		// The right answer second again, but five wrong ones after it lock the link
		// before its ballot is written: the cast's transaction re-reads the lock and
		// refuses it.
		c = creds[3]
		errs = sendInOrder(t, e, c.Token, answers[c.Rooms[0]], []guardAttempt{right, wrong, wrong, wrong, wrong, wrong})
		if app.ErrorCode(errs[0]) != app.EForbidden || !strings.Contains(testkit.Chinese(app.MsgOf(errs[0])), "锁定") {
			t.Errorf("a cast whose link locked after its check: %v, want the lock", errs[0])
		}
		e.DB.Model(&models.Ballot{}).Where("vote_id = ? AND voter_id = ?", id, c.VoterID).Count(&ballots)
		if cred := credentialOf(t, e, id, c.VoterID); ballots != 0 || cred.Status != models.CredentialLocked || cred.FailedChecks != 5 {
			t.Errorf("%d ballots, credential %+v", ballots, cred)
		}
	})
}
