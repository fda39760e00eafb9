// Package app is the application core of the owners' self-governance platform.
//
// It holds what every capability shares: the application error type with its codes
// (mapped to HTTP statuses only in handlers), the signed-in principal with its role and
// jurisdiction, and request-scoped context values. Each capability lives in its own
// sub-package (auth, orgs, roster, voting, ...) as a service whose methods take a
// context first and run one transaction per use case. Nothing under app imports fiber.
package app

import (
	"context"
	"errors"
	"fmt"
)

// Code classifies an application error; handlers map it to an HTTP status.
type Code string

// The error codes of the JSON API (API.md "Errors").
const (
	EInvalid      Code = "invalid"      // the caller's input is wrong (400/422)
	ENotFound     Code = "not_found"    // no such thing, or not in the caller's jurisdiction (404)
	EConflict     Code = "conflict"     // the state forbids it, e.g. already voted (409)
	EForbidden    Code = "forbidden"    // known caller, not allowed (403)
	EUnauthorized Code = "unauthorized" // no or bad credentials (401)
	EGone         Code = "gone"         // no longer or not yet available, e.g. a closed vote (410)
	ERateLimited  Code = "rate_limited" // too many attempts (429)
	EInternal     Code = "internal"     // our fault; details are logged, never shown (500)
)

// EPasswordChange: the password was reset by someone else and must be changed before
// the account may do anything else (403).
const EPasswordChange Code = "password_change_required"

// Detail names one field or one row/column of the input that is wrong; Msg says
// what is wrong (handlers translate it into the request's language).
type Detail struct {
	Row    int
	Column string
	Field  string
	Msg    Msg
}

// Error is the one application error type. Msg is safe to show to the user: a
// catalogue key that the HTTP layer renders in the request's language (one language
// per answer); Err, when set, is the internal cause and is only logged.
type Error struct {
	Code    Code
	Msg     Msg
	Details []Detail
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

// Unwrap exposes the internal cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Err }

// Fail builds an application error whose message is the catalogue key with its
// arguments (see Msg).
func Fail(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Msg: M(key, args...)}
}

// Errorf builds an application error with a message that needs no translation
// (formatted plain text, e.g. already translated by a handler).
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: Plain(fmt.Sprintf(format, args...))}
}

// Invalid reports one bad field; message is a catalogue Msg (or plain text).
func Invalid[T Text](field string, message T) *Error {
	m := asMsg(message)
	return &Error{Code: EInvalid, Msg: m, Details: []Detail{{Field: field, Msg: m}}}
}

// Internal wraps an unexpected failure; the user sees only a generic message.
func Internal(err error) *Error {
	return &Error{Code: EInternal, Msg: M("err.app.internal_error"), Err: err}
}

// ErrorCode returns the code of an application error anywhere in err's chain,
// EInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// AsError returns the application error in err's chain, or an internal error wrapping err.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

type ctxKey int

const requestIDKey ctxKey = 1

// WithRequestID returns a context carrying the request id, for logs and the audit trail.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// AsErrorOrNil is AsError that keeps nil as nil, for returning a transaction's result.
func AsErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return AsError(err)
}

// InvalidDetails reports several bad fields at once; the message is the first one's.
func InvalidDetails(details []Detail) *Error {
	e := &Error{Code: EInvalid, Details: details}
	if len(details) > 0 {
		e.Msg = details[0].Msg
	}
	return e
}

// MsgOf is the user-facing message of err: the message of the application error in
// its chain, else the error's text as it is.
func MsgOf(err error) Msg {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return Plain(err.Error())
}
