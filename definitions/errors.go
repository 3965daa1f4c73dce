package definitions

import "strings"

// Error is a refused input: Pos names the file, line and key, Msg says
// what is wrong, Err is the underlying cause if any. Error() is one line.
type Error struct {
	Pos Position
	Msg string
	Err error
}

func (e *Error) Error() string {
	s := e.Pos.String() + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return oneLine(s)
}

func (e *Error) Unwrap() error { return e.Err }

// Warning is a message repart logs while reading definitions without
// failing: a line it ignores (unknown key, label too long, weight out of
// range, ...) or a notice (a size rounded to 4096). String() gives
// repart's wording: "FILE:LINE: message".
type Warning struct {
	Pos Position
	Msg string
}

func (w Warning) String() string {
	p := w.Pos
	switch {
	case p.Line > 0:
		return oneLine(p.File + ":" + itoa(p.Line) + ": " + w.Msg)
	case p.Key != "":
		return oneLine(p.File + ": " + p.Key + ": " + w.Msg)
	}
	return oneLine(p.File + ": " + w.Msg)
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r") {
		return s
	}
	return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s)
}

func errAt(pos Position, format string, err error) *Error {
	return &Error{Pos: pos, Msg: format, Err: err}
}
