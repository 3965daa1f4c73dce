package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/internal/varlink"
)

// listenFD is the first file descriptor passed by socket activation
// (SD_LISTEN_FDS_START).
const listenFD = 3

// varlinkInvocation reports whether the command is started as a Varlink
// service, as systemd-repart's sd_varlink_invocation(SD_VARLINK_ALLOW_ACCEPT)
// decides: exactly one file descriptor passed to this process
// (LISTEN_PID, LISTEN_FDS=1) named "varlink" (LISTEN_FDNAMES), which must
// be a connection, not a listening socket.
func varlinkInvocation(getenv func(string) string) (bool, error) {
	if getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) || getenv("LISTEN_FDS") == "" {
		return false, nil
	}
	n, err := strconv.Atoi(getenv("LISTEN_FDS"))
	switch {
	case err != nil || n < 0:
		return false, fmt.Errorf("LISTEN_FDS=%s: not a number of file descriptors", getenv("LISTEN_FDS"))
	case n == 0:
		return false, nil
	case n > 1:
		return false, fmt.Errorf("LISTEN_FDS=%d: a Varlink service takes one connection", n)
	case getenv("LISTEN_FDNAMES") != "varlink":
		return false, nil
	}
	listening, err := unix.GetsockoptInt(listenFD, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return false, fmt.Errorf("checking the Varlink socket: %w", err)
	}
	if listening != 0 {
		return false, errors.New("the Varlink socket is a listening socket; systemd-repart serves one accepted connection (Accept=yes)")
	}
	return true, nil
}

// serveVarlink answers the calls on the connection until the client
// hangs up, as systemd-repart's vl_server() does: io.systemd.Repart.Run,
// and org.varlink.service.GetInfo. Only root and the service's own user
// may call it. The command line's options do not apply to the calls.
func serveVarlink(ctx context.Context, conn *os.File, name string, stderr io.Writer, getenv func(string) string) int {
	defer conn.Close()
	cred, err := unix.GetsockoptUcred(int(conn.Fd()), unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		fmt.Fprintf(stderr, "%s: reading the Varlink peer's credentials: %v\n", name, err)
		return 1
	}
	if cred.Uid != 0 && int(cred.Uid) != os.Getuid() {
		fmt.Fprintf(stderr, "%s: Varlink peer uid %d is neither root nor ours, refusing\n", name, cred.Uid)
		return 1
	}
	c := varlink.NewConn(conn)
	for {
		call, err := c.ReadCall()
		if errors.Is(err, io.EOF) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 1
		}
		switch call.Method {
		case "io.systemd.Repart.Run":
			err = varlinkRun(ctx, c, call, name, stderr, getenv)
		case "org.varlink.service.GetInfo":
			err = c.Reply(map[string]any{"vendor": "gorepart", "product": "systemd-repart " + repartRelease + " compatible",
				"version": ownVersion(), "url": "https://github.com/gorepart/gorepart",
				"interfaces": []string{"io.systemd.Repart", "org.varlink.service"}})
		case "io.systemd.Repart.ListCandidateDevices", "org.varlink.service.GetInterfaceDescription":
			// Block devices are not gorepart's business, and the
			// interface is not described.
			err = c.Error(varlink.ErrMethodNotImplemented, map[string]string{"method": call.Method})
		default:
			err = c.Error(varlink.ErrMethodNotFound, map[string]string{"method": call.Method})
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: replying to %s: %v\n", name, call.Method, err)
			return 1
		}
		if ctx.Err() != nil {
			return 1
		}
	}
}

// errnoReply is sd_varlink_error_errno()'s io.systemd.System error for a
// failure, with the errno the error carries (EINVAL when none).
func errnoReply(c *varlink.Conn, err error) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		errno = unix.EINVAL
	}
	params := map[string]any{"origin": "linux", "errno": int(errno)}
	if n := unix.ErrnoName(errno); n != "" {
		params["errnoName"] = strings.ToUpper(n)
	}
	return c.Error("io.systemd.System", params)
}
