# nixos/modules/image/repart-verity-store.nix as seen by a module that
# replaces the builder: which image the intermediate and final images are
# derived from, with the override calls of ../upstream/calls.nix. Up to
# "2025" they derive from system.build.image and the result is
# system.build.finalImage; in "2026" from image.repart.image, and the
# result is system.build.image (mkOverride 99).
era:
{ config, lib, pkgs, ... }:

let
  cfg = config.image.repart.verityStore;
  calls = import ../upstream/calls.nix { inherit lib; };
  inherit (config.system.boot.loader) ukiFile;
  base = if era == "2026" then config.image.repart.image else config.system.build.image;
  intermediate = (calls.verity.${era} or calls.verity."2025").intermediate base;
  uki = pkgs.runCommand ukiFile { } ''
    mkdir -p $out
    grep -o '"roothash" *: *"[0-9a-f]*"' ${config.system.build.intermediateImage}/repart-output.json > $out/${ukiFile}
  '';
  final = calls.verity."2026".final {
    image = base;
    intermediate = config.system.build.intermediateImage;
    baseName = config.image.baseName or config.image.repart.imageFileBasename;
    uki = config.system.build.uki;
    inherit ukiFile;
    inherit (cfg) ukiPath;
  };
in
{
  options.image.repart.verityStore = {
    enable = lib.mkEnableOption "building images with a dm-verity protected nix store";
    ukiPath = lib.mkOption {
      type = lib.types.str;
      default = "/EFI/Linux/${ukiFile}";
    };
  };

  config = lib.mkIf cfg.enable {
    image.repart.partitions = {
      "10-store-verity".repartConfig = {
        Type = "usr-x86-64-verity";
        Verity = "hash";
        VerityMatchKey = "store";
        Label = "store-verity";
      };
      "20-store" = {
        storePaths = [ config.system.build.toplevel ];
        repartConfig = {
          Type = "usr-x86-64";
          Verity = "data";
          Format = "erofs";
          VerityMatchKey = "store";
          Label = "store";
        };
      };
    };
    system.build =
      {
        intermediateImage = intermediate;
        uki = lib.mkOverride 99 uki;
      }
      // (if era == "2026" then { image = lib.mkOverride 99 final; } else { finalImage = final; });
  };
}
