// Package repart plans and builds GPT disk images the way systemd-repart
// --offline does.
//
// Planning (Identify, then Place) is pure: it turns definitions, a seed and
// geometry options into partition UUIDs, labels, sizes, offsets and numbers
// without touching a file, so it is table-tested against the layouts the
// real systemd-repart produced (../shared/golden). Building (Build) writes
// what the plan says: content, the GPT, split files.
package repart
