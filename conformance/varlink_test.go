package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// varlinkRunSteps is testcase_varlink_run.
func varlinkRunSteps() []step {
	return []step{
		put("a.conf", "$defs/a.conf"),
		put("b.conf", "$defs/b.conf"),
		repart("--pretty=yes", "--definitions", "$defs", "--empty=create", "--size=50M", "--seed=$seed",
			"--dry-run=no", "--offline=yes", "$imgs/disk1.img"),
		truncate("50M", "$imgs/disk2.img"),
		varlinkCall("io.systemd.Repart.Run", "run-disk2.json", false),
		// Compare that the version from the command line and via Varlink result in the bit exact same output
		cmpFiles("$imgs/disk1.img", "$imgs/disk2.img", 0, 0, 0),
		// Try once more, this time with progress info
		truncate("50M", "$imgs/disk3.img"),
		varlinkCall("io.systemd.Repart.Run", "run-disk3.json", true),
		cmpFiles("$imgs/disk1.img", "$imgs/disk3.img", 0, 0, 0),
	}
}

// varlinkCall is `varlinkctl [--more --collect] call "$REPART" METHOD
// PARAMS` with PARAMS from testdata/<case>/FILE: like varlinkctl, it
// starts the binary under test with one end of a socket pair as fd 3
// (LISTEN_FDS=1, LISTEN_FDNAMES=varlink, LISTEN_PID its own pid), sends
// the call and reads replies up to the last one; an error reply fails.
func varlinkCall(method, file string, more bool) step {
	desc := "varlinkctl call systemd-repart " + method + " (" + file + ")"
	if more {
		desc = "varlinkctl --more --collect call systemd-repart " + method + " (" + file + ")"
	}
	return fn{desc, func(e *env) error {
		params, err := e.readData(file)
		if err != nil {
			return err
		}
		call := map[string]any{"method": method, "parameters": json.RawMessage(params)}
		if more {
			call["more"] = true
		}
		req, err := json.Marshal(call)
		if err != nil {
			return err
		}
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		client, server := os.NewFile(uintptr(fds[0]), "varlink-client"), os.NewFile(uintptr(fds[1]), "varlink-server")
		defer client.Close()
		// LISTEN_PID must be the pid of the process that execs the
		// service: the shell's $$, which exec keeps.
		cmd := exec.CommandContext(e.ctx, "/bin/sh", "-c", `LISTEN_PID=$$ exec "$0"`, e.impl.bin)
		cmd.Env = append(e.environ(true, nil, nil), "LISTEN_FDS=1", "LISTEN_FDNAMES=varlink")
		cmd.ExtraFiles = []*os.File{server}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			server.Close()
			return err
		}
		server.Close()
		replies, callErr := varlinkExchange(client, append(req, 0))
		client.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		e.logf("$ varlinkctl call systemd-repart %s %s\n%s\n%s", method, params, replies, tail(stderr.String(), 40))
		return callErr
	}}
}

// varlinkExchange writes the NUL-terminated request and reads replies
// until one without "continues": true.
func varlinkExchange(conn *os.File, req []byte) (string, error) {
	if _, err := conn.Write(req); err != nil {
		return "", fmt.Errorf("sending the call: %w", err)
	}
	r := bufio.NewReader(conn)
	var all bytes.Buffer
	for {
		msg, err := r.ReadBytes(0)
		if err != nil {
			return all.String(), fmt.Errorf("reading the reply: %w", err)
		}
		msg = msg[:len(msg)-1]
		all.Write(msg)
		all.WriteByte('\n')
		var reply struct {
			Error     string `json:"error"`
			Continues bool   `json:"continues"`
		}
		if err := json.Unmarshal(msg, &reply); err != nil {
			return all.String(), fmt.Errorf("reply %q: %w", msg, err)
		}
		if reply.Error != "" {
			return all.String(), fmt.Errorf("varlink error %s: %s", reply.Error, msg)
		}
		if !reply.Continues {
			return all.String(), nil
		}
	}
}
