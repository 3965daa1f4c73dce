# A nixpkgs-free derivation whose builder is gorepart itself: no shell, no
# stdenv. Its inputs (definitions, copy source) are store paths added with
# builtins.path, so they are read-only with mtime 1; the output is the raw
# image ($out is a file). gorepart must be a static binary (CGO_ENABLED=0).
#
#   nix-build nix/tests/store-builder.nix --arg gorepart /path/to/gorepart \
#     --argstr example appliance
{
  gorepart,
  example ? "appliance",
  system ? builtins.currentSystem,
}:

let
  bin = builtins.path {
    path = gorepart;
    name = "gorepart";
  };
  definitions = builtins.path {
    path = ../../testdata/examples + "/${example}/repart.d";
    name = "${example}-repart.d";
  };
  tree = builtins.path {
    path = ../../testdata/examples/tree;
    name = "example-tree";
  };
in
derivation {
  name = "${example}.raw";
  inherit system;
  builder = bin;
  args = [
    "--empty=create"
    "--size=auto"
    "--dry-run=no"
    "--seed=0867da16-f251-457d-a9e8-c31f9a3c220b"
    "--sector-size=512"
    "--architecture=x86-64"
    "--definitions=${definitions}"
    "--copy-source=${tree}"
    "--image-id=appliance"
    "--image-version=23.1"
    "--json=pretty"
    (builtins.placeholder "out")
  ];
  # What stdenv sets; gorepart uses it for created directories.
  SOURCE_DATE_EPOCH = "315532800";
}
