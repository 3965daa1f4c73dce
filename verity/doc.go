// Package verity writes dm-verity hash trees the way `veritysetup format`
// (cryptsetup 2.x) does for systemd-repart, and the verity signature
// partition content that repart puts next to them.
//
// What it writes (repart.md §5; cryptsetup lib/verity/verity_hash.c):
//   - format version 1 ("normal" hash type: salt prepended to every hashed
//     block), sha256, with the 512-byte superblock at offset 0 of the hash
//     area, padded to one hash block;
//   - the hash levels after the superblock, top level first and the leaf
//     level (digests of the data blocks) last, each hash block holding
//     hashBlockSize/32 digests and zero padding; HashSize bytes in all;
//   - the root hash: sha256(salt ‖ top hash block), or of the single data
//     block when there is only one (then the area is just the superblock);
//   - a detached PKCS#7 signature of the lowercase hex root hash (no signed
//     attributes, signer certificate included, OpenSSL's encoding) and the
//     16 KiB JSON that repart writes into a Verity=signature partition.
//
// Four ways to compute a tree: Build reads the data through an io.ReaderAt
// on all cores; CopyAndBuild copies a CopyBlocks= source into the data
// partition and hashes each chunk on the way, on all cores; Hasher takes the
// data in order through io.Writer (e.g. from a producer that streams it);
// WriterAt sits between a file system writer and its partition, hashes whole
// blocks as they are written at any offset and reads back only blocks
// written partially or twice. Writers passed to them must take parallel
// WriteAt calls on disjoint ranges, as io.WriterAt allows (os.File does).
//
// repart hashes the whole data partition (its full size, not only the bytes
// copied or written into it), or the minimized image when Minimize= is set;
// dataSize is that size. Bytes of the hash partition after HashSize are left
// alone (repart leaves them as they are, zero in a new image).
//
// What it refuses: hash algorithms other than sha256, format version 0,
// superblock-less trees, block sizes that are not powers of two in
// 512..4096 (as repart's parser does), salts longer than 256 bytes, and data
// shorter than one data block (as veritysetup does). A trailing partial data
// block is ignored, as cryptsetup does (data blocks = floor(size/dataBlockSize)).
// Signing keys must be unencrypted RSA or ECDSA PEM keys matching the
// certificate.
//
// Memory: Build and CopyAndBuild build the tree in place when the hash
// destination is also an io.ReaderAt (an *os.File, repart's partition
// view): the superblock block first, the leaf digests written at their
// offset as each data chunk is hashed, then each upper level computed from
// the one below read back in 1 MiB chunks on all cores, and every level's
// last block padded with zeros explicitly. Their heap is then the workers'
// 1 MiB buffers, whatever the data size. With a destination that cannot be
// read back, and always for Hasher and WriterAt (their leaf digests arrive
// before the destination is known), the whole tree (about 1/127 of the
// data size) is kept in memory until it is written with one WriteAt. Both
// ways write the same bytes.
package verity
