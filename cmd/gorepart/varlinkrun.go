package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/varlink"
	"github.com/gorepart/gorepart/repart"
)

// runParameters are io.systemd.Repart.Run's; nil is absent or null.
type runParameters struct {
	Node                        *string  `json:"node"`
	Empty                       *string  `json:"empty"`
	DryRun                      *bool    `json:"dryRun"`
	Seed                        *string  `json:"seed"`
	Definitions                 []string `json:"definitions"`
	DeferPartitionsEmpty        *bool    `json:"deferPartitionsEmpty"`
	DeferPartitionsFactoryReset *bool    `json:"deferPartitionsFactoryReset"`
}

// parseRunParameters checks the parameters as repart's dispatch table
// does; it returns the name of the first bad one.
func parseRunParameters(raw json.RawMessage) (runParameters, string) {
	var p runParameters
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return p, te.Field
		}
		if _, f, ok := strings.Cut(err.Error(), "unknown field "); ok {
			return p, strings.Trim(f, `"`)
		}
		return p, "parameters"
	}
	switch {
	case p.Empty == nil || *p.Empty != "refuse" && *p.Empty != "allow" && *p.Empty != "require" && *p.Empty != "force":
		return p, "empty"
	case p.DryRun == nil:
		return p, "dryRun"
	case (p.Node == nil || *p.Node == "") && !*p.DryRun:
		return p, "dryRun" // without a node only a dry run is possible
	}
	if p.Seed != nil {
		if _, err := definitions.ParseUUID(*p.Seed); err != nil {
			return p, "seed"
		}
	}
	for _, d := range p.Definitions {
		if !filepath.IsAbs(d) || filepath.Clean(d) != d {
			return p, "definitions"
		}
	}
	return p, ""
}

// varlinkRun is io.systemd.Repart.Run (repart's vl_method_run()): the
// partitions of the definitions on node, as --empty= and --dry-run= say.
// Without a node it replies the minimal size; a dry run also the
// image's size and, unless the table is ignored (force, require), its
// number of partitions. A "more" call gets progress notifications.
func varlinkRun(ctx context.Context, c *varlink.Conn, call *varlink.Call, name string, stderr io.Writer, getenv func(string) string) error {
	p, bad := parseRunParameters(call.Parameters)
	if bad != "" {
		return c.InvalidParameter(bad)
	}
	notify := func(phase, object string, percent int) {
		if !call.More {
			return
		}
		n := progressNotification{Phase: phase, Object: object}
		if percent >= 0 {
			n.Progress = &percent
		}
		c.Notify(n)
	}
	logf := func(s string) { fmt.Fprintln(stderr, s) }
	fail := func(err error) error {
		fmt.Fprintf(stderr, "%s: %v\n", name, oneLine(err))
		return errnoReply(c, err)
	}

	notify("loading_definitions", "", -1)
	sp, err := specifiers("", "", "")
	if err != nil {
		return fail(err)
	}
	defs, warnings, err := definitions.Load(definitions.Options{Dirs: p.Definitions, Specifiers: sp, FSTypeOverride: fsTypeOverrides(getenv)})
	for _, w := range warnings {
		logf(w.String())
	}
	if err != nil {
		return fail(err)
	}
	umask := unix.Umask(0)
	unix.Umask(umask)
	o := repart.BuildOptions{Empty: *p.Empty, DryRun: *p.DryRun, Log: logf, Now: time.Now(), Clock: time.Now,
		Mode: os.FileMode(0o666 &^ umask), Owner: fstree.OwnerAuto, Unprivileged: unprivileged(), Specifiers: sp}
	if p.Node != nil {
		o.Image = *p.Node
	}
	o.DeferEmpty = p.DeferPartitionsEmpty != nil && *p.DeferPartitionsEmpty
	o.DeferFactoryReset = p.DeferPartitionsFactoryReset != nil && *p.DeferPartitionsFactoryReset
	seedArg := ""
	if p.Seed != nil {
		seedArg = *p.Seed
	}
	if o.Plan.Seed, err = seed(seedArg, "systemd-repart", ""); err != nil {
		return fail(err)
	}
	if t, ok := sourceDateEpoch(getenv); ok {
		o.SourceDateEpoch = &t
	}
	o.Phase = func(phase, object string) { notify(phase, object, -1) }
	o.Progress = func(pr repart.Progress) {
		phase := "formatting_partition"
		if pr.What == "blocks" {
			phase = "copying_partition"
		}
		percent := -1
		if pr.Total > 0 {
			percent = int(min(100, pr.Bytes*100/pr.Total))
		}
		if pr.Done {
			percent = 100
		}
		notify(phase, pr.File, percent)
	}

	if o.Image == "" {
		size, err := repart.MinimalSize(ctx, defs, o)
		if err != nil {
			return fail(err)
		}
		return c.Reply(runReply{MinimalSize: &size})
	}
	notify("loading_table", "", -1)
	res, err := repart.Build(ctx, defs, o)
	var lc *repart.LabelConflict
	var ns *repart.NoSpaceError
	switch {
	case errors.As(err, &lc):
		logf(lc.Message)
		return c.Error("io.systemd.Repart.ConflictingDiskLabelPresent", nil)
	case errors.As(err, &ns):
		logf(err.Error())
		size := uint64(0)
		if st, err := os.Stat(o.Image); err == nil {
			size = uint64(st.Size())
		}
		if ns.Minimal-min(ns.Minimal, ns.Foreign) > size {
			return c.Error("io.systemd.Repart.DiskTooSmall", spaceError{Current: size, Minimal: ns.Minimal})
		}
		e := spaceError{Current: size, Minimal: ns.Minimal}
		if need := ns.Minimal - min(ns.Minimal, ns.Current); need > 0 {
			e.NeedFree = &need
		}
		return c.Error("io.systemd.Repart.InsufficientFreeSpace", e)
	case err != nil:
		return fail(err)
	}
	if !*p.DryRun {
		return c.Reply(nil)
	}
	reply := runReply{MinimalSize: &res.Layout.MinimalSize, CurrentSize: &res.Layout.Size}
	if o.Empty == "refuse" || o.Empty == "allow" {
		n := 0
		for _, pp := range res.Layout.Partitions {
			if pp.Exists {
				n++
			}
		}
		reply.PartitionCount = &n
	}
	return c.Reply(reply)
}

// runReply, progressNotification and spaceError are Run's replies and
// errors, their fields in repart's order.
type runReply struct {
	MinimalSize    *uint64 `json:"minimalSizeBytes,omitempty"`
	CurrentSize    *uint64 `json:"currentSizeBytes,omitempty"`
	PartitionCount *int    `json:"partitionCount,omitempty"`
}

type progressNotification struct {
	Phase    string `json:"phase"`
	Object   string `json:"object,omitempty"`
	Progress *int   `json:"progress,omitempty"`
}

type spaceError struct {
	Current  uint64  `json:"currentSizeBytes"`
	NeedFree *uint64 `json:"needFreeBytes,omitempty"`
	Minimal  uint64  `json:"minimalSizeBytes"`
}
