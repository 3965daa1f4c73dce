# A drop-in replacement for nixpkgs' nixos/modules/image/repart-image.nix:
# the same arguments (as nixos/modules/image/repart.nix passes them) and the
# same outputs in $out — <imageFileBasename>.raw (or .raw.zst / .raw.xz),
# split files <imageFileBasename>.<SplitName>.raw and repart-output.json —
# built by gorepart alone: no unshare, no fakeroot, no Python script, no
# mkfs or compressor binaries. The manifest (partitionsJSON) is given to
# gorepart as is; it adds the contents and the store closure to the
# definitions itself.
#
# Extra argument: gorepart (the package from ./package.nix). The arguments
# only nixpkgs' builder uses (systemd, python3, fakeroot, mkfs tools,
# compressors) are accepted and ignored, so callPackage calls keep working.
{
  lib,
  stdenvNoCC,
  gorepart,

  # arguments
  name,
  version,
  imageFileBasename,
  compression,
  fileSystems,
  finalPartitions,
  split,
  seed,
  definitionsDirectory,
  sectorSize,
  mkfsEnv ? { },
  createEmpty ? true,
  ...
}:

let
  systemdArch =
    let
      inherit (stdenvNoCC) hostPlatform;
    in
    if hostPlatform.isAarch32 then
      "arm"
    else if hostPlatform.isAarch64 then
      "arm64"
    else if hostPlatform.isx86_32 then
      "x86"
    else if hostPlatform.isx86_64 then
      "x86-64"
    else if hostPlatform.isMips32 then
      "mips-le"
    else if hostPlatform.isMips64 then
      "mips64-le"
    else if hostPlatform.isPower then
      "ppc"
    else if hostPlatform.isPower64 then
      "ppc64"
    else if hostPlatform.isRiscV32 then
      "riscv32"
    else if hostPlatform.isRiscV64 then
      "riscv64"
    else if hostPlatform.isS390 then
      "s390"
    else if hostPlatform.isS390x then
      "s390x"
    else if hostPlatform.isLoongArch64 then
      "loongarch64"
    else if hostPlatform.isAlpha then
      "alpha"
    else
      hostPlatform.parsed.cpu.name;

  # nixpkgs' compression.algorithm values are gorepart's --compress= values.
  compressFlags = lib.optionals compression.enable [
    "--compress=${compression.algorithm}"
    "--compress-level=${toString compression.level}"
  ];
in
stdenvNoCC.mkDerivation (
  finalAttrs:
  (
    if (version != null) then
      {
        pname = name;
        inherit version;
      }
    else
      { inherit name; }
  )
  // {
    __structuredAttrs = true;

    # the image is self-contained: drop references to the closure in it
    unsafeDiscardReferences.out = true;

    nativeBuildInputs = [ gorepart ];

    # SYSTEMD_REPART_MKFS_OPTIONS_<FS>: gorepart applies the options its
    # writers understand and names the ones it ignores.
    env = mkfsEnv;

    inherit finalPartitions definitionsDirectory;

    partitionsJSON = builtins.toJSON finalAttrs.finalPartitions;

    # Kept for interface compatibility with nixpkgs' builder (the list of
    # filesystems picks mkfs tools there; gorepart has its own writers).
    passthru.fileSystems = fileSystems;

    gorepartFlags = [
      "--architecture=${systemdArch}"
      "--dry-run=no"
      "--size=auto"
      "--seed=${seed}"
      "--definitions=${definitionsDirectory}"
      "--manifest=partitions.json"
      "--split=${lib.boolToString split}"
      "--json=pretty"
    ]
    ++ lib.optionals createEmpty [ "--empty=create" ]
    ++ lib.optionals (sectorSize != null) [ "--sector-size=${toString sectorSize}" ]
    ++ compressFlags;

    dontUnpack = true;
    dontConfigure = true;
    doCheck = false;

    buildPhase = ''
      runHook preBuild

      printf '%s' "$partitionsJSON" > partitions.json
      mkdir image
      echo "Building image with gorepart..."
      gorepart "''${gorepartFlags[@]}" image/${imageFileBasename}.raw | tee repart-output.json

      runHook postBuild
    '';

    installPhase = ''
      runHook preInstall

      mkdir -p $out
      mv -v repart-output.json image/${imageFileBasename}* $out

      runHook postInstall
    '';
  }
)
