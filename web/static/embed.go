// Package static holds the browser's files: the chat page's ES modules
// (app.js and the modules it imports), the style sheet and the icon. They are embedded in the binary, so anseo ships as one file;
// internal/web serves them all under one URL prefix that names a hash of the
// whole tree, so that modules import each other by relative URL.
package static

import "embed"

// FS holds the *.js modules, style.css and favicon.svg. Read-only and safe
// for concurrent use.
//
//go:embed *.js *.css *.svg
var FS embed.FS
