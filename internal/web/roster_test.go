package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/web"
)

// A big room's welcome lists the first hundred to have joined, and you,
// with the count: what the page shows first costs the 150th joiner what it
// cost the tenth. GET /roster has everyone, as of an event.
func TestABigRoomsWelcomeListsTheFirstAndTheCount(t *testing.T) {
	srv := startServer(t, web.Config{})
	for i := range 150 {
		join(t, srv.Hub, fmt.Sprint("p", i), hub.TransportTelnet)
	}
	_, w := connect(t, srv.URL, "alice")
	require.Len(t, w.Members, 101)
	assert.Equal(t, "p0", w.Members[0].Name)
	assert.Equal(t, "p99", w.Members[99].Name)
	assert.Equal(t, "alice", w.Members[100].Name, "you are in your list")
	assert.Equal(t, 151, w.MemberCount)
	assert.Positive(t, w.MembersAsOf)

	var page struct {
		AsOf    uint64 `json:"asOf"`
		Count   int    `json:"count"`
		Members []struct {
			Name string `json:"name"`
		} `json:"members"`
	}
	res, err := http.Get(srv.URL + "/roster")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "for those who logged in")
	res, err = loginClient(t, srv.URL, "reader").Get(srv.URL + "/roster")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	assert.Equal(t, 151, page.Count)
	require.Len(t, page.Members, 151)
	assert.Equal(t, "p149", page.Members[149].Name)
	assert.Equal(t, "alice", page.Members[150].Name, "in joining order")
	assert.Equal(t, w.MembersAsOf, page.AsOf, "nothing happened since alice's welcome")
}

// A small room's welcome lists everyone.
func TestASmallRoomsWelcomeListsEveryone(t *testing.T) {
	srv := startServer(t, web.Config{})
	join(t, srv.Hub, "bob", hub.TransportTelnet)
	_, w := connect(t, srv.URL, "alice")
	assert.Len(t, w.Members, 2)
	assert.Equal(t, 2, w.MemberCount)
}

// In a big room the page lists the first hundred and counts everyone; the
// rest comes when the reader scrolls to the end of the list or asks, with
// what changed meanwhile.
func TestBrowserBigRoomListsTheRestWhenAsked(t *testing.T) {
	t.Parallel()
	srv, newTab := browserServer(t)
	for i := range 130 {
		join(t, srv.Hub, fmt.Sprint("p", i), hub.TransportTelnet)
	}
	alice := newTab()
	alice.Login("alice")
	alice.WaitMember("alice", true)
	assert.Equal(t, "131", alice.Text("member-count"))
	assert.Equal(t, 101, alice.Count(`[data-testid=member]`), "the first hundred, and alice")

	join(t, srv.Hub, "late", hub.TransportTelnet)
	alice.WaitMember("late", true)
	assert.Equal(t, "132", alice.Text("member-count"))

	alice.WaitJS(`(document.querySelector('[data-testid=members-more]')?.click(), true)`)
	alice.WaitMember("p129", true)
	alice.WaitJS(`!document.querySelector('[data-testid=members-more]')`)
	assert.Equal(t, 132, alice.Count(`[data-testid=member]`))
	assert.Equal(t, "132", alice.Text("member-count"))
	assertNoProblems(t, alice)
}

// In a storm of joins a page gets the newcomers a frame at a time, not a
// frame each: changes to the user list wait a moment for one another. What
// comes after them (a message) comes after them still.
func TestAStormOfJoinsSharesFrames(t *testing.T) {
	srv := startServer(t, web.Config{})
	alice, _ := connect(t, srv.URL, "alice")
	const joins = 50
	var names []string
	for i := range joins {
		names = append(names, fmt.Sprint("p", i))
		join(t, srv.Hub, names[i], hub.TransportTelnet)
	}
	bob := join(t, srv.Hub, "bob", hub.TransportTelnet)
	require.NoError(t, bob.Say(t.Context(), "after the storm", ""))
	names = append(names, "bob")

	// The joins come as few messages (the tenth of a second they wait for
	// one another is seldom more than a few), each joins message naming
	// people in the order they came, with IDs that grow, the message's
	// the last; and nothing overtakes them.
	var got []string
	var lastID uint64
	messages := 0
	for len(got) < len(names) {
		m := alice.nextMessage()
		messages++
		switch m.Type {
		case "joined":
			got = append(got, m.Name)
			assert.Greater(t, m.ID, lastID)
			lastID = m.ID
		case "joins":
			assert.Equal(t, "#lobby", m.Room)
			require.Greater(t, len(m.People), 1, "a join alone comes as a joined")
			for _, p := range m.People {
				got = append(got, p.Name)
				assert.Equal(t, "telnet", p.Transport)
				assert.Greater(t, p.ID, lastID)
				lastID = p.ID
			}
			assert.Equal(t, lastID, m.ID, "a joins message's ID is its last join's")
		default:
			t.Fatalf("%s came before %d of the joins", m.Type, len(names)-len(got))
		}
	}
	assert.Equal(t, names, got)
	assert.Equal(t, "after the storm", alice.nextOf("message").Text)
	assert.Less(t, messages, joins/2, "%d joins in %d messages", len(names), messages)
}
