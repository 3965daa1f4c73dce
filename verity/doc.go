// Package verity writes dm-verity hash trees the way `veritysetup format`
// (cryptsetup 2.x) does for systemd-repart, and the verity signature
// partition content that repart puts next to them.
//
// What it writes (repart.md §5):
//   - format version 1 ("normal" hash type: salt prepended to every hashed
//     block), sha256 only, with the 512-byte superblock at offset 0 of the
//     hash area, padded to one hash block;
//   - the hash levels after the superblock, top level first and the leaf
//     level (hashes of the data blocks) last, each hash block holding
//     hashBlockSize/32 digests and zero padding;
//   - the root hash, sha256(salt ‖ top hash block) (or of the single data
//     block when there is only one);
//   - a detached PKCS#7 signature of the lowercase hex root hash (no signed
//     attributes, signer certificate included) and the 16 KiB JSON that
//     repart writes into a Verity=signature partition.
//
// What it refuses: hash algorithms other than sha256, format version 0,
// superblock-less trees, block sizes that are not powers of two in
// 512..4096, salts longer than 256 bytes, and data shorter than one data
// block (cryptsetup refuses those too). A trailing partial data block is
// ignored, as cryptsetup does (data blocks = floor(size/dataBlockSize)).
//
// Build and Hasher hash the data blocks on all available cores; the whole
// tree (about 1/127 of the data size) is kept in memory until it is written.
package verity
