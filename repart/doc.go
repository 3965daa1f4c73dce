// Package repart plans and builds GPT disk images the way systemd-repart
// --offline does.
//
// The stages, each with explicit inputs and outputs:
//
//   - Identify (identify.go) gives every definition its partition: type,
//     UUID, label, effective format, GPT attributes; an existing table's
//     entries are claimed by definitions or kept as foreign partitions.
//     The *Partition values it returns are never changed afterwards.
//   - The builder's prepare (content.go) reads and sizes content: opens
//     CopyBlocks= sources, builds each filesystem's tree (package fstree)
//     and plans its writer through the one writer contract (package
//     fsformat; the dispatch table is formats.go), and lets package
//     minimize size Minimize= partitions and verity hash trees. A
//     filesystem whose size is known only by writing it (a compressed
//     erofs) is written into the image then, where the layout so far puts
//     it, and written again only if the final layout moves it (inplace.go).
//   - Place (plan.go, sizes.go, area.go, grow.go) is pure: from the
//     partitions, the content sizes and the options it returns a Layout
//     (offsets, sizes, paddings, partition numbers, dropped partitions)
//     and changes none of its inputs. It is table-tested against the
//     layouts the real systemd-repart 262 made (testdata/golden).
//   - The builder then writes what the layout says (write.go): content,
//     through LUKS2 where Encrypt= asks (luks.go), then verity hash trees
//     over the data as written, then signatures. Partitions are written
//     concurrently, one per core (schedule.go: a hash tree once its data
//     partition is written, log lines and progress in partition order),
//     each into its window of the image (copy.go), which the kernel is
//     asked to write back as it fills (writeback.go); every byte is
//     written once and none depends on the schedule. Its Outcome records the
//     root hashes, from which the table's verity UUIDs follow (TableUUID),
//     and the split files. Then the GPT, the El Torito header
//     (eltorito.go), split files (split.go), a VM disk container
//     (container.go), and the rename into place.
//
// Around these stages, as repart's run() orders them: the partitions of
// --copy-from= images (copyfrom.go) are listed before the definitions'
// and copied block by block; --factory-reset= removes the partitions it
// names from the existing table first (factoryreset.go); the fstab and
// crypttab are written before any content is read (auxfiles.go), the
// crypttab again with the LUKS2 volume key ids at the end; an existing
// image's new partitions and the gaps after them are cleared (discard.go)
// and its NOCOW attribute kept (cow.go).
//
// Build runs all of it; MinimalSize (what repart prints without an image)
// runs the same planning. An existing image is treated as --empty= says,
// as systemd-repart 262 does (label.go): refuse and allow build upon its
// GPT, adding partitions and growing existing ones into the free space
// after them; require and force, and allow without any label, start from
// scratch; refuse without a GPT, require with any label and allow with a
// non-GPT label are refused with a *LabelConflict (repart's exit status
// 77).
package repart
