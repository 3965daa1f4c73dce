package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestParseRunParameters(t *testing.T) {
	for in, bad := range map[string]string{
		`{"empty":"force","dryRun":false,"node":"/x","definitions":["/d"],"seed":"750b6cd5c4ae4012a15e7be3c29e6a47"}`: "",
		`{"empty":"allow","dryRun":true}`:                     "",
		`{"empty":"allow","dryRun":true,"node":null}`:         "",
		`{"empty":"allow","dryRun":false}`:                    "dryRun",
		`{"empty":"create","dryRun":true}`:                    "empty",
		`{"dryRun":true}`:                                     "empty",
		`{"empty":"allow"}`:                                   "dryRun",
		`{"empty":"allow","dryRun":"yes"}`:                    "dryRun",
		`{"empty":"allow","dryRun":true,"bogus":1}`:           "bogus",
		`{"empty":"allow","dryRun":true,"seed":"x"}`:          "seed",
		`{"empty":"allow","dryRun":true,"definitions":["d"]}`: "definitions",
	} {
		if _, got := parseRunParameters(json.RawMessage(in)); got != bad {
			t.Errorf("%s: bad parameter %q, want %q", in, got, bad)
		}
	}
}

func TestVarlinkInvocation(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		env     map[string]string
		ok, err bool
	}{
		{map[string]string{}, false, false},
		{map[string]string{"LISTEN_PID": "1", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "varlink"}, false, false},
		{map[string]string{"LISTEN_PID": pid, "LISTEN_FDS": "1", "LISTEN_FDNAMES": "other"}, false, false},
		{map[string]string{"LISTEN_PID": pid, "LISTEN_FDS": "2", "LISTEN_FDNAMES": "varlink:varlink"}, false, true},
		{map[string]string{"LISTEN_PID": pid, "LISTEN_FDS": "x"}, false, true},
	} {
		ok, err := varlinkInvocation(func(k string) string { return tc.env[k] })
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("%v: %v %v", tc.env, ok, err)
		}
	}
}

// TestVarlinkRun is testcase_varlink_run on a socket pair: Run with
// "more" gets progress notifications and makes the image the command
// line makes; a dry run without a node replies the minimal size; an
// unknown method is an error; the service ends when the client hangs up.
func TestVarlinkRun(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "defs")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "a.conf"), []byte("[Partition]\nType=root\nFormat=empty\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "b.conf"), []byte("[Partition]\nType=linux-generic\nFormat=ext4\n"), 0o644)
	const seed = "750b6cd5c4ae4012a15e7be3c29e6a47"
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}
	disk1, disk2 := filepath.Join(dir, "disk1.img"), filepath.Join(dir, "disk2.img")
	if rc, _, stderr := runRepart(t, env, "--definitions="+defs, "--empty=create", "--size=50M", "--seed="+seed, disk1); rc != 0 {
		t.Fatal(stderr)
	}
	os.WriteFile(disk2, nil, 0o644)
	os.Truncate(disk2, 50<<20)

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	client, server := os.NewFile(uintptr(fds[0]), "client"), os.NewFile(uintptr(fds[1]), "server")
	var stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- serveVarlink(context.Background(), server, "systemd-repart", &stderr, func(k string) string { return env[k] })
	}()
	r := bufio.NewReader(client)
	call := func(method string, params any, more bool) []map[string]any {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"method": method, "parameters": params, "more": more})
		client.Write(append(b, 0))
		var replies []map[string]any
		for {
			msg, err := r.ReadBytes(0)
			if err != nil {
				t.Fatalf("%s: %v (%s)", method, err, stderr.String())
			}
			var m map[string]any
			if err := json.Unmarshal(msg[:len(msg)-1], &m); err != nil {
				t.Fatal(err)
			}
			replies = append(replies, m)
			if m["continues"] != true {
				return replies
			}
		}
	}
	replies := call("io.systemd.Repart.Run", map[string]any{"definitions": []string{defs}, "empty": "force", "seed": seed,
		"dryRun": false, "node": disk2}, true)
	var phases []string
	for _, m := range replies[:len(replies)-1] {
		phases = append(phases, m["parameters"].(map[string]any)["phase"].(string))
	}
	if last := replies[len(replies)-1]; last["error"] != nil || len(last) != 0 {
		t.Fatalf("Run: %v", last)
	}
	for _, p := range []string{"loading_definitions", "placing", "formatting_partition", "writing_table"} {
		if !strings.Contains(strings.Join(phases, " "), p) {
			t.Errorf("no %s notification among %v", p, phases)
		}
	}
	a, _ := os.ReadFile(disk1)
	b, _ := os.ReadFile(disk2)
	if !bytes.Equal(a, b) {
		t.Error("the image made over Varlink differs from the command line's")
	}
	replies = call("io.systemd.Repart.Run", map[string]any{"definitions": []string{defs}, "empty": "allow", "dryRun": true}, false)
	if p, _ := replies[0]["parameters"].(map[string]any); len(replies) != 1 || p["minimalSizeBytes"] != float64(45105664) {
		t.Errorf("dry run without a node: %v", replies)
	}
	replies = call("io.systemd.Repart.Run", map[string]any{"definitions": []string{defs}, "empty": "refuse", "dryRun": true, "node": disk2}, false)
	if p, _ := replies[0]["parameters"].(map[string]any); p["partitionCount"] != float64(2) || p["currentSizeBytes"] != float64(50<<20) {
		t.Errorf("dry run on the image: %v", replies)
	}
	if replies = call("io.systemd.Repart.Nope", nil, false); replies[0]["error"] != "org.varlink.service.MethodNotFound" {
		t.Errorf("unknown method: %v", replies)
	}
	client.Close()
	if rc := <-done; rc != 0 {
		t.Errorf("service exit %d: %s", rc, stderr.String())
	}
}
