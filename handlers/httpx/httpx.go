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

// ErrorObject is the inner error object.
type ErrorObject struct {
	Code      app.Code     `json:"code"`
	Message   string       `json:"message"`
	Details   []app.Detail `json:"details,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
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
			return app.Errorf(app.ENotFound, "资源不存在 / Not found")
		case fiber.StatusMethodNotAllowed:
			return app.Errorf(app.EInvalid, "不支持该请求方法 / Method not allowed")
		case fiber.StatusRequestEntityTooLarge:
			return app.Errorf(app.EInvalid, "上传内容过大 / Request body too large")
		case fiber.StatusTooManyRequests:
			return app.Errorf(app.ERateLimited, "操作过于频繁，请稍后再试 / Too many requests")
		case fiber.StatusUnauthorized:
			return app.Errorf(app.EUnauthorized, "请先登录 / Unauthorized")
		case fiber.StatusForbidden:
			return app.Errorf(app.EForbidden, "无权访问 / Forbidden")
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
	out := &app.Error{Code: app.EInvalid, Message: "输入有误 / Invalid input"}
	for _, fe := range verrs {
		out.Details = append(out.Details, app.Detail{Field: fieldPath(fe), Message: ruleMessage(fe)})
	}
	out.Message = fmt.Sprintf("%s: %s", out.Details[0].Field, out.Details[0].Message)
	return out
}

func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if i := strings.Index(ns, "."); i >= 0 {
		return ns[i+1:]
	}
	return fe.Field()
}

func ruleMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "必填 / required"
	case "min":
		return fmt.Sprintf("不能少于 %s / at least %s", fe.Param(), fe.Param())
	case "max":
		return fmt.Sprintf("不能超过 %s / at most %s", fe.Param(), fe.Param())
	case "oneof":
		return fmt.Sprintf("须为以下之一：%s / one of: %s", fe.Param(), fe.Param())
	case "gt":
		return fmt.Sprintf("须大于 %s / greater than %s", fe.Param(), fe.Param())
	case "gte":
		return fmt.Sprintf("须不小于 %s / at least %s", fe.Param(), fe.Param())
	case "dive":
		return "内容有误 / invalid element"
	}
	return fmt.Sprintf("不符合规则 %s / fails %s", fe.Tag(), fe.Tag())
}

// BindJSON reads the body strictly: it must be one JSON object of the right shape
// with no unknown fields. Failures are Malformed (400) and name the field.
func BindJSON(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return &Malformed{app.Errorf(app.EInvalid, "请求体不能为空 / request body is empty")}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &Malformed{jsonError(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &Malformed{app.Errorf(app.EInvalid, "请求体只能包含一个 JSON 对象 / body must hold one JSON object")}
	}
	return nil
}

func jsonError(err error) *app.Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		msg := fmt.Sprintf("类型错误：应为 %s / wrong type: want %s", typeErr.Type.String(), typeErr.Type.String())
		return &app.Error{Code: app.EInvalid, Message: field + ": " + msg, Details: []app.Detail{{Field: field, Message: msg}}}
	case errors.As(err, &syntaxErr):
		return app.Errorf(app.EInvalid, "JSON 格式错误（第 %d 字节）/ malformed JSON at byte %d", syntaxErr.Offset, syntaxErr.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		msg := "未知字段 / unknown field"
		return &app.Error{Code: app.EInvalid, Message: field + ": " + msg, Details: []app.Detail{{Field: field, Message: msg}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return app.Errorf(app.EInvalid, "JSON 不完整 / truncated JSON")
	}
	return app.Errorf(app.EInvalid, "无法读取 JSON / unreadable JSON")
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
