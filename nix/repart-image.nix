# A drop-in replacement for nixpkgs' nixos/modules/image/repart-image.nix,
# built by gorepart alone: no unshare, no fakeroot, no Python script, no mkfs
# or compressor binaries.
#
# Interface (what nixos/modules/image/repart.nix passes, and what
# repart-verity-store.nix overrides), kept identical:
#   - arguments: name, version, baseName (imageFileBasename before nixpkgs
#     24.11), compression, fileSystems, finalPartitions, split, seed
#     (null: no --seed), definitionsDirectory, imageSize ("auto" or a size),
#     sectorSize (null: no --sector-size), mkfsEnv, createEmpty; any other
#     argument (systemd, python3, fakeroot, mkfs tools, compressors) is
#     accepted and unused, so callPackage calls keep working;
#   - attributes: systemdRepartFlags (the flags systemd-repart would get,
#     same list for the same arguments), finalPartitions, partitionsJSON,
#     definitionsDirectory, finalRepartDefinitions, env (= mkfsEnv);
#   - the build directory: the image is <baseName>.raw in the build's
#     working directory, so a preBuild that copies an intermediate image
#     there is built upon (createEmpty = false);
#   - $out: repart-output.json, <baseName>.raw (or .raw.zst / .raw.xz) and
#     the split files <baseName>.<SplitName>.raw.
#
# gorepart-only flags are in gorepartFlags: the manifest (gorepart adds the
# contents and the store closure of finalPartitions itself), compression,
# which gorepart does while writing the artifacts, and the VM disk format
# (imageFormat: raw, qcow2, vmdk, vhdx, vpc or vdi; imageSubformat: vpc's
# fixed or dynamic, vmdk's streamOptimized): the image is then
# <baseName>.qcow2 (.vmdk, .vhdx, .vhd, .vdi), written directly, no qemu-img
# and no VM; split files stay raw.
{
  lib,
  stdenvNoCC,
  gorepart,

  name,
  version ? null,
  baseName ? null,
  imageFileBasename ? null,
  compression ? {
    enable = false;
  },
  fileSystems ? [ ],
  finalPartitions,
  split ? false,
  seed ? null,
  definitionsDirectory,
  imageSize ? "auto",
  sectorSize ? null,
  mkfsEnv ? { },
  createEmpty ? true,
  imageFormat ? "raw",
  imageSubformat ? null,
  ...
}:

let
  base =
    if baseName != null then
      baseName
    else if imageFileBasename != null then
      imageFileBasename
    else
      throw "gorepart repart-image.nix: needs baseName (or imageFileBasename, its name before nixpkgs 24.11)";

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

  # nixpkgs' compression.algorithm values (zstd, zstd-seekable, xz) are
  # gorepart's --compress= values; repart-verity-store.nix overrides
  # compression with { enable = false; } alone.
  compressFlags = lib.optionals (compression.enable or false) [
    "--compress=${compression.algorithm}"
    "--compress-level=${toString compression.level}"
  ];

  extensions = {
    raw = ".raw";
    qcow2 = ".qcow2";
    vmdk = ".vmdk";
    vhdx = ".vhdx";
    vpc = ".vhd";
    vdi = ".vdi";
  };
  extension =
    extensions.${imageFormat}
      or (throw "gorepart repart-image.nix: imageFormat = \"${imageFormat}\" is not one of raw, qcow2, vmdk, vhdx, vpc, vdi");
  formatFlags =
    lib.optionals (imageFormat != "raw") [ "--image-format=${imageFormat}" ]
    ++ lib.optionals (imageSubformat != null) [ "--image-subformat=${imageSubformat}" ];

  file = lib.escapeShellArg base;
in
stdenvNoCC.mkDerivation (
  finalAttrs:
  (
    if version != null then
      {
        pname = name;
        inherit version;
      }
    else
      { inherit name; }
  )
  // {
    __structuredAttrs = true;

    # The image is self-contained: drop references to the closure in it.
    unsafeDiscardReferences.out = true;

    # A plain build: no kvm, no big-parallel, so remote builders and Hydra
    # schedule image builds like any package.
    requiredSystemFeatures = [ ];

    nativeBuildInputs = [ gorepart ];

    # SYSTEMD_REPART_MKFS_OPTIONS_<FS> (image.repart.mkfsOptions), read by
    # gorepart; see nix/README.md for what each writer honours.
    env = mkfsEnv;

    inherit finalPartitions definitionsDirectory;

    partitionsJSON = builtins.toJSON finalAttrs.finalPartitions;

    # Relative path of the definitions gorepart reads, as in nixpkgs (a
    # link to definitionsDirectory made by patchPhase).
    finalRepartDefinitions = "repart.d";

    systemdRepartFlags = [
      "--architecture=${systemdArch}"
      "--dry-run=no"
      "--size=${imageSize}"
      "--definitions=${finalAttrs.finalRepartDefinitions}"
      "--split=${lib.boolToString split}"
      "--json=pretty"
    ]
    ++ lib.optionals (seed != null) [ "--seed=${seed}" ]
    ++ lib.optionals createEmpty [ "--empty=create" ]
    ++ lib.optionals (sectorSize != null) [ "--sector-size=${toString sectorSize}" ];

    gorepartFlags = [ "--manifest=.gorepart-manifest.json" ] ++ compressFlags ++ formatFlags;

    dontUnpack = true;
    dontConfigure = true;
    dontFixup = true;
    doCheck = false;

    patchPhase = ''
      runHook prePatch

      printf '%s' "$partitionsJSON" > .gorepart-manifest.json
      ln -sfn "$definitionsDirectory" "$finalRepartDefinitions"

      runHook postPatch
    '';

    buildPhase = ''
      runHook preBuild

      echo "Building image with gorepart..."
      gorepart "''${systemdRepartFlags[@]}" "''${gorepartFlags[@]}" ${file}${extension} \
        | tee repart-output.json

      runHook postBuild
    '';

    installPhase = ''
      runHook preInstall

      mkdir -p "$out"
      mv -v repart-output.json ${file}* "$out"

      runHook postInstall
    '';

    passthru = {
      inherit fileSystems;
    };
  }
)
