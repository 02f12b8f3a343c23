package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This machine has no Docker engine, so these tests stand in for
// "docker build" and "docker run": they read the Dockerfile, build the binary
// with its own build command, and run the healthcheck its HEALTHCHECK runs.

func readDockerfile(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	return string(b)
}

// TestDockerfileAgreesWithBinary: the image exposes the ports the binary
// listens on by default, runs as a non-root user, and its health check and
// entry point are the binary's.
func TestDockerfileAgreesWithBinary(t *testing.T) {
	df := readDockerfile(t)
	cfg, err := parseConfig([]string{"anseo"}, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	_, telnetPort, _ := net.SplitHostPort(cfg.telnetAddr)
	_, httpPort, _ := net.SplitHostPort(cfg.httpAddr)
	_, terminalPort, _ := net.SplitHostPort(cfg.terminalAddr)

	expose := regexp.MustCompile(`(?m)^EXPOSE (.+)$`).FindStringSubmatch(df)
	require.NotNil(t, expose, "no EXPOSE")
	assert.ElementsMatch(t, []string{httpPort, telnetPort, terminalPort}, strings.Fields(expose[1]))

	stages := regexp.MustCompile(`(?m)^FROM `).Split(df, -1)
	final := stages[len(stages)-1]
	assert.Regexp(t, `^(gcr\.io/distroless/static\S*|scratch)\b`, final, "final image is distroless-static or scratch")
	user := regexp.MustCompile(`(?m)^USER (\S+)$`).FindStringSubmatch(final)
	require.NotNil(t, user, "the final stage sets no USER")
	assert.NotRegexp(t, `^(root|0)(:|$)`, user[1])

	assert.Regexp(t, `(?m)^HEALTHCHECK .*CMD \["/anseo", "healthcheck"\]$`, final)
	assert.Regexp(t, `(?m)^ENTRYPOINT \["/anseo"\]$`, final)
	assert.Contains(t, final, "COPY --from=build /out/anseo /anseo")

	// The history's file is in a directory the user may write, kept in a volume.
	db := regexp.MustCompile(`(?m)^ENV ANSEO_DB=(\S+)$`).FindStringSubmatch(final)
	require.NotNil(t, db, "ANSEO_DB is not set")
	dir := filepath.Dir(db[1])
	assert.Regexp(t, `(?m)^COPY --from=build --chown=`+regexp.QuoteMeta(user[1])+` \S+ `+regexp.QuoteMeta(dir)+`$`, final)
	assert.Regexp(t, `(?m)^VOLUME `+regexp.QuoteMeta(dir)+`$`, final)
}

// TestImageBuildAndHealthcheck builds the binary with the Dockerfile's own
// build command, runs it, and probes it with "anseo healthcheck".
func TestImageBuildAndHealthcheck(t *testing.T) {
	df := readDockerfile(t)
	build := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .*)$`).FindStringSubmatch(df)
	require.NotNil(t, build, "no go build in the Dockerfile")
	bin := filepath.Join(t.TempDir(), "anseo")
	script := strings.ReplaceAll(build[1], "/out/anseo", bin)
	script = strings.ReplaceAll(script, "${VERSION}", "v9.9.9-test")
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", script, out)

	out, err = exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "anseo v9.9.9-test\n", string(out), "the version is stamped")

	server := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-telnet-addr", "127.0.0.1:0", "-terminal-addr", "127.0.0.1:0", "-log-format", "json")
	stderr, err := server.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, server.Start())
	exited := make(chan error, 1)
	go func() {
		// Read the log to its end, then reap: Wait closes the pipe.
		httpAddr := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				t.Log(sc.Text())
				var rec listenRecord
				if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" && rec.Transport == "http" {
					httpAddr <- rec.Addr
				}
			}
			close(httpAddr)
		}()
		addr := <-httpAddr
		if addr != "" {
			probe(t, bin, addr)
		}
		_ = server.Process.Signal(syscall.SIGTERM)
		for range httpAddr {
		}
		exited <- server.Wait()
	}()
	select {
	case err := <-exited:
		assert.NoError(t, err, "anseo exits cleanly on SIGTERM")
	case <-time.After(30 * time.Second):
		_ = server.Process.Kill()
		t.Fatal("anseo did not stop within 30s of SIGTERM")
	}
}

// listenRecord is the log record of a listener that is up. A test that
// runs anseo as a process of its own learns its ports from it; one that
// calls run in-process passes run a ready function instead.
type listenRecord struct {
	Msg       string `json:"msg"`
	Transport string `json:"transport"`
	Addr      string `json:"addr"`
}

// probe runs the healthcheck against the server at addr, and against a port
// where nothing listens. It runs on a goroutine other than the test's, so it
// only asserts.
func probe(t *testing.T, bin, addr string) {
	out, err := exec.Command(bin, "healthcheck", "-http-addr", addr).CombinedOutput()
	assert.NoError(t, err, string(out))
	assert.Equal(t, "ok\n", string(out))

	// Pointed at nothing, the probe fails, so the container is marked unhealthy.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if !assert.NoError(t, err) {
		return
	}
	dead := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "healthcheck")
	cmd.Env = append(os.Environ(), "ANSEO_HTTP_ADDR="+dead)
	out, err = cmd.CombinedOutput()
	assert.Error(t, err, string(out))
}

// TestClusterComposeFileAgreesWithBinary: every setting the cluster's
// compose file gives its nodes is one the binary knows, and it links them.
func TestClusterComposeFileAgreesWithBinary(t *testing.T) {
	b, err := os.ReadFile("../../docs/cluster/compose.yaml")
	require.NoError(t, err)
	var help strings.Builder
	_, _ = parseConfig([]string{"anseo", "-h"}, func(string) string { return "" }, &help)
	known := regexp.MustCompile(`\[(ANSEO_[A-Z_]+)\]`).FindAllStringSubmatch(help.String(), -1)
	vars := map[string]bool{}
	for _, k := range known {
		vars[k[1]] = true
	}
	used := regexp.MustCompile(`\b(ANSEO_[A-Z_]+):`).FindAllStringSubmatch(string(b), -1)
	require.NotEmpty(t, used)
	for _, u := range used {
		assert.True(t, vars[u[1]], "compose.yaml sets %s, which anseo does not read", u[1])
	}
	assert.Contains(t, string(b), "ANSEO_NATS_URL: nats://nats:4222")
}
