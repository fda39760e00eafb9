package httpx

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"gongzhi/app"
)

// Request bodies. The server streams them (fiber's StreamRequestBody): fasthttp
// reads at most 8 KB before routing and leaves the rest on the connection, so nothing
// large is held before the route is known and, for uploads, before the caller has
// signed in. Then:
//
//   - every route but the upload routes takes at most DefaultBodyLimit: LimitBody
//     refuses a longer declared length with 413 without reading it, and reads any
//     other body through a bounded reader (a chunked one is refused once it passes
//     the limit);
//   - an upload route is marked with AllowBody(limit) before LimitBody; its body is
//     read only by ReadUpload, registered on the route after its httpx.Allow (so after
//     sign-in and the role check: a role that may not write is refused 403 with the
//     body unread), through a reader bounded by its limit, or by StreamFile for a
//     public upload that is hashed as it arrives. Both refuse a declared length past
//     the limit with 413 without reading it. Every signed-in upload route must have
//     ReadUpload: it is also what checks a web upload's CSRF token;
//   - a compressed body (Content-Encoding) is refused with 415: fiber would unpack
//     it without bound.

// DefaultBodyLimit is the largest body of every route but the upload routes.
const DefaultBodyLimit = 1 << 20

// CodeTooLarge is the error code of a body past its route's limit (413).
const CodeTooLarge app.Code = "too_large"

// Locals keys of the body handling.
const (
	localBodyLimit  = "body_limit"  // int: set by AllowBody on an upload route
	localUploadCSRF = "upload_csrf" // bool: CheckCSRF left the token to the upload reader
)

// Refusal is an error with an HTTP status of its own (413, 415), carrying the
// application error shown to the caller.
type Refusal struct {
	Status int
	Err    *app.Error
}

func (r *Refusal) Error() string { return r.Err.Error() }

// Unwrap exposes the application error.
func (r *Refusal) Unwrap() error { return r.Err }

// AllowBody marks an upload route: its body may be up to limit bytes and is read after
// sign-in and the role check, by ReadUpload or StreamFile. Register it for the route's
// method and path before LimitBody.
func AllowBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(localBodyLimit, limit)
		return c.Next()
	}
}

func megabytes(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// tooLarge refuses the body; the connection is closed after the answer, since the
// rest of the body was not read.
func tooLarge(c *fiber.Ctx, say Say, limit int) error {
	c.Response().SetConnectionClose()
	return &Refusal{Status: fiber.StatusRequestEntityTooLarge,
		Err: &app.Error{Code: CodeTooLarge, Msg: app.Plain(say(c, "limits.body_too_large", "Limit", megabytes(limit)))}}
}

// errPastLimit is returned by a bounded reader once its limit is passed.
var errPastLimit = errors.New("request body past its limit")

// bounded reads at most limit bytes of r and fails with errPastLimit after them.
type bounded struct {
	r    io.Reader
	left int
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errPastLimit
	}
	if len(p) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= n
	if b.left < 0 {
		return n, errPastLimit
	}
	return n, err
}

// readBody reads the request's streamed body through a reader bounded by limit and
// installs it as the in-memory body, so that fiber's FormValue, BodyParser and
// FormFile read only what was bounded here.
func readBody(c *fiber.Ctx, say Say, limit int) error {
	req := c.Request()
	if !req.IsBodyStream() {
		return nil
	}
	size := req.Header.ContentLength()
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(size)
	}
	_, err := buf.ReadFrom(&bounded{r: req.BodyStream(), left: limit})
	switch {
	case errors.Is(err, errPastLimit):
		return tooLarge(c, say, limit)
	case err != nil:
		c.Response().SetConnectionClose()
		return &Malformed{Err: app.Errorf(app.EInvalid, "%s", say(c, "limits.body_unreadable"))}
	}
	req.SetBodyRaw(buf.Bytes())
	req.Header.SetContentLength(buf.Len())
	return nil
}

// LimitBody bounds every request body (see the top of this file). say words the
// refusals in the request's language.
func LimitBody(say Say) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if enc := strings.TrimSpace(string(req.Header.Peek(fiber.HeaderContentEncoding))); enc != "" && !strings.EqualFold(enc, "identity") {
			c.Response().SetConnectionClose()
			return &Refusal{Status: fiber.StatusUnsupportedMediaType,
				Err: app.Errorf(app.EInvalid, "%s", say(c, "limits.body_encoded"))}
		}
		limit, upload := c.Locals(localBodyLimit).(int)
		if !upload {
			limit = DefaultBodyLimit
		}
		if upload {
			// The declared length is checked by ReadUpload or StreamFile, after sign-in
			// and the role check, so that a role that may not write gets 403 whatever it
			// sent. Refused before its body was read (sign-in, role, CSRF, length): the
			// rest of the body is still on the connection, which is closed after the answer.
			err := c.Next()
			if req.IsBodyStream() {
				c.Response().SetConnectionClose()
			}
			return err
		}
		if req.Header.ContentLength() > limit {
			return tooLarge(c, say, limit)
		}
		if err := readBody(c, say, limit); err != nil {
			return err
		}
		return c.Next()
	}
}

// uploadPending reports whether c is an upload route whose body is still unread;
// CheckCSRF then leaves the form's token to ReadUpload or StreamFile.
func uploadPending(c *fiber.Ctx) bool {
	_, upload := c.Locals(localBodyLimit).(int)
	return upload && c.Request().IsBodyStream()
}

// csrfMatches compares the submitted token with the session's (or the anonymous
// cookie's) in constant time.
func csrfMatches(c *fiber.Ctx, got string) bool {
	want, _ := c.Locals(LocalCSRF).(string)
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	return want != "" && got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// ReadUpload reads an upload route's body through a reader bounded by the route's
// limit (a declared length past it is refused unread), and then checks the CSRF token
// of a web form. Register it on each upload route after the route's Allow, so that only
// a caller who may write makes the server read a large body. On any other route the
// body was read by LimitBody and this does nothing.
func ReadUpload(say Say) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit, upload := c.Locals(localBodyLimit).(int)
		if !upload {
			return c.Next()
		}
		if c.Request().IsBodyStream() && c.Request().Header.ContentLength() > limit {
			return tooLarge(c, say, limit)
		}
		if err := readBody(c, say, limit); err != nil {
			return err
		}
		if pending, _ := c.Locals(localUploadCSRF).(bool); pending {
			if !csrfMatches(c, c.FormValue(CSRFField)) {
				return errCSRF()
			}
			c.Locals(localUploadCSRF, false)
		}
		return c.Next()
	}
}

// StreamFile reads a public upload route's multipart body as it arrives, bounded by
// the route's limit, and hands the file in field to fn without holding it in memory;
// other fields are skipped. The CSRF token of a web form is checked after the body is
// read, so fn must only read (hash, count), never change anything. A form without the
// file is refused naming the field, with msg.
func StreamFile(c *fiber.Ctx, say Say, field string, msg app.Msg, fn func(filename string, r io.Reader) error) error {
	limit, upload := c.Locals(localBodyLimit).(int)
	if !upload {
		limit = DefaultBodyLimit
	}
	if c.Request().IsBodyStream() && c.Request().Header.ContentLength() > limit {
		return tooLarge(c, say, limit)
	}
	var body io.Reader = bytes.NewReader(c.Request().Body())
	if c.Request().IsBodyStream() {
		body = c.Request().BodyStream()
	}
	in := &bounded{r: body, left: limit}
	_, params, err := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if err != nil || params["boundary"] == "" {
		// Not a multipart form: no file. Read it as any other small body, so that a
		// form without its token is refused as such.
		if err := readBody(c, say, DefaultBodyLimit); err != nil {
			return err
		}
		if pending, _ := c.Locals(localUploadCSRF).(bool); pending && !csrfMatches(c, c.FormValue(CSRFField)) {
			return errCSRF()
		}
		return app.Invalid(field, msg)
	}
	mr := multipart.NewReader(in, params["boundary"])
	var token string
	found, sawToken := false, false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errPastLimit) {
				return tooLarge(c, say, limit)
			}
			c.Response().SetConnectionClose()
			return app.Invalid(field, msg)
		}
		switch {
		case part.FormName() == field && part.FileName() != "" && !found:
			found = true
			if err := fn(part.FileName(), part); err != nil {
				if errors.Is(err, errPastLimit) {
					return tooLarge(c, say, limit)
				}
				return err
			}
		case part.FormName() == CSRFField && !sawToken: // the first, as FormValue reads it
			sawToken = true
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			token = string(b)
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			if errors.Is(err, errPastLimit) {
				return tooLarge(c, say, limit)
			}
			return app.Invalid(field, msg)
		}
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		c.Response().SetConnectionClose()
	}
	if pending, _ := c.Locals(localUploadCSRF).(bool); pending {
		if !csrfMatches(c, token) {
			return errCSRF()
		}
		c.Locals(localUploadCSRF, false)
	}
	if !found {
		return app.Invalid(field, msg)
	}
	return nil
}

// Upload is one uploaded file read into memory.
type Upload struct {
	Filename string
	Data     []byte
}

// FormFile returns the file posted in field, read through a reader of at most max+1
// bytes (so the service can say the file is too large), or nil when the form has no
// such file or it is empty. Call it on an upload route, after ReadUpload.
func FormFile(c *fiber.Ctx, field string, max int) (*Upload, error) {
	fh, err := c.FormFile(field)
	if err != nil || fh.Size == 0 {
		return nil, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, app.Internal(fmt.Errorf("opening upload %s: %w", field, err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, app.Internal(fmt.Errorf("reading upload %s: %w", field, err))
	}
	return &Upload{Filename: fh.Filename, Data: data}, nil
}
