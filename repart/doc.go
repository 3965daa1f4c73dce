// Package repart plans and builds GPT disk images the way systemd-repart
// --offline does.
//
// Planning (Identify, then Place) is pure: it turns definitions, a seed and
// geometry options into partition UUIDs, labels, sizes, offsets and numbers
// without touching a file, so it is table-tested against the layouts the
// real systemd-repart produced (../shared/golden). Building (Build) writes
// what the plan says: content, the GPT, split files.
//
// Every byte of the image is written once, at its place: partitions are
// written concurrently, one per core (schedule.go; a verity hash tree
// once its data partition is written, signatures last, log lines and
// progress in partition order), each into its window of the image
// (copy.go), which the kernel is asked to write back as it fills
// (writeback.go). A filesystem whose size is known only by writing it (a
// compressed erofs) is written in place while the image is still being
// laid out (inplace.go). The output does not depend on the schedule.
//
// An existing image is treated as --empty= says, as systemd-repart 262
// does (label.go): refuse and allow build upon its GPT, adding partitions
// and growing existing ones into the free space after them; require and
// force, and allow without any label, start from scratch; refuse without
// a GPT, require with any label and allow with a non-GPT label are
// refused with a *LabelConflict (repart's exit status 77).
package repart
