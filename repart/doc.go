// Package repart plans and builds GPT disk images the way systemd-repart
// --offline does.
//
// Planning (Identify, then Place) is pure: it turns definitions, a seed and
// geometry options into partition UUIDs, labels, sizes, offsets and numbers
// without touching a file, so it is table-tested against the layouts the
// real systemd-repart produced (../shared/golden). Building (Build) writes
// what the plan says: content, the GPT, split files.
//
// An existing image is treated as --empty= says, as systemd-repart 262
// does (label.go): refuse and allow build upon its GPT, adding partitions
// and growing existing ones into the free space after them; require and
// force, and allow without any label, start from scratch; refuse without
// a GPT, require with any label and allow with a non-GPT label are
// refused with a *LabelConflict (repart's exit status 77).
package repart
