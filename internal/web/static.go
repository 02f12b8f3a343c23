package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/anseo/anseo/templates"
	"github.com/anseo/anseo/web/static"
)

// hashLen is how many hex digits of a file's SHA-256 its URL carries: 48 bits,
// plenty to tell the versions of one file apart.
const hashLen = 12

// immutable is the Cache-Control of a versioned file: its URL changes when
// its content does, so the browser may keep it for a year without asking.
const immutable = "public, max-age=31536000, immutable"

// assets are the embedded static files, each served at
// /static/<hash>/<name>. Built once at startup; read-only afterwards.
type assets struct {
	files map[string]asset // by name
}

type asset struct {
	hash  string
	body  []byte
	ctype string
}

func mustLoadAssets() *assets {
	a, err := loadAssets(static.FS)
	if err != nil {
		panic(err) // the files are embedded: this is a build fault
	}
	return a
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: make(map[string]asset)}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[name] = asset{hash: hex.EncodeToString(sum[:])[:hashLen], body: body, ctype: ctype}
		return nil
	})
	return a, err
}

// url returns the versioned URL of the named file. It panics for a file that
// does not exist, which the handler tests catch.
func (a *assets) url(name string) string {
	f, ok := a.files[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + f.hash + "/" + name
}

// page returns the URLs a page links to; withScript adds the chat module.
func (a *assets) page(withScript bool) templates.Assets {
	p := templates.Assets{Style: a.url("style.css"), Icon: a.url("favicon.svg")}
	if withScript {
		p.Script = a.url("app.js")
	}
	return p
}

// handleStatic serves a file at its current versioned URL, and 404 for any
// other hash: an immutable URL must never change its content.
func handleStatic(a *assets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := a.files[chi.URLParam(r, "file")]
		if !ok || chi.URLParam(r, "hash") != f.hash {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Cache-Control", immutable)
		h.Set("ETag", `"`+f.hash+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	})
}
