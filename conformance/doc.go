// Package conformance is systemd's integration test TEST-58-REPART (tag
// v262, test/units/TEST-58-REPART.sh) ported to Go: a black-box test of a
// systemd-repart binary.
//
// The package has no code of its own; its tests hold the port. Every upstream
// testcase_* function is one entry of the table in cases_test.go, named after
// it, with its commands and flags; upstream's expectations (sfdisk dumps,
// JSON reports, assert_in patterns, definition files) are data under
// testdata/<testcase>/, verbatim but for upstream's shell variables, which
// are substituted when the case runs.
//
// TestTEST58 builds cmd/gorepart, invokes it under the name systemd-repart
// and runs every case against it (subtest .../gorepart); when the environment
// variable GOREPART_REFERENCE_REPART names a real systemd-repart 262, it runs
// the same cases against that binary too (subtest .../reference), which checks
// the port itself.
//
// Upstream runs each case twice, on loop devices, as root, offline and
// online. The port runs the offline pass on image files: --offline=yes where
// upstream would use a loop device, sfdisk on the image file, and the real
// tools (sfdisk, fsck, debugfs, cryptsetup, veritysetup, mtools, openssl,
// unsquashfs, btrfs) on partitions copied out of the image where upstream
// mounts them or calls systemd-dissect. Cases that need what an image file
// cannot give (loop devices, device-mapper, online mode, the host's block
// devices, Varlink services) are listed with the reason and skipped; parts of
// a case that cannot be ported are named in its notPorted field, printed by
// the test. README.md has the table.
//
// testdata/KNOWN_GAPS lists the cases gorepart does not pass yet. Their
// gorepart subtests still run and must fail: the failure is logged, and a
// case that passes makes the test fail until its line is removed.
package conformance
