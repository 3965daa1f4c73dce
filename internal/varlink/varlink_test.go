package varlink

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"testing"
)

// TestConn: calls are read NUL by NUL, replies and notifications are
// NUL-terminated JSON with "parameters" always present.
func TestConn(t *testing.T) {
	server, client := net.Pipe()
	defer client.Close()
	c := NewConn(server)
	go func() {
		client.Write([]byte(`{"method":"io.systemd.Repart.Run","parameters":{"dryRun":true},"more":true}` + "\x00"))
		client.Write([]byte(`{"method":"org.varlink.service.GetInfo"}` + "\x00"))
	}()
	call, err := c.ReadCall()
	if err != nil || call.Method != "io.systemd.Repart.Run" || !call.More || string(call.Parameters) != `{"dryRun":true}` {
		t.Fatalf("%+v %v", call, err)
	}
	if call, err = c.ReadCall(); err != nil || call.Method != "org.varlink.service.GetInfo" || call.More {
		t.Fatalf("%+v %v", call, err)
	}
	go func() {
		c.Notify(map[string]string{"phase": "placing"})
		c.Reply(nil)
		c.InvalidParameter("dryRun")
		server.Close()
	}()
	var got []string
	r := bufio.NewReader(client)
	for {
		msg, err := r.ReadBytes(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(msg[:len(msg)-1]) {
			t.Errorf("not JSON: %q", msg)
		}
		got = append(got, string(msg[:len(msg)-1]))
	}
	want := []string{`{"parameters":{"phase":"placing"},"continues":true}`, `{}`,
		`{"error":"org.varlink.service.InvalidParameter","parameters":{"parameter":"dryRun"}}`}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestReadCallErrors(t *testing.T) {
	for in, eof := range map[string]bool{"": true, `{"method":"x"}`: false, "{\x00": false, `{"parameters":{}}` + "\x00": false} {
		_, err := NewConn(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader([]byte(in)), io.Discard}).ReadCall()
		if err == nil || (err == io.EOF) != eof {
			t.Errorf("%q: %v", in, err)
		}
	}
}
