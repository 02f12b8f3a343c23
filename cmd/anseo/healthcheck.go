package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout bounds the probe; the container's HEALTHCHECK allows 5 s.
const healthcheckTimeout = 3 * time.Second

// healthcheck probes the running server's /healthz on the configured HTTP
// address, for the container image's HEALTHCHECK, which has no curl. A nil
// error means the server answered 200.
func healthcheck(ctx context.Context, cfg config, stdout io.Writer) error {
	host, port, err := net.SplitHostPort(cfg.httpAddr)
	if err != nil {
		return fmt.Errorf("healthcheck: -http-addr: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1" // listening on every address includes loopback
	}
	scheme, client := "http", http.DefaultClient
	if cfg.tlsCert != "" {
		// Our own server on loopback: its certificate names the public host,
		// not 127.0.0.1, and the probe only asks whether it answers.
		scheme = "https"
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	url := scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
