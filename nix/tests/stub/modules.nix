# A small module system for the tests, following nixpkgs' lib/modules.nix
# where gorepart's module depends on it:
#   - imports (deduplicated by path), function modules called with config,
#     options, lib and the specialArgs; { options, config } or shorthand;
#   - option declarations merged as mergeOptionDecls does: a second
#     declaration of an option may add attributes (apply, internal, ...)
#     but not a second default, example, description, apply or type;
#   - definitions: mkIf, mkMerge and mkOverride pushed down through
#     attribute sets, discharged and filtered by priority (mkForce 50,
#     plain 100, mkDefault 1000, option default 1500); readOnly options
#     refuse a second definition, default included; apply is applied to
#     the merged value and only evaluates it when it uses it;
#   - types: unspecified, bool, str, int, package, attrs, listOf, enum,
#     attrsOf/lazyAttrsOf (each attribute merged with its own priorities),
#     nullOr. No submodules, no ordering properties.
lib:
let
  inherit (builtins)
    attrNames
    concatMap
    filter
    foldl'
    head
    isAttrs
    isBool
    isFunction
    isList
    isPath
    length
    listToAttrs
    mapAttrs
    ;

  showOption = loc: builtins.concatStringsSep "." loc;

  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  defaultPriority = 100;

  # pushDownProperties: properties over an attribute set become properties
  # of each attribute.
  pushDown =
    v:
    if v._type or "" == "merge" then
      concatMap pushDown v.contents
    else if v._type or "" == "if" then
      map (mapAttrs (_: mkIf v.condition)) (pushDown v.content)
    else if v._type or "" == "override" then
      map (mapAttrs (_: mkOverride v.priority)) (pushDown v.content)
    else
      [ v ];

  discharge =
    v:
    if v._type or "" == "merge" then
      concatMap discharge v.contents
    else if v._type or "" == "if" then
      if !isBool v.condition then
        throw "mkIf called with a non-Boolean condition"
      else if v.condition then
        discharge v.content
      else
        [ ]
    else
      [ v ];

  # mergeDefinitions: discharge, keep the highest priority, merge by type.
  mergeDefinitions =
    loc: type: defs:
    let
      plain = concatMap (d: map (value: d // { inherit value; }) (discharge d.value)) defs;
      prio = d: if d.value._type or "" == "override" then d.value.priority else defaultPriority;
      best = foldl' (p: d: if prio d < p then prio d else p) 9999 plain;
      final = map (d: if d.value._type or "" == "override" then d // { value = d.value.content; } else d) (
        filter (d: prio d == best) plain
      );
    in
    {
      isDefined = final != [ ];
      defsFinal = final;
      mergedValue =
        if final == [ ] then
          throw "The option `${showOption loc}' is used but not defined."
        else
          type.merge loc final;
    };

  mkOptionType = attrs: { _type = "option-type"; } // attrs;

  mergeEqual =
    loc: defs:
    let
      first = (head defs).value;
    in
    if lib.all (d: d.value == first) defs then
      first
    else
      throw "The option `${showOption loc}' has conflicting definition values.";

  mergeOne =
    loc: defs:
    if length defs == 1 then
      (head defs).value
    else
      throw "The unique option `${showOption loc}' is defined multiple times.";

  # mergeDefaultOption, nixpkgs' merge for unspecified.
  mergeDefault =
    loc: defs:
    let
      vs = map (d: d.value) defs;
    in
    if length vs == 1 then
      head vs
    else if lib.all isList vs then
      concatMap (x: x) vs
    else if lib.all isAttrs vs then
      foldl' (a: b: a // b) { } vs
    else if lib.all isBool vs then
      lib.any (x: x) vs
    else
      throw "The option `${showOption loc}' has conflicting definition values.";

  attrsOfWith =
    name: elemType:
    mkOptionType {
      inherit name;
      merge =
        loc: defs:
        let
          names = lib.unique (concatMap (d: attrNames d.value) defs);
          elemDefs = n: concatMap (d: if d.value ? ${n} then [ (d // { value = d.value.${n}; }) ] else [ ]) defs;
        in
        listToAttrs (
          map (n: {
            name = n;
            value = (mergeDefinitions (loc ++ [ n ]) elemType (elemDefs n)).mergedValue;
          }) names
        );
    };

  types = rec {
    unspecified = mkOptionType {
      name = "unspecified";
      merge = mergeDefault;
    };
    bool = mkOptionType {
      name = "bool";
      merge = mergeEqual;
    };
    str = mkOptionType {
      name = "str";
      merge = mergeEqual;
    };
    int = mkOptionType {
      name = "int";
      merge = mergeEqual;
    };
    package = mkOptionType {
      name = "package";
      merge = mergeOne;
    };
    attrs = mkOptionType {
      name = "attrs";
      merge = _: defs: foldl' (a: d: a // d.value) { } defs;
    };
    listOf =
      elemType:
      mkOptionType {
        name = "listOf";
        merge = _: defs: concatMap (d: d.value) defs;
      };
    attrsOf = attrsOfWith "attrsOf";
    lazyAttrsOf = attrsOfWith "lazyAttrsOf";
    enum =
      values:
      mkOptionType {
        name = "enum";
        merge =
          loc: defs:
          let
            v = mergeEqual loc defs;
          in
          if lib.elem v values then v else throw "The option `${showOption loc}' is not one of ${toString values}.";
      };
    nullOr =
      t:
      mkOptionType {
        name = "nullOr";
        merge = loc: defs: if lib.all (d: d.value == null) defs then null else t.merge loc (filter (d: d.value != null) defs);
      };
  };

  mkOption = attrs: attrs // { _type = "option"; };
  isOption = x: isAttrs x && x._type or "" == "option";

  # mergeOptionDecls.
  mergeDecls =
    loc: decls:
    foldl' (
      res: d:
      let
        bothHave = k: d.option ? ${k} && res ? ${k};
      in
      if
        bothHave "default"
        || bothHave "example"
        || bothHave "description"
        || bothHave "apply"
        || (bothHave "type" && d.option.type.name != res.type.name)
      then
        throw "The option `${showOption loc}' in `${d.file}' is already declared in ${builtins.concatStringsSep ", " res.declarations}."
      else
        removeAttrs d.option [ "_type" ] // res // { declarations = res.declarations ++ [ d.file ]; }
    ) { declarations = [ ]; } decls;

  evalOption =
    loc: decls: defs:
    let
      opt = {
        type = types.unspecified;
      }
      // mergeDecls loc decls;
      defs' = lib.optional (opt ? default) {
        file = head opt.declarations;
        value = mkOverride 1500 opt.default;
      }
      ++ defs;
      res =
        if opt.readOnly or false && length defs' > 1 then
          throw "The option `${showOption loc}' is read-only, but it's set multiple times."
        else
          mergeDefinitions loc opt.type defs';
    in
    opt
    // {
      _type = "option";
      value = if opt ? apply then opt.apply res.mergedValue else res.mergedValue;
      inherit (res) isDefined;
      files = map (d: d.file) res.defsFinal;
    };

  # Declarations and definitions at one level of the option tree.
  evalTree =
    loc: declMods: defs:
    let
      names = lib.unique (concatMap (m: attrNames m.options) declMods);
      declsOf = n: concatMap (m: if m.options ? ${n} then [ (m // { options = m.options.${n}; }) ] else [ ]) declMods;
      defsOf =
        n:
        concatMap (
          d: concatMap (v: if v ? ${n} then [ (d // { value = v.${n}; }) ] else [ ]) (pushDown d.value)
        ) defs;
      node =
        n:
        let
          ds = declsOf n;
        in
        if lib.all (m: isOption m.options) ds then
          evalOption (loc ++ [ n ]) (map (m: {
            inherit (m) file;
            option = m.options;
          }) ds) (defsOf n)
        else if lib.any (m: isOption m.options) ds then
          throw "The option `${showOption (loc ++ [ n ])}' is declared both as an option and as a set of options."
        else
          evalTree (loc ++ [ n ]) ds (defsOf n);
      tree = listToAttrs (
        map (n: {
          name = n;
          value = node n;
        }) names
      );
      undeclared = filter (n: !(lib.elem n names)) (lib.unique (concatMap (d: concatMap attrNames (pushDown d.value)) defs));
    in
    tree
    // {
      _undeclared = map (n: showOption (loc ++ [ n ])) undeclared
        ++ concatMap (n: if isOption tree.${n} then [ ] else tree.${n}._undeclared) names;
    };

  configOf = tree: mapAttrs (_: v: if isOption v then v.value else configOf v) (removeAttrs tree [ "_undeclared" ]);

  evalModules =
    {
      modules,
      specialArgs ? { },
    }:
    let
      args = specialArgs // {
        inherit lib config options;
      };
      load =
        file: m:
        let
          m' = if isPath m || builtins.isString m then import m else m;
          file' = if isPath m || builtins.isString m then toString m else file;
          body = if isFunction m' then m' (builtins.intersectAttrs (builtins.functionArgs m') args // args) else m';
          isFull = body ? options || body ? config || body ? imports;
        in
        {
          key = file';
          file = file';
          options = body.options or { };
          config = if isFull then body.config or { } else removeAttrs body [ "_file" ];
          imports = body.imports or [ ];
        };
      collected = builtins.genericClosure {
        startSet = lib.imap0 (i: m: load "<module ${toString i}>" m) modules;
        operator = m: lib.imap0 (i: load "${m.file}:import ${toString i}") m.imports;
      };
      tree = evalTree [ ] collected (map (m: {
        inherit (m) file;
        value = m.config;
      }) collected);
      options = removeAttrs tree [ "_undeclared" ];
      config = configOf tree;
    in
    {
      inherit options config;
      undeclared = tree._undeclared;
    };
in
{
  inherit
    mkIf
    mkMerge
    mkOverride
    mkOption
    types
    evalModules
    ;
  mkDefault = mkOverride 1000;
  mkOptionDefault = mkOverride 1500;
  mkForce = mkOverride 50;
  mkEnableOption =
    name:
    mkOption {
      type = types.bool;
      default = false;
      description = "Whether to enable ${name}.";
    };
}
