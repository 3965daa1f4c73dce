# Real, sandboxed builds through ../repart-image.nix, called and overridden
# as nixpkgs does (./upstream/calls.nix), with the stub stdenv (a static
# bash running the phases) and a gorepart built beforehand:
#   closure:      contents + storePaths with a closure file and
#                 nixStorePrefix = "/", split, compression zstd;
#   verity:       repart-verity-store.nix's flow: intermediate image (ESP
#                 deferred), a "UKI" made from its root hash, final image
#                 built on the intermediate .raw with the UKI in the ESP;
#   single:       the same image in one derivation with --then and
#                 --then-copy (what module.nix's singleDerivation does);
#   intermediate: the verity flow's first image.
#
#   nix-build nix/tests/build.nix -A closure --arg toolbox DIR \
#     --arg gorepart DIR --arg tree ./testdata/examples/tree
{
  toolbox,
  gorepart,
  tree,
  system ? builtins.currentSystem,
}:

let
  lib = import ./stub/lib.nix;
  stdenvNoCC = import ./stub/stdenv.nix {
    inherit lib system;
    toolbox = builtins.path {
      path = toolbox;
      name = "toolbox";
    };
  };
  calls = import ./upstream/calls.nix { inherit lib; };
  gorepartPkg = builtins.path {
    path = gorepart;
    name = "gorepart";
  };
  src =
    sub:
    builtins.path {
      path = tree + "/${sub}";
      name = "example-${sub}";
    };
  esp = src "esp";
  usr = src "usr";
  root = src "root";
  # pkgs.closureInfo's store-paths for [ usr root ]
  closure = builtins.toFile "store-paths" "${usr}\n${root}\n";

  renderValue = v: if builtins.isBool v then lib.boolToString v else toString v;
  # utils.systemdUtils.lib.definitions "repart.d" (formats.ini { listsAsDuplicateKeys = true; })
  definitions =
    parts:
    stdenvNoCC.mkDerivation {
      name = "repart.d";
      dontUnpack = true;
      confs = lib.mapAttrs (
        _: p:
        "[Partition]\n"
        + lib.concatStringsSep "" (
          lib.mapAttrsToList (
            k: v: lib.concatStringsSep "" (map (x: "${k}=${renderValue x}\n") (if builtins.isList v then v else [ v ]))
          ) p.repartConfig
        )
      ) parts;
      buildPhase = ''
        mkdir -p "$out"
        for n in "''${!confs[@]}"; do
          printf '%s' "''${confs[$n]}" > "$out/$n.conf"
        done
      '';
    };

  # repart.nix's callPackage ./repart-image.nix { ... } (2026 arguments)
  image =
    {
      partitions,
      compression ? {
        enable = true;
        algorithm = "zstd";
        level = 3;
      },
      split ? false,
    }:
    lib.makeOverridable (import ../repart-image.nix) {
      inherit lib stdenvNoCC;
      gorepart = gorepartPkg;
      systemd = null;
      name = "appliance";
      version = "23.1";
      baseName = "appliance_23.1";
      inherit compression split;
      fileSystems = lib.filter (f: f != null) (lib.mapAttrsToList (_: p: p.repartConfig.Format or null) partitions);
      finalPartitions = partitions;
      seed = "0867da16-f251-457d-a9e8-c31f9a3c220b";
      definitionsDirectory = definitions partitions;
      imageSize = "auto";
      sectorSize = 512;
      mkfsEnv = { };
    };

  espPartition = {
    contents = {
      "/EFI/BOOT/BOOTX64.EFI".source = "${esp}/EFI/BOOT/BOOTX64.EFI";
      "/loader".source = "${esp}/loader";
    };
    storePaths = [ ];
    nixStorePrefix = "/nix/store";
    stripNixStorePrefix = "_mkMergedOptionModule";
    repartConfig = {
      Type = "esp";
      Format = "vfat";
      SizeMinBytes = "64M";
    };
  };
  storePartition = extra: {
    contents = { };
    storePaths = [ usr ];
    inherit closure;
    nixStorePrefix = "/";
    stripNixStorePrefix = "_mkMergedOptionModule";
    repartConfig = {
      Format = "erofs";
      Label = "store";
      Minimize = "best";
    }
    // extra;
  };

  verityBase = image {
    partitions = {
      "00-esp" = espPartition;
      "10-store-verity" = {
        contents = { };
        storePaths = [ ];
        repartConfig = {
          Type = "usr-x86-64-verity";
          Verity = "hash";
          VerityMatchKey = "store";
          Label = "store-verity";
          Minimize = "best";
        };
      };
      "20-store" = storePartition {
        Type = "usr-x86-64";
        Verity = "data";
        VerityMatchKey = "store";
      };
    };
  };
  ukiFile = "nixos.efi";
  # Stands in for ukify: the UKI is the usr root hash the intermediate
  # image reported.
  uki = stdenvNoCC.mkDerivation {
    name = ukiFile;
    dontUnpack = true;
    report = "${intermediate}/repart-output.json";
    buildPhase = ''
      mkdir -p "$out"
      hash=$(grep -o '"roothash" *: *"[0-9a-f]*"' "$report" | head -n 1 | sed 's/.*"\([0-9a-f]*\)"$/\1/')
      test -n "$hash"
      printf 'usrhash=%s\n' "$hash" > "$out/${ukiFile}"
    '';
  };
  intermediate = calls.verity."2026".intermediate verityBase;
in
{
  closure = image {
    split = true;
    partitions = {
      "00-esp" = espPartition;
      "10-store" = storePartition {
        Type = "linux-generic";
        SplitName = "store";
      };
    };
  };

  inherit intermediate uki;

  verity = calls.verity."2026".final {
    image = verityBase;
    inherit intermediate uki ukiFile;
    baseName = "appliance_23.1";
  };

  single = verityBase.overrideAttrs (
    _: prev: {
      gorepartFlags = prev.gorepartFlags ++ [
        "--defer-partitions=esp"
        "--then=printf 'usrhash=%s\\n' \"$USRHASH\" > ${ukiFile}"
        "--then-copy=${ukiFile}:/EFI/Linux/${ukiFile}:esp"
      ];
    }
  );
}
