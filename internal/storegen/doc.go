// Package storegen generates the benchmark trees: a deterministic
// synthetic Nix store closure (OUT/nix/store/<hash>-<name>-<version>/…)
// with many small text files, compressible medium files, large
// pseudo-random "binaries", relative and absolute (dangling) symlinks,
// hardlinks and empty directories; files 0444, executables and
// directories 0555, every mtime 1.
//
// It is a port of the project's former gen-store.py and makes the same
// trees byte for byte (names, sizes, contents, links, modes, times), so
// that benchmark results made with either stay comparable: it carries
// its own copy of CPython's random.Random (MT19937 with init_by_array
// seeding and the methods the generator calls). The only source of a
// difference would be the last bit of a libm result (log, exp, sin, cos)
// turning an int() truncation the other way, which the tests have not
// seen for the tiny and small trees.
package storegen
