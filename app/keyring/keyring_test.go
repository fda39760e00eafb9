package keyring_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gongzhi/app/auth"
	"gongzhi/app/database/dbtest"
	"gongzhi/app/demo"
	"gongzhi/app/keyring"
	"gongzhi/app/services"
	"gongzhi/models"
)

const (
	key1 = "first-secret-key-0123456789abcdef0123456789"
	key2 = "second-secret-key-0123456789abcdef012345678"
	key3 = "third-secret-key-0123456789abcdef0123456789"
)

// TestKeyringLifecycle follows one database through its keys (one database per
// dialect, the steps depend on each other): the first key is recorded, another key
// is refused, a rotation over damaged data changes nothing, an instance left
// running with the old key is told to stop, and after two rotations only the last
// key works and ID hashes and phones still match.
func TestKeyringLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		const id, phone = "520402195605129085", "17711029976" // an owner of the demo roster

		// Several instances starting together with the same key all load it.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = keyring.Load(ctx, db.DB, key1) }()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("instance %d: %v", i, err)
			}
		}
		p1, err := keyring.Load(ctx, db.DB, key1)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := services.New(db.DB, services.Options{SecretKey: key1, Protector: p1, PublicURL: "http://test.local", BcryptCost: 4})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, db.DB, svc); err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.Load(ctx, db.DB, key2); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("another key: %v, want ErrWrongKey", err)
		}

		// An install upgraded to this version has data but no key_ring row yet: a
		// key that cannot decrypt the stored phones is refused, the right one taken.
		if err := db.Exec("DELETE FROM key_ring").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.Load(ctx, db.DB, key2); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("a key that cannot decrypt the stored phones: %v", err)
		}
		if _, err := keyring.Load(ctx, db.DB, key1); err != nil {
			t.Fatalf("the right key: %v", err)
		}

		// All or nothing: a ciphertext the current key cannot open (a damaged row,
		// the last one read) stops the rotation and nothing stays rewritten.
		var owners []models.Owner
		if err := db.Order("id").Find(&owners).Error; err != nil {
			t.Fatal(err)
		}
		last := owners[len(owners)-1]
		if err := db.Exec("UPDATE owners SET phone_enc = ? WHERE id = ?", "damaged", last.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := keyring.Rotate(ctx, db.DB, key1, key2); err == nil {
			t.Fatal("a rotation over a damaged ciphertext succeeded")
		}
		if _, err := keyring.Load(ctx, db.DB, key1); err != nil {
			t.Fatalf("the database no longer takes the current key: %v", err)
		}
		var after []models.Owner
		if err := db.Order("id").Find(&after).Error; err != nil {
			t.Fatal(err)
		}
		for i, o := range after[:len(after)-1] {
			if o.IDHash != owners[i].IDHash || o.PhoneEnc != owners[i].PhoneEnc || o.IDLast6Hash != owners[i].IDLast6Hash {
				t.Fatalf("owner %d was rewritten by a rotation that failed", o.ID)
			}
		}
		if err := db.Exec("UPDATE owners SET phone_enc = ? WHERE id = ?", last.PhoneEnc, last.ID).Error; err != nil {
			t.Fatal(err)
		}

		// A rotation from a key that is not the current one is refused.
		if _, err := keyring.Rotate(ctx, db.DB, key3, key2); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("a rotation from another key: %v", err)
		}

		// An instance still running with key1 learns of the rotation and stops.
		watchCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- keyring.Watch(watchCtx, db.DB, p1.Fingerprint(), 10*time.Millisecond) }()
		if _, err := keyring.Rotate(ctx, db.DB, key1, key2); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("Watch after a rotation: %v", err)
		}
		// The sign-in back-off's rows are keyed under the old key: the rotation
		// deletes them (they are disposable).
		_, _ = svc.Auth.Login(ctx, auth.Credentials{Username: "ghost", Password: "Wrong-Pass-2026", Address: "192.0.2.1"}, auth.KindAPI)
		rep, err := keyring.Rotate(ctx, db.DB, key2, key3)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rotations != 2 || rep.Owners != len(owners) || rep.LoginThrottles != 2 {
			t.Fatalf("report %+v, %d owners, want 2 sign-in throttle rows deleted", rep, len(owners))
		}
		var throttles int64
		if err := db.Model(&models.LoginThrottle{}).Count(&throttles).Error; err != nil || throttles != 0 {
			t.Fatalf("%d sign-in throttle rows after a rotation (%v), want none", throttles, err)
		}
		for _, k := range []string{key1, key2} {
			if _, err := keyring.Load(ctx, db.DB, k); !errors.Is(err, keyring.ErrWrongKey) {
				t.Fatalf("an earlier key still loads: %v", err)
			}
		}
		p3, err := keyring.Load(ctx, db.DB, key3)
		if err != nil {
			t.Fatal(err)
		}
		var o models.Owner
		if err := db.Where("id_hash = ?", p3.HashID(id)).First(&o).Error; err != nil {
			t.Fatalf("the owner's ID hash after two rotations: %v", err)
		}
		if o.IDHash == p1.HashID(id) {
			t.Fatal("the stored hash is still the first key's")
		}
		if got, err := p3.Decrypt(o.PhoneEnc); err != nil || got != phone {
			t.Fatalf("phone after two rotations: %q %v", got, err)
		}
		if _, err := p1.Decrypt(o.PhoneEnc); err == nil {
			t.Fatal("the first key still decrypts the phone")
		}
		if _, err := keyring.Rotate(ctx, db.DB, key3, key3); err == nil {
			t.Fatal("a rotation to the same key was accepted")
		}
		// With the current key an instance runs on until its context ends.
		short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
		defer stop()
		if err := keyring.Watch(short, db.DB, p3.Fingerprint(), 10*time.Millisecond); err != nil {
			t.Fatalf("Watch with the current key: %v", err)
		}
	})
}
