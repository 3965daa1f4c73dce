# gorepart, built with nixpkgs' buildGoModule.
#
#   pkgs.callPackage ./nix/package.nix { }
#
# go.mod asks for Go 1.26; on a nixpkgs whose default Go is older pass
# `buildGoModule = pkgs.buildGo126Module;`.
{
  lib,
  buildGoModule,
}:

buildGoModule {
  pname = "gorepart";
  version = "0.1.0";

  # The module without build outputs, benchmarks' scratch files or these
  # Nix files (so editing them does not rebuild the binary).
  src = lib.cleanSourceWith {
    src = lib.cleanSource ../.;
    filter =
      path: type:
      let
        rel = lib.removePrefix (toString ../. + "/") (toString path);
      in
      !(lib.elem rel [
        "out"
        "bench"
        "nix"
        "result"
      ]);
  };

  # Hash of `go mod vendor` for this go.mod/go.sum and the packages' imports
  # (nix hash path vendor). nix/nix_test.go recomputes it and fails when a
  # new import makes it stale.
  vendorHash = "sha256-T3zlQwhafEWmiVefirnEeUbNz+tH96LNRHsq48avyLY=";

  subPackages = [ "cmd/gorepart" ];

  env.CGO_ENABLED = "0";
  ldflags = [
    "-s"
    "-w"
  ];

  # The test suite checks images with e2fsck, fsck.vfat, fsck.erofs,
  # veritysetup, sfdisk and qemu; it runs in CI (.ci/run), not here.
  doCheck = false;

  meta = {
    description = "Declarative GPT disk image builder, a reimplementation of systemd-repart --offline";
    mainProgram = "gorepart";
    platforms = lib.platforms.linux;
  };
}
