# Stands in for nixpkgs' own repart-image.nix (systemd-repart): the
# arguments repart.nix passes are required, the result says who built it.
{
  lib,
  systemd,
  name,
  version,
  compression,
  fileSystems,
  finalPartitions,
  split,
  seed,
  definitionsDirectory,
  sectorSize,
  mkfsEnv ? { },
  createEmpty ? true,
  imageSize ? "auto",
  baseName ? null,
  imageFileBasename ? null,
}:
{
  type = "derivation";
  outPath = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-systemd-repart-image";
  builtBy = "systemd-repart";
  inherit createEmpty;
  systemdRepartFlags = [ ];
  overrideAttrs = _: {
    builtBy = "systemd-repart";
  };
}
