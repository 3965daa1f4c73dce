# NixOS module: build image.repart images with gorepart instead of
# systemd-repart. It imports nixpkgs' image/repart.nix itself; set
# image.repart.gorepart.enable = true and every other image.repart option
# keeps its meaning.
#
# How the image is swapped, by nixpkgs era (see nix/README.md):
#   - nixpkgs with the internal read-only option image.repart.image (the
#     image repart.nix builds; system.build.image and repart-verity-store.nix
#     derive from it): this module declares that option once more with an
#     `apply` that returns gorepart's image. No definition is added, so the
#     read-only check holds, and nixpkgs' own builder is never evaluated.
#   - older nixpkgs (system.build.image set directly): system.build.image
#     is forced to gorepart's image.
# Either way the image is wrapped in lib.asserts.checkAssertWarn with
# image.repart.assertions and .warnings, as repart.nix does, so the label
# length assertion and warnings still fire.
{
  config,
  options,
  lib,
  pkgs,
  utils,
  modulesPath,
  ...
}:

let
  cfg = config.image.repart;
  gcfg = cfg.gorepart;
  verity = cfg.verityStore or { enable = false; };

  # nixpkgs 24.11 added checkAssertWarn and image.repart.assertions; before,
  # the assertions were NixOS-wide and fire with the system anyway.
  checkAssertWarn = lib.asserts.checkAssertWarn or (_: _: v: v);
  checked = checkAssertWarn (cfg.assertions or [ ]) (cfg.warnings or [ ]);

  upstreamImageOption = options.image.repart.image.readOnly or false;

  # The inputs nixos/modules/image/repart.nix gives its builder.
  fileSystems = lib.filter (f: f != null) (
    lib.mapAttrsToList (_n: v: v.repartConfig.Format or null) cfg.partitions
  );
  format = pkgs.formats.ini { listsAsDuplicateKeys = true; };
  definitionsDirectory = utils.systemdUtils.lib.definitions "repart.d" format (
    lib.mapAttrs (_n: v: { Partition = v.repartConfig; }) cfg.finalPartitions
  );
  mkfsEnv = lib.mapAttrs' (
    fsType: opts:
    lib.nameValuePair "SYSTEMD_REPART_MKFS_OPTIONS_${lib.toUpper fsType}" (lib.concatStringsSep " " opts)
  ) cfg.mkfsOptions;

  image = pkgs.callPackage ./repart-image.nix (
    {
      gorepart = gcfg.package;
      baseName = config.image.baseName or cfg.imageFileBasename;
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
      inherit (gcfg) imageFormat imageSubformat;
    }
    // lib.optionalAttrs (cfg ? imageSize) { inherit (cfg) imageSize; }
  );

  # The verity-store image in one derivation: the ESP is deferred, the UKI
  # is built by --then with the usr root hash gorepart just computed, and
  # --then-copy puts it into the ESP before it is written.
  singleDerivation =
    let
      inherit (config.system.boot.loader) ukiFile;
      cmdline = "init=${config.system.build.toplevel}/init ${toString config.boot.kernelParams}";
    in
    image.overrideAttrs (
      _: prev: {
        nativeBuildInputs = prev.nativeBuildInputs ++ [ pkgs.buildPackages.systemdUkify ];
        gorepartFlags = prev.gorepartFlags ++ [
          "--defer-partitions=esp"
          (
            "--then=ukify build --config=${config.boot.uki.configFile}"
            + " --cmdline=${lib.escapeShellArg cmdline}\" usrhash=$USRHASH\""
            + " --output=${lib.escapeShellArg ukiFile}"
          )
          "--then-copy=${ukiFile}:${verity.ukiPath}:esp"
        ];
      }
    );
in
{
  imports = [ (modulesPath + "/image/repart.nix") ];

  options.image.repart = {
    gorepart = {
      enable = lib.mkEnableOption "building image.repart images with gorepart";
      package = lib.mkOption {
        type = lib.types.package;
        # The build platform's gorepart, as repart.nix takes systemd from
        # buildPackages: cross-built systems get an image built natively.
        default = pkgs.buildPackages.callPackage ./package.nix { };
        defaultText = lib.literalExpression "pkgs.buildPackages.callPackage <gorepart/nix/package.nix> { }";
        description = "The gorepart package whose binary builds the image.";
      };
      imageFormat = lib.mkOption {
        type = lib.types.enum [
          "raw"
          "qcow2"
          "vmdk"
          "vhdx"
          "vpc"
          "vdi"
        ];
        default = "raw";
        description = ''
          The disk format of the image, named as qemu-img names them: qcow2
          (QEMU, OpenStack, Proxmox), vmdk (VMware), vhdx (Hyper-V), vpc (VHD:
          Azure with imageSubformat = "fixed"), vdi (VirtualBox). gorepart writes
          it directly, without qemu-img or a VM; split files stay raw.
        '';
      };
      imageSubformat = lib.mkOption {
        type = lib.types.nullOr (lib.types.enum [
          "dynamic"
          "fixed"
          "monolithicSparse"
          "streamOptimized"
        ]);
        default = null;
        description = "vpc: dynamic (default) or fixed; vmdk: monolithicSparse (default) or streamOptimized.";
      };
      verityStore.singleDerivation = lib.mkEnableOption ''
        building the image.repart.verityStore image in one derivation: gorepart
        defers the ESP, builds the UKI with the usr root hash (--then) and
        writes it into the ESP (--then-copy), instead of nixpkgs' intermediate
        image, UKI and final image derivations
      '';
    };

    # A second declaration of nixpkgs' image.repart.image (where it exists):
    # only `apply`, which declarations may add, no definition.
    image = lib.mkOption {
      internal = true;
      visible = false;
      apply = upstream: if gcfg.enable then checked image else upstream;
    };
  };

  config = lib.mkIf gcfg.enable (
    lib.mkMerge [
      {
        assertions = [
          {
            assertion = gcfg.verityStore.singleDerivation -> verity.enable;
            message = "image.repart.gorepart.verityStore.singleDerivation needs image.repart.verityStore.enable.";
          }
        ];
      }
      (lib.optionalAttrs (!upstreamImageOption) {
        system.build.image = lib.mkForce (checked image);
      })
      (lib.mkIf (verity.enable && gcfg.verityStore.singleDerivation) {
        # Above repart-verity-store.nix's mkOverride 99 and the mkForce above.
        system.build.image = lib.mkOverride 49 (checked singleDerivation);
      })
    ]
  );
}
