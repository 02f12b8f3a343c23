package telnet_test

import (
	"testing"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/linetest"
	"github.com/anseo/anseo/internal/telnet"
)

// The terminal port's offer: WILL ECHO, WILL SGA, DO NAWS, DO TTYPE.
const offer = "\xff\xfb\x01\xff\xfb\x03\xff\xfd\x1f\xff\xfd\x18"

// TestTerminalPortServesTheLineProtocolToWhoDoesNotNegotiate: a client
// that sends data before it agrees (nc, a script) reads the seed's lines
// after the offer, in line mode; a client that agrees later is refused, so
// its echo stays its own.
func TestTerminalPortServesTheLineProtocolToWhoDoesNotNegotiate(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	alice := linetest.Dial(t, srv.addr, "alice")
	alice.Login("alice")

	nc := linetest.Dial(t, srv.termAddr, "nc")
	nc.SendRaw("bob\n") // at once, as printf | nc does
	nc.ExpectRaw(offer + "What's your name?\r\nWelcome, bob!\r\n")
	alice.Expect("bob has joined the channel.")
	nc.SendRaw("\xff\xfd\x01hi\r\n") // DO ECHO, too late
	nc.ExpectRaw("\xff\xfc\x01")     // WONT ECHO
	alice.Expect("<bob> hi")
	alice.Send("hello bob")
	nc.Expect("<alice> hello bob") // not "<bob> hi": line mode echoes nothing
}

// TestTerminalPortRefused: a client that refuses the offer (the 2014
// client's telnetlib refuses everything) gets line mode, and the server
// does not answer its refusals, so the two cannot loop.
func TestTerminalPortRefused(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	c := linetest.Dial(t, srv.termAddr, "telnetlib")
	c.ExpectRaw(offer + "What's your name?\r\n")
	c.SendRaw("\xff\xfe\x01\xff\xfe\x03\xff\xfc\x1f\xff\xfc\x18") // DONT ECHO, DONT SGA, WONT NAWS, WONT TTYPE
	c.SendRaw("carol\r\n")
	c.ExpectRaw("Welcome, carol!\r\n")
}

// TestTerminalPortHalfAgreed: a client that agrees to ECHO but not to SGA
// is in line mode, and the server takes its echo back.
func TestTerminalPortHalfAgreed(t *testing.T) {
	srv := start(t, hub.Options{}, termConfig)
	c := linetest.Dial(t, srv.termAddr, "half")
	c.ExpectRaw(offer + "What's your name?\r\n")
	c.SendRaw("\xff\xfd\x01\xff\xfe\x03") // DO ECHO, DONT SGA
	c.ExpectRaw("\xff\xfc\x01")           // WONT ECHO: echo your own again
	c.SendRaw("dave\r\n")
	c.ExpectRaw("Welcome, dave!\r\n")
}

// TestTerminalPortSilent: a client that says nothing is in line mode once
// the wait is over; agreeing after that is refused.
func TestTerminalPortSilent(t *testing.T) {
	srv := start(t, hub.Options{}, telnet.Config{NegotiationTimeout: 1}) // over before any answer can come
	c := linetest.Dial(t, srv.termAddr, "late")
	c.ExpectRaw(offer + "What's your name?\r\n")
	c.SendRaw("\xff\xfd\x01\xff\xfd\x03") // DO ECHO, DO SGA
	c.ExpectRaw("\xff\xfc\x01\xff\xfc\x03")
	c.SendRaw("erin\r\n")
	c.ExpectRaw("Welcome, erin!\r\n")
}
