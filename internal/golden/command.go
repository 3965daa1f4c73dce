package golden

import (
	"fmt"
	"strings"
)

// Command is a case's COMMAND: the environment assignments and the
// arguments systemd-repart ran with, in the work directory.
type Command struct {
	Env  map[string]string // SOURCE_DATE_EPOCH, TZ
	Args []string          // after the program name; WORK replaced
}

// Command reads the case's COMMAND, with WORK replaced by work. The line
// is words separated by blanks (no quoting): NAME=VALUE assignments, the
// program, its arguments.
func (c Case) Command(work string) (Command, error) {
	data, err := c.ReadFile("COMMAND")
	if err != nil {
		return Command{}, err
	}
	words := strings.Fields(string(data))
	cmd := Command{Env: map[string]string{}}
	i := 0
	for ; i < len(words); i++ {
		k, v, ok := strings.Cut(words[i], "=")
		if !ok || strings.HasPrefix(k, "-") {
			break
		}
		cmd.Env[k] = v
	}
	if i == len(words) || words[i] != "systemd-repart" {
		return Command{}, fmt.Errorf("reading %s/COMMAND: want [NAME=VALUE…] systemd-repart ARGS…", c.Name)
	}
	for _, w := range words[i+1:] {
		cmd.Args = append(cmd.Args, strings.ReplaceAll(w, "WORK", work))
	}
	return cmd, nil
}

// Flag returns the value of --name=VALUE in the arguments, or "".
func (c Command) Flag(name string) string {
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}
