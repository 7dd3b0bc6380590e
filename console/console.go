// Package console is the staff console: plain HTML, CSS and JavaScript
// modules embedded in the binary and served beside the API, so that running
// it needs no Node build and loads nothing from the internet. The pages talk
// to the API under /api/v1 with the session cookie.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var files embed.FS

// Prefix is where the console is served.
const Prefix = "/console/"

// securityHeaders keep the pages to their own origin: no inline script, no
// framing, nothing fetched from elsewhere.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "same-origin",
	"X-Frame-Options":        "DENY",
}

// Register adds the console's routes to the API's router: GET / redirects
// to the console, GET /console/* serves its files, and index.html for any
// path that names no file (the pages route by the URL's hash).
func Register(e *gin.Engine) {
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	serve := handler(static)
	e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, Prefix) })
	e.GET("/console", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, Prefix) })
	e.GET(Prefix+"*file", serve)
	e.HEAD(Prefix+"*file", serve)
}

func handler(static fs.FS) gin.HandlerFunc {
	files := http.FileServerFS(static)
	return func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
		if name == "" || name == "." || !exists(static, name) {
			name = "index.html"
		}
		for k, v := range securityHeaders {
			c.Header(k, v)
		}
		// Files change with the binary: revalidate, never serve stale code.
		c.Header("Cache-Control", "no-cache")
		if name == "index.html" {
			raw, err := fs.ReadFile(static, name)
			if err != nil {
				c.Status(http.StatusInternalServerError)
				return
			}
			c.Data(http.StatusOK, "text/html; charset=utf-8", raw)
			return
		}
		r := c.Request.Clone(c.Request.Context())
		r.URL.Path = "/" + name
		files.ServeHTTP(c.Writer, r)
	}
}

func exists(static fs.FS, name string) bool {
	st, err := fs.Stat(static, name)
	return err == nil && !st.IsDir()
}
