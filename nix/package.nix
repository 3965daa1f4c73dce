# gorepart, built with nixpkgs' buildGoModule.
#
#   pkgs.callPackage ./nix/package.nix { }
#
# The Go toolchain is the first of nixpkgs' go, go_1_26, go_1_27, ... that
# is at least the version go.mod's go directive asks for (nixpkgs builds
# with GOTOOLCHAIN=local, so an older one fails); evaluation stops with
# that message when the nixpkgs has none.
{
  lib,
  buildGoModule,
  go,
  go_1_26 ? null,
  go_1_27 ? null,
  go_1_28 ? null,
  go_1_29 ? null,
}:

let
  goMod = builtins.readFile ../go.mod;
  directive = builtins.match ".*\ngo ([0-9.]+)\n.*" goMod;
  required = if directive == null then "1.0" else builtins.head directive;
  usable = lib.filter (g: g != null && lib.versionAtLeast g.version required) [
    go
    go_1_26
    go_1_27
    go_1_28
    go_1_29
  ];
  toolchain =
    if usable == [ ] then
      throw "gorepart: go.mod needs Go ${required}; this nixpkgs has go ${go.version} and no newer go_1_x"
    else
      builtins.head usable;
  build =
    if toolchain.version == go.version then buildGoModule else buildGoModule.override { go = toolchain; };
in
build {
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
  vendorHash = "sha256-gSgfE2U/TR1zQGRtn0IDnp/DhBepyi1hIIjof+yRLoM=";

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
