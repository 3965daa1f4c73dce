{
  description = "gorepart: a systemd-repart-compatible GPT image builder (no root, no loop devices, reproducible)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      overlays.default = final: _prev: {
        gorepart = final.callPackage ./nix/package.nix { };
      };

      packages = forAllSystems (pkgs: rec {
        gorepart = pkgs.callPackage ./nix/package.nix { };
        default = gorepart;
      });

      # imports nixpkgs' image/repart.nix; then image.repart.gorepart.enable = true
      nixosModules.default = ./nix/module.nix;

      checks = forAllSystems (pkgs: {
        small-image = pkgs.callPackage ./nix/checks/small-image.nix {
          gorepart = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        };
      });
    };
}
