# NixOS module: build image.repart images with gorepart instead of
# systemd-repart. Import it next to nixpkgs' image/repart.nix and set
# image.repart.gorepart.enable = true; every other image.repart option keeps
# its meaning.
{
  config,
  lib,
  pkgs,
  utils,
  ...
}:

let
  cfg = config.image.repart;
  gcfg = cfg.gorepart;
in
{
  options.image.repart.gorepart = {
    enable = lib.mkEnableOption "building image.repart images with gorepart";
    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = "The gorepart package whose binary builds the image.";
    };
  };

  config = lib.mkIf gcfg.enable {
    # The same inputs nixos/modules/image/repart.nix gives its builder.
    system.build.image = lib.mkForce (
      let
        fileSystems = lib.filter (f: f != null) (
          lib.mapAttrsToList (_n: v: v.repartConfig.Format or null) cfg.partitions
        );
        format = pkgs.formats.ini { listsAsDuplicateKeys = true; };
        definitionsDirectory = utils.systemdUtils.lib.definitions "repart.d" format (
          lib.mapAttrs (_n: v: { Partition = v.repartConfig; }) cfg.finalPartitions
        );
        mkfsEnv = lib.mapAttrs' (
          fsType: options:
          lib.nameValuePair "SYSTEMD_REPART_MKFS_OPTIONS_${lib.toUpper fsType}" (
            lib.concatStringsSep " " options
          )
        ) cfg.mkfsOptions;
      in
      pkgs.callPackage ./repart-image.nix {
        gorepart = gcfg.package;
        imageFileBasename = config.image.baseName;
        inherit (cfg)
          name
          version
          compression
          split
          seed
          sectorSize
          finalPartitions
          ;
        inherit fileSystems definitionsDirectory mkfsEnv;
      }
    );
  };
}
