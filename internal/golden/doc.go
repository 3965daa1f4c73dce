// Package golden lays out the golden cases of testdata/golden (outputs of
// the real systemd-repart, see its README.md) so that gorepart's tests can
// run them: the definitions with their placeholders filled in, the
// generated input blobs, and the command line each case was made with.
package golden
