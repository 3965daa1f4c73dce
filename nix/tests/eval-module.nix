# Evaluates ../module.nix in a NixOS-like module evaluation (stub module
# system, or nixpkgs' lib with nixpkgsLib) against a nixpkgs of the given
# era (./nixos/<era> is its modulesPath) and returns what the tests check.
#
#   nix-instantiate --eval --strict --json -E \
#     'import nix/tests/eval-module.nix { era = "2026"; verity = true; }'
{
  era ? "2026",
  gorepart ? true,
  verity ? false,
  single ? false,
  # a partition label over GPT's 36 characters: the image must not evaluate
  longLabel ? false,
  mkfsOptions ? { },
  goVersions ? null,
  nixpkgsLib ? null,
}:

let
  lib = if nixpkgsLib == null then import ./stub/lib.nix else import nixpkgsLib;
  pkgs = import ./stub/pkgs.nix ({ inherit lib; } // lib.optionalAttrs (goVersions != null) { inherit goVersions; });
  utils.systemdUtils.lib = {
    GPTMaxLabelLength = 36;
    definitions = name: _format: _units: "/nix/store/99999999999999999999999999999999-${name}";
  };
  eval = lib.evalModules {
    modules = [
      ./nixos/base.nix
      ../module.nix
      {
        system.build.toplevel = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system";
        image.repart = {
          name = "appliance";
          version = "23.1";
          inherit mkfsOptions;
          partitions."00-esp".repartConfig = {
            Type = "esp";
            Format = "vfat";
          }
          // lib.optionalAttrs longLabel { Label = "a-partition-label-longer-than-36-chars"; };
          gorepart.enable = gorepart;
          gorepart.verityStore.singleDerivation = single;
          verityStore.enable = verity;
        };
      }
    ];
    specialArgs = {
      inherit pkgs utils;
      modulesPath = ./nixos + "/${era}";
    };
  };
  inherit (eval.config.system) build;
  flags = d: {
    builtBy = d.builtBy or "gorepart";
    name = d.name or null;
    systemdRepartFlags = d.systemdRepartFlags;
    gorepartFlags = d.gorepartFlags or null;
    preBuild = d.preBuild or null;
    partitionsJSON = d.partitionsJSON or null;
    env = d.env or null;
  };
in
{
  image = flags build.image;
  failedAssertions = map (a: a.message) (lib.filter (a: !a.assertion) eval.config.assertions);
  package = {
    inherit (eval.config.image.repart.gorepart.package) goVersion;
    fromBuildPackages = eval.config.image.repart.gorepart.package.fromBuildPackages or false;
  };
  undeclared = eval.undeclared or [ ];
}
// lib.optionalAttrs verity {
  intermediate = flags build.intermediateImage;
}
// lib.optionalAttrs (verity && era != "2026") {
  finalImage = flags build.finalImage;
}
