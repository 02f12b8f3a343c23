package history

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openTest(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func pragma[T any](t *testing.T, db *sql.DB, name string) T {
	t.Helper()
	var v T
	require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v))
	return v
}

func TestOpen(t *testing.T) {
	t.Run("a file gets the schema, WAL and its pragmas", func(t *testing.T) {
		s := openTest(t, filepath.Join(t.TempDir(), "anseo.db"))
		assert.Equal(t, len(migrations), pragma[int](t, s.db, "user_version"))
		assert.Equal(t, "wal", pragma[string](t, s.db, "journal_mode"))
		assert.Equal(t, 1, pragma[int](t, s.db, "synchronous"), "NORMAL")
		assert.Equal(t, busyTimeout.Milliseconds(), pragma[int64](t, s.db, "busy_timeout"))
		assert.Equal(t, maxConns, s.db.Stats().MaxOpenConnections)
		var deletemerge int
		require.NoError(t, s.db.QueryRowContext(t.Context(), `SELECT v FROM events_text_config WHERE k = 'deletemerge'`).Scan(&deletemerge))
		assert.Equal(t, 100, deletemerge, "the search index merges a segment for deletes once it is deleted whole")
	})

	t.Run("memory gets the schema and one connection", func(t *testing.T) {
		s := openTest(t, Memory)
		assert.Equal(t, len(migrations), pragma[int](t, s.db, "user_version"))
		assert.Equal(t, 1, s.db.Stats().MaxOpenConnections)
	})

	t.Run("reopening runs no migration twice", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "anseo.db")
		s, err := Open(t.Context(), path)
		require.NoError(t, err)
		require.NoError(t, s.Close())
		s = openTest(t, path)
		assert.Equal(t, len(migrations), pragma[int](t, s.db, "user_version"))
	})

	t.Run("a newer schema is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "anseo.db")
		s, err := Open(t.Context(), path)
		require.NoError(t, err)
		_, err = s.db.ExecContext(t.Context(), "PRAGMA user_version = 99")
		require.NoError(t, err)
		require.NoError(t, s.Close())

		_, err = Open(t.Context(), path)
		assert.ErrorContains(t, err, "schema version 99 is newer")
	})

	t.Run("any file name works", func(t *testing.T) {
		dir := t.TempDir()
		name := "my chat?mode=ro#1 100%.db"
		s := openTest(t, filepath.Join(dir, name))
		require.NoError(t, s.Append(t.Context(), nil))
		_, err := os.Stat(filepath.Join(dir, name))
		assert.NoError(t, err, "the database is the file named")
	})

	t.Run("a relative name is relative to the working directory", func(t *testing.T) {
		t.Chdir(t.TempDir())
		openTest(t, "anseo.db")
		_, err := os.Stat("anseo.db")
		assert.NoError(t, err)
	})

	t.Run("a directory that does not exist fails", func(t *testing.T) {
		_, err := Open(t.Context(), filepath.Join(t.TempDir(), "missing", "anseo.db"))
		assert.ErrorContains(t, err, "history: open")
	})
}
