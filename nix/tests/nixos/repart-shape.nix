# nixos/modules/image/repart.nix as seen by a module that replaces its
# builder, in three eras (./upstream/calls.nix names the commits):
#   "2024": imageFileBasename; assertions are NixOS-wide; system.build.image
#           is set directly;
#   "2025": image.baseName; image.repart.assertions/warnings checked by
#           lib.asserts.checkAssertWarn around system.build.image;
#   "2026": + imageSize; the image is the internal read-only option
#           image.repart.image and system.build.image = image.repart.image.
# Options, the builder call and the assertion are as nixpkgs has them;
# partitions are an attribute set of plain attribute sets (no submodule).
era:
{
  config,
  options,
  lib,
  pkgs,
  utils,
  ...
}:

let
  inherit (lib) mkOption types;
  cfg = config.image.repart;
  inherit (utils.systemdUtils.lib) GPTMaxLabelLength;

  labelAssertions = lib.mapAttrsToList (
    fileName: partitionConfig:
    let
      inherit (partitionConfig) repartConfig;
      labelLength = builtins.stringLength repartConfig.Label;
    in
    {
      assertion = repartConfig ? Label -> GPTMaxLabelLength >= labelLength;
      message = ''
        The partition label '${repartConfig.Label}'
        defined for '${fileName}' is ${toString labelLength} characters long,
        but the maximum label length supported by UEFI is ${toString GPTMaxLabelLength}.
      '';
    }
  ) cfg.partitions;

  versionInfix = if cfg.version != null then "_${cfg.version}" else "";

  addClosure =
    _name: partitionConfig:
    partitionConfig
    // lib.optionalAttrs (partitionConfig.storePaths or [ ] != [ ]) {
      closure = "${pkgs.closureInfo { rootPaths = partitionConfig.storePaths; }}/store-paths";
    };

  val = pkgs.callPackage ./repart-image.nix (
    {
      systemd = cfg.package;
      inherit (cfg)
        name
        version
        compression
        split
        seed
        sectorSize
        finalPartitions
        ;
      fileSystems = lib.filter (f: f != null) (
        lib.mapAttrsToList (_n: v: v.repartConfig.Format or null) cfg.partitions
      );
      definitionsDirectory = utils.systemdUtils.lib.definitions "repart.d" (pkgs.formats.ini {
        listsAsDuplicateKeys = true;
      }) (lib.mapAttrs (_n: v: { Partition = v.repartConfig; }) cfg.finalPartitions);
      mkfsEnv = lib.mapAttrs' (fsType: opts: {
        name = "SYSTEMD_REPART_MKFS_OPTIONS_${lib.toUpper fsType}";
        value = builtins.concatStringsSep " " opts;
      }) cfg.mkfsOptions;
    }
    // (if era == "2024" then { inherit (cfg) imageFileBasename; } else { inherit (config.image) baseName; })
    // lib.optionalAttrs (era == "2026") { inherit (cfg) imageSize; }
  );
  checked = lib.asserts.checkAssertWarn cfg.assertions cfg.warnings val;
in
{
  imports = [ (import ./verity-shape.nix era) ];

  options.image = {
    repart = {
      name = mkOption { type = types.str; };
      version = mkOption {
        type = types.nullOr types.str;
        default = config.system.image.version;
      };
      compression = {
        enable = lib.mkEnableOption "Image compression";
        algorithm = mkOption {
          type = types.str;
          default = "zstd";
        };
        level = mkOption { type = types.int; };
      };
      seed = mkOption {
        type = types.nullOr types.str;
        default = "0867da16-f251-457d-a9e8-c31f9a3c220b";
      };
      split = mkOption {
        type = types.bool;
        default = false;
      };
      sectorSize = mkOption {
        type = types.nullOr types.int;
        default = 512;
      };
      package = mkOption {
        type = types.str;
        default = "/nix/store/00000000000000000000000000000000-systemd-258";
      };
      partitions = mkOption {
        type = types.lazyAttrsOf types.unspecified;
        default = { };
      };
      mkfsOptions = mkOption {
        type = types.lazyAttrsOf (types.listOf types.str);
        default = { };
      };
      finalPartitions = mkOption {
        type = types.attrs;
        internal = true;
        readOnly = true;
      };
    }
    // lib.optionalAttrs (era == "2024") {
      imageFileBasename = mkOption {
        type = types.str;
        readOnly = true;
      };
    }
    // lib.optionalAttrs (era != "2024") {
      assertions = mkOption {
        type = options.assertions.type;
        default = [ ];
        internal = true;
        visible = false;
      };
      warnings = mkOption {
        type = options.warnings.type;
        default = [ ];
        internal = true;
        visible = false;
      };
    }
    // lib.optionalAttrs (era == "2026") {
      imageSize = mkOption {
        type = types.str;
        default = "auto";
      };
      image = mkOption {
        type = types.package;
        internal = true;
        readOnly = true;
        description = "The image built by this module. Used as the default for `system.build.image`.";
      };
    };
  }
  # nixos/modules/image/file-options.nix
  // lib.optionalAttrs (era != "2024") {
    baseName = mkOption { type = types.str; };
  };

  config = lib.mkMerge [
    {
      image.repart = {
        compression.level = lib.mkOptionDefault 3;
        finalPartitions = lib.mapAttrs addClosure cfg.partitions;
      };
    }
    (lib.optionalAttrs (era == "2024") {
      assertions = labelAssertions;
      image.repart.imageFileBasename = cfg.name + versionInfix;
      system.build.image = val;
    })
    (lib.optionalAttrs (era != "2024") {
      image.baseName = cfg.name + versionInfix;
      image.repart.assertions = labelAssertions;
    })
    (lib.optionalAttrs (era == "2025") {
      system.build.image = checked;
    })
    (lib.optionalAttrs (era == "2026") {
      image.repart.image = checked;
      system.build.image = cfg.image;
    })
  ];
}
