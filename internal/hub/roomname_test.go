package hub_test

import (
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckRoomName(t *testing.T) {
	tests := []struct {
		name, in, display, reason string
	}{
		{"with its #", "#help", "#help", ""},
		{"given its #", "help", "#help", ""},
		{"trimmed", "  #Random\t", "#Random", ""},
		{"any script", "#Ελληνικά", "#Ελληνικά", ""},
		{"only a #", "#", "", "it is empty"},
		{"two #", "##help", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"a space inside", "#a b", "", "it may only contain letters, digits, '_', '-' and '.'"},
		{"mixed scripts", "#p\u0430ypal", "", "it mixes Latin and Cyrillic letters, which can imitate other names"},
		{"too long", "#abcdefghijklmnopqrstuvwxyzabcdefg", "", "it is longer than 32 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			display, err := hub.CheckRoomName(tt.in)
			if tt.reason != "" {
				var nameErr *hub.NameError
				require.ErrorAs(t, err, &nameErr)
				assert.Equal(t, tt.reason, nameErr.Reason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.display, display)
		})
	}
}

func TestRoomsAreOneByTheirKeyAsNamesAre(t *testing.T) {
	assert.Equal(t, hub.RoomKey("#Help"), hub.RoomKey("help"))
	assert.Equal(t, hub.RoomKey("#ｈｅｌｐ"), hub.RoomKey("#help"), "width does not matter")
	assert.Equal(t, hub.RoomKey("#aIice"), hub.RoomKey("#alice"), "a look-alike is the same room")
	assert.NotEqual(t, hub.RoomKey("#help"), hub.RoomKey("#helps"))
	assert.Empty(t, hub.RoomKey("#a b"), "an invalid name is no room")
	assert.Equal(t, "#lobby", hub.DefaultRoom)
}
