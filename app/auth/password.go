package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongzhi/app"
)

// The password policy (docs/accounts.md): applied whenever a password is chosen —
// creating an account, resetting one, changing one's own.
const (
	MinPasswordRunes      = 10 // characters, counted as runes
	MaxPasswordBytes      = 72 // bcrypt reads no further
	MinDistinctRunes      = 6  // "aaaaaaaaa1" has 2
	MinCharClasses        = 3  // of lower case, upper case, caseless letters (汉字), digits, other
	PassphraseRunes       = 16 // a passphrase this long may use fewer classes
	minUsernameInPassword = 3  // usernames shorter than this are not searched for
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list, lower-cased.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// ValidatePassword checks pw, chosen for the account username, against the policy.
// The error is invalid, names field and says what is wrong.
func ValidatePassword(field, username, pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordRunes {
		return app.Invalid(field, "密码至少需要 10 个字符")
	}
	if len(pw) > MaxPasswordBytes {
		return app.Invalid(field, "密码不能超过 72 字节")
	}
	distinct := map[rune]bool{}
	var lower, upper, digit, caseless, other bool
	for _, r := range pw {
		distinct[r] = true
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r): // Chinese characters and other scripts without case
			caseless = true
		default:
			other = true
		}
	}
	if len(distinct) < MinDistinctRunes {
		return app.Invalid(field, "密码中不同的字符太少（至少 6 种不同字符）")
	}
	classes := 0
	for _, has := range []bool{lower, upper, digit, caseless, other} {
		if has {
			classes++
		}
	}
	if classes < MinCharClasses && n < PassphraseRunes {
		return app.Invalid(field, "密码须包含小写字母、大写字母、汉字等其他文字、数字、符号中的至少三类（16 个字符以上的密码不限）")
	}
	lowerPW := strings.ToLower(pw)
	if u := strings.ToLower(strings.TrimSpace(username)); utf8.RuneCountInString(u) >= minUsernameInPassword && strings.Contains(lowerPW, u) {
		return app.Invalid(field, "密码不能包含用户名")
	}
	if commonPasswords[lowerPW] {
		return app.Invalid(field, "该密码过于常见，请换一个")
	}
	return nil
}
