# The part of nixpkgs' lib that gorepart's Nix files and the tests' stubs
# use, written for the tests (there is no nixpkgs here). Each function has
# the meaning of its nixpkgs namesake; the module system is in
# ./modules.nix.
let
  inherit (builtins)
    attrNames
    concatMap
    elem
    filter
    foldl'
    head
    isAttrs
    isFunction
    isList
    listToAttrs
    tail
    ;

  base = rec {
    inherit
      attrNames
      concatMap
      elem
      filter
      foldl'
      head
      isAttrs
      isFunction
      isList
      ;
    inherit (builtins) concatStringsSep mapAttrs length;

    inherit (builtins) all any;
    concatStrings = builtins.concatStringsSep "";
    id = x: x;
    imap0 = f: list: builtins.genList (i: f i (builtins.elemAt list i)) (builtins.length list);
    unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalString = cond: s: if cond then s else "";
    optionalAttrs = cond: as: if cond then as else { };
    boolToString = b: if b then "true" else "false";
    flatten = x: if isList x then concatMap flatten x else [ x ];
    nameValuePair = name: value: { inherit name value; };
    mapAttrsToList = f: as: map (n: f n as.${n}) (attrNames as);
    mapAttrs' = f: as: listToAttrs (mapAttrsToList f as);
    filterAttrs = pred: as: listToAttrs (filter (x: pred x.name x.value) (mapAttrsToList nameValuePair as));
    genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);
    attrByPath =
      path: default: set:
      if path == [ ] then
        set
      else if isAttrs set && set ? ${head path} then
        attrByPath (tail path) default set.${head path}
      else
        default;
    setAttrByPath = path: v: if path == [ ] then v else { ${head path} = setAttrByPath (tail path) v; };
    recursiveUpdate =
      lhs: rhs:
      lhs
      // mapAttrs (
        n: v: if isAttrs v && lhs ? ${n} && isAttrs lhs.${n} && !(v ? type && v.type == "derivation") then recursiveUpdate lhs.${n} v else v
      ) rhs;

    toUpper = builtins.replaceStrings lowerChars upperChars;
    lowerChars = [
      "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m"
      "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z"
    ];
    upperChars = [
      "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M"
      "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z"
    ];
    escapeShellArg =
      arg:
      let
        s = toString arg;
      in
      if builtins.match "[[:alnum:],._+:@%/-]+" s == null then "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] s}'" else s;
    versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;
    removePrefix =
      prefix: s:
      let
        n = builtins.stringLength prefix;
      in
      if builtins.substring 0 n s == prefix then builtins.substring n (-1) s else s;

    cleanSource = src: builtins.path {
      path = src;
      name = "source";
    };
    cleanSourceWith = { src, filter ? (_: _: true), name ? "source" }: builtins.path {
      path = src;
      inherit name filter;
    };

    platforms.linux = [
      "x86_64-linux"
      "aarch64-linux"
    ];
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };

    # lib.customisation.makeOverridable: f.override changes f's arguments
    # (an attrset, or a function of the old ones), overrideAttrs keeps
    # .override working.
    makeOverridable =
      f: origArgs:
      let
        result = f origArgs;
        overrideArgs = newArgs: makeOverridable f (origArgs // (if isFunction newArgs then newArgs origArgs else newArgs));
      in
      result
      // {
        override = overrideArgs;
        overrideAttrs = fdrv: makeOverridable (args: (f args).overrideAttrs fdrv) origArgs;
      };

    # lib.asserts.checkAssertWarn: throw on the first failed assertion,
    # trace the warnings, return the value.
    asserts.checkAssertWarn =
      assertions: warnings: val:
      let
        failed = map (x: x.message) (filter (x: !x.assertion) assertions);
      in
      if failed != [ ] then
        throw "\nFailed assertions:\n${concatStringsSep "\n" (map (x: "- ${x}") failed)}"
      else
        foldl' (v: w: builtins.trace "evaluation warning: ${w}" v) val warnings;
  };
  lib = base // import ./modules.nix lib;
in
lib
