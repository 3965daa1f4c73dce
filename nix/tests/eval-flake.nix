# The flake's outputs with a stub nixpkgs input (./stub/pkgs.nix; the
# package's "build" is the gorepart given here): its checks build for real
# with the stub stdenv.
#
#   nix-build nix/tests/eval-flake.nix -A checks.x86_64-linux.small-image \
#     --arg toolbox DIR --arg gorepart DIR
{
  toolbox ? null,
  gorepart ? null,
  system ? builtins.currentSystem,
}:

let
  lib = import ./stub/lib.nix;
  pkgsFor =
    s:
    import ./stub/pkgs.nix (
      {
        inherit lib;
        system = s;
      }
      // lib.optionalAttrs (toolbox != null) {
        toolbox = builtins.path {
          path = toolbox;
          name = "toolbox";
        };
      }
      // lib.optionalAttrs (gorepart != null) {
        gorepart = builtins.path {
          path = gorepart;
          name = "gorepart";
        };
      }
    );
  flake = import ../../flake.nix;
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs [
      "x86_64-linux"
      "aarch64-linux"
    ] pkgsFor;
  };
  self = flake.outputs { inherit self nixpkgs; };
in
self
// {
  inherit (flake) inputs;
  # overlays.default applied to the stub package set
  overlaid = (self.overlays.default (pkgsFor system) (pkgsFor system)).gorepart;
}
