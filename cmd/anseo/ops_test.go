package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anseo/anseo/internal/syncbuf"

	"github.com/anseo/anseo/internal/linetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

// metric returns the value of the sample whose name and labels are given
// exactly as Prometheus' text format prints them, or -1 if absent.
func metric(body, sample string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsMoveWhileTwoUsersChat(t *testing.T) {
	a := startAnseo(t)
	url := "http://" + a.httpAddr + "/metrics"
	alice := linetest.Dial(t, a.telnetAddr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, a.telnetAddr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")
	alice.Send("hello bob")
	bob.Expect("<alice> hello bob")
	bob.Send("hi alice")
	alice.Expect("<bob> hi alice")
	// The hub answers requests in turn: once it answers this, it has
	// finished fanning out, and counting, what came before.
	alice.Send("/who")
	alice.Expect("* 2 in #lobby:")

	_, body := get(t, nil, url)
	assert.Equal(t, 2.0, metric(body, `anseo_connections{transport="telnet"}`))
	assert.Equal(t, 2.0, metric(body, `anseo_joins_total{transport="telnet"}`))
	assert.Equal(t, 2.0, metric(body, `anseo_messages_total{transport="telnet"}`))
	// bob's join reached alice; each message reached the other (the line
	// port never shows senders their own lines, so they are not queued them).
	assert.Equal(t, 3.0, metric(body, `anseo_deliveries_total`))
	// Joins within a tenth of a second of each other go out together.
	assert.Contains(t, []float64{3, 4}, metric(body, `anseo_fanout_seconds_count`), "two joins and two messages fanned out")
	assert.GreaterOrEqual(t, metric(body, `anseo_hub_queue_depth`), 0.0)
	assert.Contains(t, body, "go_goroutines ")
	assert.Contains(t, body, "process_resident_memory_bytes ")

	bob.Close()
	alice.Expect("bob has left the channel.")
	_, body = get(t, nil, url)
	assert.Equal(t, 1.0, metric(body, `anseo_leaves_total{reason="quit",transport="telnet"}`))
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	a := startAnseo(t, "-metrics-addr", "127.0.0.1:0")
	status, _ := get(t, nil, "http://"+a.httpAddr+"/metrics")
	assert.Equal(t, http.StatusNotFound, status, "not on the public site")
	status, body := get(t, nil, "http://"+a.metricsAddr+"/metrics")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "anseo_connections")
}

func TestPprofOnlyOnTheMetricsListener(t *testing.T) {
	a := startAnseo(t, "-metrics-addr", "127.0.0.1:0", "-pprof")
	status, body := get(t, nil, "http://"+a.metricsAddr+"/debug/pprof/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "goroutine", "the index lists the profiles")
	status, body = get(t, nil, "http://"+a.metricsAddr+"/debug/pprof/goroutine?debug=1")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "goroutine profile:")
	status, _ = get(t, nil, "http://"+a.metricsAddr+"/metrics")
	assert.Equal(t, http.StatusOK, status, "the metrics are still there")

	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		status, _ = get(t, nil, "http://"+a.httpAddr+path)
		assert.Equal(t, http.StatusNotFound, status, "%s is not on the public web port", path)
	}
}

func TestPprofIsOffByDefault(t *testing.T) {
	a := startAnseo(t, "-metrics-addr", "127.0.0.1:0")
	status, _ := get(t, nil, "http://"+a.metricsAddr+"/debug/pprof/")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestPprofWithoutMetricsAddrIsRefused(t *testing.T) {
	for name, getenv := range map[string]func(string) string{
		"flag":        func(string) string { return "" },
		"environment": func(k string) string { return map[string]string{"ANSEO_PPROF": "true"}[k] },
	} {
		t.Run(name, func(t *testing.T) {
			args := []string{"anseo", "-telnet-addr", "127.0.0.1:0", "-terminal-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-db", ":memory:"}
			if name == "flag" {
				args = append(args, "-pprof")
			}
			err := run(t.Context(), args, getenv, io.Discard, io.Discard, func(listening) {
				t.Error("anseo listened")
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "-pprof")
			assert.Contains(t, err.Error(), "-metrics-addr")
		})
	}
}

// TestProfileInProgressEndsAtShutdown: a CPU profile being taken does not
// hold up the shutdown; it ends, and is sent, when the server stops.
func TestProfileInProgressEndsAtShutdown(t *testing.T) {
	a := startAnseo(t, "-metrics-addr", "127.0.0.1:0", "-pprof")
	type reply struct {
		status int
		body   string
	}
	replies := make(chan reply, 1)
	go func() {
		res, err := http.Get("http://" + a.metricsAddr + "/debug/pprof/profile?seconds=120")
		if err != nil {
			replies <- reply{body: err.Error()}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		replies <- reply{res.StatusCode, string(b)}
	}()
	// The profile has begun when its handler shows in the goroutine dump.
	deadline := time.Now().Add(10 * time.Second)
	for {
		require.True(t, time.Now().Before(deadline), "the profile did not begin within 10s")
		_, dump := get(t, nil, "http://"+a.metricsAddr+"/debug/pprof/goroutine?debug=2")
		if strings.Contains(dump, "net/http/pprof.Profile(") {
			break
		}
		select {
		case r := <-replies:
			t.Fatalf("the profile ended before shutdown: %d %s", r.status, r.body)
		default:
		}
	}
	require.NoError(t, a.stop(), "the shutdown was not held up")
	r := <-replies
	assert.Equal(t, http.StatusOK, r.status, r.body)
	assert.NotEmpty(t, r.body, "the profile so far")
}

func TestHealthAndReadiness(t *testing.T) {
	a := startAnseo(t)
	status, body := get(t, nil, "http://"+a.httpAddr+"/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)
	// Ready once the room's history is loaded, which may be a moment after
	// the listeners are bound.
	require.Eventually(t, func() bool {
		status, _ := get(t, nil, "http://"+a.httpAddr+"/readyz")
		return status == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "ready once the history is loaded")
}

// TestNoMessageTextInInfoLogs: at the default level the log tells what
// happened, never what anyone said.
func TestNoMessageTextInInfoLogs(t *testing.T) {
	var logs syncbuf.Buffer
	a := startAnseoWith(t, &logs, "-log-level", "info")
	alice := linetest.Dial(t, a.telnetAddr, "alice")
	alice.Login("alice")
	bob := linetest.Dial(t, a.telnetAddr, "bob")
	bob.Login("bob")
	alice.Expect("bob has joined the channel.")
	alice.Send("the secret word is xyzzy")
	bob.Expect("<alice> the secret word is xyzzy")
	require.NoError(t, a.stop())
	assert.NotContains(t, logs.String(), "xyzzy")
	assert.Contains(t, logs.String(), `"msg":"listening"`, "the log is there")
}

func TestTLS(t *testing.T) {
	cert, key := selfSignedCert(t)
	a := startAnseo(t, "-tls-cert", cert, "-tls-key", key)
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	base := "https://" + a.httpAddr
	status, _ := get(t, client, base+"/healthz")
	assert.Equal(t, http.StatusOK, status)

	res, err := client.PostForm(base+"/login", url.Values{"name": {"alice"}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.NotEmpty(t, res.Cookies())
	assert.True(t, res.Cookies()[0].Secure, "the name cookie is Secure over TLS")

	var out bytes.Buffer
	err = run(t.Context(), []string{"anseo", "healthcheck", "-http-addr", a.httpAddr, "-tls-cert", cert, "-tls-key", key},
		func(string) string { return "" }, &out, io.Discard)
	assert.NoError(t, err)
	assert.Equal(t, "ok\n", out.String())
}

func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "chat.example.org"},
		DNSNames:     []string{"chat.example.org"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(priv)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}
