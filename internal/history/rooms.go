package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anseo/anseo/internal/hub"
)

// room is the room an entry is saved under: its display name, as the
// entry gave it, and its key (hub.RoomKey), by which it is found. Both ""
// for an entry about no room.
type room struct {
	name, key string
}

// inRoom are the kinds of entry that always happen in a room.
var inRoom = map[hub.Kind]bool{
	hub.KindJoined: true, hub.KindMessage: true, hub.KindAction: true, hub.KindTopic: true,
}

// roomOf returns the room ev is saved under. An entry of a kind that
// always happens in a room but names none is the default room's: before
// rooms, the one room was it, and a node of a cluster that runs an anseo
// from before rooms sends its entries so. A departure that names no room
// is from the server (hub.KindLeft), and renames, away and private
// messages are about no room, unless they name one.
func roomOf(ev *hub.Event) (room, error) {
	name := ev.Room
	if name == "" {
		if !inRoom[ev.Kind] {
			return room{}, nil
		}
		name = hub.DefaultRoom
	}
	key := hub.RoomKey(name)
	if key == "" {
		return room{}, fmt.Errorf("event %d: %q is not a room name", ev.ID, name)
	}
	return room{name: name, key: key}, nil
}

// setTopic gives the room with key the topic ev sets. A topic cleared
// ("") is as if none had been set: nobody set it, at no time.
func setTopic(ctx context.Context, tx *sql.Tx, key string, ev *hub.Event) error {
	by, at := ev.Name, ev.Time.UnixMilli()
	if ev.Text == "" {
		by, at = "", 0
	}
	_, err := tx.ExecContext(ctx, `UPDATE rooms SET topic = ?, topic_by = ?, topic_at = ? WHERE key = ?`, ev.Text, by, at, key)
	return err
}

// Rooms returns every room ever saved, by key: created by the first entry
// that named it, and kept however few of its entries are left (pruning
// never deletes a room). Members is 0: the store does not know who is in
// a room now.
func (s *Store) Rooms(ctx context.Context) ([]hub.RoomInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, topic, topic_by, topic_at, created FROM rooms ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("history: rooms: %w", err)
	}
	defer rows.Close()
	var rooms []hub.RoomInfo
	for rows.Next() {
		var (
			r           hub.RoomInfo
			at, created int64
		)
		if err := rows.Scan(&r.Name, &r.Topic, &r.TopicBy, &at, &created); err != nil {
			return nil, fmt.Errorf("history: rooms: %w", err)
		}
		if at != 0 {
			r.TopicAt = time.UnixMilli(at).UTC()
		}
		r.Created = time.UnixMilli(created).UTC()
		rooms = append(rooms, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: rooms: %w", err)
	}
	return rooms, nil
}

// roomKeys returns the key of every room.
func roomKeys(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT key FROM rooms`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, rows.Err()
}

// rekey gives every room the key this anseo's name rules give its name
// (hub.RoomKey), and its entries with it. Keys are saved so that the
// readers find a room by an index, but the rules may change between
// versions (a newer Unicode's confusables, say), and the migration to
// rooms wrote the default room's key as its name. Two rooms that the rules
// now make one become one: the room first under the new key stays (the
// older, if both change), and the entries of both are its. Nothing changes while the rules stay the same, which is
// every Open but the first after an upgrade.
func rekey(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT key, name FROM rooms ORDER BY created, key`)
	if err != nil {
		return err
	}
	type stale struct{ key, want string }
	var rekeyed []stale
	for rows.Next() {
		var key, name string
		if err := rows.Scan(&key, &name); err != nil {
			rows.Close()
			return err
		}
		if want := hub.RoomKey(name); want != "" && want != key {
			rekeyed = append(rekeyed, stale{key, want})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range rekeyed {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM rooms WHERE key = ?`, r.want).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `UPDATE rooms SET key = ? WHERE key = ?`, r.want, r.key)
		case err == nil:
			_, err = tx.ExecContext(ctx, `DELETE FROM rooms WHERE key = ?`, r.key)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET room_key = ? WHERE room_key = ?`, r.want, r.key); err != nil {
			return err
		}
	}
	return nil
}
