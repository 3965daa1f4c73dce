// Package testutil holds the helpers the writers' tests share: finding
// the real tools that check their output (failing in CI, skipping with
// the apt-get line elsewhere; tool.go), writing an image file or a
// writer's plan into one (image.go, plan.go), reading a partition table
// with sfdisk, putting filesystem images into a GPT disk and checking
// them in a VM (disk.go, spec.go, vmcheck.go), generated store trees for
// benchmarks (store.go), running a test again as nobody (nobody.go) and
// checking an error (errors.go). Generated fstree trees and comparing
// them with what a reader found are in internal/testtree.
package testutil
