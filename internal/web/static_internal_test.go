package web

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func staticTree() fstest.MapFS {
	return fstest.MapFS{
		"app.js":      {Data: []byte("import { a } from './log.js';\n")},
		"log.js":      {Data: []byte("export const a = 1;\n")},
		"style.css":   {Data: []byte("body {}\n")},
		"favicon.svg": {Data: []byte("<svg></svg>\n")},
	}
}

func mustLoad(t *testing.T, fsys fstest.MapFS) *assets {
	t.Helper()
	a, err := loadAssets(fsys)
	require.NoError(t, err)
	return a
}

func TestAssetsVersion(t *testing.T) {
	base := mustLoad(t, staticTree())
	require.Len(t, base.version, versionLen)
	assert.Equal(t, base.version, mustLoad(t, staticTree()).version, "the same tree, the same version")

	changes := []struct {
		name   string
		change func(fstest.MapFS)
	}{
		{name: "a module changes", change: func(m fstest.MapFS) { m["log.js"] = &fstest.MapFile{Data: []byte("export const a = 2;\n")} }},
		{name: "the style sheet changes", change: func(m fstest.MapFS) { m["style.css"] = &fstest.MapFile{Data: []byte("body { margin: 0 }\n")} }},
		{name: "a file is added", change: func(m fstest.MapFS) { m["roster.js"] = &fstest.MapFile{Data: []byte("\n")} }},
		{name: "a file is removed", change: func(m fstest.MapFS) { delete(m, "style.css") }},
		{name: "a file is renamed", change: func(m fstest.MapFS) { m["logs.js"] = m["log.js"]; delete(m, "log.js") }},
		{name: "content moves between files", change: func(m fstest.MapFS) {
			m["app.js"], m["log.js"] = m["log.js"], m["app.js"]
		}},
	}
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			tree := staticTree()
			tc.change(tree)
			assert.NotEqual(t, base.version, mustLoad(t, tree).version)
		})
	}
}

// TestAssetsOneVersion: every file is at the same version, so that a module's
// relative import ("./log.js") names the file of its own version, and that
// URL is served.
func TestAssetsOneVersion(t *testing.T) {
	a := mustLoad(t, staticTree())
	r := chi.NewRouter()
	r.Method(http.MethodGet, "/static/{version}/{file}", handleStatic(a))

	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}

	app := a.url("app.js")
	assert.Equal(t, "/static/"+a.version+"/app.js", app)
	assert.Equal(t, "/static/"+a.version+"/log.js", a.url("log.js"))

	imported := resolve(t, app, "./log.js")
	res := get(imported)
	require.Equal(t, http.StatusOK, res.Code, "%s, imported from %s", imported, app)
	assert.Equal(t, "text/javascript; charset=utf-8", res.Header().Get("Content-Type"), "browsers run modules only if served as JavaScript")
	assert.Equal(t, immutable, res.Header().Get("Cache-Control"))
	assert.Equal(t, `"`+a.version+`"`, res.Header().Get("ETag"))
	assert.Equal(t, "export const a = 1;\n", res.Body.String())

	t.Run("revalidation by ETag", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, imported, nil)
		req.Header.Set("If-None-Match", `"`+a.version+`"`)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		assert.Equal(t, http.StatusNotModified, w.Code)
	})

	t.Run("another version is not found", func(t *testing.T) {
		changed := staticTree()
		changed["log.js"] = &fstest.MapFile{Data: []byte("export const a = 2;\n")}
		next := mustLoad(t, changed)
		assert.Equal(t, http.StatusNotFound, get(next.url("log.js")).Code, "a version this server does not have")
		assert.Equal(t, http.StatusNotFound, get(next.url("app.js")).Code, "even for a file that did not change")
	})
}

// importRE finds the static imports of an ES module: import … from '…',
// import '…' and export … from '…'. A dynamic import() is not preloaded.
var importRE = regexp.MustCompile(`\b(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?['"]([^'"]+)['"]`)

// TestModulesArePreloaded follows the chat page's imports from its script, as
// a browser does, through the embedded files: every module it reaches is
// served at the page's version and linked as a modulepreload, and every
// modulepreload is a module it reaches.
func TestModulesArePreloaded(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    *assets
	}{
		{name: "the embedded files", a: mustLoadAssets()},
		{name: "a small tree", a: mustLoad(t, staticTree())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := tc.a.page(true)
			prefix := "/static/" + tc.a.version + "/"
			reached := map[string]bool{}
			queue := []string{page.Script}
			for len(queue) > 0 {
				from := queue[0]
				queue = queue[1:]
				f, ok := tc.a.files[strings.TrimPrefix(from, prefix)]
				require.True(t, ok && strings.HasPrefix(from, prefix), "%s is not a served file of this version", from)
				for _, m := range importRE.FindAllStringSubmatch(string(f.body), -1) {
					dep := resolve(t, from, m[1])
					if !reached[dep] {
						reached[dep] = true
						queue = append(queue, dep)
					}
				}
			}
			assert.ElementsMatch(t, slices.Collect(maps.Keys(reached)), page.Modules,
				"every module the page imports is preloaded, and only those")
		})
	}
	t.Run("the small tree's import is found", func(t *testing.T) {
		a := mustLoad(t, staticTree())
		assert.Equal(t, []string{a.url("log.js")}, a.page(true).Modules)
		assert.Empty(t, a.page(false).Modules, "a page without a script preloads nothing")
	})
}

// resolve is what a browser does with a module's import specifier: a URL
// relative to the importing module's.
func resolve(t *testing.T, from, specifier string) string {
	t.Helper()
	base, err := url.Parse(from)
	require.NoError(t, err)
	ref, err := url.Parse(specifier)
	require.NoError(t, err)
	return base.ResolveReference(ref).String()
}
