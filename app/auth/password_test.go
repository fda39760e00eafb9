package auth

import (
	"testing"
	"time"

	"gongzhi/app"
)

func TestValidatePassword(t *testing.T) {
	cases := []struct {
		pw, username string
		ok           bool
	}{
		{"aaaaaaaaa1", "clerk", false},        // two distinct characters
		{"Aa1aaaaaaa", "clerk", false},        // three classes, three distinct characters
		{"Short1!x", "clerk", false},          // too short
		{"1234567890", "clerk", false},        // one class
		{"abcdefghij", "clerk", false},        // one class
		{"abcdefg123", "clerk", false},        // two classes, short of a passphrase
		{"Password123", "clerk", false},       // common
		{"P@ssw0rd123", "clerk", false},       // common
		{"Woaini1314", "clerk", false},        // common
		{"Clerk-Lamp-2026", "clerk", false},   // contains the username, any case
		{"Kettle&Moon-42", "clerk", true},     // four classes
		{"tea kettle moon river", "x", true},  // a passphrase: two classes, 21 characters
		{"月亮河边的小茶壶-2026", "clerk", true},      // Chinese characters are a class of their own
		{"月亮河边的小茶壶2026", "clerk", false},      // two classes
		{"Demo2026street", "street", false},   // the demo passwords would not pass: they are seeded without the policy
		{string(make([]byte, 73)), "", false}, // over bcrypt's 72 bytes
	}
	for _, c := range cases {
		err := ValidatePassword("new_password", c.username, c.pw)
		if (err == nil) != c.ok {
			t.Errorf("%q (user %q): %v, want ok=%v", c.pw, c.username, err, c.ok)
		}
		if err != nil {
			ae := app.AsError(err)
			if ae.Code != app.EInvalid || len(ae.Details) != 1 || ae.Details[0].Field != "new_password" {
				t.Errorf("%q: %+v, want invalid naming new_password", c.pw, ae)
			}
		}
	}
	for i := 0; i < 20; i++ {
		pw, err := GeneratePassword()
		if err != nil || ValidatePassword("password", "", pw) != nil {
			t.Fatalf("generated %q: %v", pw, err)
		}
	}
}

func TestBackOffDelay(t *testing.T) {
	want := map[int]time.Duration{0: 0, 4: 0, 5: 30 * time.Second, 6: time.Minute, 7: 2 * time.Minute, 8: 4 * time.Minute,
		9: 5 * time.Minute, 40: 5 * time.Minute, 1 << 30: 5 * time.Minute}
	for f, d := range want {
		if got := delay(f, 5, 30*time.Second, 5*time.Minute); got != d {
			t.Errorf("delay after %d failures = %v, want %v", f, got, d)
		}
	}
}
