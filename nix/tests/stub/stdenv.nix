# stdenvNoCC for the tests: mkDerivation with finalAttrs, overrideAttrs
# (prev: and final: prev: forms), passthru and structured attrs, whose
# derivations really build in the Nix sandbox: the builder is a static
# bash from toolbox (a directory with bin/bash and busybox applets) running
# ./setup.sh, which runs patchPhase, buildPhase and installPhase with their
# hooks as nixpkgs' stdenv does.
{
  lib,
  system ? builtins.currentSystem,
  toolbox ? throw "stub stdenv: building needs a toolbox",
}:

let
  hostPlatform = {
    inherit system;
    isx86_64 = system == "x86_64-linux";
    isAarch64 = system == "aarch64-linux";
    isAarch32 = false;
    isx86_32 = false;
    linuxArch = if system == "aarch64-linux" then "arm64" else "x86_64";
  };

  toFixed = f0: final: prev: let x = f0 prev; in if lib.isFunction x then f0 final prev else x;

  makeDerivationExtensible =
    rattrs:
    let
      args = rattrs (args // { inherit finalPackage; });
      drvAttrs = removeAttrs args [
        "passthru"
        "meta"
        "finalPackage"
      ];
      drv = derivation (
        drvAttrs
        // {
          name = args.name or "${args.pname}-${args.version}";
          inherit system;
          builder = "${toolbox}/bin/bash";
          args = [ ./setup.sh ];
          __structuredAttrs = true;
          stubToolbox = toolbox;
        }
      );
      finalPackage =
        drv
        // args.passthru or { }
        // {
          overrideAttrs =
            f0:
            makeDerivationExtensible (
              final:
              let
                prev = rattrs final;
              in
              prev // toFixed f0 final prev
            );
        };
    in
    finalPackage;
in
{
  inherit hostPlatform;
  buildPlatform = hostPlatform;
  mkDerivation = fpOrAttrs: makeDerivationExtensible (if lib.isFunction fpOrAttrs then fpOrAttrs else _: fpOrAttrs);
}
