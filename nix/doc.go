// Package nix holds no Go code: it is the directory of gorepart's Nix
// files (package.nix, repart-image.nix, module.nix, tests/) and their tests,
// which parse every .nix file of the repository with nix-instantiate,
// check package.nix's vendorHash against `go mod vendor`, evaluate the
// drop-in repart-image.nix and run the command line it makes, and build
// the example images with gorepart as a nixpkgs-free derivation's builder.
package nix
