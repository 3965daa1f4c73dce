# The NixOS options the image modules read or set, declared as nixos/
# declares them (types reduced to what the stub module system has).
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    system.build = mkOption {
      type = types.lazyAttrsOf types.unspecified;
      default = { };
    };
    system.image.id = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
    system.image.version = mkOption {
      type = types.nullOr types.str;
      default = null;
    };
    system.boot.loader.ukiFile = mkOption {
      type = types.str;
      default = "nixos.efi";
    };
    boot.kernelParams = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    boot.uki.configFile = mkOption {
      type = types.str;
      default = "/nix/store/55555555555555555555555555555555-uki.conf";
    };
  };
}
