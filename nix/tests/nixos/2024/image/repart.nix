# modulesPath of a nixpkgs of 2024, for ../../../module.nix.
import ../../repart-shape.nix "2024"
