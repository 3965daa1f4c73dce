// Package testutil holds the helpers the writers' tests share: finding
// the real tools that check their output (failing in CI, skipping with
// the apt-get line elsewhere), writing an image file, and putting
// filesystem images into a GPT disk for the VM check.
package testutil
