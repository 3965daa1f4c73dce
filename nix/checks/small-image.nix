# A small image built by the drop-in builder, for the flake's checks: an
# ESP from a file and an erofs store partition with the closure of a
# store path (nixStorePrefix = "/"), compressed with zstd.
{
  lib,
  callPackage,
  writeText,
  writeTextDir,
  closureInfo,
  runCommand,
  gorepart,
}:

let
  payload = writeTextDir "share/doc/hello.txt" "hello from gorepart\n";
  partitions = {
    "00-esp" = {
      contents."/loader/loader.conf".source = writeText "loader.conf" "timeout 0\n";
      repartConfig = {
        Type = "esp";
        Format = "vfat";
        SizeMinBytes = "64M";
      };
    };
    "10-store" = {
      storePaths = [ payload ];
      closure = "${closureInfo { rootPaths = [ payload ]; }}/store-paths";
      nixStorePrefix = "/";
      repartConfig = {
        Type = "linux-generic";
        Format = "erofs";
        Label = "store";
        Minimize = "best";
      };
    };
  };
  definitions = lib.mapAttrs (
    n: p:
    writeText "${n}.conf" (
      "[Partition]\n" + lib.concatStrings (lib.mapAttrsToList (k: v: "${k}=${toString v}\n") p.repartConfig)
    )
  ) partitions;
in
callPackage ../repart-image.nix {
  inherit gorepart;
  name = "gorepart-check";
  version = null;
  baseName = "gorepart-check";
  compression = {
    enable = true;
    algorithm = "zstd";
    level = 3;
  };
  fileSystems = [
    "vfat"
    "erofs"
  ];
  finalPartitions = partitions;
  split = false;
  seed = "0867da16-f251-457d-a9e8-c31f9a3c220b";
  definitionsDirectory = runCommand "repart.d" { } (
    "mkdir $out\n" + lib.concatStrings (lib.mapAttrsToList (n: f: "ln -s ${f} $out/${n}.conf\n") definitions)
  );
  sectorSize = 512;
}
