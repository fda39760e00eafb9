package app

import (
	"fmt"
	"regexp"
	"strings"
)

// Msg is a user-facing message: a key of the translation catalogue
// (views/i18n/err.<package>.<lang>.json) and its arguments, rendered in the request's
// language at the edge (handlers). Args are positional: the catalogue names them
// {{.A1}}, {{.A2}}, ...; an argument that is itself a Msg is translated first. A Msg
// with no key is plain Text, already in the reader's language (user data, a message a
// handler translated itself).
type Msg struct {
	Key  string
	Args []any
	Text string
}

// M is the message key with its arguments.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Plain is a message that needs no translation.
func Plain(text string) Msg { return Msg{Text: text} }

// IsZero reports a message with neither key nor text.
func (m Msg) IsZero() bool { return m.Key == "" && m.Text == "" }

// String is the plain rendering for logs and the command line: the text, or the key
// with its arguments.
func (m Msg) String() string {
	if m.Key == "" {
		return m.Text
	}
	if len(m.Args) == 0 {
		return m.Key
	}
	parts := make([]string, len(m.Args))
	for i, a := range m.Args {
		parts[i] = fmt.Sprint(a)
	}
	return m.Key + "(" + strings.Join(parts, ", ") + ")"
}

// keyPattern is what a catalogue key of a message looks like: err.<package>.<slug>.
var keyPattern = regexp.MustCompile(`^err\.[a-z0-9_]+\.[a-z0-9_]+$`)

// IsKey reports whether s is a message key (a stored code) rather than words.
func IsKey(s string) bool { return keyPattern.MatchString(s) }

// Translator renders a catalogue key with its named arguments in one language;
// views.Renderer provides it per request.
type Translator func(key string, data map[string]any) (string, bool)

// In renders m with tr; a key the catalogue lacks renders as m.String().
func (m Msg) In(tr Translator) string {
	if m.Key == "" {
		return m.Text
	}
	data := make(map[string]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(Msg); ok {
			a = sub.In(tr)
		}
		data[fmt.Sprintf("A%d", i+1)] = a
	}
	if tr != nil {
		if s, ok := tr(m.Key, data); ok {
			return s
		}
	}
	return m.String()
}

// Text is what a message may be given as: a catalogue Msg or plain text.
type Text interface{ ~string | Msg }

// asMsg turns either kind of Text into a Msg.
func asMsg[T Text](t T) Msg {
	switch v := any(t).(type) {
	case Msg:
		return v
	default:
		return Plain(fmt.Sprint(v))
	}
}
