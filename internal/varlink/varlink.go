// Package varlink serves Varlink calls on one connection: JSON objects,
// each ended by a NUL byte (https://varlink.org/Protocol). A call is
// {"method", "parameters", "more", "oneway"}; a reply is {"parameters"}
// or {"error", "parameters"} (no "parameters" when there are none, as
// sd-varlink sends them), with "continues": true on the
// notifications that precede the last reply of a "more" call. It is the
// part of systemd's sd-varlink that systemd-repart's Varlink service
// (io.systemd.Repart, started with the connection as fd 3) needs.
package varlink

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Errors of the org.varlink.service interface.
const (
	ErrMethodNotFound       = "org.varlink.service.MethodNotFound"
	ErrMethodNotImplemented = "org.varlink.service.MethodNotImplemented"
	ErrInvalidParameter     = "org.varlink.service.InvalidParameter"
	ErrInterfaceNotFound    = "org.varlink.service.InterfaceNotFound"
)

// maxMessage bounds a message, as sd-varlink does (16 MiB).
const maxMessage = 16 << 20

// Call is a method call.
type Call struct {
	Method     string          `json:"method"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	More       bool            `json:"more,omitempty"`
	Oneway     bool            `json:"oneway,omitempty"`
}

// Conn is one Varlink connection, the service side. Replies may be sent
// from several goroutines.
type Conn struct {
	r  *bufio.Reader
	mu sync.Mutex
	w  io.Writer
	// oneway is set while serving a call that wants no reply.
	oneway bool
}

// NewConn serves on rw.
func NewConn(rw io.ReadWriter) *Conn { return &Conn{r: bufio.NewReader(rw), w: rw} }

// ReadCall reads the next call; io.EOF when the client hung up.
func (c *Conn) ReadCall() (*Call, error) {
	var msg []byte
	for {
		chunk, err := c.r.ReadSlice(0)
		msg = append(msg, chunk...)
		if len(msg) > maxMessage {
			return nil, errors.New("varlink message too long")
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(msg) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		break
	}
	var call Call
	if err := json.Unmarshal(msg[:len(msg)-1], &call); err != nil {
		return nil, fmt.Errorf("reading varlink call: %w", err)
	}
	if call.Method == "" {
		return nil, errors.New("varlink call without a method")
	}
	c.mu.Lock()
	c.oneway = call.Oneway
	c.mu.Unlock()
	return &call, nil
}

type reply struct {
	Error      string `json:"error,omitempty"`
	Parameters any    `json:"parameters,omitempty"`
	Continues  bool   `json:"continues,omitempty"`
}

// send writes r; parameters that are nil are left out, as sd-varlink
// leaves out empty ones.
func (c *Conn) send(r reply) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oneway {
		return nil
	}
	_, err = c.w.Write(append(b, 0))
	return err
}

// Reply sends the (last) reply of a call; nothing is sent for a oneway
// call.
func (c *Conn) Reply(params any) error { return c.send(reply{Parameters: params}) }

// Notify sends a reply with more to come (a "more" call only).
func (c *Conn) Notify(params any) error { return c.send(reply{Parameters: params, Continues: true}) }

// Error sends an error reply.
func (c *Conn) Error(name string, params any) error {
	return c.send(reply{Error: name, Parameters: params})
}

// InvalidParameter replies org.varlink.service.InvalidParameter for the
// named parameter.
func (c *Conn) InvalidParameter(name string) error {
	return c.Error(ErrInvalidParameter, map[string]string{"parameter": name})
}
