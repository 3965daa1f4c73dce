# modulesPath of a nixpkgs of 2025, for ../../../module.nix.
import ../../repart-shape.nix "2025"
