// Package httpx holds what the JSON API and the web pages share: the mapping of
// application errors to HTTP statuses and bodies, strict JSON binding with field
// validation, the signed-in principal in the request, request contexts with
// deadlines, CSRF protection, and the request log.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
)

// Keys of values stored in fiber Locals.
const (
	LocalPrincipal = "principal"
	LocalCSRF      = "csrf"
	LocalLang      = "lang"
	LocalRequestID = "requestid"
)

// Status maps an application error code to its HTTP status.
func Status(code app.Code) int {
	switch code {
	case app.EInvalid:
		return fiber.StatusUnprocessableEntity
	case app.ENotFound:
		return fiber.StatusNotFound
	case app.EConflict:
		return fiber.StatusConflict
	case app.EForbidden, app.EPasswordChange:
		return fiber.StatusForbidden
	case app.EUnauthorized:
		return fiber.StatusUnauthorized
	case app.EGone:
		return fiber.StatusGone
	case app.ERateLimited:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusInternalServerError
}

// Malformed marks input that could not be read at all (bad JSON, wrong types,
// unknown fields): 400 rather than 422.
type Malformed struct{ Err *app.Error }

func (m *Malformed) Error() string { return m.Err.Error() }

// Unwrap exposes the application error.
func (m *Malformed) Unwrap() error { return m.Err }

// ErrorBody is the JSON body of every 4xx/5xx response (API.md "Errors").
type ErrorBody struct {
	Error ErrorObject `json:"error"`
}

// ErrorObject is the inner error object: the message and every detail's in one
// language (the request's).
type ErrorObject struct {
	Code      app.Code      `json:"code"`
	Message   string        `json:"message"`
	Details   []ErrorDetail `json:"details,omitempty"`
	RequestID string        `json:"request_id,omitempty"`
}

// ErrorDetail names one field or one row/column of the input that is wrong.
type ErrorDetail struct {
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Localize renders an application error's message and details with tr (the
// catalogue of the request's language).
func Localize(ae *app.Error, tr app.Translator) (string, []ErrorDetail) {
	var details []ErrorDetail
	for _, d := range ae.Details {
		details = append(details, ErrorDetail{Row: d.Row, Column: d.Column, Field: d.Field, Message: d.Msg.In(tr)})
	}
	return ae.Msg.In(tr), details
}

// LangCookie is the cookie that keeps the UI language.
const LangCookie = "gz_lang"

// Lang is the language to answer c in, one of langs (the default first): the page's
// (set by the web's language middleware), else the first of Accept-Language that
// langs has (JSON clients), else the language cookie's, else the default.
func Lang(c *fiber.Ctx, langs []string) string {
	if l, ok := c.Locals(LocalLang).(string); ok {
		return l
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if tag == "" || tag == "*" {
			continue
		}
		primary := strings.SplitN(tag, "-", 2)[0]
		for _, l := range langs {
			if strings.EqualFold(l, tag) || strings.EqualFold(strings.SplitN(l, "-", 2)[0], primary) {
				return l
			}
		}
	}
	if v := c.Cookies(LangCookie); v != "" {
		for _, l := range langs {
			if v == l {
				return l
			}
		}
	}
	return langs[0]
}

// StatusOf returns the HTTP status for any error: fiber errors keep theirs.
func StatusOf(err error) int {
	var m *Malformed
	if errors.As(err, &m) {
		return fiber.StatusBadRequest
	}
	var r *Refusal
	if errors.As(err, &r) {
		return r.Status
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return Status(app.ErrorCode(err))
}

// AppError converts any error into the application error shown to the caller;
// fiber's own errors (404 route, 405, 413 body too large) get matching codes.
func AppError(err error) *app.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return app.Fail(app.ENotFound, "err.httpx.not_found")
		case fiber.StatusMethodNotAllowed:
			return app.Fail(app.EInvalid, "err.httpx.method_not_allowed")
		case fiber.StatusRequestEntityTooLarge:
			return app.Fail(app.EInvalid, "err.httpx.request_body_too_large")
		case fiber.StatusTooManyRequests:
			return app.Fail(app.ERateLimited, "err.httpx.too_many_requests")
		case fiber.StatusUnauthorized:
			return app.Fail(app.EUnauthorized, "err.httpx.unauthorized")
		case fiber.StatusForbidden:
			return app.Fail(app.EForbidden, "err.httpx.forbidden")
		}
		if fe.Code < 500 {
			return app.Errorf(app.EInvalid, "%s", fe.Message)
		}
	}
	return app.AsError(err)
}

// Ctx returns the request's context (never the pooled fasthttp ctx).
func Ctx(c *fiber.Ctx) context.Context { return c.UserContext() }

// RequestID returns the request id of c.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(LocalRequestID).(string)
	return id
}

// Principal returns the signed-in principal of c, if any.
func Principal(c *fiber.Ctx) (app.Principal, bool) {
	p, ok := c.Locals(LocalPrincipal).(app.Principal)
	return p, ok
}

// MustPrincipal returns the principal; routes behind the auth middleware always have one.
func MustPrincipal(c *fiber.Ctx) app.Principal {
	p, _ := Principal(c)
	return p
}

// Validator validates bound structs; field names in messages are the JSON names.
type Validator struct{ v *validator.Validate }

// NewValidator builds the shared validator.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "form"} {
			name := strings.Split(f.Tag.Get(tag), ",")[0]
			if name != "" && name != "-" {
				return name
			}
		}
		return f.Name
	})
	return &Validator{v: v}
}

// Bind decodes the request's JSON body into dst (a pointer) and validates it: the
// two steps every JSON endpoint with a body takes.
func (v *Validator) Bind(c *fiber.Ctx, dst any) error {
	if err := BindJSON(c, dst); err != nil {
		return err
	}
	return v.Struct(dst)
}

// Struct validates s and returns an invalid error naming every bad field.
func (v *Validator) Struct(s any) error {
	err := v.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return app.Internal(fmt.Errorf("validating: %w", err))
	}
	out := &app.Error{Code: app.EInvalid, Msg: app.M("err.httpx.invalid_input")}
	for _, fe := range verrs {
		out.Details = append(out.Details, app.Detail{Field: fieldPath(fe), Msg: ruleMessage(fe)})
	}
	out.Msg = out.Details[0].Msg
	return out
}

func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if i := strings.Index(ns, "."); i >= 0 {
		return ns[i+1:]
	}
	return fe.Field()
}

func ruleMessage(fe validator.FieldError) app.Msg {
	switch fe.Tag() {
	case "required":
		return app.M("err.httpx.required")
	case "min":
		return app.M("err.httpx.at_least", fe.Param())
	case "max":
		return app.M("err.httpx.at_most", fe.Param())
	case "oneof":
		return app.M("err.httpx.one_of", fe.Param())
	case "gt":
		return app.M("err.httpx.greater_than", fe.Param())
	case "gte":
		return app.M("err.httpx.at_least_2", fe.Param())
	case "dive":
		return app.M("err.httpx.invalid_element")
	}
	return app.M("err.httpx.fails", fe.Tag())
}

// BindJSON reads the body strictly: it must be one JSON object of the right shape
// with no unknown fields. Failures are Malformed (400) and name the field.
func BindJSON(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return &Malformed{app.Fail(app.EInvalid, "err.httpx.request_body_is_empty")}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &Malformed{jsonError(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Malformed{app.Fail(app.EInvalid, "err.httpx.body_must_hold_one_json_object")}
	}
	return nil
}

func jsonError(err error) *app.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		msg := app.M("err.httpx.wrong_type_want", typeErr.Type.String())
		return &app.Error{Code: app.EInvalid, Msg: msg, Details: []app.Detail{{Field: field, Msg: msg}}}
	case errors.As(err, &syntaxErr):
		return app.Fail(app.EInvalid, "err.httpx.malformed_json_at_byte", syntaxErr.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		msg := app.M("err.httpx.unknown_field")
		return &app.Error{Code: app.EInvalid, Msg: msg, Details: []app.Detail{{Field: field, Msg: msg}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return app.Fail(app.EInvalid, "err.httpx.truncated_json")
	}
	return app.Fail(app.EInvalid, "err.httpx.unreadable_json")
}

// WithDeadline puts a request context with the request id and a timeout on c. The
// context derives from base, the server's lifetime: ending base (when a shutdown's
// deadline passes) cancels the work of every request still running.
func WithDeadline(base context.Context, timeout time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := app.WithRequestID(base, RequestID(c))
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
