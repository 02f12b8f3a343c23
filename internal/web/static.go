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

// versionLen is how many hex digits of the static tree's SHA-256 its URLs
// carry: 48 bits, plenty to tell the versions of one tree apart.
const versionLen = 12

// immutable is the Cache-Control of a versioned file: its URL changes when
// its content does, so the browser may keep it for a year without asking.
const immutable = "public, max-age=31536000, immutable"

// entryModule is the chat page's script. Every other .js file is a module it
// imports, directly or not, and the page preloads them all.
const entryModule = "app.js"

// contentTypes are the types of the kinds of file anseo ships, fixed here
// rather than read from the system's mime.types, which may say otherwise: a
// browser runs a module only if it comes as JavaScript.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// assets are the embedded static files, all served under one version:
// /static/<version>/<name>, where the version is a hash of the whole tree
// (every file's name and content). One version for all is what lets the ES
// modules import each other by relative URL ("./log.js" from
// /static/<version>/app.js): the import names the file of the same version.
// A change to any file changes every URL, so a browser never mixes a cached
// module with a new one. Built once at startup; read-only afterwards.
type assets struct {
	version string
	files   map[string]asset // by name
	modules []string         // the .js files but the entry, in lexical order
}

type asset struct {
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

// loadAssets reads every file of fsys and hashes the tree: each file's name
// and the hash of its content, in the lexical order WalkDir gives.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: make(map[string]asset)}
	tree := sha256.New()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		tree.Write([]byte(name)) // a name has no NUL, and a sum is of fixed length: no two trees write the same bytes
		tree.Write([]byte{0})
		tree.Write(sum[:])
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			ctype = mime.TypeByExtension(path.Ext(name))
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[name] = asset{body: body, ctype: ctype}
		if path.Ext(name) == ".js" && name != entryModule {
			a.modules = append(a.modules, name)
		}
		return nil
	})
	a.version = hex.EncodeToString(tree.Sum(nil))[:versionLen]
	return a, err
}

// url returns the versioned URL of the named file. It panics for a file that
// does not exist, which the handler tests catch.
func (a *assets) url(name string) string {
	if _, ok := a.files[name]; !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + a.version + "/" + name
}

// page returns the URLs a page links to; withScript adds the chat module and
// the modules it imports, taken from the embedded files, so that a new
// module is preloaded without anyone having to list it.
func (a *assets) page(withScript bool) templates.Assets {
	p := templates.Assets{Style: a.url("style.css"), Icon: a.url("favicon.svg")}
	if withScript {
		p.Script = a.url(entryModule)
		for _, m := range a.modules {
			p.Modules = append(p.Modules, a.url(m))
		}
	}
	return p
}

// handleStatic serves a file of the current version, and 404 for any other
// version: an immutable URL must never change its content.
func handleStatic(a *assets) http.Handler {
	etag := `"` + a.version + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := a.files[chi.URLParam(r, "file")]
		if !ok || chi.URLParam(r, "version") != a.version {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Cache-Control", immutable)
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
	})
}
