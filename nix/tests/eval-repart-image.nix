# Evaluates ../repart-image.nix without nixpkgs: a few lib functions and a
# stdenvNoCC.mkDerivation that only resolves finalAttrs, with the arguments
# nixos/modules/image/repart.nix passes (plus the ones only nixpkgs'
# builder uses, which must be accepted and ignored).
#
#   nix-instantiate --eval --strict --json nix/tests/eval-repart-image.nix
{
  compressionEnable ? true,
  algorithm ? "zstd-seekable",
  definitionsDirectory ? "/defs/repart.d",
  # The manifest as JSON text (nixpkgs' finalPartitions).
  manifestJSON ? ''{"00-esp":{"repartConfig":{"Format":"vfat","Type":"esp"}}}'',
}:

let
  lib = {
    optionals = cond: list: if cond then list else [ ];
    boolToString = b: if b then "true" else "false";
  };
  stdenvNoCC = {
    hostPlatform = {
      isAarch32 = false;
      isAarch64 = false;
      isx86_32 = false;
      isx86_64 = true;
    };
    mkDerivation =
      f:
      let
        attrs = f attrs;
      in
      attrs;
  };
  drv = import ../repart-image.nix {
    inherit lib stdenvNoCC;
    gorepart = "/gorepart";
    systemd = "/unused";
    fakeroot = "/unused";
    python3 = "/unused";
    name = "appliance";
    version = "23.1";
    imageFileBasename = "appliance_23.1";
    compression = {
      enable = compressionEnable;
      inherit algorithm;
      level = 3;
    };
    fileSystems = [
      "vfat"
      "erofs"
    ];
    finalPartitions = builtins.fromJSON manifestJSON;
    split = true;
    seed = "0867da16-f251-457d-a9e8-c31f9a3c220b";
    inherit definitionsDirectory;
    sectorSize = 512;
    mkfsEnv = {
      SYSTEMD_REPART_MKFS_OPTIONS_EROFS = "-Efragments";
    };
  };
in
{
  inherit (drv)
    pname
    version
    gorepartFlags
    partitionsJSON
    env
    buildPhase
    installPhase
    __structuredAttrs
    ;
  nativeBuildInputs = drv.nativeBuildInputs;
}
