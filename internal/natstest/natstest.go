// Package natstest runs a real NATS server with JetStream inside a test
// process, on loopback, with its store in a temporary directory.
package natstest

import (
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an in-process NATS server.
type Server struct {
	t    testing.TB
	opts server.Options
	srv  *server.Server
}

// Start starts a NATS server with JetStream on a free loopback port. It is
// shut down when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, opts: server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoLog:     true,
		NoSigs:    true,
	}}
	s.start()
	// The port it got is kept, so that a restart comes back where clients
	// look for it.
	s.opts.Port = s.srv.Addr().(*net.TCPAddr).Port
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	opts := s.opts
	srv, err := server.NewServer(&opts)
	if err != nil {
		s.t.Fatalf("natstest: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		s.t.Fatal("natstest: the NATS server did not start")
	}
	s.srv = srv
}

// URL is where clients connect.
func (s *Server) URL() string {
	return "nats://127.0.0.1:" + strconv.Itoa(s.opts.Port)
}

// Stop shuts the server down and waits until it has stopped. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	if s.srv == nil {
		return
	}
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	s.srv = nil
}

// Restart stops the server and starts it again on the same port with the
// same store: what JetStream held survives, connections do not.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

// Wipe stops the server, deletes everything JetStream held, and starts it
// again on the same port: a NATS that comes back with an empty store.
func (s *Server) Wipe() {
	s.t.Helper()
	s.Stop()
	if err := os.RemoveAll(s.opts.StoreDir); err != nil {
		s.t.Fatalf("natstest: wiping the store: %v", err)
	}
	s.start()
}
