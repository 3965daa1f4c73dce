# How nixpkgs calls and overrides repart-image.nix, as data, by era. Read
# from (public source; argument names and override shapes are exact, the
# values are examples):
#   "2026": repart.nix, repart-image.nix and repart-verity-store.nix of
#           Swarsel/nixpkgs 4aa6836a648ca76c68866decf0c8965e36ec2a3b (a
#           nixpkgs master fork of 2026; repart-image.nix identical to
#           ungeskriptet/nixpkgs 65617ef47cb3aedfcbd2a0fe4f446b82fc61a395):
#           baseName, imageSize, seed may be null; the image is the
#           read-only option image.repart.image.
#   "2025": NixOS/nixpkgs 7e11627259348a340b42c4b7dd7448f1e68ce7de
#           (repart.nix: baseName, checkAssertWarn) and
#           31ced316e564ff61a519b41b1aca3b3135e59359 (repart-verity-store.nix).
#   "2024": NixOS/nixpkgs 013635633ffe11f70df1d639f563f21c42c1f778
#           (repart.nix, repart-image.nix: imageFileBasename) and
#           1b592cdeb46e83635461cb930daa221e9f24859f (repart-verity-store.nix).
{ lib }:
let
  common = {
    # repart.nix passes systemd = cfg.package (pkgs.buildPackages.systemd).
    systemd = "/nix/store/00000000000000000000000000000000-systemd-258";
    name = "appliance";
    version = "23.1";
    compression = {
      enable = true;
      algorithm = "zstd";
      level = 3;
    };
    split = false;
    seed = "0867da16-f251-457d-a9e8-c31f9a3c220b";
    sectorSize = 512;
    finalPartitions = {
      "00-esp" = {
        contents = { };
        nixStorePrefix = "/nix/store";
        repartConfig = {
          Format = "vfat";
          SizeMinBytes = "96M";
          Type = "esp";
        };
        storePaths = [ ];
        stripNixStorePrefix = "_mkMergedOptionModule";
      };
    };
    fileSystems = [ "vfat" ];
    definitionsDirectory = "/nix/store/11111111111111111111111111111111-repart.d";
    mkfsEnv = {
      SYSTEMD_REPART_MKFS_OPTIONS_EROFS = "-Efragments -zlz4hc,12";
    };
  };
  # repart-verity-store.nix: the intermediate image (ESP deferred,
  # uncompressed) and the final one (built on the intermediate .raw, the
  # UKI added to the ESP). uki is the UKI's store path, ukiFile its name.
  # The final image's override is the same in every era (its extra
  # nativeBuildInputs, ukify and jq, and the preInstall that merges the
  # reports are left out here).
  final =
    {
      image,
      intermediate,
      baseName,
      uki,
      ukiFile,
      ukiPath ? "/EFI/Linux/${ukiFile}",
      extraPreBuild ? "",
      preInstall ? null,
    }:
    (image.override { createEmpty = false; }).overrideAttrs (
      finalAttrs: previousAttrs:
      {
        finalPartitions = lib.recursiveUpdate previousAttrs.finalPartitions {
          "00-esp".contents = {
            "${ukiPath}".source = "${uki}/${ukiFile}";
          };
        };
        nativeBuildInputs = previousAttrs.nativeBuildInputs;
        preBuild = ''
          ${extraPreBuild}
          # copy the uncompressed intermediate image, so that systemd-repart picks it up
          cp -v ${intermediate}/${baseName}.raw .
          chmod +w ${baseName}.raw
        '';
      }
      // lib.optionalAttrs (preInstall != null) { inherit preInstall; }
    );
  intermediate2026 =
    image:
    (image.override { compression.enable = false; }).overrideAttrs (
      _: previousAttrs: {
        name =
          if previousAttrs ? pname then
            "${previousAttrs.pname}-${previousAttrs.version}-intermediate"
          else
            "${previousAttrs.name}-intermediate";
        systemdRepartFlags = previousAttrs.systemdRepartFlags ++ [ "--defer-partitions=esp" ];
      }
    );
  intermediate2025 =
    image:
    (image.override { compression.enable = false; }).overrideAttrs (
      _: previousAttrs: {
        pname = "${previousAttrs.pname}-intermediate";
        systemdRepartFlags = previousAttrs.systemdRepartFlags ++ [ "--defer-partitions=esp" ];
      }
    );
in
{
  args = {
    "2026" = common // {
      baseName = "appliance_23.1";
      imageSize = "auto";
    };
    "2025" = common // {
      baseName = "appliance_23.1";
    };
    "2024" = common // {
      imageFileBasename = "appliance_23.1";
    };
  };

  # systemdRepartFlags of nixpkgs' own repart-image.nix ("2026") for
  # args."2026".
  upstreamFlags = [
    "--architecture=x86-64"
    "--dry-run=no"
    "--size=auto"
    "--definitions=repart.d"
    "--split=false"
    "--json=pretty"
    "--seed=0867da16-f251-457d-a9e8-c31f9a3c220b"
    "--empty=create"
    "--sector-size=512"
  ];

  verity = {
    "2026" = {
      intermediate = intermediate2026;
      inherit final;
    };
    "2025" = {
      intermediate = intermediate2025;
      inherit final;
    };
    "2024" = {
      intermediate = intermediate2025;
      inherit final;
    };
  };
}
