package keyring_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gongzhi/app/database/dbtest"
	"gongzhi/app/demo"
	"gongzhi/app/keyring"
	"gongzhi/app/pii"
	"gongzhi/app/services"
	"gongzhi/models"
)

const (
	key1 = "first-secret-key-0123456789abcdef0123456789"
	key2 = "second-secret-key-0123456789abcdef012345678"
	key3 = "third-secret-key-0123456789abcdef0123456789"
)

// seeded loads key1 and imports the demo estate's roster under it.
func seeded(t *testing.T, db dbtest.DB) *pii.Protector {
	t.Helper()
	ctx := context.Background()
	p, err := keyring.Load(ctx, db.DB, key1)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.New(db.DB, services.Options{SecretKey: key1, Protector: p, PublicURL: "http://test.local", BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db.DB, svc); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadBindsTheDatabaseToItsFirstKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
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
		if _, err := keyring.Load(ctx, db.DB, key2); !errors.Is(err, keyring.ErrWrongKey) {
			t.Fatalf("another key: %v, want ErrWrongKey", err)
		}
		var n int64
		if err := db.Model(&models.KeyRing{}).Count(&n).Error; err != nil || n != 1 {
			t.Fatalf("key_ring rows: %d %v", n, err)
		}
	})
}

func TestTwoRotationsKeepHashesMatchingAndOnlyTheLastKeyWorks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		p1 := seeded(t, db)
		const id = "520402195605129085" // an owner of the demo roster
		if _, err := keyring.Rotate(ctx, db.DB, key1, key2); err != nil {
			t.Fatal(err)
		}
		rep, err := keyring.Rotate(ctx, db.DB, key2, key3)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rotations != 2 || rep.Owners == 0 {
			t.Fatalf("report %+v", rep)
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
		if p1.HashID(id) == o.IDHash {
			t.Fatal("the stored hash is still the first key's")
		}
		if phone, err := p3.Decrypt(o.PhoneEnc); err != nil || phone != "17711029976" {
			t.Fatalf("phone after two rotations: %q %v", phone, err)
		}
		if _, err := keyring.Rotate(ctx, db.DB, key3, key3); err == nil {
			t.Fatal("a rotation to the same key was accepted")
		}
	})
}

// TestRotationIsAllOrNothing: a ciphertext the current key cannot open (a damaged
// row) stops the rotation, and nothing it had already rewritten stays rewritten.
func TestRotationIsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db dbtest.DB) {
		ctx := context.Background()
		seeded(t, db)
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
	})
}
