// Package luks writes LUKS2 volumes without root, device-mapper or
// libcryptsetup: the partitions systemd-repart 262 makes with
// Encrypt=key-file when it works offline (on a regular file), where it
// formats a detached header with cryptsetup 2.6, encrypts the filesystem in
// place with crypt_reencrypt's data shift and restores the header at the
// front. A Writer is an io.WriterAt that any filesystem writer writes
// through; the bytes land encrypted in the volume's data segment. OpenReader
// decrypts a volume (ours or cryptsetup's) for the tests.
//
// Layout of a partition of S bytes (offsets from the partition start):
//
//	0          primary header: binary header (4 KiB) + JSON area (12 KiB)
//	16 KiB     secondary header, the same JSON
//	32 KiB     keyslots area (16 MiB - 32 KiB), random; keyslot 0's split
//	           key in its first 258048 bytes (4000 stripes x 64 bytes)
//	16 MiB     data segment "0": offset 16777216, size "dynamic" (S - 16 MiB)
//	           plaintext 0 .. S-32 MiB: the filesystem (DataSize)
//	           plaintext S-32 MiB .. S-16 MiB: encrypted zeros
//
// The filesystem is KeepFree (32 MiB) smaller than the partition because
// repart 262 makes it that size before its offline encryption (one
// LUKS2_METADATA_SIZE for the header, one for the data shift), and the
// segment is dynamic, so an opened volume is S - 16 MiB and the filesystem
// can be grown into the last 16 MiB. repart leaves noise there (cryptsetup
// wipes its data-shift backup with random bytes); we leave encrypted zeros.
//
// Header fields as cryptsetup 2.6 writes them for repart's crypt_format
// call: hdr_size 16384, json_size 12288, keyslots_size 16744448, seqid 1,
// checksum sha256 over the 16 KiB area with the checksum zeroed, a random
// 64-byte salt per header, the UUID (repart: derive_uuid(partition UUID,
// "luks-uuid")) and the label (repart: VolumeLabel=, default "luks-" +
// partition label; at most 47 bytes). The JSON text is byte for byte what
// json-c prints (checked against repart 262's headers in testdata):
//
//   - segment 0: crypt, aes-xts-plain64, iv_tweak 0, sector_size 4096
//     (Params.SectorSize: repart's filesystem sector size);
//   - keyslot 0: luks2, key_size 64, af luks1 with 4000 stripes, area raw
//     aes-xts-plain64 with a 64-byte key, kdf per Params.KDF (below);
//   - digest 0: pbkdf2 sha256 of the volume key, 32-byte salt and digest;
//   - tokens: none (repart adds systemd-tpm2 tokens only for TPM2);
//   - config flags: "allow-discards" when Params.Discard (repart:
//     Discard=, default on with --discard=yes).
//
// Encryption: aes-xts-plain64 with a random 512-bit volume key (AES-256 for
// data and tweaks). cryptsetup activates LUKS2 without iv_large_sectors, so
// the plain64 IV of a 4096-byte sector n is 8n: sector numbers count 512-byte
// units (checked by decrypting a repart 262 image). The keyslot's split key
// is encrypted in 512-byte sectors with IVs from 0. golang.org/x/crypto/xts
// drives AES one block per call (0.05-0.4 GB/s on the shared 2-core test
// machine), too slow to keep up with writes; two assembly kernels replace it
// for encryption: xts_vaes_amd64.s (VAES and AVX-512: 32 blocks per pass,
// round keys and tweaks in registers, 4-6 GB/s on one core) and, on CPUs
// without those, xts_amd64.s (AES-NI, eight blocks per pass, about a third
// of that). Both are checked against x/crypto/xts, which stays the portable
// path and the decryption. Writes of 256 KiB or more are split between two
// goroutines, so one encrypts while the other writes; the ciphertext
// depends only on the key and the sector, not on scheduling. Writing
// through the Writer costs about what writing the plaintext does
// (BenchmarkWrite).
//
// Key derivation, Params.KDF (repart's EncryptKDF=). cryptsetup benchmarks
// its costs to take 2 s on the formatting machine; we use fixed costs so a
// build does the same work everywhere:
//
//   - "argon2id" or "" (repart's default): argon2id, time 4 (cryptsetup's
//     minimum, where its benchmark starts), memory 64 MiB and 4 lanes
//     (RFC 9106 §4's choice for memory-constrained systems, with one more
//     pass; cryptsetup's default thread count); AF hash sha256. An initrd
//     with little RAM unlocks it, and the build holds the 64 MiB only while
//     deriving the key.
//   - "pbkdf2": PBKDF2-SHA256, 1000000 iterations; AF hash sha256.
//   - "minimal": PBKDF2-SHA512, 1000 iterations, AF hash sha512 — repart's
//     cryptsetup_set_minimal_pbkdf(), for high-entropy keys. Its digest
//     also uses cryptsetup's minimum of 1000 iterations.
//
// The digest uses 100000 PBKDF2-SHA256 iterations otherwise (it guards a
// random 512-bit key). All costs are Params fields. repart 262 itself fails
// with EncryptKDF=argon2id and EncryptKDF=pbkdf2 ("Failed to set KDF type:
// Invalid argument": it passes cryptsetup a crypt_pbkdf_type without a
// target time, and for pbkdf2 without a hash); we implement both.
//
// The passphrase is Params.Key, the key file's bytes as read (repart's
// --key-file= or KeyFile=); without a key file repart enrolls the empty
// passphrase, and so does an empty Key.
//
// Writing: WriteAt(b, off) takes plaintext at filesystem offset off (below
// DataSize), never modifies b and never stores plaintext in dst. Whole
// sectors are encrypted straight from b; a write that covers part of a
// sector merges it with what was written there before (read back from dst,
// which must then implement io.ReaderAt) or with zeros. Close encrypts zeros
// into every sector of the segment that was never written, so the volume
// decrypts to exactly the filesystem image with zeros where it has holes,
// as repart's full-device encryption gives; Params.KeepHoles skips that and
// leaves those sectors as dst has them (a hole decrypts to noise), which
// keeps a large, mostly empty partition sparse but shows which sectors the
// filesystem uses. gorepart's ext4 (e2fsck,
// and a read-write kernel mount in TestKernel) and erofs writers pass
// their checkers with noise in the blocks they do not write; the vfat
// writer does not (it leaves the unused end of its FATs unwritten). The
// builder (package repart) keeps holes for the formats marked
// fsformat.Format.HolesUnread (ext4, erofs, squashfs) and swap, and fills
// the rest.
// Memory:
// two 1 MiB buffers per concurrent WriteAt and the set of written sector
// ranges.
//
// Not reproducible by design: the volume key, the salts and the keyslots
// area come from crypto/rand (Params.Rand exists for tests). This is the one
// deliberate exception to gorepart's byte-reproducibility.
//
// Refused: any cipher but aes-xts-plain64 with a 512-bit key, sector sizes
// other than 512/1024/2048/4096, labels over 47 bytes, argon2 costs outside
// cryptsetup's limits, volumes not larger than KeepFree, and data segments
// that are not whole sectors. Not written: TPM2 enrollment (Encrypt=tpm2,
// key-file+tpm2: needs a TPM or --tpm2-device-key= sealing, systemd-tpm2
// token JSON), Integrity=inline (dm-integrity; repart refuses it offline
// too), LUKS2 tokens, reencryption state, detached headers.
// Writer.VolumeKeyID gives the crypttab fixate-volume-key= value.
package luks
