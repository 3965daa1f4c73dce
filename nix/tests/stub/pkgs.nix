# The part of a nixpkgs package set that module.nix, package.nix and the
# flake use: callPackage (and .override), buildPackages, formats.ini,
# closureInfo, runCommand, go toolchains (versions given) and a
# buildGoModule whose "build" is a gorepart built beforehand (gorepart: a
# store directory with bin/gorepart), or a placeholder path for evaluation.
{
  lib,
  system ? "x86_64-linux",
  toolbox ? "/nix/store/44444444444444444444444444444444-toolbox",
  gorepart ? "/nix/store/22222222222222222222222222222222-gorepart",
  goVersions ? {
    go = "1.25.9";
    go_1_26 = "1.26.8";
  },
}:

let
  stdenvNoCC = import ./stdenv.nix { inherit lib system toolbox; };
  stdenv = stdenvNoCC // {
    hostPlatform = stdenvNoCC.hostPlatform // { inherit system; };
  };
  callPackageWith =
    auto: fn: args:
    let
      f = if lib.isFunction fn then fn else import fn;
    in
    lib.makeOverridable f (builtins.intersectAttrs (builtins.functionArgs f) auto // args);
  mkGo = version: {
    inherit version;
    outPath = "/nix/store/66666666666666666666666666666666-go-${version}";
  };
  buildGoModuleWith = go: {
    __functor = _: attrs: {
      type = "derivation";
      name = "${attrs.pname}-${attrs.version}";
      inherit (attrs) pname version;
      goVersion = go.version;
      outPath = gorepart;
      meta = attrs.meta or { };
    };
    override = a: buildGoModuleWith (a.go or go);
  };
  pkgs =
    lib.mapAttrs (_: mkGo) goVersions
    // {
      inherit lib stdenvNoCC;
      inherit stdenv;
      callPackage = callPackageWith pkgs;
      buildGoModule = buildGoModuleWith pkgs.go;
      buildPackages = pkgs // {
        callPackage = fn: args: callPackageWith pkgs fn args // { fromBuildPackages = true; };
      };
      formats.ini = _: { };
      # the roots are taken to have no references (true of the tests' paths)
      closureInfo =
        { rootPaths }:
        pkgs.runCommand "closure-info" { roots = map toString rootPaths; } ''
          mkdir -p "$out"
          printf '%s\n' "''${roots[@]}" > "$out/store-paths"
        '';
      writeText = builtins.toFile;
      writeTextDir =
        path: text:
        pkgs.runCommand (baseNameOf path) { inherit path text; } ''
          mkdir -p "$out/$(dirname "$path")"
          printf '%s' "$text" > "$out/$path"
        '';
      runCommand =
        name: env: script:
        stdenvNoCC.mkDerivation (
          env
          // {
            inherit name;
            dontUnpack = true;
            buildPhase = script;
          }
        );
      systemdUkify = "/nix/store/88888888888888888888888888888888-systemd-ukify";
    };
in
pkgs
