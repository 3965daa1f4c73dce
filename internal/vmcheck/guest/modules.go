package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/sys/unix"
)

// loadModules loads the job's modules in order with finit_module.
func loadModules(r *reporter, mods []job.Module) {
	n := 0
	for _, m := range mods {
		err := loadModule(filepath.Join("/mods", m.File))
		switch {
		case err == nil:
			n++
		case errors.Is(err, unix.EEXIST):
		case m.Optional && errors.Is(err, unix.ENODEV):
			r.info("guest: module %s: no support on this CPU (%v)", m.File, err)
		default:
			r.fail("guest: loading module %s: %v", m.File, err)
		}
	}
	r.info("guest: loaded %d modules", n)
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.FinitModule(int(f.Fd()), "", 0)
}
