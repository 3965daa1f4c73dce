package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves positional arguments after the options, as getopt
// does for systemd-repart, and spells repart's short options -n, -S, -C
// and -P long (expandShort) ("systemd-repart image.raw --size=auto" works
// there), since urfave/cli stops parsing options at the first argument
// that is not one. The subcommand, if any, stays first.
func permuteArgs(args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	if rest[0] == "build" || rest[0] == "lint" {
		out, rest = append(out, rest[0]), rest[1:]
	}
	boolFlags := map[string]bool{}
	for _, f := range append(append(flags(), artifactFlags()...), builderFlags()...) {
		if _, ok := f.(*cli.BoolFlag); ok {
			for _, n := range f.Names() {
				boolFlags[n] = true
			}
		}
	}
	var positional []string
	for i := 0; i < len(rest); i++ {
		tok := rest[i]
		if long := expandShort(tok); len(long) > 1 || long[0] != tok {
			out = append(out, long...)
			continue
		}
		switch {
		case tok == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case len(tok) > 1 && tok[0] == '-':
			out = append(out, tok)
			name := strings.TrimLeft(tok, "-")
			if !strings.Contains(name, "=") && !boolFlags[name] && i+1 < len(rest) && name != "help" && name != "h" {
				i++
				out = append(out, rest[i])
			}
		default:
			positional = append(positional, tok)
		}
	}
	for _, a := range positional {
		if strings.HasPrefix(a, "-") {
			out = append(out, "--") // keep it from being read as an option
			break
		}
	}
	return append(out, positional...)
}
