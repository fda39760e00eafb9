package httpx_test

import (
	"testing"

	"gongzhi/handlers/httpx"
)

func TestCompressibleTypes(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/html; charset=utf-8": true,
		"application/json":         true,
		"text/csv":                 true,
		"image/svg+xml":            true,
		"application/pdf":          false,
		"application/zip":          false,
		"image/png":                false,
		"image/jpeg":               false,
		"text/event-stream":        false,
		"":                         false,
		"application/octet-stream": false,
		"Application/PDF":          false,
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": false,
	} {
		if got := httpx.Compressible(ct); got != want {
			t.Errorf("Compressible(%q) = %v, want %v", ct, got, want)
		}
	}
}
