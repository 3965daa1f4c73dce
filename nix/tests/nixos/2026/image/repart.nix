# modulesPath of a nixpkgs of 2026, for ../../../module.nix.
import ../../repart-shape.nix "2026"
