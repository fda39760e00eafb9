package handlers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"gongzhi/app/keyring"
	"gongzhi/app/pii"
	"gongzhi/app/services"
	"gongzhi/app/testkit"
	"gongzhi/handlers"
	"gongzhi/handlers/handlertest"
	"gongzhi/models"
	"gongzhi/views"
)

// TestKeyRotationKeepsEveryLinkCheckAndPhone rotates the secret key of a database
// with an open vote (ballot links handed out, a proxy ballot entered, the ballot
// notices stored encrypted) and checks on the real router over the rotated data:
// the same links are listed, an owner's identity check passes and a wrong answer
// fails, phones decrypt and ID hashes match under the new key, the notices PDF
// reads back byte for byte, and the old key is refused.
func TestKeyRotationKeepsEveryLinkCheckAndPhone(t *testing.T) {
	eachVote(t, func(t *testing.T, env *voteEnv) {
		ctx := context.Background()
		const newKey = "rotated-secret-key-0123456789abcdef0123456789"
		tok := env.DemoToken("community")
		id := env.openDemoVote(t, tok)
		before := env.credentials(t, tok, id)
		answers := idChecks(t)
		proxy := map[string]any{"name": "周代理", "id_number": "110101199003078515", "authorisation": "委托书 2026-001"}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok,
			map[string]any{"room": "1-1-201", "proxy": proxy, "choices": map[string]any{"dismiss": "oppose"}}); r.Status != 201 {
			t.Fatalf("proxy ballot: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/notices", id), tok, nil); r.Status != 201 {
			t.Fatalf("issue notices: %d %s", r.Status, r.Body)
		}
		notices := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok, nil)
		if notices.Status != 200 {
			t.Fatalf("notices: %d %s", notices.Status, notices.Body)
		}
		var owners []models.Owner
		if err := env.DB.Order("id").Find(&owners).Error; err != nil {
			t.Fatal(err)
		}
		phones := map[int64]string{}
		for _, o := range owners {
			p, err := env.Svc.PII.Decrypt(o.PhoneEnc)
			if err != nil {
				t.Fatal(err)
			}
			phones[o.ID] = p
		}

		if _, err := keyring.Load(ctx, env.DB.DB, handlertest.TestSecret); err != nil {
			t.Fatalf("recording the current key: %v", err)
		}
		if _, err := keyring.Rotate(ctx, env.DB.DB, "another-key-0123456789abcdef0123456789", newKey); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("a rotation from a key that is not the current one: %v", err)
		}
		rep, err := keyring.Rotate(ctx, env.DB.DB, handlertest.TestSecret, newKey)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Owners != len(owners) || rep.Credentials != len(uniqueCreds(before)) || rep.Ballots != 1 || rep.ProxySlots != 1 ||
			rep.DocumentParts == 0 || rep.Rotations != 1 {
			t.Fatalf("rotation report %+v (owners %d, credentials %d)", rep, len(owners), len(uniqueCreds(before)))
		}
		if _, err := keyring.Load(ctx, env.DB.DB, handlertest.TestSecret); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("the old key still loads: %v", err)
		}
		protector, err := keyring.Load(ctx, env.DB.DB, newKey)
		if err != nil {
			t.Fatal(err)
		}

		// The rotated data under the new key: phones, ID hashes, the old key opens nothing.
		var after []models.Owner
		if err := env.DB.Order("id").Find(&after).Error; err != nil {
			t.Fatal(err)
		}
		for _, o := range after {
			if p, err := protector.Decrypt(o.PhoneEnc); err != nil || p != phones[o.ID] {
				t.Fatalf("owner %d: phone %q %v after rotation, want %q", o.ID, p, err, phones[o.ID])
			}
			if o.PhoneEnc != "" {
				if _, err := env.Svc.PII.Decrypt(o.PhoneEnc); !errors.Is(err, pii.ErrBadToken) {
					t.Fatalf("owner %d: the old key still decrypts the phone: %v", o.ID, err)
				}
			}
		}
		var owner models.Owner
		if err := env.DB.Where("id_hash = ?", protector.HashID("520402195605129085")).First(&owner).Error; err != nil {
			t.Fatalf("ID hash lookup under the new key: %v", err)
		}
		var slots int64
		if err := env.DB.Model(&models.ProxySlot{}).Where("proxy_id_hash = ?", protector.HashID("110101199003078515")).Count(&slots).Error; err != nil || slots != 1 {
			t.Fatalf("proxy hash lookup under the new key: %d %v", slots, err)
		}

		// The product over the rotated data.
		svc, err := services.New(env.DB.DB, services.Options{SessionTTL: testkit.SessionTTL, SecretKey: newKey, Protector: protector,
			PublicURL: env.Config.PublicURL, BcryptCost: 4, Clock: env.Clock})
		if err != nil {
			t.Fatal(err)
		}
		renderer, err := views.New()
		if err != nil {
			t.Fatal(err)
		}
		env.App = handlers.New(handlers.Deps{Config: env.Config, DB: env.DB.DB, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Views: renderer, Svc: svc})
		env.Svc = svc
		tok = env.DemoToken("community")
		rotated := env.credentials(t, tok, id)
		for room, c := range before {
			if rotated[room].Token != c.Token {
				t.Fatalf("room %s: link changed by the rotation", room)
			}
		}
		if r := env.cast(rotated["1-1-102"].Token, "000000", map[string]any{"dismiss": "agree"}); r.Status != 403 {
			t.Fatalf("a wrong identity check after rotation: %d %s", r.Status, r.Body)
		}
		if r := env.cast(rotated["1-1-101"].Token, answers["1-1-101"], map[string]any{"dismiss": "agree"}); r.Status != 201 {
			t.Fatalf("the owner's identity check after rotation: %d %s", r.Status, r.Body)
		}
		if r := env.API("POST", fmt.Sprintf("/api/v1/votes/%d/paper-ballots", id), tok,
			map[string]any{"room": "1-1-202", "proxy": proxy, "choices": map[string]any{"dismiss": "oppose"}}); r.Status != 201 {
			t.Fatalf("the same proxy's next principal after rotation: %d %s", r.Status, r.Body)
		}
		var proxySlots []models.ProxySlot
		if err := env.DB.Where("vote_id = ?", id).Order("slot").Find(&proxySlots).Error; err != nil || len(proxySlots) != 2 ||
			proxySlots[0].ProxyIDHash != proxySlots[1].ProxyIDHash || proxySlots[1].Slot != 2 {
			t.Fatalf("the proxy is not recognised across the rotation: %+v %v", proxySlots, err)
		}
		again := env.API("GET", fmt.Sprintf("/api/v1/votes/%d/notices.pdf", id), tok, nil)
		if again.Status != 200 || !bytes.Equal(again.Body, notices.Body) {
			t.Fatalf("notices after rotation: %d, same bytes %v", again.Status, bytes.Equal(again.Body, notices.Body))
		}
	})
}

func uniqueCreds(byRoom map[string]voteCredential) map[int64]bool {
	out := map[int64]bool{}
	for _, c := range byRoom {
		out[c.VoterID] = true
	}
	return out
}
