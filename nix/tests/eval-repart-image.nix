# Evaluates ../repart-image.nix without nixpkgs (stub lib and stdenvNoCC)
# with exactly the arguments nixpkgs' repart.nix passes in each era
# (./upstream/calls.nix) and the override calls repart-verity-store.nix
# makes; returns what the tests compare.
#
#   nix-instantiate --eval --strict --json nix/tests/eval-repart-image.nix
{
  era ? "2026",
  # attributes replacing some of the era's arguments (JSON text)
  overridesJSON ? "{}",
  # a nixpkgs lib/ directory to use instead of the stub (cross-check)
  nixpkgsLib ? null,
}:

let
  lib = if nixpkgsLib == null then import ./stub/lib.nix else import nixpkgsLib;
  stdenvNoCC = import ./stub/stdenv.nix {
    inherit lib;
    system = "x86_64-linux";
    toolbox = "/nix/store/44444444444444444444444444444444-toolbox";
  };
  calls = import ./upstream/calls.nix { inherit lib; };
  # pkgs.callPackage: the function's arguments found in pkgs, then the
  # explicit ones; the result can be .override-n.
  callPackage =
    fn: args:
    let
      f = import fn;
      pkgs = {
        inherit lib stdenvNoCC;
        gorepart = "/nix/store/22222222222222222222222222222222-gorepart";
      };
    in
    lib.makeOverridable f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // args);

  image = callPackage ../repart-image.nix (calls.args.${era} // builtins.fromJSON overridesJSON);
  summary = d: {
    inherit (d)
      name
      systemdRepartFlags
      gorepartFlags
      partitionsJSON
      env
      requiredSystemFeatures
      patchPhase
      buildPhase
      installPhase
      __structuredAttrs
      ;
    nativeBuildInputs = map toString d.nativeBuildInputs;
    preBuild = d.preBuild or null;
    unsafeDiscardReferences = d.unsafeDiscardReferences;
  };
  verity = calls.verity.${era} or null;
  intermediate = verity.intermediate image;
  final = verity.final {
    inherit image intermediate;
    baseName = "appliance_23.1";
    uki = "/nix/store/33333333333333333333333333333333-nixos.efi";
    ukiFile = "nixos.efi";
  };
in
{
  image = summary image;
  upstreamFlags = calls.upstreamFlags;
}
// lib.optionalAttrs (verity != null) {
  intermediate = summary intermediate;
}
// lib.optionalAttrs (verity ? final) {
  final = summary final;
  # .override still works after .overrideAttrs (makeOverridable)
  finalRecompressed = (final.override { compression.enable = false; }).gorepartFlags;
}
