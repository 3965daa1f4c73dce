// Package nix holds no Go code: it is the directory of gorepart's Nix
// files (package.nix, repart-image.nix, module.nix, checks/, tests/) and
// their tests, which evaluate the drop-in builder with the arguments and
// overrides nixpkgs uses, evaluate the module against nixpkgs' image
// modules of three eras, build images with real sandboxed nix-builds and
// check them with sfdisk, fsck.vfat, fsck.erofs and veritysetup, parse
// every .nix file and check package.nix's vendorHash.
package nix
