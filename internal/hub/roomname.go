package hub

import "strings"

// DefaultRoom is the room everyone arrives in: the seed's one channel, whose
// lines ("NAME has joined the channel.") the line port keeps byte for byte.
const DefaultRoom = "#lobby"

// CheckRoomName checks a room's name: "#" and a name that passes the name
// rules (CheckName), so that a room cannot imitate another any more than a
// person can. A name typed without its "#" is given one. It returns the
// display name, or a *NameError saying what is wrong.
func CheckRoomName(room string) (string, error) {
	name, err := CheckName(strings.TrimPrefix(strings.TrimSpace(room), "#"))
	if err != nil {
		return "", err
	}
	return "#" + name, nil
}

// RoomKey is the key under which a room is unique: two names with the same
// key are one room, as two names with the same NameKey are one person. An
// invalid name has the key "".
func RoomKey(room string) string {
	display, err := CheckRoomName(room)
	if err != nil {
		return ""
	}
	return roomKeyOf(display)
}

// roomKeyOf is RoomKey of a display name CheckRoomName returned.
func roomKeyOf(display string) string { return "#" + nameKey(display[1:]) }
